// SPDX-License-Identifier: GPL-2.0-only
//
// A run as a picture: one swim lane per CPU, one row per step, each access a
// box in its CPU's lane (colored by access kind, shaded in IPI context), IPIs
// as arrows from the sender's step to the handler's start on the target, and
// every report marked at its step.

#ifndef SMPFUZZ_LIB_TRACE_SVG_H_
#define SMPFUZZ_LIB_TRACE_SVG_H_

#include <string>

#include "lib/run_result.h"
#include "lib/trace_format.h"

namespace smpfuzz {

// A standalone SVG document (needs a RunResult with the trace recorded).
std::string FormatSvg(const TraceContext& run, const RunResult& r, const std::string& title);

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_TRACE_SVG_H_
