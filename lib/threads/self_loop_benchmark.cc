// SPDX-License-Identifier: GPL-2.0-only
//
// How often does the b0473dcd self-loop really happen? The same model on real
// threads (ThreadPlatform, no sanitizer) against the deterministic simulator
// under random schedules. Per workload: calls made, self-loops (and other
// double adds of a queued csd) per million calls, and the wall time until the
// first one. Run by hand and record the figures in BENCHMARKS.md:
//
//   bazel run --config=opt //lib/threads:self_loop_benchmark -- --seconds=60

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>

#include "lib/model_guest.h"
#include "lib/simulator.h"
#include "lib/threads/thread_platform.h"

namespace smpfuzz {
namespace {

struct Tally {
  std::uint64_t runs = 0, calls = 0, self_loops = 0, double_adds = 0, stuck = 0;
  std::uint64_t cycles = 0;    // real threads: llist-cycle (a walk longer than the nodes)
  std::uint64_t timeouts = 0;  // real threads: a csd left locked for good (5 s CSD-lock timeout)
  double seconds = 0;
  double first_s = -1;  // wall time until the first self-loop
  std::uint64_t first_calls = 0;

  void Print(const char* platform, const char* workload) const {
    auto per_million = [&](std::uint64_t n) { return calls ? 1e6 * n / calls : 0.0; };
    char first[64] = "none";
    if (first_s >= 0) {
      std::snprintf(first, sizeof first, "%.3f s (%llu calls)", first_s,
                    static_cast<unsigned long long>(first_calls));
    }
    std::printf("%-9s %-22s %8llu %12llu %7.1f %10llu %10.2f %10llu %10.2f %7llu %8llu %6llu  %s\n",
                platform, workload, static_cast<unsigned long long>(runs),
                static_cast<unsigned long long>(calls), seconds,
                static_cast<unsigned long long>(self_loops), per_million(self_loops),
                static_cast<unsigned long long>(double_adds), per_million(double_adds),
                static_cast<unsigned long long>(cycles), static_cast<unsigned long long>(timeouts),
                static_cast<unsigned long long>(stuck),
                first);
  }
};

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

Tally RealThreads(const Scenario& s, double seconds) {
  Tally t;
  ThreadPlatform p(NewModelGuest());
  if (!p.Load(s).ok()) std::abort();
  while (t.seconds < seconds) {
    ThreadRunOptions options;
    options.abort_on_lock_timeout = true;
    options.time_limit_ms = 20000;
    ThreadRunResult r = p.Run(options);
    ++t.runs;
    t.calls += r.requests;
    if (r.abort == AbortReason::kSelfLoop && t.first_s < 0) {
      t.first_s = t.seconds + r.abort_ns / 1e9;
      t.first_calls = t.calls;
    }
    t.seconds += r.elapsed_ns / 1e9;
    t.self_loops += r.abort == AbortReason::kSelfLoop;
    t.double_adds += r.abort == AbortReason::kDoubleAdd;
    t.cycles += r.abort == AbortReason::kCycle;
    t.timeouts += r.abort == AbortReason::kLockTimeout;
    t.stuck += r.abort == AbortReason::kStuck;
  }
  return t;
}

// Random schedules (each step: a random CPU, an IPI one time in four) as
// in lib/sim_benchmark.cc, then the fair policy, in the fuzzers' fast mode.
Tally Simulated(const Scenario& s, int schedule_length, double seconds) {
  Tally t;
  Simulator sim(NewModelGuest());
  if (!sim.Load(s).ok()) std::abort();
  std::mt19937_64 rng(12345);
  SimOptions opt;
  opt.record_trace = false;
  opt.verbose = false;
  Schedule sched(schedule_length);
  std::uint64_t calls_per_run = 0;
  for (const auto& ops : s.ops) {
    for (const Op& op : ops) calls_per_run += op.kind != OpKind::kFlush;
  }
  auto start = std::chrono::steady_clock::now();
  while ((t.seconds = Since(start)) < seconds) {
    for (Choice& c : sched) {
      c = Choice{static_cast<std::uint8_t>(rng() % s.nr_cpus), rng() % 4 == 0};
    }
    const RunResult& r = sim.Run(sched, opt);
    ++t.runs;
    // A run stops at the self-loop: count the calls issued in full runs only
    // as an upper bound would flatter the simulator, so count them all.
    t.calls += calls_per_run;
    if (r.Has(Signature::kLlistSelfLoop)) {
      ++t.self_loops;
      if (t.first_s < 0) {
        t.first_s = Since(start);
        t.first_calls = t.calls;
      }
    }
    t.stuck += r.Has(Signature::kCpuStuck);
  }
  return t;
}

}  // namespace
}  // namespace smpfuzz

int main(int argc, char** argv) {
  using namespace smpfuzz;
  double seconds = 20;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--seconds=", 10) == 0) {
      char* end = nullptr;
      seconds = std::strtod(argv[i] + 10, &end);
      if (*end != '\0' || seconds <= 0) {
        std::fprintf(stderr, "self_loop_benchmark: --seconds: expected a positive number\n");
        return 2;
      }
    } else {
      std::fprintf(stderr, "usage: self_loop_benchmark [--seconds=S]  (per row)\n");
      return 2;
    }
  }
  const Variant* v = FindVariant("b0473dcd");
  const Scenario stress = StressScenario(v, 4, 3000, /*seed=*/6);
  const Scenario hammer = HammerScenario(v, 3, 3000);
  const Scenario small_stress = StressScenario(v, 4, 6, /*seed=*/6);
  std::printf("b0473dcd, csdlock_debug on; %.0f s per row; %u hardware threads\n", seconds,
              std::thread::hardware_concurrency());
  std::printf("%-9s %-22s %8s %12s %7s %10s %10s %10s %10s %7s %8s %6s  %s\n", "platform",
              "workload", "runs", "calls", "secs", "selfloops", "per-Mcall", "dbl-adds",
              "per-Mcall", "cycles", "timeouts", "stuck", "first self-loop after");
  RealThreads(stress, seconds).Print("threads", "stress 4x3000");
  RealThreads(hammer, seconds).Print("threads", "hammer 3x3000");
  Simulated(CanonicalScenario(v), 40, seconds).Print("simulator", "canonical (2 calls)");
  Simulated(small_stress, 200, seconds).Print("simulator", "stress 4x6");
  return 0;
}
