// SPDX-License-Identifier: GPL-2.0-only
//
// What an input does in the fuzz harness must not depend on what ran before
// it in the process: AFL++ runs many inputs in one persistent process and
// counts every difference between two runs of one input as an unstable edge
// (BENCHMARKS.md, "AFL++ stability"). These runs compare outcomes and
// interleaving maps across orders, and check that a run on a fresh simulator
// leaves no coroutine frames cached for the next.

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/smp_harness.h"
#include "gtest/gtest.h"
#include "lib/task.h"

namespace smpfuzz::fuzz {
namespace {

std::vector<std::string> Inputs() {
  std::vector<std::string> inputs;
  for (const char* name : {"two_senders_one_target", "many_wait_and_async", "mixed_with_flush"}) {
    std::ifstream in(std::string("corpus/smp/") + name, std::ios::binary);
    EXPECT_TRUE(in) << name;
    inputs.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  // A 2-CPU input with nothing to do: the smallest run.
  inputs.emplace_back();
  return inputs;
}

struct InputRun {
  Outcome outcome;
  std::vector<std::uint8_t> map;
};

InputRun RunOnce(const std::string& input) {
  InputRun r;
  r.map.assign(kInterleavingMapSize, 0);
  r.outcome = RunInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size(),
                       r.map.data());
  return r;
}

void ExpectSame(const InputRun& a, const InputRun& b, const std::string& what) {
  EXPECT_EQ(a.outcome.finding, b.outcome.finding) << what;
  EXPECT_EQ(a.outcome.signature, b.outcome.signature) << what;
  EXPECT_EQ(a.outcome.known, b.outcome.known) << what;
  EXPECT_TRUE(a.map == b.map) << what << ": the interleaving maps differ";
}

class HarnessTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    Config().variant = FindVariant("b0473dcd");
    Config().feedback = true;
    Config().fresh_simulator = GetParam();
  }
};

TEST_P(HarnessTest, AnInputRunsTheSameWhateverRanBefore) {
  const std::vector<std::string> inputs = Inputs();
  std::vector<InputRun> first;
  for (const std::string& in : inputs) first.push_back(RunOnce(in));
  // Every input again, after each of the others and after itself.
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    for (std::size_t j = 0; j < inputs.size(); ++j) {
      RunOnce(inputs[j]);
      ExpectSame(first[i], RunOnce(inputs[i]),
                 "input " + std::to_string(i) + " after input " + std::to_string(j));
    }
  }
  // The corpus inputs do run code: a map with pairs in it.
  int pairs = 0;
  for (std::uint8_t v : first[0].map) pairs += v != 0;
  EXPECT_GT(pairs, 0);
}

INSTANTIATE_TEST_SUITE_P(KeptAndFresh, HarnessTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "fresh" : "kept"; });

TEST(FreshSimulatorTest, LeavesNoFramesCached) {
  Config().variant = FindVariant("fixed");
  Config().fresh_simulator = true;
  for (const std::string& in : Inputs()) {
    RunOnce(in);
    EXPECT_EQ(FrameAllocator::FreeFrameCount(), 0u);
  }
  // The kept simulator does keep them: the count above is not trivially 0.
  Config().fresh_simulator = false;
  RunOnce(Inputs()[1]);
  EXPECT_GT(FrameAllocator::FreeFrameCount(), 0u);
  FrameAllocator::ReleaseFreeFrames();
  EXPECT_EQ(FrameAllocator::FreeFrameCount(), 0u);
}

}  // namespace
}  // namespace smpfuzz::fuzz
