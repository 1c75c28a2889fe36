// SPDX-License-Identifier: GPL-2.0-only
#include "tools/guest_choice.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/hex.h"
#include "lib/model_guest.h"
#include "tools/command.h"
#ifndef SMPFUZZ_NO_KERNEL_GUEST
#include "kernel/guest_build.h"
#include "kernel/guest_image.h"
#include "kernel/kernel_guest.h"
#endif

ABSL_FLAG(std::string, guest, "",
          "`model` (the default) (lib/'s copy of kernel/smp.c) or `kernel` (a tree's own kernel/smp.c, built "
          "by smpfuzz with clang and cached; --kernel and --patch imply it)");
ABSL_FLAG(std::string, kernel, "",
          "the kernel guest's tree: a kernel source directory or a .tar.xz of one (default: "
          "Debian's /usr/src/linux-source-6.12.tar.xz)");
ABSL_FLAG(std::string, patch, "",
          "a patch (-p1) applied to the kernel guest's tree after the variant's; repeat the "
          "flag for more, applied in order");

namespace smpfuzz::cli {
namespace {

std::vector<std::string>& Patches() {
  static auto* p = new std::vector<std::string>();
  return *p;
}

}  // namespace

void CollectPatchFlags(int* argc, char** argv) {
  struct Occurrence {
    int at;
    int len;  // argv entries: 1 for --patch=FILE, 2 for --patch FILE
  };
  std::vector<Occurrence> seen;
  for (int i = 1; i < *argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--") break;
    if (a.rfind("--patch=", 0) == 0 || a.rfind("-patch=", 0) == 0) {
      Patches().emplace_back(a.substr(a.find('=') + 1));
      seen.push_back({i, 1});
    } else if ((a == "--patch" || a == "-patch") && i + 1 < *argc) {
      Patches().emplace_back(argv[i + 1]);
      seen.push_back({i, 2});
      ++i;
    }
  }
  if (seen.size() < 2) return;
  int out = 0;
  std::size_t k = 0;
  for (int i = 0; i < *argc; ++i) {
    if (k + 1 < seen.size() && i == seen[k].at) {
      i += seen[k++].len - 1;
      continue;
    }
    argv[out++] = argv[i];
  }
  *argc = out;
}

const std::vector<std::string>& PatchFlags() { return Patches(); }

std::string KernelTreeFlag() { return absl::GetFlag(FLAGS_kernel); }

bool KernelGuestChosen() {
  return absl::GetFlag(FLAGS_guest) == "kernel" || !absl::GetFlag(FLAGS_kernel).empty() ||
         !PatchFlags().empty() || !absl::GetFlag(FLAGS_patch).empty();
}

absl::StatusOr<GuestChoice> KernelGuest(const std::string& tree, const Variant& variant,
                                        const std::vector<std::string>& patches) {
#ifdef SMPFUZZ_NO_KERNEL_GUEST
  (void)tree;
  (void)variant;
  (void)patches;
  return UsageError("the kernel guest is not in this build of smpfuzz (a sanitizer config)");
#else
  kernel_build::GuestSpec spec;
  spec.tree = tree;
  absl::StatusOr<std::vector<std::string>> builtin = kernel_build::VariantPatches(variant.name);
  if (!builtin.ok()) return builtin.status();
  spec.builtin_patches = *builtin;
  spec.patches = patches;
  spec.label = patches.empty() ? variant.name : "custom";
  absl::StatusOr<kernel_build::GuestBuild> b =
      kernel_build::BuildGuest(spec, kernel_build::CacheDir(), stderr);
  if (!b.ok()) return WithPrefix("smpfuzz: ", b.status());
  absl::StatusOr<const GuestImage*> image = LoadGuestImage(b->so_path);
  if (!image.ok()) return WithPrefix("smpfuzz: ", image.status());
  GuestChoice c;
  c.kernel = true;
  c.description = b->Describe();
  c.tree_hash = b->tree_hash;
  c.build_hash = b->build_hash;
  for (const kernel_build::PatchId& p : b->patches) c.patch_hashes.push_back(p.hash);
  const GuestImage* img = *image;
  c.make = [img] { return NewKernelGuest(*img); };
  return c;
#endif
}

absl::StatusOr<GuestChoice> ChooseGuest(const Variant& variant, const GuestRecord& recorded) {
  const std::string guest = absl::GetFlag(FLAGS_guest);
  if (!guest.empty() && guest != "model" && guest != "kernel") {
    return UsageError("--guest: expected 'model' or 'kernel', got '" + guest + "'");
  }
  if (!KernelGuestChosen() && !(recorded.kernel && guest.empty())) {
    GuestChoice c;
    c.description = "model";
    c.make = [] { return NewModelGuest(); };
    return c;
  }
  if (guest == "model") return UsageError("--kernel and --patch are the kernel guest's (--guest=kernel)");
  return KernelGuest(absl::GetFlag(FLAGS_kernel), variant, PatchFlags());
}

std::string DescribeMismatch(const GuestRecord& recorded, const GuestChoice& chosen) {
  if (recorded.kernel && !chosen.kernel) {
    return "recorded on a kernel guest build (" + Hex16(recorded.build_hash) +
           "); replaying on the model, as --guest=model says";
  }
  if (!recorded.kernel && chosen.kernel) {
    return "recorded on the model (or before reproducers named their guest); replaying on the "
           "kernel guest: the schedule may not mean the same";
  }
  if (!recorded.kernel || recorded.build_hash == chosen.build_hash) return "";
  std::string why;
  if (recorded.tree_hash != chosen.tree_hash) {
    why = "tree " + Hex16(recorded.tree_hash) + " vs " + Hex16(chosen.tree_hash);
  } else if (recorded.patch_hashes != chosen.patch_hashes) {
    why = absl::StrCat("the same tree, ", recorded.patch_hashes.size(), " vs ",
                       chosen.patch_hashes.size(), " patch(es) or different ones");
  } else {
    why = "the same tree and patches, another shim, compiler or smpfuzz";
  }
  return "recorded on kernel guest build " + Hex16(recorded.build_hash) + ", replaying on build " +
         Hex16(chosen.build_hash) + " (" + why +
         "): a schedule is valid for one build; pass the --kernel and --patch it was found with";
}

}  // namespace smpfuzz::cli
