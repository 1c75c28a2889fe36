// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz build-guest: builds the kernel guest the flags name (a tree, the
// variant's patches, --patch files), or finds it in the cache, and prints
// where it is and what it was built from: a check that a tree and patch
// compile, and the step ci/bench-guest-build.sh times.

#include "tools/build_guest.h"

#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "lib/variant.h"
#include "tools/command.h"
#include "tools/guest_choice.h"
#include "tools/shared_flags.h"

namespace smpfuzz::cli {
namespace {

absl::StatusOr<ExitStatus> BuildGuestCommand(const std::vector<std::string>& args) {
  if (!args.empty()) return UsageError("build-guest takes no FILE");
  absl::StatusOr<const Variant*> forced = ForcedVariant();
  if (!forced.ok()) return forced.status();
  const Variant& variant = *forced != nullptr ? **forced : *FindVariant("baseline");
  absl::StatusOr<GuestChoice> g = KernelGuest(KernelTreeFlag(), variant, PatchFlags());
  if (!g.ok()) return g.status();
  std::printf("%s\n", g->description.c_str());
  return ExitStatus::kClean;
}

}  // namespace

const Command kBuildGuestCommand = {
    .name = "build-guest",
    .synopsis = {"[--kernel=TREE] [--variant=baseline|b0473dcd|fixed] [--patch=FILE]..."},
    .flags = {Takes(FLAGS_kernel), Takes(FLAGS_patch), Takes(FLAGS_variant)},
    .run = BuildGuestCommand,
};

}  // namespace smpfuzz::cli
