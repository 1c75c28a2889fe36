// Links //third_party:gtest_main: GoogleTest and GoogleMock with the library's main().
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

TEST(GtestMain, MatchersWork) {
  EXPECT_THAT(42, ::testing::AllOf(::testing::Gt(41), ::testing::Lt(43)));
}

}  // namespace
