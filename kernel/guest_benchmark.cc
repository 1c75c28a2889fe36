// SPDX-License-Identifier: GPL-2.0-only
//
// The kernel guest's throughput against the model's, side by side in one
// process (issue 15 asks for 1.5x): the canonical 3-CPU scenario, the same
// seeded random schedules, every checker on, for the fixed and b0473dcd
// variants; alternating rounds, medians. Run with
//   bazel run -c opt //kernel:guest_benchmark -- [--seconds=S] [--rounds=N]
// (ci/bench-kernel-guest.sh) and record the figures in BENCHMARKS.md.
// For profiles (valgrind --tool=callgrind): --only=model or --only=kernel
// runs one guest, --variant=V one variant.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "kernel/guest_build.h"
#include "kernel/guest_image.h"
#include "kernel/kernel_guest.h"
#include "lib/hex.h"
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
  std::string only, variant;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--only=", 7) == 0 &&
        (std::strcmp(argv[i] + 7, "model") == 0 || std::strcmp(argv[i] + 7, "kernel") == 0)) {
      only = argv[i] + 7;
    } else if (std::strncmp(argv[i], "--variant=", 10) == 0) {
      variant = argv[i] + 10;
    } else if (!Flag(argv[i], "--seconds=", &seconds) && !Flag(argv[i], "--rounds=", &rounds)) {
      std::fprintf(stderr,
                   "usage: guest_benchmark [--seconds=S] [--rounds=N] [--only=model|kernel] "
                   "[--variant=V]\n");
      return 2;
    }
  }
  std::vector<std::string> outcomes, per_cpu_s;
  std::printf("canonical 3-CPU scenario, random schedules, all checkers on, fuzz mode, one core\n");
  std::printf("%-10s %14s %14s %8s %14s %14s %8s %12s %12s\n", "variant", "model exec/s",
              "kernel exec/s", "ratio", "model step/s", "kernel step/s", "ratio", "model st/ex",
              "kernel st/ex");
  for (const char* v : {"fixed", "b0473dcd"}) {
    if (!variant.empty() && variant != v) continue;
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
    std::vector<double> me, ke, ms, ks, mc, kc;  // mc, kc: executions per CPU-second
    double m_spe = 0, k_spe = 0;  // steps per execution: the same every round
    std::uint64_t m_out = 0, k_out = 0;  // Throughput::outcomes: the same every round
    for (int r = 0; r < static_cast<int>(rounds); ++r) {
      Throughput m, k;
      if (only != "kernel") m = MeasureThroughput([] { return NewModelGuest(); }, s, false, seconds);
      if (only != "model") {
        k = MeasureThroughput([img] { return NewKernelGuest(*img); }, s, false, seconds);
      }
      me.push_back(m.execs_per_s);
      ke.push_back(k.execs_per_s);
      ms.push_back(m.steps_per_s);
      ks.push_back(k.steps_per_s);
      mc.push_back(m.execs_per_cpu_s);
      kc.push_back(k.execs_per_cpu_s);
      m_spe = m.steps_per_exec;
      k_spe = k.steps_per_exec;
      m_out = m.outcomes;
      k_out = k.outcomes;
    }
    std::printf("%-10s %14.0f %14.0f %7.2fx %14.0f %14.0f %7.2fx %12.1f %12.1f\n", v, Median(me),
                Median(ke), Median(ke) / Median(me), Median(ms), Median(ks),
                Median(ks) / Median(ms), m_spe, k_spe);
    outcomes.push_back(std::string(v) + ": model " + Hex16(m_out) + ", kernel " + Hex16(k_out));
    char line[160];
    std::snprintf(line, sizeof(line), "%-10s %14.0f %14.0f %7.2fx", v, Median(mc), Median(kc),
                  Median(kc) / Median(mc));
    per_cpu_s.push_back(line);
  }
  // The same runs per second of the benchmark thread's CPU time: on a
  // shared machine, wall time also counts the waits for a core.
  std::printf("per CPU-second of the benchmark thread:\n%-10s %14s %14s %8s\n", "variant",
              "model exec/s", "kernel exec/s", "ratio");
  for (const std::string& l : per_cpu_s) std::printf("%s\n", l.c_str());
  // What the runs did (not how fast): equal between two builds that change
  // only speed.
  std::printf("outcomes of the first 1024 runs (steps, preemptions, signatures hashed):\n");
  for (const std::string& o : outcomes) std::printf("  %s\n", o.c_str());
  return 0;
}
