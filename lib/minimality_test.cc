// SPDX-License-Identifier: GPL-2.0-only
//
// The minimality check fires on a claim that is too high (a schedule with
// fewer preemptions shows the signature) and on one that is too low (none
// with that many does), and holds on the true count.

#include "lib/minimality.h"

#include "gtest/gtest.h"

namespace smpfuzz {
namespace {

Repro SelfLoop(std::uint32_t claimed) {
  absl::StatusOr<Repro> r = ParseRepro(
      "smpfuzz-repro 1\ncpus 3\nvariant b0473dcd\ncsdlock_debug on\n"
      "cpu 1: call_single target=0 wait=0\ncpu 2: call_single target=0 wait=0\n"
      "schedule 1 2*11 1*10\n"
      "minimal b0473dcd llist-self-loop preemptions=" + std::to_string(claimed) + "\n",
      "self_loop");
  EXPECT_TRUE(r.ok()) << r.status().message();
  return *r;
}

TEST(Minimality, HoldsOnTheTrueCount) {
  EXPECT_TRUE(CheckMinimality(SelfLoop(1), "self_loop").empty());
}

TEST(Minimality, FiresWhenFewerPreemptionsShowIt) {
  const std::vector<std::string> f = CheckMinimality(SelfLoop(2), "self_loop");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].find("self_loop:8: minimal b0473dcd llist-self-loop preemptions=2: a schedule with "
                      "1 preemption(s) reports it"),
            std::string::npos)
      << f[0];
}

TEST(Minimality, FiresWhenNoScheduleThatShortShowsIt) {
  const std::vector<std::string> f = CheckMinimality(SelfLoop(0), "self_loop");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].find("no schedule with up to 0 preemption(s) reports it"), std::string::npos) << f[0];
}

TEST(Minimality, FiresOnAVariantThatDoesNotHaveIt) {
  Repro r = SelfLoop(1);
  r.minimal[0].variant = FindVariant("fixed");
  EXPECT_EQ(CheckMinimality(r, "self_loop").size(), 1u);
}

TEST(Minimality, StatesTheFewestForEachSignatureTheScheduleShows) {
  const std::vector<MinimalClaim> claims = StateMinimality(SelfLoop(1));
  bool self_loop = false;
  for (const MinimalClaim& m : claims) {
    if (m.signature == Signature::kLlistSelfLoop) {
      self_loop = true;
      EXPECT_EQ(m.preemptions, 1u);
    }
  }
  EXPECT_TRUE(self_loop);
}

TEST(Minimality, LineRoundTrips) {
  const Repro r = SelfLoop(1);
  absl::StatusOr<Repro> again = ParseRepro(FormatRepro(r), "again");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(*again == r);
  for (const char* bad : {"minimal b0473dcd llist-self-loop", "minimal nope llist-self-loop preemptions=1",
                          "minimal b0473dcd nope preemptions=1", "minimal b0473dcd llist-self-loop preemptions=x",
                          "minimal b0473dcd llist-self-loop preemptions=65",
                          "minimal b0473dcd llist-self-loop preemptions=1 more"}) {
    absl::StatusOr<Repro> p = ParseRepro(
        std::string("smpfuzz-repro 1\ncpus 2\nvariant b0473dcd\ncsdlock_debug on\n") + bad + "\n", "bad");
    EXPECT_FALSE(p.ok()) << bad;
    if (!p.ok()) EXPECT_EQ(std::string(p.status().message()).rfind("bad:5:", 0), 0u) << p.status().message();
  }
}

}  // namespace
}  // namespace smpfuzz
