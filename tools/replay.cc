// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz replay: runs reproducers or raw fuzzer inputs and prints the
// interleaving trace and the verdict (or, with --check, checks a
// reproducer's `expect` lines). A bad FILE is reported and the others still
// run; the exit status is then 2.

#include "tools/replay.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/expectations.h"
#include "lib/inputs.h"
#include "lib/repro.h"
#include "lib/simulator.h"
#include "lib/trace_format.h"
#include "lib/trace_svg.h"
#include "tools/command.h"
#include "tools/guest_choice.h"
#include "tools/shared_flags.h"

ABSL_FLAG(bool, trace, true, "print the interleaving (replay)");
ABSL_FLAG(std::string, svg, "", "replay: also draw the run as swim lanes into this SVG file");
ABSL_FLAG(bool, check, false, "replay: check the reproducer's `expect` lines instead");

namespace smpfuzz::cli {
namespace {

absl::StatusOr<ExitStatus> Replay(const std::vector<std::string>& files) {
  if (files.empty()) return UsageError("replay needs at least one FILE");
  const std::string svg = absl::GetFlag(FLAGS_svg);
  if (!svg.empty() && files.size() != 1) return UsageError("--svg draws one FILE at a time");
  absl::StatusOr<const Variant*> forced = ForcedVariant();
  if (!forced.ok()) return forced.status();
  const Variant* raw_variant = RawInputVariant(*forced);
  const bool json = absl::GetFlag(FLAGS_json);
  ExitStatus status = ExitStatus::kClean;
  bool bad = false;
  if (json && files.size() > 1) std::printf("[");
  int printed = 0;  // JSON objects so far
  for (std::size_t i = 0; i < files.size(); ++i) {
    absl::StatusOr<Input> in = LoadInput(files[i], raw_variant);
    if (!in.ok()) {
      std::fprintf(stderr, "%s\n", std::string(in.status().message()).c_str());
      bad = true;
      continue;
    }
    Repro& r = in->repro;
    if (absl::GetFlag(FLAGS_check)) {
      if (r.expectations.empty()) {
        std::fprintf(stderr, "%s: no 'expect' lines to check\n", files[i].c_str());
        bad = true;
        continue;
      }
      std::vector<std::string> failures = CheckExpectations(r, files[i]);
      for (const std::string& f : failures) std::printf("FAIL %s\n", f.c_str());
      if (failures.empty()) {
        std::printf("ok   %s (%zu expectations)\n", files[i].c_str(), r.expectations.size());
      } else {
        status = ExitStatus::kViolation;
      }
      continue;
    }
    if (*forced != nullptr) r.scenario.variant = *forced;
    absl::StatusOr<GuestChoice> guest = ChooseGuest(*r.scenario.variant, r.guest);
    if (!guest.ok()) {
      if (IsUsageError(guest.status())) return guest.status();
      std::fprintf(stderr, "%s: %s\n", files[i].c_str(), std::string(guest.status().message()).c_str());
      bad = true;
      continue;
    }
    if (const std::string m = DescribeMismatch(r.guest, *guest); !m.empty() && in->was_text) {
      std::fprintf(stderr, "%s: note: %s\n", files[i].c_str(), m.c_str());
    }
    Simulator sim(guest->make());
    if (absl::Status loaded = sim.Load(r.scenario); !loaded.ok()) {
      std::fprintf(stderr, "%s: %s\n", files[i].c_str(), std::string(loaded.message()).c_str());
      bad = true;
      continue;
    }
    const RunResult& res = sim.Run(r.schedule, RunOptions(r));
    // A compiled guest's trace names the tree's lines.
    const SourceMap source = sim.SourceLines(res);
    const TraceContext run{sim.scenario(), sim.locations(), source.empty() ? nullptr : &source};
    if (!res.clean()) status = ExitStatus::kViolation;
    if (!svg.empty()) {
      std::ofstream out(svg, std::ios::binary | std::ios::trunc);
      out << FormatSvg(run, res, files[i] + " (" + r.scenario.variant->name + ")");
      out.close();
      if (!out) {
        return absl::UnavailableError(
            absl::StrCat("smpfuzz: --svg: cannot write ", svg, ": ", std::strerror(errno)));
      }
    }
    if (json) {
      if (printed++ > 0) std::printf(",");
      std::string obj = FormatJson(run, res, absl::GetFlag(FLAGS_trace), files[i]);
      std::printf("%s", obj.c_str());
      continue;
    }
    std::printf("== %s (%s, variant %s, csdlock_debug %s, %d CPUs)\n", files[i].c_str(),
                in->was_text ? "reproducer" : "raw fuzzer input", r.scenario.variant->name,
                r.scenario.csdlock_debug ? "on" : "off", r.scenario.nr_cpus);
    if (guest->kernel) std::printf("   kernel guest: %s\n", guest->description.c_str());
    if (absl::GetFlag(FLAGS_trace)) std::printf("%s\n", FormatTrace(run, res).c_str());
    std::printf("%s", FormatVerdict(run, res).c_str());
    if (i + 1 < files.size()) std::printf("\n");
  }
  if (json && (files.size() > 1 || printed > 0)) std::printf(files.size() > 1 ? "]\n" : "\n");
  return bad ? ExitStatus::kBadInput : status;
}

}  // namespace

const Command kReplayCommand = {
    .name = "replay",
    .synopsis = {"FILE... [--variant=V] [--json] [--raw] [--notrace] [--check] [--svg=OUT]\n"
                 "[--guest=kernel [--kernel=TREE] [--patch=FILE]...]"},
    .flags = {Takes(FLAGS_variant), Takes(FLAGS_json), Takes(FLAGS_raw), Takes(FLAGS_trace),
              Takes(FLAGS_check), Takes(FLAGS_svg), Takes(FLAGS_guest), Takes(FLAGS_kernel),
              Takes(FLAGS_patch)},
    .run = Replay,
};

}  // namespace smpfuzz::cli
