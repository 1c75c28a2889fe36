// SPDX-License-Identifier: GPL-2.0-only
//
// Printing a finished run for people (aligned columns, one row per step, a
// lane per CPU) and for machines (JSON). The printers take data, never a
// machine: a RunResult stored by triage or hunt prints as well as the one a
// Simulator just returned.

#ifndef SMPFUZZ_LIB_TRACE_FORMAT_H_
#define SMPFUZZ_LIB_TRACE_FORMAT_H_

#include <string>
#include <string_view>

#include "lib/locations.h"
#include "lib/run_result.h"
#include "lib/scenario.h"

namespace smpfuzz {

// What a printer needs besides the RunResult: the scenario that ran (CPU
// count, variant) and the names of the memory that the trace's location ids
// stand for (the Locations of that same run; ids are assigned per run). Built
// by the caller, e.g. TraceContext{sim.scenario(), sim.locations()}; it refers
// to both, which must outlive it.
struct TraceContext {
  const Scenario& scenario;
  const Locations& locations;
  // Where a compiled guest's entries are in its source
  // (Simulator::SourceLines); null for the model.
  const SourceMap* source = nullptr;
};

// One row per trace entry: step, lanes, CPU, context, kernel function,
// access kind, location, value read or written.
std::string FormatTrace(const TraceContext& run, const RunResult& r);
// The verdict: primary signature, every report with its CPUs, csd, step,
// code sites and message, and a summary line.
std::string FormatVerdict(const TraceContext& run, const RunResult& r);
// Everything above as one JSON object (no trailing newline). A `file` that
// is not empty comes first, as "file": the input the run came from.
std::string FormatJson(const TraceContext& run, const RunResult& r, bool with_trace,
                       std::string_view file = {});

// The value column of a trace entry, e.g. "= 0x1 (LOCK)", "0x0 -> &csd_data[0]".
std::string FormatTraceValue(const TraceContext& run, const TraceEntry& e);

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_TRACE_FORMAT_H_
