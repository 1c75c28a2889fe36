// SPDX-License-Identifier: GPL-2.0-only
//
// The issue-6 stress on b0473dcd with csdlock_debug on, on real threads: the
// child process of b0473dcd_race_test. Under --config=tsan, ThreadSanitizer
// reports the plain read-modify-write of csd->node.u_flags in csd_lock()
// racing with another sender's; the test reads that report. It prints one
// summary line per run and exits 0 (TSan turns a report into exit code 66).
//
//   b0473dcd_stress [RUNS]

#include <cstdio>
#include <cstdlib>

#include "lib/model_guest.h"
#include "lib/threads/thread_platform.h"

int main(int argc, char** argv) {
  using namespace smpfuzz;
  int runs = argc > 1 ? std::atoi(argv[1]) : 2;
  if (runs <= 0) {
    std::fprintf(stderr, "usage: b0473dcd_stress [RUNS]\n");
    return 2;
  }
  ThreadPlatform p(NewModelGuest());
  Scenario s = StressScenario(FindVariant("b0473dcd"), 4, 3000, /*seed=*/6);
  if (absl::Status err = p.Load(s); !err.ok()) {
    std::fprintf(stderr, "b0473dcd_stress: %s\n", std::string(err.message()).c_str());
    return 2;
  }
  int self_loops = 0, double_adds = 0, stuck = 0;
  for (int i = 0; i < runs; ++i) {
    // A csd left locked for good (another consequence of the bug) ends the
    // run at its 5 s CSD-lock timeout instead of at the watchdog.
    ThreadRunOptions options;
    options.abort_on_lock_timeout = true;
    options.time_limit_ms = 30000;
    ThreadRunResult r = p.Run(options);
    std::printf("b0473dcd_stress run %d: %s\n", i, r.Summary().c_str());
    self_loops += r.abort == AbortReason::kSelfLoop;
    double_adds += r.abort == AbortReason::kDoubleAdd;
    stuck += r.abort == AbortReason::kStuck;
  }
  std::printf("b0473dcd_stress: %d runs, %d self-loops, %d double adds, %d stuck\n", runs,
              self_loops, double_adds, stuck);
  return stuck == 0 ? 0 : 1;
}
