// SPDX-License-Identifier: GPL-2.0-only
#include "lib/explorer.h"

#include "gtest/gtest.h"
#include "lib/expectations.h"
#include "lib/model_guest.h"

namespace smpfuzz {
namespace {

// Two CPUs, each: flush_smp_call_function_queue() on an empty queue (one
// READ_ONCE), then irqs_off ms=0 (the mdelay, then local_irq_restore): three
// steps each, none touching the other CPU's memory, no IPI.
Scenario ThreeIndependentStepsEach() {
  Scenario s;
  s.nr_cpus = 2;
  s.variant = FindVariant("fixed");
  s.csdlock_debug = false;
  Op flush;
  flush.kind = OpKind::kFlush;
  Op off;
  off.kind = OpKind::kIrqsOff;
  off.ms = 0;
  s.ops = {{flush, off}, {flush, off}};
  return s;
}

ExploreResult ExploreWith(const Scenario& s, int bound, bool sleep_sets, bool iterative = false,
                          bool dpor = false) {
  ExploreOptions o;
  o.max_preemptions = bound;
  o.iterative = iterative;
  o.sleep_sets = sleep_sets;
  o.dpor = dpor;
  return Explore(s, o);
}

TEST(Explorer, CountsMatchHandComputedInterleavingsWithoutReduction) {
  // Sequences of 3 and 3 steps. Bound 0: CPU0 then CPU1, or CPU1 then CPU0.
  // Bound 1: also one CPU's 3 steps split in two runs (2 ways) around the
  // whole other CPU, from either CPU: 2 + 2*2 = 6. Unbounded: C(6,3) = 20.
  Scenario s = ThreeIndependentStepsEach();
  EXPECT_EQ(ExploreWith(s, 0, false).stats.executions, 2u);
  EXPECT_EQ(ExploreWith(s, 1, false).stats.executions, 6u);
  ExploreResult all = ExploreWith(s, 10, false);
  EXPECT_EQ(all.stats.executions, 20u);
  EXPECT_EQ(all.stats.distinct_traces, 20u);
  EXPECT_TRUE(all.complete);
  EXPECT_FALSE(all.found);
}

// Two CPUs, each flush_smp_call_function_queue() three times on its own empty
// queue: three READ_ONCEs each, of different locations, nothing observable.
// (The irqs_off of ThreeIndependentStepsEach reads the clock: dependent.)
Scenario ThreeReadsEach() {
  Scenario s = ThreeIndependentStepsEach();
  Op flush;
  flush.kind = OpKind::kFlush;
  s.ops = {{flush, flush, flush}, {flush, flush, flush}};
  return s;
}

TEST(Explorer, SleepSetsCutIndependentReorderings) {
  Scenario s = ThreeReadsEach();
  EXPECT_EQ(ExploreWith(s, 10, false).stats.executions, 20u);
  ExploreResult reduced = ExploreWith(s, 10, true);
  EXPECT_TRUE(reduced.complete);
  EXPECT_FALSE(reduced.found);
  EXPECT_LT(reduced.stats.executions - reduced.stats.abandoned, 20u);
  EXPECT_EQ(reduced.stats.distinct_traces, reduced.stats.executions - reduced.stats.abandoned);
  EXPECT_GT(reduced.stats.pruned, 0u);
}

TEST(Explorer, DporRunsOneScheduleWhenNoStepsRace) {
  // Six reads of six locations: one equivalence class, one run (the sleep
  // sets above still start some runs that they then cut short).
  ExploreResult r = ExploreWith(ThreeReadsEach(), 10, true, false, /*dpor=*/true);
  EXPECT_TRUE(r.complete);
  EXPECT_FALSE(r.found);
  EXPECT_EQ(r.stats.executions, 1u);
  // Without sleep sets too: DPOR alone adds no alternative.
  EXPECT_EQ(ExploreWith(ThreeReadsEach(), 10, false, false, /*dpor=*/true).stats.executions, 1u);
}

TEST(Explorer, DporReordersRacingSteps) {
  // The irqs_off steps read the clock (observable): everything races with
  // them, so DPOR runs more than one schedule, and no more than all 20.
  ExploreResult r = ExploreWith(ThreeIndependentStepsEach(), 10, true, false, /*dpor=*/true);
  EXPECT_TRUE(r.complete);
  EXPECT_GT(r.stats.executions, 1u);
  EXPECT_LE(r.stats.executions, 20u);
}

TEST(Explorer, B0473dcdCounterexampleHasExactlyOnePreemption) {
  for (int mode = 0; mode < 3; ++mode) {
    const bool sleep_sets = mode >= 1;
    ExploreResult r = ExploreWith(CanonicalScenario(FindVariant("b0473dcd")), 3, sleep_sets,
                                  /*iterative=*/true, /*dpor=*/mode == 2);
    ASSERT_TRUE(r.found) << "mode " << mode;
    EXPECT_EQ(r.preemptions, 1u);
    EXPECT_EQ(r.stats.bound, 1);
    // Whatever came first at bound 1 (the double lock, a lost callback...),
    // replaying the counterexample gives the same verdict and preemptions.
    Simulator sim(NewModelGuest());
    const RunResult& again = sim.Run(r.counterexample.scenario, r.counterexample.schedule,
                                     RunOptions(r.counterexample));
    EXPECT_EQ(again.Primary()->signature, r.signature);
    EXPECT_EQ(again.preemptions, 1u);
  }
}

TEST(Explorer, ReductionFindsTheSameViolations) {
  // Bound 1 exhaustively, stopping at nothing: the set of verdicts seen.
  Scenario s = CanonicalScenario(FindVariant("b0473dcd"));
  ExploreResult plain = ExploreWith(s, 1, false, true);
  ExploreResult reduced = ExploreWith(s, 1, true, true);
  ASSERT_TRUE(plain.found);
  ASSERT_TRUE(reduced.found);
  EXPECT_EQ(plain.signature, reduced.signature);
  EXPECT_LE(reduced.stats.executions, plain.stats.executions);
}

TEST(Explorer, FixedIsCleanWithinASmallBound) {
  for (const char* v : {"fixed", "baseline"}) {
    for (bool dpor : {false, true}) {
      ExploreResult r = ExploreWith(CanonicalScenario(FindVariant(v)), 2, true, true, dpor);
      EXPECT_FALSE(r.found) << v << ": " << SignatureName(r.signature);
      EXPECT_TRUE(r.complete) << v;
      EXPECT_GT(r.stats.executions, 10u) << v;
    }
  }
}

TEST(Explorer, UnboundedSearchCoversEveryInterleavingAndSaysSo) {
  // The 20 interleavings of 3 + 3 steps, with no bound: the iterative search
  // stops at the first bound that cuts nothing off; so does one search.
  const Scenario s = ThreeIndependentStepsEach();
  ExploreOptions o;
  o.max_preemptions = ExploreOptions::kUnbounded;
  o.sleep_sets = false;
  for (bool iterative : {true, false}) {
    o.iterative = iterative;
    ExploreResult r = Explore(s, o);
    EXPECT_TRUE(r.complete);
    EXPECT_TRUE(r.every_interleaving);
    ASSERT_FALSE(r.bounds.empty());
    EXPECT_EQ(r.bounds.back().executions, 20u) << "iterative " << iterative;
    EXPECT_EQ(r.bounds.back().bound_limited, 0u);
    if (iterative) EXPECT_LT(r.bounds.back().bound, 10);  // it stopped: 3 + 3 steps need few preemptions
  }
  // Bound 1 cuts interleavings off (6 of 20), and says so.
  ExploreResult one = ExploreWith(s, 1, false);
  EXPECT_FALSE(one.every_interleaving);
  EXPECT_GT(one.bounds.back().bound_limited, 0u);
}

// CPU1's synchronous call to CPU0: small enough to search unbounded.
Scenario OneSyncCall(const char* variant) {
  Scenario s;
  s.nr_cpus = 2;
  s.variant = FindVariant(variant);
  Op call;
  call.kind = OpKind::kCallSingle;
  call.target = 0;
  call.wait = true;
  s.ops = {{}, {call}};
  return s;
}

TEST(Explorer, UnboundedSearchesAgreeWithTheUnreducedOne) {
  // (b0473dcd's self-loop spins to the step limit: far too many
  // interleavings to search without a bound.)
  for (const Scenario& s : {CanonicalScenario(FindVariant("fixed")), OneSyncCall("fixed"),
                            OneSyncCall("mutant-sync-unlock-first")}) {
    const char* v = s.variant->name;
    ExploreOptions o;
    o.max_preemptions = ExploreOptions::kUnbounded;
    o.stop_at_first = false;
    o.iterative = false;
    o.sleep_sets = false;
    const ExploreResult plain = Explore(s, o);
    ASSERT_TRUE(plain.every_interleaving) << v;
    for (bool dpor : {false, true}) {
      o.sleep_sets = true;
      o.dpor = dpor;
      const ExploreResult reduced = Explore(s, o);
      EXPECT_TRUE(reduced.every_interleaving) << v;
      EXPECT_EQ(reduced.found, plain.found) << v;
      EXPECT_EQ(reduced.min_preemptions, plain.min_preemptions) << v << (dpor ? " dpor" : " sleep");
      EXPECT_LE(reduced.stats.executions, plain.stats.executions) << v;
    }
  }
}

TEST(Explorer, TheEstimateIsNearTheExactCount) {
  // Against the unreduced search's exact count: the estimator is unbiased,
  // and its choice model keeps it within a small factor here.
  const Scenario s = CanonicalScenario(FindVariant("fixed"));
  for (int bound : {1, 2, 3}) {
    ExploreOptions o;
    o.max_preemptions = bound;
    o.iterative = false;
    o.sleep_sets = false;
    const double exact = static_cast<double>(Explore(s, o).stats.executions);
    const SearchEstimate e = EstimateSearch(s, o, 3000);
    EXPECT_EQ(e.samples, 3000u);
    EXPECT_GT(e.executions, exact / 2) << "bound " << bound << ": exact " << exact;
    EXPECT_LT(e.executions, exact * 2) << "bound " << bound << ": exact " << exact;
    EXPECT_GT(e.seconds_per_run, 0);
  }
}

TEST(Pct, FindsTheSelfLoopAndItsScheduleReplays) {
  // Three ordering constraints (CPU1 passes the wait < CPU2's whole call <
  // CPU1's store < CPU0's handler): depth 3, two change points.
  PctOptions o;
  o.depth = 3;
  o.runs = 5000;
  o.violations = SignatureBit(Signature::kLlistSelfLoop);
  ExploreResult r = ExplorePct(CanonicalScenario(FindVariant("b0473dcd")), o);
  ASSERT_TRUE(r.found);
  EXPECT_EQ(r.signature, Signature::kLlistSelfLoop);
  Simulator sim(NewModelGuest());
  EXPECT_TRUE(sim.Run(r.counterexample.scenario, r.counterexample.schedule,
                      RunOptions(r.counterexample))
                  .Has(Signature::kLlistSelfLoop));
}

TEST(Pct, FixedStaysClean) {
  PctOptions o;
  o.depth = 3;
  o.runs = 2000;
  ExploreResult r = ExplorePct(CanonicalScenario(FindVariant("fixed")), o);
  EXPECT_FALSE(r.found) << SignatureName(r.signature);
  EXPECT_EQ(r.stats.executions, 2000u);
}

}  // namespace
}  // namespace smpfuzz
