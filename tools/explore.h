// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz explore: the row of the command table (tools/commands.h) for the
// systematic search and PCT (tools/explore.cc).

#ifndef SMPFUZZ_TOOLS_EXPLORE_H_
#define SMPFUZZ_TOOLS_EXPLORE_H_

#include <cstdint>
#include <string>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "tools/command.h"
#include "tools/flag_types.h"

namespace smpfuzz::cli {
using PreemptionBound = WholeNumber<0, 64>;
using StepLimit = WholeNumber<1, 1000000000>;
using PctDepth = WholeNumber<0, 64>;
using RandomSeed = WholeNumber<0, UINT64_MAX>;
using RunCount = WholeNumber<1, 1000000000000>;
}  // namespace smpfuzz::cli

// check-patch searches to the same bound; verify reads these too.
ABSL_DECLARE_FLAG(smpfuzz::cli::PreemptionBound, preemptions);
ABSL_DECLARE_FLAG(smpfuzz::cli::StepLimit, max_steps);
ABSL_DECLARE_FLAG(std::string, cpus);
ABSL_DECLARE_FLAG(std::string, ops);
ABSL_DECLARE_FLAG(std::string, csdlock_debug);
ABSL_DECLARE_FLAG(std::string, signatures);
// scftorture runs PCT too.
ABSL_DECLARE_FLAG(smpfuzz::cli::PctDepth, pct);
ABSL_DECLARE_FLAG(smpfuzz::cli::RandomSeed, seed);
ABSL_DECLARE_FLAG(smpfuzz::cli::RunCount, runs);

namespace smpfuzz::cli {

extern const Command kExploreCommand;

// --preemptions: the number, or ExploreOptions::kUnbounded for `unbounded`.
absl::StatusOr<int> PreemptionsFlag();

}  // namespace smpfuzz::cli

#endif  // SMPFUZZ_TOOLS_EXPLORE_H_
