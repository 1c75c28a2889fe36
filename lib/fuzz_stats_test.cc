// SPDX-License-Identifier: GPL-2.0-only
//
// FuzzStats against values worked by hand (and SciPy's
// mannwhitneyu(x, y, method="asymptotic") for the same samples).
#include "lib/fuzz_stats.h"

#include <cmath>

#include "gtest/gtest.h"

namespace smpfuzz {
namespace {

TEST(FuzzStats, ParsesSecondsAndTimeoutsAndNamesTheBadLine) {
  absl::StatusOr<std::vector<double>> t = ParseTrials("1.5\n\nTIMEOUT\n 0 \n", "f");
  ASSERT_TRUE(t.ok()) << t.status().message();
  ASSERT_EQ(t->size(), 3u);
  EXPECT_EQ((*t)[0], 1.5);
  EXPECT_TRUE(std::isinf((*t)[1]));
  EXPECT_EQ((*t)[2], 0);
  for (const char* bad : {"1.5\nsoon\n", "1.5\n-2\n", "1.5\n3s\n", "1.5\nnan\n"}) {
    absl::StatusOr<std::vector<double>> b = ParseTrials(bad, "f");
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_EQ(std::string(b.status().message()).rfind("f:2: expected seconds or TIMEOUT, got '", 0), 0u)
        << b.status().message();
  }
}

TEST(FuzzStats, MedianIntervalIsTheBinomialOrderStatistics) {
  std::vector<double> twenty;
  for (int i = 20; i >= 1; --i) twenty.push_back(i);  // unsorted on purpose
  const MedianInterval m = Median95(twenty);
  EXPECT_EQ(m.median, 10.5);
  // n = 20: P(X <= 5) = 0.0207 <= 0.025 < P(X <= 6): the 6th and 15th.
  EXPECT_EQ(m.low, 6);
  EXPECT_EQ(m.high, 15);
  EXPECT_NEAR(m.coverage, 0.9586, 1e-4);
  // Five trials cannot give 95%: the whole range, 93.75%.
  const MedianInterval five = Median95({3, 1, kTimedOut, 2, 5});
  EXPECT_EQ(five.median, 3);
  EXPECT_EQ(five.low, 1);
  EXPECT_TRUE(std::isinf(five.high));
  EXPECT_NEAR(five.coverage, 0.9375, 1e-9);
  // Mostly timeouts: the median is a timeout.
  EXPECT_TRUE(std::isinf(Median95({kTimedOut, kTimedOut, 1, kTimedOut}).median));
}

TEST(FuzzStats, MannWhitneyMatchesHandWorkedValues) {
  // No overlap: U = 0, z = (4.5 - 0.5) / sqrt(5.25), p = 0.0809.
  const MannWhitney sep = MannWhitneyU({1, 2, 3}, {4, 5, 6});
  EXPECT_EQ(sep.u, 0);
  EXPECT_NEAR(sep.p, 0.080863, 1e-5);
  EXPECT_EQ(sep.a12, 1);  // the first is always faster
  const MannWhitney back = MannWhitneyU({4, 5, 6}, {1, 2, 3});
  EXPECT_EQ(back.u, 9);
  EXPECT_NEAR(back.p, sep.p, 1e-12);
  EXPECT_EQ(back.a12, 0);
  // Timeouts tie with each other: ranks 1, 2, 4.5 for {1, 2, T} against
  // {T, T, T}: U = 1.5, variance 9/12 * (7 - 60/30) = 3.75, p = 0.1967.
  const MannWhitney tied = MannWhitneyU({1, 2, kTimedOut}, {kTimedOut, kTimedOut, kTimedOut});
  EXPECT_EQ(tied.u, 1.5);
  EXPECT_NEAR(tied.p, 0.196706, 1e-5);
  EXPECT_NEAR(tied.a12, 1 - 1.5 / 9, 1e-12);
  // Identical samples: no evidence.
  const MannWhitney same = MannWhitneyU({kTimedOut, kTimedOut}, {kTimedOut, kTimedOut});
  EXPECT_EQ(same.p, 1);
  EXPECT_EQ(same.a12, 0.5);
}

}  // namespace
}  // namespace smpfuzz
