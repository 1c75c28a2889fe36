// SPDX-License-Identifier: GPL-2.0-only
//
// RunResult's accessors.

#include "lib/run_result.h"

namespace smpfuzz {

const Report* RunResult::Primary() const {
  const Report* best = nullptr;
  for (const Report& r : reports) {
    if (best == nullptr || r.signature < best->signature) best = &r;
  }
  return best;
}

std::vector<std::pair<int, std::uint64_t>> RunResult::Calls() const {
  std::vector<std::pair<int, std::uint64_t>> calls;
  for (const TraceEntry& e : trace) {
    if (e.event == TraceEvent::kAccess && e.kind == AccessKind::kCall) calls.push_back({e.cpu, e.written});
  }
  return calls;
}

}  // namespace smpfuzz
