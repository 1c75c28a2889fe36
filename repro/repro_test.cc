// SPDX-License-Identifier: GPL-2.0-only
//
// Replays every reproducer in repro/ (passed as arguments by repro/BUILD's
// glob) and checks each of its `expect` lines, and proves each of its
// `minimal` lines (lib/minimality.h). A new file is a new case.

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/expectations.h"
#include "lib/minimality.h"
#include "lib/repro.h"

namespace smpfuzz {
namespace {

std::vector<std::string>* files = nullptr;

// Under a sanitizer the unreduced re-proof is left out: it checks the
// explorer's logic, which the default build already does, at 5x the cost.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
constexpr bool kUnreducedToo = false;
#else
constexpr bool kUnreducedToo = true;
#endif
#else
constexpr bool kUnreducedToo = true;
#endif

absl::StatusOr<Repro> Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseRepro(ss.str(), path);
}

TEST(ReproSuite, EveryExpectationHolds) {
  ASSERT_NE(files, nullptr);
  ASSERT_GE(files->size(), 9u) << "repro/ lost its reproducers?";
  for (const std::string& path : *files) {
    SCOPED_TRACE(path);
    absl::StatusOr<Repro> parsed = Read(path);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    const Repro& r = *parsed;
    EXPECT_FALSE(r.expectations.empty()) << path << " states no expectations";
    // Every file states what each real kernel variant does.
    for (const char* v : {"baseline", "b0473dcd", "fixed"}) {
      bool found = false;
      for (const Expectation& e : r.expectations) found |= e.variant == FindVariant(v);
      EXPECT_TRUE(found) << path << " has no 'expect " << v << "'";
    }
    for (const std::string& failure : CheckExpectations(r, path)) ADD_FAILURE() << failure;
    // And the file is in canonical form modulo comments: it round-trips.
    absl::StatusOr<Repro> again = ParseRepro(FormatRepro(r), path);
    ASSERT_TRUE(again.ok()) << again.status().message();
    EXPECT_TRUE(*again == r);
  }
}

// Every signature a file's schedule shows on its own variant has a proven
// `minimal` line: the fewest preemptions any schedule of the scenario needs
// for it. Proven twice: with the explorer's sleep sets, and (up to a budget)
// by the unreduced search, the slow and obviously complete one.
TEST(ReproSuite, EveryViolationHasAProvenMinimalPreemptionCount) {
  ASSERT_NE(files, nullptr);
  int claims = 0, unreduced = 0;
  for (const std::string& path : *files) {
    SCOPED_TRACE(path);
    absl::StatusOr<Repro> parsed = Read(path);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    const Repro& r = *parsed;
    for (const Expectation& e : r.expectations) {
      if (e.variant != r.scenario.variant) continue;
      for (Signature sig : e.signatures) {
        bool claimed = false;
        for (const MinimalClaim& m : r.minimal) claimed |= m.variant == e.variant && m.signature == sig;
        if (claimed) continue;
        std::string suggestion;
        for (const MinimalClaim& m : StateMinimality(r)) {
          if (m.signature == sig) {
            suggestion = std::string("; the explorer says: minimal ") + m.variant->name + " " +
                         SignatureName(sig) + " preemptions=" + std::to_string(m.preemptions);
          }
        }
        ADD_FAILURE() << path << " expects " << SignatureName(sig) << " on " << e.variant->name
                      << " but has no 'minimal' line for it" << suggestion;
      }
    }
    claims += static_cast<int>(r.minimal.size());
    for (const std::string& failure : CheckMinimality(r, path)) ADD_FAILURE() << failure;
    if (!kUnreducedToo) continue;
    MinimalityOptions none;
    none.reduction = false;
    none.max_executions = 200000;
    for (const std::string& failure : CheckMinimality(r, path, none)) {
      if (failure.find("not covered") != std::string::npos) {  // over the budget
        --unreduced;
        continue;
      }
      ADD_FAILURE() << "unreduced: " << failure;
    }
    unreduced += static_cast<int>(r.minimal.size());
  }
  EXPECT_GE(claims, 20) << "repro/ lost its minimal lines?";
  std::printf("%d minimal claims proven (%d also by the unreduced search, within its budget)\n",
              claims, unreduced);
}

}  // namespace
}  // namespace smpfuzz

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  std::vector<std::string> args(argv + 1, argv + argc);
  smpfuzz::files = &args;
  return RUN_ALL_TESTS();
}
