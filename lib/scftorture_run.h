// SPDX-License-Identifier: GPL-2.0-only
//
// ScfTortureRun: a torture run in the simulator. As scftorture's invokers
// call and call until the test ends, this draws scenario after scenario from
// a mix (lib/scftorture.h) and runs each under randomized PCT schedules
// (lib/explorer.h), until a count or a time is reached. Every violation is
// counted by signature; the first scenario and schedule of each signature is
// kept as a reproducer. A run proves nothing (it samples); it finds.

#ifndef SMPFUZZ_LIB_SCFTORTURE_RUN_H_
#define SMPFUZZ_LIB_SCFTORTURE_RUN_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/guest.h"
#include "lib/report.h"
#include "lib/repro.h"
#include "lib/scftorture.h"

namespace smpfuzz {

struct ScfTortureOptions {
  std::uint64_t seed = 1;
  std::uint64_t scenarios = 1000;  // at most this many scenarios
  double max_seconds = 0;          // and at most this long (0: no limit)
  int pct_depth = 3;
  std::uint64_t runs_per_scenario = 100;  // PCT schedules per scenario
  // The guest; empty: the model (NewModelGuest()).
  std::function<std::unique_ptr<Guest>()> guest;
};

struct ScfTortureFinding {
  Signature signature = Signature::kCount;
  std::uint64_t scenario = 0;  // its index in the run
  std::uint64_t seed = 0;      // ScfTortureScenario's seed for it
  std::uint32_t preemptions = 0;
  Repro repro;                 // scenario and PCT schedule
};

struct ScfTortureStats {
  std::uint64_t scenarios = 0;
  std::uint64_t runs = 0;
  double seconds = 0;
  // Per signature, how many scenarios showed it (one count per scenario:
  // PCT stops a scenario at its first violation).
  std::array<std::uint64_t, kSignatureCount> found{};
};

// `progress` is called about every `progress_seconds` with the counts so
// far; `finding` once per signature, when its first violation is found.
// Checked every scenario (not within one: a scenario's runs are bounded by
// kMaxScfOps and ScfMaxSteps), max_seconds ends the run. An invalid scenario
// (which ParseScfParams's limits rule out) is InvalidArgument.
absl::StatusOr<ScfTortureStats> RunScfTorture(const ScfParams& params, const Variant* variant, const ScfTortureOptions& options,
                              const std::function<void(const ScfTortureFinding&)>& finding,
                              const std::function<void(const ScfTortureStats&)>& progress = {},
                              double progress_seconds = 10);

// The steps a run of `s` may take before it counts as stuck: 5000, and per
// operation what it can take on nr_cpus CPUs (tens of steps per target CPU;
// an irqs_off window a step per microsecond), with room to spare: a budget
// too small would report a fixed kernel as cpu-stuck.
std::uint64_t ScfMaxSteps(const Scenario& s);

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_SCFTORTURE_RUN_H_
