// SPDX-License-Identifier: GPL-2.0-only
//
// fuzz_stats: ci/bench-fuzz.sh's statistics over files of trial times (one
// per line, seconds or TIMEOUT; lib/fuzz_stats.h).
//
//   fuzz_stats summary FILE       median [95% interval] timeouts/trials
//   fuzz_stats compare FILE FILE  Mann-Whitney U, two-sided p, A12 (first faster)
//
// A file that cannot be read or holds a bad line is a one-line error, exit 2.

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lib/fuzz_stats.h"

namespace {

int Usage() {
  std::fprintf(stderr, "usage: fuzz_stats summary FILE | fuzz_stats compare FILE FILE\n");
  return 2;
}

bool Read(const char* path, std::vector<double>* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "fuzz_stats: %s: cannot read\n", path);
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  absl::StatusOr<std::vector<double>> t = smpfuzz::ParseTrials(ss.str(), path);
  if (!t.ok()) {
    std::fprintf(stderr, "fuzz_stats: %s\n", std::string(t.status().message()).c_str());
    return false;
  }
  if (t->empty()) {
    std::fprintf(stderr, "fuzz_stats: %s: no trials\n", path);
    return false;
  }
  *out = *t;
  return true;
}

std::string Seconds(double v) {
  if (std::isinf(v)) return "TIMEOUT";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return Usage();
  const std::string cmd = argv[1];
  if (cmd == "summary" && argc == 3) {
    std::vector<double> t;
    if (!Read(argv[2], &t)) return 2;
    const smpfuzz::MedianInterval m = smpfuzz::Median95(t);
    int timeouts = 0;
    for (double v : t) timeouts += std::isinf(v);
    std::printf("%s [%s, %s] (%.1f%%) %d/%zu\n", Seconds(m.median).c_str(), Seconds(m.low).c_str(),
                Seconds(m.high).c_str(), 100 * m.coverage, timeouts, t.size());
    return 0;
  }
  if (cmd == "compare" && argc == 4) {
    std::vector<double> a, b;
    if (!Read(argv[2], &a) || !Read(argv[3], &b)) return 2;
    const smpfuzz::MannWhitney r = smpfuzz::MannWhitneyU(a, b);
    std::printf("U=%.1f p=%.4f A12=%.2f\n", r.u, r.p, r.a12);
    return 0;
  }
  return Usage();
}
