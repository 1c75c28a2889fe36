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
// independent steps: two steps of different CPUs whose accesses touch
// different locations, or both only read. IPI deliveries are treated as
// dependent on everything. (Combined with a preemption bound, sleep sets can
// skip a schedule whose only equivalent within the bound was pruned; the
// reduction tests compare findings with and without them.)

#ifndef SMPFUZZ_LIB_EXPLORER_H_
#define SMPFUZZ_LIB_EXPLORER_H_

#include <cstdint>
#include <functional>
#include <string>

#include "lib/repro.h"
#include "lib/simulator.h"

namespace smpfuzz {

struct ExploreOptions {
  int max_preemptions = 2;
  bool iterative = true;    // bounds 0..max_preemptions; else only max_preemptions
  bool sleep_sets = true;
  std::uint64_t max_steps = 5000;       // per execution (more: cpu-stuck)
  std::uint64_t max_executions = 0;     // 0: no limit
  double max_seconds = 0;               // 0: no limit
  // Which signatures count as a violation (SignatureBit mask; default: all).
  std::uint32_t violations = ~0u;
  SimOptions sim;                       // checkers' options (max_steps is overridden)
};

struct ExploreStats {
  std::uint64_t executions = 0;       // runs started
  std::uint64_t abandoned = 0;        // runs cut short: every enabled step asleep or over the bound
  std::uint64_t pruned = 0;           // alternatives skipped by sleep sets
  std::uint64_t distinct_traces = 0;  // by trace hash
  std::uint64_t max_depth = 0;
  int bound = 0;                      // the preemption bound being (or last) explored
  double seconds = 0;
};

struct ExploreResult {
  bool found = false;         // a violation
  bool complete = false;      // every schedule within the bounds was run (or pruned)
  Repro counterexample;       // scenario + schedule of the first violation
  Signature signature = Signature::kCount;
  std::uint32_t preemptions = 0;
  ExploreStats stats;
};

// Randomized PCT (Burckhardt et al.): each run gives the CPUs random distinct
// priorities and picks depth-1 random change points among the first
// `steps_hint` steps; the highest-priority enabled CPU always moves (taking
// its pending IPI first when it may), and at the i-th change point the
// running CPU drops to priority i. A bug of depth d shows up in a run with
// probability at least 1/(n * k^(d-1)).
struct PctOptions {
  int depth = 2;
  std::uint64_t seed = 1;
  std::uint64_t runs = 1000;
  std::uint64_t steps_hint = 0;  // 0: the length of one fair run
  std::uint64_t max_steps = 5000;
  std::uint32_t violations = ~0u;
};

ExploreResult ExplorePct(const Scenario& s, const PctOptions& options);

// Explores `s`. `progress`, if set, is called about once a second.
ExploreResult Explore(const Scenario& s, const ExploreOptions& options,
                      const std::function<void(const ExploreStats&)>& progress = {});

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_EXPLORER_H_
