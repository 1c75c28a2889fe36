// SPDX-License-Identifier: GPL-2.0-only
//
// Printing a run for people (aligned columns, one row per step, a lane per
// CPU) and for machines (JSON).

#ifndef SMPFUZZ_LIB_TRACE_FORMAT_H_
#define SMPFUZZ_LIB_TRACE_FORMAT_H_

#include <string>

#include "lib/simulator.h"

namespace smpfuzz {

// One row per trace entry: step, lanes, CPU, context, kernel function,
// access kind, location, value read or written.
std::string FormatTrace(const Simulator& sim, const RunResult& r);
// The verdict: primary signature, every report with its CPUs, csd, step,
// code sites and message, and a summary line.
std::string FormatVerdict(const Simulator& sim, const RunResult& r);
// Everything above as one JSON object (no trailing newline).
std::string FormatJson(const Simulator& sim, const RunResult& r, bool with_trace);

// The value column of a trace entry, e.g. "= 0x1 (LOCK)", "0x0 -> &csd_data[0]".
std::string FormatTraceValue(const Simulator& sim, const TraceEntry& e);

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_TRACE_FORMAT_H_
