// SPDX-License-Identifier: GPL-2.0-only
//
// BuildGuest: builds a kernel guest from a Linux tree and patches, the way a
// kernel developer names them (`--kernel=DIR --patch=FILE`), with the
// installed clang and no Bazel: the tree's kernel/smp.c (patched, with the
// glue appended) and lib/llist.c, compiled with the guest's flags
// (kernel/defs.bzl GUEST_FLAGS) against the shim headers this binary carries
// (kernel/embed/), linked into a shared object for LoadGuestImage.
//
// Builds are cached by content: the hash covers the tree's files the guest
// uses, the patches, the shim, the flags and the compiler. A cached build is
// found without running anything. Two processes building the same guest at
// once both succeed (the second rename loses and uses the first's).
//
// Errors are one line naming the place: a tree without kernel/smp.c, a patch
// that does not apply (and which hunk), a compile error (its first error).

#ifndef SMPFUZZ_KERNEL_GUEST_BUILD_H_
#define SMPFUZZ_KERNEL_GUEST_BUILD_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace smpfuzz::kernel_build {

// Debian's linux-source-6.12 (ci/setup.sh installs it): the tree when none is named.
inline constexpr char kDefaultTree[] = "/usr/src/linux-source-6.12.tar.xz";

struct GuestSpec {
  // A kernel source directory, or a .tar.xz of one (one top directory);
  // empty: kDefaultTree.
  std::string tree;
  // Patches carried by this binary (kernel/patches/NAME), applied first, in
  // order: a variant's (VariantPatches).
  std::vector<std::string> builtin_patches;
  // Patch files (`patch -p1`, as `git format-patch` writes them), in order.
  std::vector<std::string> patches;
  // What the build calls itself (GuestImage::variant()): "baseline",
  // "b0473dcd", "fixed" for a variant's patches alone, else "custom".
  std::string label = "custom";
};

struct PatchId {
  std::string name;  // the file's name, or "builtin:NAME"
  std::uint64_t hash = 0;  // FNV-1a of its bytes
};

struct GuestBuild {
  std::string so_path;        // the shared object, for LoadGuestImage
  std::string tree;           // as named (a directory or tarball)
  std::string tree_version;   // "6.12.117", from the tree's Makefile ("" if none)
  std::uint64_t tree_hash = 0;   // the guest's input files of the tree, unpatched
  std::vector<PatchId> patches;  // builtin then user patches, in order
  std::uint64_t build_hash = 0;  // everything that went into the build
  bool cached = false;        // found in the cache, nothing compiled
  // "linux 6.12.117 (/usr/src/...tar.xz) + builtin:b0473dcd.patch"
  std::string Describe() const;
};

// The builtin patches of a variant: baseline none; b0473dcd; fixed is
// b0473dcd then fixed. An error for a variant that has no kernel patch.
absl::StatusOr<std::vector<std::string>> VariantPatches(const std::string& variant);

// The text of builtin patch `name` (kernel/patches/NAME); empty if none.
std::string_view BuiltinPatch(std::string_view name);

// Where builds are cached: $SMPFUZZ_CACHE_DIR, else $XDG_CACHE_HOME/smpfuzz,
// else $HOME/.cache/smpfuzz.
std::string CacheDir();

// Builds (or finds in the cache under `cache_dir`) the guest of `spec`.
// Progress lines (a long build: "extracting ...", "compiling ...") go to
// `log` when it is not null.
absl::StatusOr<GuestBuild> BuildGuest(const GuestSpec& spec, const std::string& cache_dir,
                                      std::FILE* log);

}  // namespace smpfuzz::kernel_build

#endif  // SMPFUZZ_KERNEL_GUEST_BUILD_H_
