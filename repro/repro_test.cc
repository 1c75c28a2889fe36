// SPDX-License-Identifier: GPL-2.0-only
//
// Replays every reproducer in repro/ (passed as arguments by repro/BUILD's
// glob) and checks each of its `expect` lines. A new file is a new case.

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/expectations.h"
#include "lib/repro.h"

namespace smpfuzz {
namespace {

std::vector<std::string>* files = nullptr;

TEST(ReproSuite, EveryExpectationHolds) {
  ASSERT_NE(files, nullptr);
  ASSERT_GE(files->size(), 9u) << "repro/ lost its reproducers?";
  for (const std::string& path : *files) {
    SCOPED_TRACE(path);
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in) << "cannot read " << path;
    std::stringstream ss;
    ss << in.rdbuf();
    absl::StatusOr<Repro> parsed = ParseRepro(ss.str(), path);
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

}  // namespace
}  // namespace smpfuzz

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  std::vector<std::string> args(argv + 1, argv + argc);
  smpfuzz::files = &args;
  return RUN_ALL_TESTS();
}
