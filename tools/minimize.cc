// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz minimize: the shortest schedule with the fewest preemptions and
// the fewest operations that keep the input's violation, as a reproducer.

#include "tools/minimize.h"

#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/repro.h"
#include "lib/triage.h"
#include "tools/command.h"
#include "tools/flag_types.h"
#include "tools/guest_choice.h"
#include "tools/shared_flags.h"

namespace smpfuzz::cli {
namespace {

absl::StatusOr<ExitStatus> Minimize(const std::vector<std::string>& files) {
  if (files.size() != 1) return UsageError("minimize takes exactly one FILE");
  absl::StatusOr<const Variant*> forced = ForcedVariant();
  if (!forced.ok()) return forced.status();
  absl::StatusOr<double> max_seconds = Value(FLAGS_max_seconds, kMinimizeSeconds);
  if (!max_seconds.ok()) return max_seconds.status();
  absl::StatusOr<Repro> r = LoadForcing(files[0], *forced);
  if (!r.ok()) return r.status();
  absl::StatusOr<GuestChoice> guest = ChooseGuest(*r->scenario.variant, r->guest);
  if (!guest.ok()) return guest.status();
  absl::StatusOr<MinimizeResult> minimized =
      smpfuzz::Minimize(*r, Signature::kCount, 2.0, *max_seconds, guest->make);
  if (!minimized.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("smpfuzz: ", files[0], ": cannot minimize: ",
                                                   minimized.status().message()));
  }
  MinimizeResult m = *minimized;
  m.repro.guest = guest->Record();
  std::string text = FormatRepro(
      m.repro, {"minimized by smpfuzz minimize " + files[0] + ": " + SignatureName(m.signature) +
                    ", " + std::to_string(m.preemptions) + " preemption(s), " +
                    std::to_string(m.ops_removed) + " operation(s) removed"});
  if (absl::Status s = WriteOutput(text); !s.ok()) return s;
  if (m.out_of_time) {
    std::fprintf(stderr, "minimize: stopped at --max_seconds=%g with the best so far: %s\n",
                 *max_seconds, MinimizeUndone(m).c_str());
  }
  std::fprintf(stderr, "minimize: %s with %u preemption(s), %d operation(s), %zu steps\n",
               SignatureName(m.signature), m.preemptions, m.repro.scenario.TotalOps(),
               m.repro.schedule.size());
  return ExitStatus::kViolation;
}

}  // namespace

const Command kMinimizeCommand = {
    .name = "minimize",
    .synopsis = {"FILE [--variant=V] [--out=PATH] [--max_seconds=S] [--guest=kernel ...]"},
    .flags = {Takes(FLAGS_variant), Takes(FLAGS_out), Takes(FLAGS_max_seconds), Takes(FLAGS_raw),
              Takes(FLAGS_guest), Takes(FLAGS_kernel), Takes(FLAGS_patch)},
    .run = Minimize,
};

}  // namespace smpfuzz::cli
