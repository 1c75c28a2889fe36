// SPDX-License-Identifier: GPL-2.0-only
//
// Simulator throughput on the canonical 3-CPU scenario (lib/scenario.h):
// complete executions per second and scheduling steps per second, with every
// checker on, over random schedules from a fixed seed. Run with
//   bazel run --config=opt //lib:sim_benchmark -- [--seconds=S]
// and record the figures in BENCHMARKS.md.

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "lib/model_guest.h"
#include "lib/throughput.h"

int main(int argc, char** argv) {
  double seconds = 3;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--seconds=", 10) == 0) {
      char* end = nullptr;
      seconds = std::strtod(argv[i] + 10, &end);
      if (*end != '\0' || seconds <= 0) {
        std::fprintf(stderr, "sim_benchmark: --seconds: expected a positive number, got '%s'\n",
                     argv[i] + 10);
        return 2;
      }
    } else {
      std::fprintf(stderr, "usage: sim_benchmark [--seconds=S]\n");
      return 2;
    }
  }
  std::printf("canonical 3-CPU scenario, random schedules, all checkers on, one core\n");
  std::printf("mode fuzz: no trace, terse reports (the fuzzers' loop); full: trace + messages\n");
  std::printf("%-10s %-6s %14s %16s %12s %12s\n", "variant", "mode", "execs/s", "steps/s",
              "steps/exec", "violating");
  for (const char* v : {"fixed", "b0473dcd"}) {
    for (bool trace : {false, true}) {
      smpfuzz::Throughput f = smpfuzz::MeasureThroughput(
          [] { return smpfuzz::NewModelGuest(); },
          smpfuzz::CanonicalScenario(smpfuzz::FindVariant(v)), trace, seconds);
      std::printf("%-10s %-6s %14.0f %16.0f %12.1f %12llu\n", v, trace ? "full" : "fuzz",
                  f.execs_per_s, f.steps_per_s, f.steps_per_exec,
                  static_cast<unsigned long long>(f.violations));
    }
  }
  return 0;
}
