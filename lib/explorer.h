// SPDX-License-Identifier: GPL-2.0-only
//
// Explorer: systematic search over a scenario's schedules, where the fuzzers
// sample.
//
// Stateless depth-first search: every execution replays the scenario from the
// start under a schedule that follows the search stack (lib/simulator.h's
// ScheduleSource), so the simulator needs no snapshots. Iterative preemption
// bounding (CHESS): bound 0, then 1, 2, ... up to the limit; a preemption is a
// switch away from a CPU that could have taken the next step (an IPI delivery
// on another CPU counts too). The first violation found therefore has the
// fewest preemptions. Sleep sets (Godefroid) skip schedules that only reorder
// independent steps; the dependence relation and the rule that keeps sleep
// sets sound under a preemption bound are stated next to the code
// (Independent() and MayPutToSleep() in lib/explorer.cc). With `dpor`, a node
// explores only the alternatives that races of the runs below it demand
// (class Races in lib/explorer.cc: DPOR with bounded-POR backtrack points),
// sleep sets on top. Soundness is not
// taken on trust: lib/explorer_soundness_test.cc compares, on random small
// scenarios and every variant and mutant, the violations and their fewest
// preemptions with and without the reduction.

#ifndef SMPFUZZ_LIB_EXPLORER_H_
#define SMPFUZZ_LIB_EXPLORER_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lib/repro.h"
#include "lib/simulator.h"

namespace smpfuzz {

struct ExploreOptions {
  // No preemption bound: with `iterative`, bounds 0, 1, ... until one that
  // cut no alternative off (that search was the unbounded one); else one
  // search without a bound. Either way it ends: spin-waits block until
  // their value changes and every run stops at max_steps.
  static constexpr int kUnbounded = 1 << 20;
  int max_preemptions = 2;
  bool iterative = true;    // bounds 0..max_preemptions; else only max_preemptions
  bool sleep_sets = true;
  std::uint64_t max_steps = 5000;       // per execution (more: cpu-stuck)
  std::uint64_t max_executions = 0;     // 0: no limit
  double max_seconds = 0;               // 0: no limit
  // Which signatures count as a violation (SignatureBit mask; default: all).
  std::uint32_t violations = ~0u;
  // Stop at the first violation (else explore the whole bound, or with
  // `iterative` the lowest bound that has one, and fill min_preemptions).
  bool stop_at_first = true;
  // The sleep sets smpfuzz had before the dependence relation was made sound
  // (steps touching no memory independent of everything, no preemption-bound
  // rule). Unsound; kept only so that the soundness test can show it catches
  // them and the benchmark can say what soundness costs.
  bool unsound_legacy_sleep_sets = false;
  // Dynamic partial-order reduction (with sleep_sets: DPOR plus sleep sets):
  // from each node only the alternatives that races of the explored runs
  // demand, plus the bound-aware backtrack points of bounded POR; the rule is
  // stated next to the code (class Races in lib/explorer.cc).
  bool dpor = false;
  // A deliberately broken DPOR that ignores races involving an IPI delivery.
  // Unsound; kept only so that the soundness test can show it catches it.
  bool crippled_dpor_for_test = false;
  // Splitting the search into work units, for --jobs and --shard
  // (lib/explore_split.h). A unit is the subtree below the first step at
  // which a schedule reaches `unit_preemptions` preemptions, or one whole run
  // that never does; units are numbered in search order from 0 in each bound.
  // Every worker walks the schedules with fewer preemptions (a cheap top of
  // the tree: with unit_preemptions 1, the non-preemptive runs), and explores
  // a unit's subtree, or counts a run, only when `take_unit` says so. Sleep
  // sets below a unit depend only on the steps above it, so the units of all
  // workers together are exactly the serial search. DPOR adds backtrack
  // points to the nodes above a race, which may lie above the unit: with a
  // split, the nodes above the units therefore try every action (their
  // alternatives are the units), and DPOR prunes within the units.
  enum class Take { kTake, kSkip, kStop };
  struct Split {
    int unit_preemptions = 1;
    // kStop ends the search (another worker found an earlier violation).
    std::function<Take(int bound, std::uint64_t unit)> take_unit;
  };
  const Split* split = nullptr;
  SimOptions sim;                       // checkers' options (max_steps is overridden)
  // The guest to explore; empty: the model (NewModelGuest()).
  std::function<std::unique_ptr<Guest>()> guest;
};

struct ExploreStats {
  std::uint64_t executions = 0;       // runs started
  std::uint64_t abandoned = 0;        // runs cut short: every enabled step asleep or over the bound
  std::uint64_t pruned = 0;           // alternatives skipped by sleep sets (and DPOR)
  // By trace hash, within each bound's search, added up over the bounds.
  std::uint64_t distinct_traces = 0;
  std::uint64_t max_depth = 0;
  int bound = 0;                      // the preemption bound being (or last) explored
  double seconds = 0;
  // In progress reports: the share of the current bound's tree searched, as
  // the search stack tells it (each alternative of a node taken as an equal
  // share of it); -1 when not known.
  double fraction = -1;
  double bound_seconds = 0;           // time in the current bound
  // Steps of the counted runs that replayed the search stack's prefix, of all
  // their steps: what restarting from saved states would save at most.
  std::uint64_t replayed_steps = 0;
  std::uint64_t steps = 0;
};

// The counts of one bound's search (one per bound searched, in order).
struct BoundStats {
  int bound = 0;
  std::uint64_t executions = 0;       // counted runs (with a split: of the units taken)
  std::uint64_t abandoned = 0;
  std::uint64_t traces = 0;           // distinct traces of this bound's search
  std::uint64_t pruned = 0;           // in the units taken (all, without a split)
  // With a split: what every worker sees alike (the top of the tree above the
  // units), so that shards can be checked against each other.
  std::uint64_t units = 0;            // units in this bound
  std::uint64_t units_taken = 0;
  std::uint64_t skipped = 0;          // runs cut at a unit another worker takes
  std::uint64_t pruned_above = 0;     // alternatives pruned above the units
  // Alternatives not tried only because of the bound (every worker counts
  // those above the units). None: the search was the unbounded one.
  std::uint64_t bound_limited = 0;
  bool complete = false;              // every unit taken was searched to the end
  // Per signature, the fewest preemptions of a counted run of this bound.
  std::array<std::uint32_t, kSignatureCount> min_preemptions = NoPreemptions();
  static constexpr std::array<std::uint32_t, kSignatureCount> NoPreemptions() {
    std::array<std::uint32_t, kSignatureCount> a{};
    for (auto& x : a) x = 0xffffffff;
    return a;
  }
};

struct ExploreResult {
  bool found = false;         // a violation
  bool complete = false;      // every schedule within the bounds was run (or pruned)
  Repro counterexample;       // scenario + schedule of the first violation
  Signature signature = Signature::kCount;
  std::uint32_t preemptions = 0;
  int bound = 0;              // the bound being searched when it was found
  std::uint64_t unit = 0;     // with a split: the unit it was found in
  bool stopped = false;       // with a split: take_unit said kStop
  // Complete, and the last bound cut no alternative off: no interleaving
  // (of at most max_steps steps) was left out, whatever its preemptions.
  bool every_interleaving = false;
  std::vector<BoundStats> bounds;
  // Per signature, the fewest preemptions of a run that showed it (kNever:
  // none did). Complete for every signature only with stop_at_first off.
  static constexpr std::uint32_t kNever = 0xffffffff;
  std::array<std::uint32_t, kSignatureCount> min_preemptions = MinPreemptionsNone();
  ExploreStats stats;

  static constexpr std::array<std::uint32_t, kSignatureCount> MinPreemptionsNone() {
    std::array<std::uint32_t, kSignatureCount> a{};
    for (auto& x : a) x = kNever;
    return a;
  }
};

// Randomized PCT (Burckhardt et al.): each run gives the tasks random
// distinct priorities and picks depth-1 random change points among the first
// `steps_hint` steps; the highest-priority enabled task always moves (a CPU's
// task taking its pending IPI first when it may), and at the i-th change
// point the running task drops to priority i. A bug of depth d shows up in a
// run with probability at least 1/(n * k^(d-1)), n the tasks, k the steps. An
// extra task migrates only when no task has anything else to do, so that
// bound does not hold for a bug that needs a migration while other tasks can
// move: PCT leaves those to the search and to the fuzzers.
struct PctOptions {
  int depth = 2;
  std::uint64_t seed = 1;
  std::uint64_t runs = 1000;
  std::uint64_t steps_hint = 0;  // 0: the length of one fair run
  std::uint64_t max_steps = 5000;
  std::uint32_t violations = ~0u;
  // The guest; empty: the model (NewModelGuest()).
  std::function<std::unique_ptr<Guest>()> guest;
};

ExploreResult ExplorePct(const Scenario& s, const PctOptions& options);

// The size of a search, estimated before it by sampling (Knuth's estimator):
// random runs that take each alternative within the bound with equal
// chance; a run's weight is the product of the numbers of alternatives it
// had, the mean weight the expected number of schedules within the bound
// without reduction (the reductions run fewer). GenMC prints its estimate
// the same way.
struct SearchEstimate {
  double executions = 0;       // mean weight
  double standard_error = 0;   // of the mean
  double seconds_per_run = 0;  // measured on the samples
  std::uint64_t samples = 0;
};
SearchEstimate EstimateSearch(const Scenario& s, const ExploreOptions& options, std::uint64_t samples,
                              std::uint64_t seed = 1);

// A preemption bound in messages and certificates: "N", or "unbounded" for
// ExploreOptions::kUnbounded.
std::string PreemptionBoundName(int bound);

// Explores `s`. `progress`, if set, is called about once a second.
ExploreResult Explore(const Scenario& s, const ExploreOptions& options,
                      const std::function<void(const ExploreStats&)>& progress = {});

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_EXPLORER_H_
