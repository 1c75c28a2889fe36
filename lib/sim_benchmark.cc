// SPDX-License-Identifier: GPL-2.0-only
//
// Simulator throughput on the canonical 3-CPU scenario (lib/scenario.h):
// complete executions per second and scheduling steps per second, with every
// checker on, over random schedules from a fixed seed. Run with
//   bazel run --config=opt //lib:sim_benchmark -- [--seconds=S]
// and record the figures in BENCHMARKS.md.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

#include "lib/model_guest.h"
#include "lib/simulator.h"

namespace smpfuzz {
namespace {

struct Figures {
  double execs_per_s;
  double steps_per_s;
  double steps_per_exec;
  std::uint64_t violations;
};

Figures Measure(const char* variant, bool trace, double seconds) {
  Simulator sim(NewModelGuest());
  Scenario s = CanonicalScenario(FindVariant(variant));
  if (!sim.Load(s).ok()) std::abort();
  std::mt19937_64 rng(12345);
  // A pool of random schedules, made before timing starts.
  std::vector<Schedule> pool(1024);
  for (Schedule& sched : pool) {
    sched.resize(40);
    for (Choice& c : sched) c = Choice{static_cast<std::uint8_t>(rng() % 3), (rng() % 4) == 0};
  }
  SimOptions opt;
  opt.record_trace = trace;
  opt.verbose = trace;
  std::uint64_t execs = 0, steps = 0, violations = 0;
  auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (int i = 0; i < 1024; ++i) {
      const RunResult& r = sim.Run(pool[i], opt);
      steps += r.steps;
      violations += !r.clean();
    }
    execs += 1024;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return {execs / elapsed, steps / elapsed, static_cast<double>(steps) / execs, violations};
}

}  // namespace
}  // namespace smpfuzz

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
      smpfuzz::Figures f = smpfuzz::Measure(v, trace, seconds);
      std::printf("%-10s %-6s %14.0f %16.0f %12.1f %12llu\n", v, trace ? "full" : "fuzz",
                  f.execs_per_s, f.steps_per_s, f.steps_per_exec,
                  static_cast<unsigned long long>(f.violations));
    }
  }
  return 0;
}
