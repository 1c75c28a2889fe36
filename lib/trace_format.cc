// SPDX-License-Identifier: GPL-2.0-only
#include "lib/trace_format.h"

#include <cinttypes>
#include <cstdio>

#include "lib/csd_flags.h"
#include "lib/hex.h"
#include "lib/json.h"
#include "lib/requests.h"

namespace smpfuzz {
namespace {

constexpr int kMaxLanes = 16;

std::string Pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string FlagsName(std::uint64_t v) {
  std::string out = Hex(v);
  std::string names;
  unsigned type = static_cast<unsigned>(v) & CSD_FLAG_TYPE_MASK;
  if (type == CSD_TYPE_IRQ_WORK) {  // an irq_work's a_flags: the low bits are its own
    if (v & IRQ_WORK_PENDING) names = "PENDING";
    if (v & IRQ_WORK_BUSY) names += names.empty() ? "BUSY" : "|BUSY";
  } else if (v & CSD_FLAG_LOCK) {
    names = "LOCK";
  }
  const char* t = type == CSD_TYPE_SYNC       ? "SYNC"
                  : type == CSD_TYPE_IRQ_WORK ? "IRQ_WORK"
                  : type == CSD_TYPE_TTWU     ? "TTWU"
                                              : nullptr;
  if (t != nullptr) names += (names.empty() ? "" : "|") + std::string(t);
  if (!names.empty()) out += " (" + names + ")";
  return out;
}

std::string ValueName(const TraceContext& run, std::uint32_t loc, std::uint64_t v) {
  if (loc == TraceEntry::kNoLoc) return Hex(v);
  switch (run.locations.Get(loc).field) {
    case Field::kNext:
    case Field::kFirst:
      return v == 0 ? "NULL" : "&" + run.locations.ObjectName(reinterpret_cast<const void*>(v));
    case Field::kFlags:
      return FlagsName(v);
    case Field::kFunc: {
      std::uint32_t t = TokenOfFunc(v);
      return v == 0 ? "NULL" : t ? "cb" + std::to_string(t) : Hex(v);
    }
    case Field::kInfo: {
      std::uint32_t t = TokenOfInfo(v);
      return t ? "&req" + std::to_string(t) : Hex(v);
    }
    case Field::kSrc:
    case Field::kDst:
      return std::to_string(v);
    case Field::kOther:
      break;
  }
  return Hex(v);
}

std::string Lanes(int n, int cpu) {
  if (n > kMaxLanes) return "";
  std::string out;
  for (int c = 0; c < n; ++c) {
    if (c > 0) out += ' ';
    out += c == cpu ? std::to_string(c % 10) : ".";
  }
  return out;
}

std::string Ms(std::uint64_t ns) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f ms", static_cast<double>(ns) / 1e6);
  return buf;
}

struct Row {
  std::string function, source, access, location, value;
};

Row Describe(const TraceContext& run, const TraceEntry& e) {
  Row row;
  switch (e.event) {
    case TraceEvent::kIpiDelivered:
      row.function = "generic_smp_call_function_single_interrupt";
      row.access = "IPI";
      row.value = "interrupt taken";
      return row;
    case TraceEvent::kClockJump:
      row.function = "(every CPU waits)";
      row.access = "clock";
      row.value = "jumps to " + Ms(e.clock_ns);
      return row;
    case TraceEvent::kTaskSwitch:
      row.function = "(scheduler)";
      row.access = "switch";
      row.value = "task " + std::to_string(e.aux) + " -> task " +
                  std::to_string(e.task >= 0 ? e.task : e.cpu);
      return row;
    case TraceEvent::kMigrated:
      row.function = "(scheduler)";
      row.access = "migrate";
      row.value = "task " + std::to_string(e.task) + " from CPU" + std::to_string(e.aux);
      return row;
    case TraceEvent::kCpuDying:
      row.function = "smpcfd_dying_cpu";
      row.access = "hotplug";
      row.value = "stop_machine(): CPU" + std::to_string(e.cpu) + " flushes, every other CPU stopped";
      return row;
    case TraceEvent::kCpuDead:
      row.function = "(hotplug)";
      row.access = "hotplug";
      row.value = "CPU" + std::to_string(e.cpu) + " is dead";
      return row;
    case TraceEvent::kAccess:
      break;
  }
  row.function = SiteFunction(e.site);
  if (e.task >= 0) row.function = "[task " + std::to_string(e.task) + "] " + row.function;
  if (run.source != nullptr && e.pc != 0) {
    if (auto it = run.source->find(e.pc); it != run.source->end()) {
      row.function = it->second.function;
      row.source = it->second.file + ":" + std::to_string(it->second.line);
    }
  }
  row.access = AccessKindName(e.kind);
  if (e.loc != TraceEntry::kNoLoc) row.location = run.locations.Name(e.loc);
  row.value = FormatTraceValue(run, e);
  return row;
}

}  // namespace

std::string FormatTraceValue(const TraceContext& run, const TraceEntry& e) {
  switch (e.kind) {
    case AccessKind::kCall:
      return CallbackName(e.written, e.aux);
    case AccessKind::kSendIpi:
      return "-> CPU" + std::to_string(e.written);
    case AccessKind::kSendIpiMask: {
      std::string out = "-> CPUs";
      for (int c = 0; c < 64; ++c) {
        if ((e.written >> c) & 1) out += " " + std::to_string(c);
      }
      return out;
    }
    case AccessKind::kDelay:
      // CpuDownReturnAccess(): the caller of remove_cpu() of its own CPU.
      if (e.site == Site::cpu_down) return "remove_cpu() returns, on CPU" + std::to_string(e.cpu);
      return "done at " + Ms(e.clock_ns);
    case AccessKind::kIrqRestore:
      return "interrupts on";
    case AccessKind::kCpuDown:
      return "CPU" + std::to_string(e.written) +
             (e.read != 0 ? " goes offline" : ": nothing to do (offline, or the last online CPU)");
    case AccessKind::kCpuUp:
      return "CPU" + std::to_string(e.written) + (e.read != 0 ? " comes online" : ": online already");
    case AccessKind::kPlainStore:
    case AccessKind::kWriteOnce:
    case AccessKind::kStoreRelease:
      return ":= " + ValueName(run, e.loc, e.written);
    case AccessKind::kXchg:
      return ValueName(run, e.loc, e.read) + " -> " + ValueName(run, e.loc, e.written);
    case AccessKind::kCmpxchg:
    case AccessKind::kCmpxchgAcquire:
      if (e.wrote) return ValueName(run, e.loc, e.read) + " -> " + ValueName(run, e.loc, e.written);
      return "= " + ValueName(run, e.loc, e.read) + " (expected " + ValueName(run, e.loc, e.aux) +
             ": failed)";
    default:
      return "= " + ValueName(run, e.loc, e.read);
  }
}

std::string FormatTrace(const TraceContext& run, const RunResult& r) {
  const int n = run.scenario.nr_cpus;
  const std::size_t lane_width = n > kMaxLanes ? 0 : static_cast<std::size_t>(2 * n - 1);
  std::vector<Row> rows;
  rows.reserve(r.trace.size());
  std::size_t wf = 8, wa = 6, wl = 8;
  std::size_t ws = 0;  // the source column, only when some entry has a source line
  for (const TraceEntry& e : r.trace) {
    rows.push_back(Describe(run, e));
    wf = std::max(wf, rows.back().function.size());
    if (!rows.back().source.empty()) ws = std::max<std::size_t>({ws, 6, rows.back().source.size()});
    wa = std::max(wa, rows.back().access.size());
    wl = std::max(wl, rows.back().location.size());
  }
  std::string out;
  out += Pad("step", 6) + "  " + Pad("cpus", lane_width) + "  " + Pad("cpu", 4) + Pad("ctx", 5) +
         Pad("function", wf + 2) + (ws ? Pad("source", ws + 2) : "") + Pad("access", wa + 2) +
         Pad("location", wl + 2) + "value\n";
  for (std::size_t i = 0; i < r.trace.size(); ++i) {
    const TraceEntry& e = r.trace[i];
    const Row& row = rows[i];
    char step[16];
    std::snprintf(step, sizeof step, "%6" PRIu64, e.step);
    std::string cpu = e.cpu >= 0 ? std::to_string(e.cpu) : "-";
    std::string ctx = e.cpu < 0 ? "" : e.in_irq ? "irq" : "task";
    std::string line = std::string(step) + "  " + Pad(Lanes(n, e.cpu), lane_width) + "  " +
                       Pad(cpu, 4) + Pad(ctx, 5) + Pad(row.function, wf + 2) +
                       (ws ? Pad(row.source, ws + 2) : "") + Pad(row.access, wa + 2) + Pad(row.location, wl + 2) + row.value;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

namespace {

// "csd_lock (kernel/smp.c:356)": where a compiled guest's step `step` is in
// its source; empty for the model, or a step without one.
std::string SourceAtStep(const TraceContext& run, const RunResult& r, std::uint64_t step) {
  if (run.source == nullptr) return "";
  for (const TraceEntry& e : r.trace) {
    if (e.step != step || e.pc == 0) continue;
    auto it = run.source->find(e.pc);
    if (it == run.source->end()) return "";
    return it->second.function + " (" + it->second.file + ":" + std::to_string(it->second.line) + ")";
  }
  return "";
}

}  // namespace

std::string FormatVerdict(const TraceContext& run, const RunResult& r) {
  std::string out;
  const char* variant = run.scenario.variant ? run.scenario.variant->name : "?";
  const Report* primary = r.Primary();
  out += std::string("verdict (") + variant + "): " +
         (primary ? SignatureName(primary->signature) : "clean") + "\n";
  for (const Report& rep : r.reports) {
    std::string cpus;
    for (int c : rep.cpus) cpus += (cpus.empty() ? "CPU" : ",CPU") + std::to_string(c);
    std::string sites;
    for (Site s : rep.sites) {
      sites += (sites.empty() ? "" : ", ") + std::string(SiteFunction(s)) + " [" + SiteName(s) + "]";
    }
    // A compiled guest: the tree's line of the step that made the report.
    if (const std::string at = SourceAtStep(run, r, rep.step); !at.empty()) sites = at;
    char step[32];
    std::snprintf(step, sizeof step, "step %" PRIu64, rep.step);
    out += "  " + Pad(SignatureName(rep.signature), 20) + " " + Pad(step, 11) + " " +
           Pad(cpus, 12) + " " + Pad(rep.csd, 18) + " " + sites + "\n";
    out += "      " + rep.message + "\n";
  }
  out += "steps " + std::to_string(r.steps) + ", preemptions " + std::to_string(r.preemptions) +
         ", virtual time " + Ms(r.clock_ns) + ", " +
         (r.quiescent ? "quiescent" : primary ? "stopped" : "not quiescent") + ", trace hash " +
         Hex(r.trace_hash) + "\n";
  return out;
}

std::string FormatJson(const TraceContext& run, const RunResult& r, bool with_trace,
                       std::string_view file) {
  const Report* primary = r.Primary();
  JsonWriter w;
  w.BeginObject();
  if (!file.empty()) w.Field("file", file);
  w.Field("variant", run.scenario.variant ? run.scenario.variant->name : "")
      .Field("verdict", primary ? SignatureName(primary->signature) : "clean")
      .Field("steps", r.steps)
      .Field("preemptions", r.preemptions)
      .Field("virtual_time_ns", r.clock_ns)
      .Field("quiescent", r.quiescent)
      .Field("trace_hash", Hex(r.trace_hash))
      .Key("reports")
      .BeginArray();
  for (const Report& rep : r.reports) {
    w.BeginObject()
        .Field("signature", SignatureName(rep.signature))
        .Field("key", rep.DedupKey())
        .Field("step", rep.step)
        .Key("cpus")
        .BeginArray();
    for (int c : rep.cpus) w.Int(c);
    w.EndArray().Field("csd", rep.csd).Key("sites").BeginArray();
    for (Site s : rep.sites) w.String(SiteName(s));
    w.EndArray().Field("message", rep.message).EndObject();
  }
  w.EndArray();
  if (with_trace) {
    w.Key("trace").BeginArray();
    for (const TraceEntry& e : r.trace) {
      Row row = Describe(run, e);
      w.BeginObject()
          .Field("step", e.step)
          .Field("cpu", e.cpu);
      if (e.task >= 0) w.Field("task", e.task);
      w.Field("irq", e.in_irq)
          .Field("function", row.function);
      if (!row.source.empty()) w.Field("source", row.source);
      w.Field("access", row.access)
          .Field("site", e.event == TraceEvent::kAccess ? SiteName(e.site) : "")
          .Field("location", row.location)
          .Field("value", row.value)
          .Field("clock_ns", e.clock_ns)
          .EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return w.str();
}

}  // namespace smpfuzz
