// SPDX-License-Identifier: GPL-2.0-only
#include "lib/triage.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "lib/expectations.h"
#include "lib/input_bytes.h"
#include "lib/model_guest.h"

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
  absl::StatusOr<MinimizeResult> minimized = Minimize(SelfLoopWithNoise());
  ASSERT_TRUE(minimized.ok()) << minimized.status().message();
  const MinimizeResult& m = *minimized;
  EXPECT_EQ(m.signature, Signature::kLlistSelfLoop);
  EXPECT_EQ(m.preemptions, 1u);
  EXPECT_EQ(m.repro.scenario.TotalOps(), 2);
  EXPECT_EQ(m.repro.scenario.nr_cpus, 3);
  Simulator sim(NewModelGuest());
  EXPECT_TRUE(sim.Run(m.repro.scenario, m.repro.schedule, RunOptions(m.repro))
                  .Has(Signature::kLlistSelfLoop));
  ASSERT_FALSE(m.repro.expectations.empty());
}

// mutant-put-cpu-early's race (repro/put_cpu_early.repro) with extra tasks
// and a CPU that play no part in it: the cuts remove whole extra tasks and
// single ops of a task with several, and renumber what is left.
TEST(Minimize, ExtraTasksThatPlayNoPartAreCut) {
  absl::StatusOr<Repro> in = ParseRepro(R"(smpfuzz-repro 1
cpus 3
variant mutant-put-cpu-early
csdlock_debug off
cpu 1: call_single target=0 wait=0
task 3 on 2: flush
task 4 on 1: flush
task 4 on 1: call_single target=0 wait=0
task 5 on 1: irqs_off ms=0
)", "in");
  ASSERT_TRUE(in.ok()) << in.status();
  absl::StatusOr<MinimizeResult> minimized = Minimize(*in, Signature::kLlistSelfLoop, 0);
  ASSERT_TRUE(minimized.ok()) << minimized.status().message();
  const Scenario& s = minimized->repro.scenario;
  EXPECT_EQ(minimized->preemptions, 1u);
  EXPECT_EQ(s.nr_cpus, 2);
  EXPECT_EQ(s.TotalOps(), 2);
  ASSERT_EQ(s.tasks.size(), 1u);
  EXPECT_EQ(s.tasks[0].cpu, 1);
  EXPECT_EQ(s.ops[1].size(), 1u);
  Simulator sim(NewModelGuest());
  EXPECT_TRUE(sim.Run(s, minimized->repro.schedule, RunOptions(minimized->repro))
                  .Has(Signature::kLlistSelfLoop));
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
  absl::StatusOr<Repro> parsed = ParseRepro(kDeepFuzzerCrash, "deep.repro");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const Repro& in = *parsed;
  // No time limit: each check is bounded by its execution count alone, so the
  // result does not depend on the machine's load or a sanitizer's slowdown.
  absl::StatusOr<MinimizeResult> minimized =
      Minimize(in, Signature::kCount, /*seconds_per_check=*/0);
  ASSERT_TRUE(minimized.ok()) << minimized.status().message();
  const MinimizeResult& m = *minimized;
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
  absl::StatusOr<Repro> parsed = ParseRepro(kDeepFuzzerCrash, "deep.repro");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const Repro& in = *parsed;
  // No time for a single cut: all 7 operations stay, and the schedule (the
  // input's own, or one the first search found) still gives the self-loop.
  absl::StatusOr<MinimizeResult> minimized =
      Minimize(in, Signature::kLlistSelfLoop, 0.001, 0.001);
  ASSERT_TRUE(minimized.ok()) << minimized.status().message();
  const MinimizeResult& m = *minimized;
  EXPECT_EQ(m.repro.scenario.TotalOps(), 7);
  EXPECT_EQ(m.ops_removed, 0);
  EXPECT_TRUE(m.out_of_time);
  EXPECT_GT(m.cuts_left, 0u);
  EXPECT_NE(MinimizeUndone(m).find("cut(s) not tried"), std::string::npos);
  Simulator sim(NewModelGuest());
  EXPECT_TRUE(sim.Run(m.repro.scenario, m.repro.schedule, RunOptions(m.repro))
                  .Has(Signature::kLlistSelfLoop));
}

// Cuts are made one at a time; Remaining() counts what Next() will give.
TEST(Minimize, CutsAreCountedAndMadeOneAtATime) {
  Repro r = SelfLoopWithNoise();
  Op many;
  many.kind = OpKind::kCallMany;
  many.mask = 0b1011;
  r.scenario.ops[3].push_back(many);
  r.scenario.nr_cpus = 5;
  r.scenario.ops.push_back({});
  Cuts cuts(r.scenario);
  // A list of 2 ops (CPU0); 5 single ops; 3 mask bits; CPU4, unused.
  EXPECT_EQ(cuts.Remaining(), 1u + 5u + 3u + 1u);
  Scenario c;
  std::vector<Scenario> all;
  while (cuts.Next(&c)) all.push_back(c);
  EXPECT_EQ(all.size(), 10u);
  EXPECT_EQ(cuts.Remaining(), 0u);
  EXPECT_TRUE(all[0].ops[2].empty());
  EXPECT_EQ(all[1].TotalOps(), 4);
  EXPECT_EQ(all[6].ops[3][0].mask, 0b1010u);
  EXPECT_EQ(all[9].nr_cpus, 4);
}

// 63 CPUs of 300 call_many each: 168k cuts, which the old minimizer built
// as full copies (tens of GB) before trying one. Now it stops at its time
// limit with the input it has and says what it did not try.
TEST(Minimize, HugeInputStopsAtItsTimeLimit) {
  Repro in;
  in.scenario = CanonicalScenario(FindVariant("b0473dcd"));
  in.schedule = CanonicalSelfLoopSchedule();
  in.scenario.nr_cpus = 63;
  in.scenario.ops.resize(63);
  for (int cpu = 0; cpu < 63; ++cpu) {
    for (int i = 0; i < 300; ++i) {
      Op op;
      op.kind = OpKind::kCallMany;
      op.mask = 1 + static_cast<std::uint64_t>(i) * 7919 % 65535;
      in.scenario.ops[cpu].push_back(op);
    }
  }
  ASSERT_TRUE(in.scenario.Validate().ok());
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<MinimizeResult> minimized = Minimize(in, Signature::kCount, 2.0, 2.0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(minimized.ok()) << minimized.status().message();
  const MinimizeResult& m = *minimized;
  EXPECT_EQ(m.signature, Signature::kLlistSelfLoop);
  EXPECT_TRUE(m.out_of_time);
  EXPECT_GT(m.cuts_left, 100000u);
  EXPECT_LT(seconds, 20.0);
}

// Engine-written crash files are raw unless they begin with the header: a
// libFuzzer crash that starts with a newline and '#', and an AFL++ one that
// starts with '#', both land in a bucket (the old sniffing parsed them as
// text and counted them unreadable).
TEST(Triage, CrashFilesThatStartWithHashAreRawInputs) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = tmp ? tmp : "/tmp";
  const std::string lf = dir + "/crash-0a23";
  const std::string afl = dir + "/id:000000,sig:06,src:000000,op:havoc,rep:2";
  const std::string repro_named = dir + "/crash-text";
  std::ofstream(lf, std::ios::binary) << std::string(
      "\x0a\x23\x02\x02\x00\x00\x03\x00\x00\x02\x03\x03\x03\x03\x03\x03\x03\x03\x03"
      "\x03\x03\x02\x02\x02\x02\x02\x02\x02\x02", 29);
  std::ofstream(afl, std::ios::binary) << std::string(
      "\x23\x29\x29\x2e\x45\xca\xd6\x9b\xaa\xab\x20\x9b\x46\xf1\x29\x1b\xb6\x1a\x90\xed"
      "\x89\xf4\x89\x73\x76\x15\x6c\x89\xbd", 29);
  // A crash file that begins with the header is a reproducer.
  Repro self_loop;
  self_loop.scenario = CanonicalScenario(FindVariant("b0473dcd"));
  self_loop.schedule = CanonicalSelfLoopSchedule();
  std::ofstream(repro_named, std::ios::binary) << FormatRepro(self_loop, {"a comment"});
  TriageResult t = Triage({lf, afl, repro_named}, FindVariant("b0473dcd"), /*minimize=*/false);
  EXPECT_EQ(t.bad, 0) << (t.errors.empty() ? "" : t.errors[0]);
  EXPECT_EQ(t.clean, 0);
  ASSERT_EQ(t.buckets.size(), 2u);
  EXPECT_EQ(t.buckets[0].signature, Signature::kLlistSelfLoop);
  EXPECT_EQ(t.buckets[0].count, 2);  // the libFuzzer crash and the reproducer
  EXPECT_EQ(t.buckets[0].first_file, lf);
  EXPECT_EQ(t.buckets[1].first_file, afl);

  // A *.repro in a crash directory must be a reproducer; so must a file with
  // the header.
  const std::string late = dir + "/late.repro";
  std::ofstream(late, std::ios::binary) << "# comment\n" << kDeepFuzzerCrash;
  const std::string broken = dir + "/crash-broken";
  std::ofstream(broken, std::ios::binary) << "smpfuzz-repro 1\ncpus 99\n";
  Simulator sim(NewModelGuest());
  Classified c = Classify(late, FindVariant("b0473dcd"), &sim);
  EXPECT_EQ(c.kind, Classified::kBad);
  EXPECT_EQ(c.error.rfind(late + ":1:1: 'smpfuzz-repro 1' must begin the file", 0), 0u) << c.error;
  c = Classify(broken, FindVariant("b0473dcd"), &sim);
  EXPECT_EQ(c.kind, Classified::kBad);
  EXPECT_EQ(c.error.rfind(broken + ":2:6: expected a CPU count", 0), 0u) << c.error;
}

TEST(Triage, HundredDuplicateCrashesMakeOneBucket) {
  Repro r;
  r.scenario = CanonicalScenario(FindVariant("b0473dcd"));
  r.schedule = CanonicalSelfLoopSchedule();
  absl::StatusOr<std::string> encoded = EncodeInputBytes(r);
  ASSERT_TRUE(encoded.ok()) << encoded.status().message();
  const std::string& bytes = *encoded;
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
  ASSERT_TRUE(t.buckets[0].minimized.ok()) << t.buckets[0].minimized.status().message();
  EXPECT_EQ(t.buckets[0].minimized->preemptions, 1u);
}

}  // namespace
}  // namespace smpfuzz
