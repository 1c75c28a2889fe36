// SPDX-License-Identifier: GPL-2.0-only
#include "lib/trace_svg.h"

#include <cstdio>
#include <map>

#include "lib/trace_format.h"

namespace smpfuzz {
namespace {

constexpr int kLeft = 60;     // step numbers
constexpr int kLaneWidth = 300;
constexpr int kTop = 70;      // title and lane headers
constexpr int kRow = 18;
constexpr int kNoteWidth = 420;  // report labels on the right

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

const char* Color(const TraceEntry& e) {
  if (e.event == TraceEvent::kIpiDelivered) return "#e8a0a0";
  if (e.event == TraceEvent::kClockJump) return "#dddddd";
  switch (e.kind) {
    case AccessKind::kPlainLoad:
    case AccessKind::kPlainStore: return "#f6c58f";  // plain: where races live
    case AccessKind::kXchg:
    case AccessKind::kCmpxchg:
    case AccessKind::kCmpxchgAcquire: return "#c9b3e6";
    case AccessKind::kCall: return "#a8d8a0";
    case AccessKind::kSendIpi:
    case AccessKind::kSendIpiMask: return "#f0a0a0";
    default: return "#a9c8ec";  // marked accesses, spins, delays
  }
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

}  // namespace

std::string FormatSvg(const TraceContext& run, const RunResult& r, const std::string& title) {
  const int n = run.scenario.nr_cpus;
  const int rows = static_cast<int>(r.trace.size());
  const int width = kLeft + n * kLaneWidth + kNoteWidth;
  const int height = kTop + (rows + 1) * kRow + 20;
  auto lane_x = [&](int cpu) { return kLeft + cpu * kLaneWidth; };
  auto row_y = [&](int row) { return kTop + row * kRow; };

  std::string out;
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
         "\" height=\"" + std::to_string(height) +
         "\" font-family=\"monospace\" font-size=\"11\">\n";
  out += "<defs><marker id=\"arrow\" markerWidth=\"8\" markerHeight=\"8\" refX=\"7\" refY=\"4\" "
         "orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"#c03030\"/></marker></defs>\n";
  out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  const Report* primary = r.Primary();
  out += "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">" + Escape(title) +
         " \xe2\x80\x94 verdict: " + (primary ? SignatureName(primary->signature) : "clean") +
         "</text>\n";
  out += "<text x=\"10\" y=\"38\" fill=\"#555\">orange: plain access, blue: marked, purple: "
         "atomic RMW, green: callback, red: IPI; shaded lane: IPI handler</text>\n";
  for (int c = 0; c < n; ++c) {
    out += "<rect x=\"" + std::to_string(lane_x(c)) + "\" y=\"" + std::to_string(kTop - 16) +
           "\" width=\"" + std::to_string(kLaneWidth - 8) + "\" height=\"" +
           std::to_string((rows + 1) * kRow + 16) + "\" fill=\"#f7f7f7\" stroke=\"#ccc\"/>\n";
    out += "<text x=\"" + std::to_string(lane_x(c) + 4) + "\" y=\"" + std::to_string(kTop - 4) +
           "\" font-weight=\"bold\">CPU" + std::to_string(c) + "</text>\n";
  }
  // Where each CPU's IPI handler started, for the arrows.
  std::map<int, std::vector<int>> deliveries;  // cpu -> rows
  for (int i = 0; i < rows; ++i) {
    if (r.trace[i].event == TraceEvent::kIpiDelivered) deliveries[r.trace[i].cpu].push_back(i);
  }
  std::map<std::uint64_t, std::vector<const Report*>> reports_at;
  for (const Report& rep : r.reports) reports_at[rep.step].push_back(&rep);

  for (int i = 0; i < rows; ++i) {
    const TraceEntry& e = r.trace[i];
    const int y = row_y(i + 1);
    out += "<text x=\"8\" y=\"" + std::to_string(y + 12) + "\" fill=\"#888\">" +
           std::to_string(e.step) + "</text>\n";
    if (e.cpu < 0) {
      out += "<text x=\"" + std::to_string(kLeft) + "\" y=\"" + std::to_string(y + 12) +
             "\" fill=\"#888\">every CPU waits: clock jumps to " +
             Num(static_cast<double>(e.clock_ns) / 1e6) + " ms</text>\n";
      continue;
    }
    std::string label;
    if (e.event == TraceEvent::kIpiDelivered) {
      label = "IPI: generic_smp_call_function_single_interrupt";
    } else {
      label = std::string(SiteFunction(e.site));
      if (run.source != nullptr && e.pc != 0) {
        // A compiled guest: the tree's line ("smp.c:356"), not the Site.
        if (auto it = run.source->find(e.pc); it != run.source->end()) {
          const std::string& f = it->second.file;
          label = f.substr(f.rfind('/') + 1) + ":" + std::to_string(it->second.line);
        }
      }
      label += std::string(": ") + AccessKindName(e.kind);
      if (e.loc != TraceEntry::kNoLoc) label += " " + run.locations.Name(e.loc);
      label += " " + FormatTraceValue(run, e);
    }
    if (label.size() > 42) label = label.substr(0, 41) + "\xe2\x80\xa6";
    const int x = lane_x(e.cpu);
    out += "<rect x=\"" + std::to_string(x + (e.in_irq ? 10 : 2)) + "\" y=\"" + std::to_string(y) +
           "\" width=\"" + std::to_string(kLaneWidth - (e.in_irq ? 20 : 12)) + "\" height=\"" +
           std::to_string(kRow - 3) + "\" rx=\"3\" fill=\"" + Color(e) + "\"" +
           (e.in_irq ? " stroke=\"#c03030\" stroke-dasharray=\"2,2\"" : "") + "><title>" +
           Escape(label) + "</title></rect>\n";
    out += "<text x=\"" + std::to_string(x + (e.in_irq ? 14 : 6)) + "\" y=\"" +
           std::to_string(y + 11) + "\">" + Escape(label) + "</text>\n";
    // An IPI: an arrow to where the target next takes one.
    if (e.event == TraceEvent::kAccess &&
        (e.kind == AccessKind::kSendIpi || e.kind == AccessKind::kSendIpiMask)) {
      for (int t = 0; t < n; ++t) {
        bool to_t = e.kind == AccessKind::kSendIpi ? static_cast<int>(e.written) == t
                                                   : ((e.written >> t) & 1) != 0;
        if (!to_t) continue;
        for (int row : deliveries[t]) {
          if (row <= i) continue;
          int x1 = x + kLaneWidth / 2, y1 = y + kRow - 3;
          int x2 = lane_x(t) + kLaneWidth / 2, y2 = row_y(row + 1);
          out += "<line x1=\"" + std::to_string(x1) + "\" y1=\"" + std::to_string(y1) + "\" x2=\"" +
                 std::to_string(x2) + "\" y2=\"" + std::to_string(y2) +
                 "\" stroke=\"#c03030\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>\n";
          break;
        }
      }
    }
    auto it = reports_at.find(e.step);
    if (it != reports_at.end() && (i + 1 == rows || r.trace[i + 1].step != e.step)) {
      std::string names;
      for (const Report* rep : it->second) {
        names += (names.empty() ? "" : ", ") + std::string(SignatureName(rep->signature));
      }
      bool severe = false;
      for (const Report* rep : it->second) severe |= rep == primary;
      out += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y - 1) + "\" width=\"" +
             std::to_string(kLaneWidth - 8) + "\" height=\"" + std::to_string(kRow - 1) +
             "\" fill=\"none\" stroke=\"" + (severe ? "#d00000" : "#d08000") +
             "\" stroke-width=\"2\"/>\n";
      out += "<text x=\"" + std::to_string(lane_x(n) + 4) + "\" y=\"" + std::to_string(y + 12) +
             "\" fill=\"" + (severe ? "#d00000" : "#a06000") + "\"" +
             (severe ? " font-weight=\"bold\"" : "") + ">\xe2\x86\x90 " + Escape(names) +
             "</text>\n";
    }
  }
  out += "</svg>\n";
  return out;
}

}  // namespace smpfuzz
