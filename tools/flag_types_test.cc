// SPDX-License-Identifier: GPL-2.0-only
//
// Flag types: Abseil's parse keeps any text; the checks give smpfuzz's own
// messages, which tools/smpfuzz_test.sh and users grep.

#include "tools/flag_types.h"

#include <cstdint>
#include <string>

#include "absl/flags/marshalling.h"
#include "gtest/gtest.h"

namespace smpfuzz::cli {
namespace {

TEST(FlagTypesTest, AbseilKeepsAnyText) {
  WholeNumber<0, 64> n;
  std::string error;
  ASSERT_TRUE(absl::ParseFlag("lots", &n, &error));
  EXPECT_EQ(n.text(), "lots");
  EXPECT_EQ(absl::UnparseFlag(n), "lots");
  PositiveDuration d;
  ASSERT_TRUE(absl::ParseFlag("", &d, &error));
  EXPECT_TRUE(d.empty());
}

TEST(FlagTypesTest, WholeNumbers) {
  EXPECT_EQ(*ParseWholeNumber("pct", "0", 0, 64), 0u);
  EXPECT_EQ(*ParseWholeNumber("seed", "18446744073709551615", 0, UINT64_MAX), UINT64_MAX);
  for (const char* bad : {"", "lots", "2.5", "-5", "1e3", " 1", "+1", "65"}) {
    absl::StatusOr<std::uint64_t> v = ParseWholeNumber("preemptions", bad, 0, 64);
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_EQ(v.status().message(), std::string("smpfuzz: --preemptions: expected a whole number from 0 "
                                                "to 64, got '") + bad + "'");
  }
  EXPECT_FALSE(ParseWholeNumber("seed", "18446744073709551616", 0, UINT64_MAX).ok());
  EXPECT_FALSE(ParseWholeNumber("runs", "0", 1, 1000000000000).ok());
}

TEST(FlagTypesTest, Seconds) {
  EXPECT_EQ(*ParseSeconds("max_seconds", "2.5"), 2.5);
  EXPECT_EQ(*ParseSeconds("max_seconds", "1e3"), 1000);
  absl::StatusOr<double> v = ParseSeconds("max_seconds", "soon");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "smpfuzz: --max_seconds: expected a number from 0 to 10000000, got 'soon'");
  EXPECT_FALSE(ParseSeconds("max_seconds", "1e8").ok());
  EXPECT_FALSE(ParseSeconds("max_seconds", "-1").ok());
  EXPECT_FALSE(ParseSeconds("max_seconds", "").ok());
}

TEST(FlagTypesTest, Durations) {
  EXPECT_EQ(*ParseDurationSeconds("time", "2m"), 120);
  EXPECT_EQ(*ParseDurationSeconds("time", "8h"), 8 * 3600);
  for (const char* bad : {"soon", "-5m", "0s", ""}) {
    absl::StatusOr<double> v = ParseDurationSeconds("time", bad);
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_EQ(v.status().message(),
              std::string("smpfuzz: --time: expected a duration such as 90s, 2m or 8h, got '") + bad + "'");
  }
}

}  // namespace
}  // namespace smpfuzz::cli
