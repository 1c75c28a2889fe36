// SPDX-License-Identifier: GPL-2.0-only
//
// Guest choice: which guest a command runs, from its flags. `--guest=model`
// (the default) is lib/'s hand-written copy of smp.c; `--guest=kernel` is a
// tree's own kernel/smp.c (kernel/), the default tree or `--kernel=DIR`, with
// the variant's patches (kernel/patches/) and then every `--patch=FILE` in
// the order given. --kernel or --patch alone imply --guest=kernel. The
// kernel guest is built (or found in the cache) before the command runs;
// building says so on standard error.
//
// Binaries built with a sanitizer config have no kernel guest (kernel/BUILD
// GUEST_COMPATIBLE): choosing it there is a usage error.

#ifndef SMPFUZZ_TOOLS_GUEST_CHOICE_H_
#define SMPFUZZ_TOOLS_GUEST_CHOICE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "lib/guest.h"
#include "lib/repro.h"
#include "lib/variant.h"

ABSL_DECLARE_FLAG(std::string, guest);
ABSL_DECLARE_FLAG(std::string, kernel);
ABSL_DECLARE_FLAG(std::string, patch);

namespace smpfuzz::cli {

// --patch may be given many times; Abseil keeps only the last. main calls
// this before parsing: it records every --patch in order and leaves the last
// in argv (so the flag is still checked and parsed as usual).
void CollectPatchFlags(int* argc, char** argv);
const std::vector<std::string>& PatchFlags();

struct GuestChoice {
  bool kernel = false;
  // "model", or the kernel build: "linux 6.12.117 (TREE, content H) + builtin:b0473dcd.patch".
  std::string description;
  // The kernel build's identity (0 for the model): what reproducers record.
  std::uint64_t tree_hash = 0;
  std::uint64_t build_hash = 0;
  std::vector<std::uint64_t> patch_hashes;
  std::function<std::unique_ptr<Guest>()> make;

  // What a reproducer recorded on this guest says of it.
  GuestRecord Record() const {
    GuestRecord r;
    r.kernel = kernel;
    r.tree_hash = tree_hash;
    r.build_hash = build_hash;
    r.patch_hashes = patch_hashes;
    return r;
  }
};

// --kernel's value ("" for the default tree).
std::string KernelTreeFlag();

// Whether the flags choose the kernel guest.
bool KernelGuestChosen();

// The guest for scenarios of `variant`, as the flags choose it; a reproducer
// `recorded` on a kernel guest runs on one (the default tree and the
// variant's patches unless the flags say more) unless --guest=model says not.
absl::StatusOr<GuestChoice> ChooseGuest(const Variant& variant,
                                        const GuestRecord& recorded = GuestRecord{});

// For replay: a line on how `recorded` differs from the build `chosen` that
// replays it ("" when they agree): a schedule is valid for one build.
std::string DescribeMismatch(const GuestRecord& recorded, const GuestChoice& chosen);

// The kernel guest of an explicit tree and patches on top of `variant`'s
// (check-patch's two builds).
absl::StatusOr<GuestChoice> KernelGuest(const std::string& tree, const Variant& variant,
                                        const std::vector<std::string>& patches);

}  // namespace smpfuzz::cli

#endif  // SMPFUZZ_TOOLS_GUEST_CHOICE_H_
