// SPDX-License-Identifier: GPL-2.0-only
#include "lib/triage.h"

#include <cstdio>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "lib/input_bytes.h"

namespace smpfuzz {
namespace {

Repro SelfLoopWithNoise() {
  // The canonical race plus operations that play no part in it.
  Repro r;
  r.scenario = CanonicalScenario(FindVariant("b0473dcd"));
  r.scenario.nr_cpus = 4;
  Op flush;
  flush.kind = OpKind::kFlush;
  Op local;
  local.kind = OpKind::kCallSingle;
  local.target = 2;
  r.scenario.ops[0].push_back(flush);
  r.scenario.ops.push_back({});
  r.scenario.ops[2].push_back(local);
  r.schedule = CanonicalSelfLoopSchedule();
  return r;
}

TEST(Minimize, SelfLoopShrinksToTwoCallsAndOnePreemption) {
  MinimizeResult m = Minimize(SelfLoopWithNoise());
  ASSERT_TRUE(m.ok) << m.why;
  EXPECT_EQ(m.signature, Signature::kLlistSelfLoop);
  EXPECT_EQ(m.preemptions, 1u);
  EXPECT_EQ(m.repro.scenario.TotalOps(), 2);
  EXPECT_EQ(m.repro.scenario.nr_cpus, 3);
  Simulator sim;
  EXPECT_TRUE(sim.Run(m.repro.scenario, m.repro.schedule, m.repro.Options())
                  .Has(Signature::kLlistSelfLoop));
  ASSERT_FALSE(m.repro.expectations.empty());
}

// A crash libFuzzer found on b0473dcd: 5 CPUs, 7 operations, 19 preemptions.
// Too deep for the explorer as a whole (the old minimizer kept it as it was);
// cutting whole CPU lists and mask bits first brings it down.
constexpr char kDeepFuzzerCrash[] = R"(smpfuzz-repro 1
cpus 5
variant b0473dcd
csdlock_debug on
cpu 0: call_many mask=0xc9 wait=0 local=0
cpu 1: call_single_async target=4
cpu 1: call_many mask=0xff wait=1 local=1
cpu 2: call_single target=3 wait=0
cpu 3: call_single_async target=1
cpu 3: call_many mask=0x8a wait=1 local=1
cpu 4: call_single target=3 wait=0
schedule 1 2i 2 0 1i 0 4i 0*3 1 4*3 1 2i 1*4 0 1i 1*5 0*8 0i
)";

TEST(Minimize, DeepFuzzerCrashShrinksToTheSelfLoop) {
  Repro in;
  std::string error;
  ASSERT_TRUE(ParseRepro(kDeepFuzzerCrash, "deep.repro", &in, &error)) << error;
  MinimizeResult m = Minimize(in);
  ASSERT_TRUE(m.ok) << m.why;
  EXPECT_TRUE(m.explored);
  EXPECT_EQ(m.signature, Signature::kLlistSelfLoop);
  EXPECT_EQ(m.preemptions, 1u);
  EXPECT_EQ(m.repro.scenario.TotalOps(), 2);
  EXPECT_EQ(m.repro.scenario.nr_cpus, 3) << "an unused CPU was left in";
  for (const auto& ops : m.repro.scenario.ops) {
    for (const Op& op : ops) EXPECT_EQ(op.kind, OpKind::kCallSingle);
  }
}

TEST(Minimize, StopsAtItsTimeLimitAndKeepsTheInput) {
  Repro in;
  std::string error;
  ASSERT_TRUE(ParseRepro(kDeepFuzzerCrash, "deep.repro", &in, &error)) << error;
  // No time for a single cut: all 7 operations stay, and the schedule (the
  // input's own, or one the first search found) still gives the self-loop.
  MinimizeResult m = Minimize(in, Signature::kLlistSelfLoop, 0.001, 0.001);
  ASSERT_TRUE(m.ok) << m.why;
  EXPECT_EQ(m.repro.scenario.TotalOps(), 7);
  EXPECT_EQ(m.ops_removed, 0);
  Simulator sim;
  EXPECT_TRUE(sim.Run(m.repro.scenario, m.repro.schedule, m.repro.Options())
                  .Has(Signature::kLlistSelfLoop));
}

TEST(Triage, HundredDuplicateCrashesMakeOneBucket) {
  Repro r;
  r.scenario = CanonicalScenario(FindVariant("b0473dcd"));
  r.schedule = CanonicalSelfLoopSchedule();
  std::string bytes, error;
  ASSERT_TRUE(EncodeInputBytes(r, &bytes, &error)) << error;
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = tmp ? tmp : "/tmp";
  std::vector<std::string> files;
  for (int i = 0; i < 100; ++i) {
    std::string path = dir + "/crash-" + std::to_string(i);
    std::ofstream out(path, std::ios::binary);
    // The same race with a longer tail of schedule bytes each time.
    out << bytes << std::string(static_cast<std::size_t>(i), '\0');
    files.push_back(path);
  }
  files.push_back(dir + "/missing");
  TriageResult t = Triage(files, FindVariant("b0473dcd"), /*minimize=*/true);
  ASSERT_EQ(t.buckets.size(), 1u);
  EXPECT_EQ(t.buckets[0].count, 100);
  EXPECT_EQ(t.buckets[0].signature, Signature::kLlistSelfLoop);
  EXPECT_EQ(t.buckets[0].smallest_file, dir + "/crash-0");
  EXPECT_EQ(t.bad, 1);
  EXPECT_TRUE(t.buckets[0].minimized.ok);
  EXPECT_EQ(t.buckets[0].minimized.preemptions, 1u);
}

}  // namespace
}  // namespace smpfuzz
