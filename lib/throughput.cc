// SPDX-License-Identifier: GPL-2.0-only
#include "lib/throughput.h"

#include <time.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <vector>

#include "lib/hash.h"
#include "lib/simulator.h"

namespace smpfuzz {
namespace {

// This thread's CPU time in seconds: what a run costs, whatever else the
// machine runs (the benchmarks' machines are shared; wall time counts the
// time this thread waited for a core).
double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

Throughput MeasureThroughput(const std::function<std::unique_ptr<Guest>()>& guest, const Scenario& s,
                             bool trace, double seconds) {
  Simulator sim(guest());
  if (!sim.Load(s).ok()) std::abort();
  std::mt19937_64 rng(12345);
  // A pool of random schedules, made before timing starts.
  std::vector<Schedule> pool(1024);
  for (Schedule& sched : pool) {
    sched.resize(40);
    for (Choice& c : sched) {
      c = Choice{static_cast<std::uint8_t>(rng() % static_cast<std::uint64_t>(s.nr_cpus)),
                 (rng() % 4) == 0};
    }
  }
  SimOptions opt;
  opt.record_trace = trace;
  opt.verbose = trace;
  std::uint64_t execs = 0, steps = 0, violations = 0;
  std::uint64_t outcomes = kFnvOffsetBasis;
  bool first_pass = true;
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = ThreadCpuSeconds();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (const Schedule& sched : pool) {
      const RunResult& r = sim.Run(sched, opt);
      steps += r.steps;
      violations += !r.clean();
      if (first_pass) {
        outcomes = FnvMixWord(outcomes, r.steps);
        outcomes = FnvMixWord(outcomes, r.preemptions | (std::uint64_t{r.quiescent} << 32));
        outcomes = FnvMixWord(outcomes, r.fired);
      }
    }
    first_pass = false;
    execs += pool.size();
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  Throughput t;
  const double cpu = ThreadCpuSeconds() - cpu_start;
  t.execs_per_s = static_cast<double>(execs) / elapsed;
  t.steps_per_s = static_cast<double>(steps) / elapsed;
  t.execs_per_cpu_s = static_cast<double>(execs) / cpu;
  t.steps_per_cpu_s = static_cast<double>(steps) / cpu;
  t.steps_per_exec = static_cast<double>(steps) / static_cast<double>(execs);
  t.violations = violations;
  t.outcomes = outcomes;
  return t;
}

}  // namespace smpfuzz
