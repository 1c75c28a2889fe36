// SPDX-License-Identifier: GPL-2.0-only
//
// BuildGuest and LoadGuestImage: a guest built from a tree directory and
// patches, as a kernel developer names them, loaded and explored; the cache;
// the errors of a bad tree and a patch that does not apply.
#include "kernel/guest_build.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "kernel/guest_image.h"
#include "kernel/kernel_guest.h"
#include "lib/explorer.h"
#include "lib/report.h"
#include "lib/scenario.h"
#include "lib/simulator.h"

namespace smpfuzz::kernel_build {
namespace {

namespace fs = std::filesystem;

// Bazel's extraction of the default tree (//kernel:linux_6_12).
std::string TreeDir() {
  return std::string(std::getenv("TEST_SRCDIR")) + "/smpfuzz/kernel/linux-6.12";
}

std::string FreshCache(const std::string& name) {
  fs::path p = fs::path(std::getenv("TEST_TMPDIR")) / name;
  fs::remove_all(p);
  return p.string();
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  fs::path p = fs::path(std::getenv("TEST_TMPDIR")) / name;
  std::ofstream(p) << text;
  return p.string();
}

// Explores the canonical scenario on `image`; b0473dcd races on u_flags in
// every run, so there the search asks for the self-loop itself (as
// kernel_guest_test does).
ExploreResult ExploreOn(const GuestImage& image, const char* variant, int bound) {
  ExploreOptions o;
  o.max_preemptions = bound;
  if (std::string(variant) == "b0473dcd") o.violations = SignatureBit(Signature::kLlistSelfLoop);
  o.guest = [&image] { return NewKernelGuest(image); };
  return Explore(CanonicalScenario(FindVariant(variant)), o);
}

TEST(BuildGuest, TreePlusVariantPatchFindsTheSelfLoopAndTheCacheAnswersAgain) {
  const std::string cache = FreshCache("cache1");
  GuestSpec spec;
  spec.tree = TreeDir();
  spec.builtin_patches = {"b0473dcd.patch"};
  spec.label = "b0473dcd";
  absl::StatusOr<GuestBuild> b = BuildGuest(spec, cache, stderr);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_FALSE(b->cached);
  ASSERT_EQ(b->patches.size(), 1u);
  EXPECT_EQ(b->patches[0].name, "builtin:b0473dcd.patch");

  absl::StatusOr<const GuestImage*> image = LoadGuestImage(b->so_path);
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_STREQ((*image)->variant(), "b0473dcd");
  ExploreResult r = ExploreOn(**image, "b0473dcd", 1);
  ASSERT_TRUE(r.found) << "b0473dcd built from the tree: no violation within 1 preemption";
  EXPECT_EQ(r.signature, Signature::kLlistSelfLoop);
  EXPECT_EQ(r.preemptions, 1u);

  absl::StatusOr<GuestBuild> again = BuildGuest(spec, cache, nullptr);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->cached);
  EXPECT_EQ(again->so_path, b->so_path);
  EXPECT_EQ(again->build_hash, b->build_hash);
}

TEST(BuildGuest, TheFixOnTopIsCleanAndADifferentBuild) {
  const std::string cache = FreshCache("cache2");
  GuestSpec broken;
  broken.tree = TreeDir();
  broken.builtin_patches = {"b0473dcd.patch"};
  broken.label = "b0473dcd";
  GuestSpec fixed = broken;
  // The fix as a user's patch file, on top of the builtin b0473dcd.
  const std::string fix(BuiltinPatch("fixed.patch"));
  ASSERT_FALSE(fix.empty());
  fixed.patches = {WriteTemp("fix.patch", fix)};
  fixed.label = "fixed";
  absl::StatusOr<GuestBuild> a = BuildGuest(broken, cache, nullptr);
  absl::StatusOr<GuestBuild> b = BuildGuest(fixed, cache, nullptr);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_NE(a->build_hash, b->build_hash);
  EXPECT_EQ(a->tree_hash, b->tree_hash);
  absl::StatusOr<const GuestImage*> image = LoadGuestImage(b->so_path);
  ASSERT_TRUE(image.ok()) << image.status();
  ExploreResult r = ExploreOn(**image, "fixed", 1);
  EXPECT_FALSE(r.found) << SignatureName(r.signature);
  EXPECT_TRUE(r.complete);
  EXPECT_GT(r.stats.executions, 10u);
  // Both images loaded in one process, each with its own globals: the first
  // still finds its bug after the second ran.
  absl::StatusOr<const GuestImage*> first = LoadGuestImage(a->so_path);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(ExploreOn(**first, "b0473dcd", 1).found);
}

TEST(BuildGuest, APatchThatDoesNotApplyIsAOneLineErrorNamingIt) {
  const std::string cache = FreshCache("cache3");
  GuestSpec spec;
  spec.tree = TreeDir();
  spec.patches = {WriteTemp("bad.patch",
                            "--- a/kernel/smp.c\n+++ b/kernel/smp.c\n@@ -1,3 +1,3 @@\n"
                            " no such line\n-in this file\n+at all\n nowhere\n")};
  absl::StatusOr<GuestBuild> b = BuildGuest(spec, cache, nullptr);
  ASSERT_FALSE(b.ok());
  const std::string msg(b.status().message());
  EXPECT_NE(msg.find("bad.patch: does not apply to"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  // Nothing half-built is left to be found as a cached build.
  EXPECT_FALSE(fs::exists(fs::path(cache) / "guests") &&
               !fs::is_empty(fs::path(cache) / "guests"))
      << "a failed build left files in the cache";
}

TEST(BuildGuest, NotATreeAndNotAPatchAreErrors) {
  const std::string cache = FreshCache("cache4");
  GuestSpec spec;
  spec.tree = std::getenv("TEST_TMPDIR");
  absl::StatusOr<GuestBuild> b = BuildGuest(spec, cache, nullptr);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(std::string(b.status().message()).find("not a kernel tree (no kernel/smp.c)"),
            std::string::npos)
      << b.status();
  spec.tree = TreeDir();
  spec.patches = {WriteTemp("prose.patch", "this is not a diff\n")};
  b = BuildGuest(spec, cache, nullptr);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(std::string(b.status().message()).find("prose.patch: not a patch"), std::string::npos)
      << b.status();
  spec.patches = {"/nonexistent/x.patch"};
  b = BuildGuest(spec, cache, nullptr);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(std::string(b.status().message()).find("/nonexistent/x.patch: cannot read patch"),
            std::string::npos)
      << b.status();
}

TEST(BuildGuest, AWhitespaceOnlyPatchBuildsADifferentButEquallyCleanGuest) {
  const std::string cache = FreshCache("cache5");
  GuestSpec spec;
  spec.tree = TreeDir();
  spec.patches = {WriteTemp("ws.patch",
                            "--- a/kernel/smp.c\n+++ b/kernel/smp.c\n@@ -1,2 +1,3 @@\n"
                            " // SPDX-License-Identifier: GPL-2.0-only\n+\n /*\n")};
  absl::StatusOr<GuestBuild> b = BuildGuest(spec, cache, nullptr);
  ASSERT_TRUE(b.ok()) << b.status();
  absl::StatusOr<const GuestImage*> image = LoadGuestImage(b->so_path);
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_FALSE(ExploreOn(**image, "baseline", 1).found);
}

}  // namespace
}  // namespace smpfuzz::kernel_build
