// SPDX-License-Identifier: GPL-2.0-only
//
// Minimality: the proof behind a reproducer's `minimal V S preemptions=P`
// lines (lib/repro.h). A claim holds when the scenario, run as variant V
// under the reproducer's own run options, reports S in some schedule with P
// preemptions and in none with fewer. The explorer decides both: it searches
// bounds 0, 1, ..., P in turn, each to the end, and stops at the first run
// that reports S (ExploreOptions::iterative), so S must first appear at
// bound P, with bounds 0..P-1 covered completely. Its sleep sets are sound
// for that (lib/explorer_soundness_test.cc compares them with the
// unreduced search); `reduction = false` runs the unreduced search itself.

#ifndef SMPFUZZ_LIB_MINIMALITY_H_
#define SMPFUZZ_LIB_MINIMALITY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lib/repro.h"

namespace smpfuzz {

struct MinimalityOptions {
  // Per claim: a search that needs more is a failure ("not covered").
  std::uint64_t max_executions = 2000000;
  bool reduction = true;  // the explorer's sound sleep sets
};

// Checks every `minimal` claim of `r`. Returns an empty vector when all
// hold; else one line per failed claim, e.g.
// "FILE:LINE: minimal b0473dcd llist-self-loop preemptions=2: a schedule
// with 1 preemption(s) reports it".
std::vector<std::string> CheckMinimality(const Repro& r, std::string_view filename,
                                         const MinimalityOptions& options = {});

// The claim for each signature `r`'s own schedule reports on its own
// variant: the fewest preemptions the explorer finds for it (up to
// `max_preemptions`; a signature it does not find within them gets none).
std::vector<MinimalClaim> StateMinimality(const Repro& r, std::uint32_t max_preemptions = 4,
                                          const MinimalityOptions& options = {});

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_MINIMALITY_H_
