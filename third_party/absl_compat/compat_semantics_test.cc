// SPDX-License-Identifier: GPL-2.0-only
//
// One set of expectations about the Abseil API the fuzz targets use, compiled twice
// (BUILD): against Debian's Abseil, which proves the expectations are Abseil's, and
// against absl_compat's headers, which proves those behave the same. A difference
// between the two fails one of the builds' runs.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace {

TEST(CompatStatus, CodesMessagesAndOk) {
  EXPECT_TRUE(absl::OkStatus().ok());
  EXPECT_EQ(absl::OkStatus().message(), "");
  EXPECT_EQ(absl::OkStatus().ToString(), "OK");
  const absl::Status s = absl::InvalidArgumentError("line 3, column 7: expected cpus=N");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(static_cast<int>(s.code()), 3);
  EXPECT_EQ(s.message(), "line 3, column 7: expected cpus=N");
  EXPECT_EQ(s.ToString(), "INVALID_ARGUMENT: line 3, column 7: expected cpus=N");
  EXPECT_EQ(absl::FailedPreconditionError("x").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(static_cast<int>(absl::UnavailableError("x").code()), 14);
  EXPECT_EQ(absl::InternalError("y").ToString(), "INTERNAL: y");
  EXPECT_TRUE(absl::IsUnavailable(absl::UnavailableError("busy")));
  EXPECT_FALSE(absl::IsUnavailable(absl::InternalError("busy")));
  // An OK status drops its message.
  EXPECT_EQ(absl::Status(absl::StatusCode::kOk, "ignored").message(), "");
  EXPECT_EQ(absl::InvalidArgumentError("a"), absl::InvalidArgumentError("a"));
  EXPECT_NE(absl::InvalidArgumentError("a"), absl::InvalidArgumentError("b"));
}

absl::StatusOr<std::string> Parse(bool good) {
  if (!good) return absl::InvalidArgumentError("bad input");
  return std::string("parsed");
}

TEST(CompatStatusOr, ValueOrError) {
  absl::StatusOr<std::string> good = Parse(true);
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(good.status().ok());
  EXPECT_EQ(*good, "parsed");
  EXPECT_EQ(good->size(), 6u);
  EXPECT_EQ(good.value(), "parsed");
  absl::StatusOr<std::string> bad = Parse(false);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "bad input");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.value_or("other"), "other");
  // A default StatusOr is an UNKNOWN error; an OK status is not a value, nor is an
  // error's value there to take.
  EXPECT_EQ(absl::StatusOr<int>().status().code(), absl::StatusCode::kUnknown);
  EXPECT_DEATH(absl::StatusOr<int>{absl::OkStatus()}, "An OK status is not a valid constructor argument");
  EXPECT_DEATH((void)*absl::StatusOr<int>(absl::InternalError("gone")), "");
  absl::StatusOr<std::vector<int>> moved = std::vector<int>{1, 2, 3};
  std::vector<int> v = *std::move(moved);
  EXPECT_EQ(v.size(), 3u);
}

TEST(CompatStrCat, StringsNumbersAndHex) {
  const std::string s = "b";
  EXPECT_EQ(absl::StrCat("a", s, absl::string_view("c"), 42, -7, 18446744073709551615ull), "abc42-718446744073709551615");
  EXPECT_EQ(absl::StrCat(), "");
  EXPECT_EQ(absl::StrCat("0x", absl::Hex(0)), "0x0");
  EXPECT_EQ(absl::StrCat("0x", absl::Hex(0x5cf00003u)), "0x5cf00003");
  EXPECT_EQ(absl::StrCat(absl::Hex(0xabcdefull, absl::kZeroPad16)), "0000000000abcdef");
  EXPECT_EQ(absl::StrCat(absl::Hex(0xffffffffffffffffull, absl::kZeroPad16)), "ffffffffffffffff");
  EXPECT_EQ(absl::StrCat(absl::Hex(0x12, absl::kZeroPad4)), "0012");
  EXPECT_EQ(absl::StrCat(absl::Hex(0x12, absl::kSpacePad4)), "  12");
  // A signed value prints as the bits of its unsigned type.
  EXPECT_EQ(absl::StrCat(absl::Hex(-1)), "ffffffff");
  EXPECT_EQ(absl::StrCat(absl::Hex(std::int8_t{-2})), "fe");
  std::string out = "x=";
  absl::StrAppend(&out, 1, ",", absl::Hex(255), ",", s);
  EXPECT_EQ(out, "x=1,ff,b");
}

TEST(CompatStrSplit, OnOneCharacter) {
  std::vector<absl::string_view> pieces;
  for (absl::string_view p : absl::StrSplit("a,b,,c", ',')) pieces.push_back(p);
  EXPECT_EQ(pieces, (std::vector<absl::string_view>{"a", "b", "", "c"}));
  const std::vector<std::string> strings = absl::StrSplit("a,", ',');
  EXPECT_EQ(strings, (std::vector<std::string>{"a", ""}));
  const std::vector<absl::string_view> empty = absl::StrSplit("", ',');
  EXPECT_EQ(empty, (std::vector<absl::string_view>{""}));
  const std::vector<std::string> skipped = absl::StrSplit(",a,,b,", ',', absl::SkipEmpty());
  EXPECT_EQ(skipped, (std::vector<std::string>{"a", "b"}));
  const std::vector<std::string> none = absl::StrSplit("", ',', absl::SkipEmpty());
  EXPECT_TRUE(none.empty());
  // The pieces point into the text.
  const std::string text = "deadbeef,1";
  const std::vector<absl::string_view> views = absl::StrSplit(text, ',');
  EXPECT_EQ(views[0].data(), text.data());
}

TEST(CompatNumbers, SimpleHexAtoi) {
  std::uint64_t v = 1;
  EXPECT_TRUE(absl::SimpleHexAtoi("deadBEEF", &v));
  EXPECT_EQ(v, 0xdeadbeefu);
  EXPECT_TRUE(absl::SimpleHexAtoi("0x10", &v));
  EXPECT_EQ(v, 16u);
  EXPECT_TRUE(absl::SimpleHexAtoi("0X10", &v));
  EXPECT_EQ(v, 16u);
  EXPECT_TRUE(absl::SimpleHexAtoi(" ff\n", &v));
  EXPECT_EQ(v, 255u);
  EXPECT_TRUE(absl::SimpleHexAtoi("+a", &v));
  EXPECT_EQ(v, 10u);
  EXPECT_TRUE(absl::SimpleHexAtoi("ffffffffffffffff", &v));
  EXPECT_EQ(v, 0xffffffffffffffffull);
  EXPECT_FALSE(absl::SimpleHexAtoi("10000000000000000", &v));  // 17 digits: overflow
  EXPECT_FALSE(absl::SimpleHexAtoi("", &v));
  EXPECT_FALSE(absl::SimpleHexAtoi(" ", &v));
  EXPECT_FALSE(absl::SimpleHexAtoi("0x", &v));
  EXPECT_FALSE(absl::SimpleHexAtoi("-1", &v));
  EXPECT_FALSE(absl::SimpleHexAtoi("12g", &v));
  EXPECT_FALSE(absl::SimpleHexAtoi("1 2", &v));
  EXPECT_FALSE(absl::SimpleHexAtoi("+", &v));
  int i = 0;
  EXPECT_TRUE(absl::SimpleHexAtoi("-7f", &i));
  EXPECT_EQ(i, -127);
  EXPECT_TRUE(absl::SimpleHexAtoi("-80000000", &i));
  EXPECT_EQ(i, std::numeric_limits<int>::min());
  EXPECT_FALSE(absl::SimpleHexAtoi("80000000", &i));
}

TEST(CompatNumbers, SimpleAtoi) {
  int i = 0;
  EXPECT_TRUE(absl::SimpleAtoi("  -42 ", &i));
  EXPECT_EQ(i, -42);
  EXPECT_TRUE(absl::SimpleAtoi("2147483647", &i));
  EXPECT_EQ(i, 2147483647);
  EXPECT_FALSE(absl::SimpleAtoi("2147483648", &i));
  EXPECT_FALSE(absl::SimpleAtoi("0x10", &i));
  EXPECT_FALSE(absl::SimpleAtoi("", &i));
  std::uint32_t u = 0;
  EXPECT_FALSE(absl::SimpleAtoi("-1", &u));
  EXPECT_TRUE(absl::SimpleAtoi("4294967295", &u));
  EXPECT_EQ(u, 4294967295u);
}

TEST(CompatFlatHashMap, AsTheFuzzTargetsUseIt) {
  absl::flat_hash_map<const void*, int> m;
  int a = 0, b = 0;
  auto [it, inserted] = m.try_emplace(&a, 1);
  EXPECT_TRUE(inserted);
  EXPECT_EQ(it->second, 1);
  EXPECT_FALSE(m.try_emplace(&a, 2).second);
  EXPECT_EQ(m.find(&a)->second, 1);
  m.emplace(&b, 3);
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(m.erase(&a), 1u);
  EXPECT_EQ(m.find(&a), m.end());
  m.clear();
  EXPECT_TRUE(m.empty());
}

}  // namespace
