// SPDX-License-Identifier: GPL-2.0-only
//
// RunResult: what one run of a scenario produced (reports, the trace, counts),
// as plain data. Formats print and store it without a machine: a finished
// result is enough to print a trace (lib/trace_format.h).

#ifndef SMPFUZZ_LIB_RUN_RESULT_H_
#define SMPFUZZ_LIB_RUN_RESULT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "lib/primitives.h"
#include "lib/report.h"
#include "lib/sites.h"

namespace smpfuzz {

// kTaskSwitch: the CPU switched to another task (aux: the task it ran);
// kMigrated: a preempted task moved to `cpu` (aux: the CPU it left).
enum class TraceEvent : std::uint8_t {
  kAccess,
  kIpiDelivered,
  kClockJump,
  kTaskSwitch,
  kMigrated,
  kCpuDying,  // stop_machine() runs the CPU's dying callback (smpcfd_dying_cpu())
  kCpuDead,   // the CPU is offline for good (until it comes back up)
};

struct TraceEntry {
  std::uint64_t step = 0;
  std::uint64_t clock_ns = 0;
  std::uint64_t read = 0;     // value read (old value for RMWs)
  std::uint64_t written = 0;  // value written (kCall: func; IPIs: cpu or mask)
  std::uint64_t aux = 0;      // kCall: info; cmpxchg: expected
  std::uint64_t pc = 0;       // Access::pc (not part of the trace hash: it moves under ASLR)
  std::uint32_t loc = kNoLoc;
  std::int16_t cpu = -1;
  std::int16_t task = -1;  // the extra task (Scenario::tasks) it is about; -1: the CPU's own
  TraceEvent event = TraceEvent::kAccess;
  AccessKind kind = AccessKind::kPlainLoad;
  Site site = Site::fence;
  bool in_irq = false;
  bool wrote = false;

  static constexpr std::uint32_t kNoLoc = 0xffffffff;
};

// A place in a compiled guest's source: the innermost frame of the tree's
// own code at a trace entry's pc ("csd_lock", "kernel/smp.c", 356).
struct SourceLine {
  std::string function;
  std::string file;
  int line = 0;
};

// SourceLines by pc (Simulator::SourceLines of a run's trace).
using SourceMap = std::unordered_map<std::uint64_t, SourceLine>;

struct RunResult {
  std::vector<Report> reports;
  std::vector<TraceEntry> trace;  // empty unless SimOptions::record_trace
  std::uint64_t trace_hash = 0;
  std::uint64_t steps = 0;
  std::uint64_t clock_ns = 0;
  std::uint32_t preemptions = 0;
  std::size_t choices_used = 0;
  bool quiescent = false;
  bool abandoned = false;   // a ScheduleSource ended the run early
  std::uint32_t fired = 0;  // SignatureBit of every signature reported

  bool Has(Signature s) const { return (fired & SignatureBit(s)) != 0; }
  bool clean() const { return fired == 0; }
  // The most severe report, or nullptr when clean.
  const Report* Primary() const;
  // The callbacks the run called (csd_do_func(), AccessKind::kCall), in
  // trace order: each one's CPU and func (a workload's names it by token,
  // lib/requests.h). Needs the trace.
  std::vector<std::pair<int, std::uint64_t>> Calls() const;
};

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_RUN_RESULT_H_
