// SPDX-License-Identifier: GPL-2.0-only
//
// ScfTortureRun: scenarios of a mix under PCT (lib/scftorture_run.h).

#include "lib/scftorture_run.h"

#include <chrono>

#include "lib/explorer.h"
#include "lib/hash.h"  // FnvMixWord

namespace smpfuzz {

std::uint64_t ScfMaxSteps(const Scenario& s) {
  const std::uint64_t n = static_cast<std::uint64_t>(s.nr_cpus);
  std::uint64_t steps = 5000;
  for (int t = 0; t < s.nr_tasks(); ++t) {
    for (const Op& op : s.TaskOpList(t)) {
      switch (op.kind) {
        case OpKind::kCallSingle:
        case OpKind::kCallSingleAsync:
        case OpKind::kIrqWorkQueueOn:
        case OpKind::kTtwuQueue:
          steps += 300;
          break;
        case OpKind::kCallMany:  // about 20 steps per target: sender, handler, waiter
        case OpKind::kCallFunction:
        case OpKind::kCallAny:
          steps += 100 + 60 * n;
          break;
        case OpKind::kIrqsOff:  // a step per microsecond while others spin
          steps += 200 + 1000 * std::uint64_t{op.ms};
          break;
        case OpKind::kFlush:
        case OpKind::kCpuOffline:
        case OpKind::kCpuOnline:
          steps += 100 + 40 * n;
          break;
      }
    }
  }
  return steps;
}

absl::StatusOr<ScfTortureStats> RunScfTorture(const ScfParams& params, const Variant* variant, const ScfTortureOptions& options,
                              const std::function<void(const ScfTortureFinding&)>& finding,
                              const std::function<void(const ScfTortureStats&)>& progress,
                              double progress_seconds) {
  ScfTortureStats stats;
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  double next_progress = progress_seconds;
  std::uint32_t reported = 0;  // signatures whose first finding went out
  for (std::uint64_t k = 0; k < options.scenarios; ++k) {
    if (options.max_seconds > 0 && elapsed() >= options.max_seconds) break;
    const std::uint64_t seed = FnvMixWord(FnvMixWord(kFnvOffsetBasis, options.seed), k);
    const Scenario s = ScfTortureScenario(params, variant, seed);
    // ExplorePct takes a scenario it cannot load for a clean one: say so.
    if (absl::Status v = s.Validate(); !v.ok()) {
      return absl::InvalidArgumentError("scftorture: " + params.CommandLine() + ": scenario " + std::to_string(k) +
                                        " is not valid: " + std::string(v.message()));
    }
    PctOptions pct;
    pct.depth = options.pct_depth;
    pct.seed = seed;
    pct.runs = options.runs_per_scenario;
    pct.max_steps = ScfMaxSteps(s);
    pct.guest = options.guest;
    // A scenario that re-queues an irq_work races on its node in every
    // variant (README "The irq_work re-queue race"): data-race would say
    // nothing about the variant there.
    if (params.weight[static_cast<int>(ScfPrim::kIrqWork)] > 0) {
      pct.violations &= ~SignatureBit(Signature::kDataRace);
    }
    const ExploreResult r = ExplorePct(s, pct);
    ++stats.scenarios;
    stats.runs += r.stats.executions;
    if (r.found) {
      ++stats.found[static_cast<int>(r.signature)];
      if (!(reported & SignatureBit(r.signature))) {
        reported |= SignatureBit(r.signature);
        finding(ScfTortureFinding{.signature = r.signature, .scenario = k, .seed = seed, .preemptions = r.preemptions,
                                  .repro = r.counterexample});
      }
    }
    stats.seconds = elapsed();
    if (progress && stats.seconds >= next_progress) {
      progress(stats);
      next_progress = stats.seconds + progress_seconds;
    }
  }
  stats.seconds = elapsed();
  return stats;
}

}  // namespace smpfuzz
