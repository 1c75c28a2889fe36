// SPDX-License-Identifier: GPL-2.0-only
//
// Expectations: a reproducer's `expect` lines (lib/repro.h) stated from, and
// checked against, what the simulator does with its scenario and schedule.
// The formats only hold expectations as data; this is where they are run.

#ifndef SMPFUZZ_LIB_EXPECTATIONS_H_
#define SMPFUZZ_LIB_EXPECTATIONS_H_

#include <string>
#include <string_view>
#include <vector>

#include "lib/repro.h"
#include "lib/simulator.h"

namespace smpfuzz {

// The run options the reproducer asks for (max_steps, ns_per_step,
// stop_on); the rest are SimOptions' defaults.
SimOptions RunOptions(const Repro& r);

// Replaces the expectations with what each real variant (baseline,
// b0473dcd, fixed; and the scenario's own variant when it is a mutant) does
// with the reproducer's scenario and schedule. A variant the scenario does
// not load for gets no expectation.
void StateExpectations(Repro* r);

// Checks every expectation by running the scenario once per expected variant.
// Returns an empty vector when all hold; else one line per failure,
// "FILE:LINE: expect V: expected S, got S...".
std::vector<std::string> CheckExpectations(const Repro& r, std::string_view filename);

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_EXPECTATIONS_H_
