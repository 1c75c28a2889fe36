// SPDX-License-Identifier: GPL-2.0-only
//
// The kernel's own kernel/smp.c (one variant per test binary, see BUILD)
// under the simulator, every checker on.
#include "kernel/linked_image.h"

#include <cstdint>
#include <cstdio>
#include <map>
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "kernel/runtime/runtime.h"
#include "lib/explorer.h"
#include "lib/report.h"
#include "lib/scenario.h"
#include "lib/simulator.h"

namespace smpfuzz {
namespace {

const std::string kVariant = SMPFUZZ_KERNEL_VARIANT;
const std::string kTree = SMPFUZZ_KERNEL_TREE;

Scenario Canonical() { return CanonicalScenario(FindVariant(kVariant)); }

std::string Describe(const RunResult& r) {
  std::string out;
  for (const Report& rep : r.reports) {
    out += std::string(SignatureName(rep.signature)) + ": " + rep.message + "\n";
  }
  return out;
}

// Random schedules: `runs` of them, each `len` random choices (then the fair
// policy). Counts the runs per signature; `clean` the runs without a report
// that reached quiescence; `steps` all steps taken.
struct SearchResult {
  int runs = 0;
  int clean = 0;
  std::uint64_t steps = 0;
  std::map<std::string, int> by_signature;
  std::string first_other;  // the first report that is not a self-loop
};

SearchResult RandomSearch(Simulator& sim, int runs, int len, std::uint32_t seed) {
  std::mt19937 rng(seed);
  SearchResult out;
  SimOptions o;
  o.record_trace = false;
  for (int i = 0; i < runs; ++i) {
    Schedule s(len);
    for (Choice& c : s) {
      std::uint32_t b = rng();
      c.cpu = static_cast<std::uint8_t>(b % 3);
      c.ipi = (b >> 8) % 4 == 0;
    }
    const RunResult& r = sim.Run(s, o);
    ++out.runs;
    out.steps += r.steps;
    if (r.reports.empty() && r.quiescent) ++out.clean;
    for (const Report& rep : r.reports) {
      ++out.by_signature[SignatureName(rep.signature)];
      if (rep.signature != Signature::kLlistSelfLoop && out.first_other.empty()) {
        out.first_other = std::string(SignatureName(rep.signature)) + ": " + rep.message;
      }
    }
  }
  return out;
}

// kernel/runtime/smp_glue.inc: the tree the linked build was made from.
extern "C" const char* smpfuzz_glue_tree(void);

TEST(KernelGuest, LinksTheVariantItWasBuiltFor) {
  EXPECT_EQ(KernelGuestVariant(), kVariant);
  EXPECT_EQ(smpfuzz_glue_tree(), kTree);
}

TEST(KernelGuest, CanonicalScenarioFairRunIsCleanAndCallsEveryCallback) {
  Simulator sim(NewKernelGuest());
  ASSERT_TRUE(sim.Load(Canonical()).ok());
  const RunResult& r = sim.Run(Schedule{});
  EXPECT_TRUE(r.quiescent);
  EXPECT_TRUE(r.reports.empty()) << Describe(r);
  int calls = 0, ipis = 0;
  for (const TraceEntry& e : r.trace) {
    if (e.event != TraceEvent::kAccess) continue;
    calls += e.kind == AccessKind::kCall;
    ipis += e.kind == AccessKind::kSendIpi;
  }
  // Two requests, each run once on CPU0 (callback-lost would fire otherwise).
  EXPECT_EQ(calls, 2);
  EXPECT_GE(ipis, 1);
  // The kernel's own code makes many more steps than the model's call sites.
  EXPECT_GT(r.steps, 40u);
  EXPECT_TRUE(kernel_rt::PrintkMessages().empty());
}

TEST(KernelGuest, SameScheduleSameTrace) {
  Simulator sim(NewKernelGuest());
  ASSERT_TRUE(sim.Load(Canonical()).ok());
  Schedule s = CanonicalSelfLoopSchedule();
  std::uint64_t h1 = sim.Run(s).trace_hash;
  std::uint64_t h2 = sim.Run(s).trace_hash;
  EXPECT_EQ(h1, h2);
}

TEST(KernelGuest, RandomSchedulesOfTheCanonicalScenario) {
  Simulator sim(NewKernelGuest());
  ASSERT_TRUE(sim.Load(Canonical()).ok());
  SearchResult r = RandomSearch(sim, 3000, 200, 15);
  std::string found;
  for (const auto& [sig, n] : r.by_signature) found += sig + "=" + std::to_string(n) + " ";
  std::printf("%s: %d runs, %d clean, %llu steps; %s\n", kVariant.c_str(), r.runs, r.clean,
              static_cast<unsigned long long>(r.steps), found.c_str());
  // Random schedules reach well into the calls (not just the fair prefix).
  EXPECT_GT(r.steps, 3000u * 40);
  if (kVariant == "b0473dcd") {
    // The destination's csd with a plain-RMW lock: some schedules queue it
    // twice (the self-loop); the two senders' u_flags accesses always race.
    EXPECT_GT(r.by_signature["llist-self-loop"], 0);
    EXPECT_EQ(r.by_signature["data-race"], r.runs);
  } else {
    EXPECT_EQ(r.clean, r.runs) << r.first_other;
  }
}

// The design brief's shortest interleaving, as a family of schedules: CPU1
// runs k steps, CPU2 runs m steps, then CPU1 again (then the fair policy).
TEST(KernelGuest, PreemptionSchedules) {
  Simulator sim(NewKernelGuest());
  ASSERT_TRUE(sim.Load(Canonical()).ok());
  SimOptions o;
  o.record_trace = false;
  int loops = 0, one = 0, clean = 0, runs = 0;
  for (int k = 0; k < 60; ++k) {
    for (int m = 1; m < 60; ++m) {
      Schedule s(k, Choice{1, false});
      s.resize(k + m, Choice{2, false});
      s.resize(k + m + 100, Choice{1, false});
      const RunResult& r = sim.Run(s, o);
      ++runs;
      if (r.fired & SignatureBit(Signature::kLlistSelfLoop)) {
        ++loops;
        one += r.preemptions <= 1;
      }
      if (r.quiescent && r.reports.empty()) ++clean;
    }
  }
  std::printf("%s: self-loop for %d of %d schedules, %d of them with one preemption\n",
              kVariant.c_str(), loops, runs, one);
  if (kVariant == "b0473dcd") {
    EXPECT_GT(one, 0);  // at one preemption, as in the brief
  } else {
    EXPECT_EQ(clean, runs);
  }
}

// The explorer (lib/explorer.h), exhaustive at one preemption, with its
// sleep sets and without (the unreduced search must agree).
TEST(KernelGuest, ExplorerAtOnePreemption) {
  for (bool sleep_sets : {true, false}) {
    ExploreOptions o;
    o.max_preemptions = 1;
    o.max_seconds = 120;
    o.sleep_sets = sleep_sets;
    o.guest = [] { return NewKernelGuest(); };
    if (kVariant == "b0473dcd") {
      // Every run of b0473dcd races on u_flags; ask for the self-loop itself.
      o.violations = SignatureBit(Signature::kLlistSelfLoop);
    }
    const ExploreResult r = Explore(Canonical(), o);
    std::printf("%s: explorer bound 1%s: %s after %llu executions (%llu pruned), %.2f s\n",
                kVariant.c_str(), sleep_sets ? "" : " (no sleep sets)",
                r.found ? SignatureName(r.signature) : "clean",
                static_cast<unsigned long long>(r.stats.executions),
                static_cast<unsigned long long>(r.stats.pruned), r.stats.seconds);
    if (kVariant == "b0473dcd") {
      ASSERT_TRUE(r.found);
      EXPECT_EQ(r.signature, Signature::kLlistSelfLoop);
      EXPECT_EQ(r.preemptions, 1u);
      // The counterexample replays to the same finding.
      Simulator sim(NewKernelGuest());
      ASSERT_TRUE(sim.Load(r.counterexample.scenario).ok());
      SimOptions so;
      so.max_steps = o.max_steps;
      EXPECT_TRUE(sim.Run(r.counterexample.schedule, so).fired &
                  SignatureBit(Signature::kLlistSelfLoop));
    } else {
      EXPECT_FALSE(r.found) << SignatureName(r.signature);
      EXPECT_TRUE(r.complete);
      EXPECT_GT(r.stats.executions, 10u);
    }
  }
}

TEST(KernelGuest, WaitOneAndAsyncAndManyRunClean) {
  Scenario s = Canonical();
  s.nr_cpus = 3;
  s.ops.assign(3, {});
  Op single{OpKind::kCallSingle, 0, true};
  Op async{OpKind::kCallSingleAsync, 2};
  Op many{OpKind::kCallMany, 0, true, 0b111};
  many.local = true;
  s.ops[1] = {single, async};
  s.ops[2] = {many, Op{OpKind::kFlush}};
  Simulator sim(NewKernelGuest());
  ASSERT_TRUE(sim.Load(s).ok());
  const RunResult& r = sim.Run(Schedule{});
  EXPECT_TRUE(r.quiescent);
  EXPECT_TRUE(r.reports.empty()) << Describe(r);
  int calls = 0;
  for (const TraceEntry& e : r.trace) calls += e.kind == AccessKind::kCall &&
                                              e.event == TraceEvent::kAccess;
  EXPECT_EQ(calls, 1 + 1 + 3);
}

TEST(KernelGuest, CsdLockTimeoutIsReachedInVirtualTime) {
  // CPU0 sits with IRQs off for 6 s while CPU1 waits for its wait=1 call:
  // with csdlock_debug on the waiter's spin reaches the 5 s timeout path,
  // and the run still ends quiescent once CPU0 takes the IPI.
  Scenario s = Canonical();
  s.nr_cpus = 2;
  s.ops.assign(2, {});
  Op off{OpKind::kIrqsOff};
  off.ms = 6000;
  s.ops[0] = {off};
  s.ops[1] = {Op{OpKind::kCallSingle, 0, true}};
  Simulator sim(NewKernelGuest());
  ASSERT_TRUE(sim.Load(s).ok());
  const RunResult& r = sim.Run(Schedule{});
  EXPECT_TRUE(r.quiescent) << Describe(r);
  EXPECT_GE(r.clock_ns, 6000000000ull);
  EXPECT_LT(r.steps, 20000u);
  // The kernel's own report, from csd_lock_wait_toolong(), then its unstuck
  // message once CPU0 ran the callback.
  const auto& log = kernel_rt::PrintkMessages();
  ASSERT_FALSE(log.empty());
  EXPECT_NE(log.front().find("csd: Detected non-responsive CSD lock (#1) on CPU#1"),
            std::string::npos)
      << log.front();
  EXPECT_NE(log.back().find("got unstuck"), std::string::npos) << log.back();
}

}  // namespace
}  // namespace smpfuzz
