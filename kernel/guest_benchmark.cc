// SPDX-License-Identifier: GPL-2.0-only
//
// The kernel guest's throughput against the model's, side by side in one
// process (issue 15 asks for 1.5x): the canonical 3-CPU scenario, the same
// seeded random schedules, every checker on, for the fixed and b0473dcd
// variants; alternating rounds, medians. Run with
//   bazel run -c opt //kernel:guest_benchmark -- [--seconds=S] [--rounds=N]
// (ci/bench-kernel-guest.sh) and record the figures in BENCHMARKS.md.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "kernel/guest_build.h"
#include "kernel/guest_image.h"
#include "kernel/kernel_guest.h"
#include "lib/model_guest.h"
#include "lib/scenario.h"
#include "lib/throughput.h"
#include "lib/variant.h"

namespace {

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

bool Flag(const char* arg, const char* name, double* out) {
  const std::size_t n = std::strlen(name);
  if (std::strncmp(arg, name, n) != 0) return false;
  char* end = nullptr;
  *out = std::strtod(arg + n, &end);
  if (*end != '\0' || *out <= 0) {
    std::fprintf(stderr, "guest_benchmark: %s expected a positive number, got '%s'\n", name, arg + n);
    std::exit(2);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace smpfuzz;
  double seconds = 2, rounds = 3;
  for (int i = 1; i < argc; ++i) {
    if (!Flag(argv[i], "--seconds=", &seconds) && !Flag(argv[i], "--rounds=", &rounds)) {
      std::fprintf(stderr, "usage: guest_benchmark [--seconds=S] [--rounds=N]\n");
      return 2;
    }
  }
  std::printf("canonical 3-CPU scenario, random schedules, all checkers on, fuzz mode, one core\n");
  std::printf("%-10s %14s %14s %8s %14s %14s %8s\n", "variant", "model exec/s", "kernel exec/s",
              "ratio", "model step/s", "kernel step/s", "ratio");
  for (const char* v : {"fixed", "b0473dcd"}) {
    // The kernel guest as smpfuzz builds it for a user (default tree + the
    // variant's patches), so the benchmark measures what users run.
    kernel_build::GuestSpec spec;
    spec.builtin_patches = *kernel_build::VariantPatches(v);
    spec.label = v;
    absl::StatusOr<kernel_build::GuestBuild> b =
        kernel_build::BuildGuest(spec, kernel_build::CacheDir(), stderr);
    if (!b.ok()) {
      std::fprintf(stderr, "guest_benchmark: %s\n", std::string(b.status().message()).c_str());
      return 2;
    }
    absl::StatusOr<const GuestImage*> image = LoadGuestImage(b->so_path);
    if (!image.ok()) {
      std::fprintf(stderr, "guest_benchmark: %s\n", std::string(image.status().message()).c_str());
      return 2;
    }
    const GuestImage* img = *image;
    const Scenario s = CanonicalScenario(FindVariant(v));
    std::vector<double> me, ke, ms, ks;
    for (int r = 0; r < static_cast<int>(rounds); ++r) {
      Throughput m = MeasureThroughput([] { return NewModelGuest(); }, s, false, seconds);
      Throughput k = MeasureThroughput([img] { return NewKernelGuest(*img); }, s, false, seconds);
      me.push_back(m.execs_per_s);
      ke.push_back(k.execs_per_s);
      ms.push_back(m.steps_per_s);
      ks.push_back(k.steps_per_s);
    }
    std::printf("%-10s %14.0f %14.0f %7.2fx %14.0f %14.0f %7.2fx\n", v, Median(me), Median(ke),
                Median(ke) / Median(me), Median(ms), Median(ks), Median(ks) / Median(ms));
  }
  return 0;
}
