// Links every //third_party system-library alias and exercises each once.
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

ABSL_FLAG(int, smpfuzz_test_flag, 0, "set to 7 by the test's args");

namespace {

using ::testing::ElementsAre;

TEST(SystemLibs, Strings) {
  EXPECT_EQ(absl::StrCat("cpu", 3), "cpu3");
  std::vector<std::string> parts = absl::StrSplit("a,b,c", ',');
  EXPECT_THAT(parts, ElementsAre("a", "b", "c"));
}

absl::StatusOr<int> Half(int x) {
  if (x % 2 != 0) return absl::InvalidArgumentError(absl::StrCat(x, " is odd"));
  return x / 2;
}

TEST(SystemLibs, Status) {
  EXPECT_EQ(*Half(8), 4);
  absl::StatusOr<int> odd = Half(3);
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(odd.status().message(), "3 is odd");
}

TEST(SystemLibs, FlatHashMap) {
  absl::flat_hash_map<std::string, int> m;
  for (int i = 0; i < 1000; ++i) m[absl::StrCat("k", i)] = i;
  EXPECT_EQ(m.size(), 1000u);
  EXPECT_EQ(m.at("k999"), 999);
}

TEST(SystemLibs, Time) {
  EXPECT_EQ(absl::ToInt64Milliseconds(absl::Seconds(5)), 5000);
  EXPECT_EQ(absl::FormatDuration(absl::Milliseconds(1500)), "1.5s");
}

TEST(SystemLibs, Random) {
  absl::BitGen gen;
  for (int i = 0; i < 100; ++i) {
    int v = absl::Uniform(gen, 0, 64);
    EXPECT_GE(v, 0);
    EXPECT_LT(v, 64);
  }
}

TEST(SystemLibs, FlagParsedFromCommandLine) {
  EXPECT_EQ(absl::GetFlag(FLAGS_smpfuzz_test_flag), 7);
}

}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleMock(&argc, argv);  // removes --gtest_* flags
  absl::SetProgramUsageMessage("system_libs_test");
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() != 1) return 2;  // only argv[0] may remain
  return RUN_ALL_TESTS();
}
