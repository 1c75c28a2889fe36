// SPDX-License-Identifier: GPL-2.0-only
//
// The split search against the serial one: shards and --jobs workers must
// together search exactly what one process does (same counts, same first
// violation), and the merge must refuse shard sets that do not cover the
// search exactly once.
#include "lib/explore_split.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/scenario.h"
#include "lib/variant.h"

namespace smpfuzz {
namespace {

Op Single(int target, bool wait) {
  Op op;
  op.kind = OpKind::kCallSingle;
  op.target = target;
  op.wait = wait;
  return op;
}

// CPU1 and CPU2 call CPU0, the second synchronously: about 1,300 runs at
// bound 2, and enough units to spread over 16 shards.
Scenario ThreeCallers(const char* variant) {
  Scenario s;
  s.nr_cpus = 3;
  s.variant = FindVariant(variant);
  s.ops = {{}, {Single(0, false)}, {Single(0, true)}};
  return s;
}

// CPU0 and CPU1 call each other, then flush: a CPU's own IPI delivery (no
// preemption) comes after a switch to a lower CPU (one) among a node's
// alternatives, so a unit has to take the node's later alternatives too.
// With units cut at the preemption alone, workers saw different tops here.
Scenario CrossCallers() {
  Scenario s;
  s.nr_cpus = 2;
  s.variant = FindVariant("fixed");
  Op flush;
  flush.kind = OpKind::kFlush;
  s.ops = {{Single(1, false), flush}, {Single(0, false), flush}};
  return s;
}

ExploreOptions Options(int bound, bool iterative, bool dpor, bool stop_at_first = false) {
  ExploreOptions o;
  o.max_preemptions = bound;
  o.iterative = iterative;
  o.dpor = dpor;
  o.stop_at_first = stop_at_first;
  return o;
}

MergedSearch MergeOf(const Scenario& s, const ExploreOptions& o, int n, std::vector<ShardResult>* parts = nullptr) {
  std::vector<ShardResult> shards;
  for (int i = 0; i < n; ++i) {
    // Through the file format, as a batch engine's shards arrive.
    absl::StatusOr<ShardResult> r = ParseShard(FormatShard(ExploreShard(s, o, "", i, n)), "shard");
    EXPECT_TRUE(r.ok()) << r.status();
    shards.push_back(*r);
  }
  if (parts != nullptr) *parts = shards;
  absl::StatusOr<MergedSearch> m = MergeShards(shards, {});
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *m : MergedSearch{};
}

// `o` with its units cut at the second preemption.
ExploreOptions WithUnitsAtTwo(ExploreOptions o, ExploreOptions::Split* split) {
  split->unit_preemptions = 2;
  o.split = split;
  return o;
}

void ExpectSameSearch(const ExploreResult& want, const ExploreResult& got, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(got.stats.executions, want.stats.executions);
  EXPECT_EQ(got.stats.abandoned, want.stats.abandoned);
  EXPECT_EQ(got.stats.pruned, want.stats.pruned);
  EXPECT_EQ(got.stats.distinct_traces, want.stats.distinct_traces);
  EXPECT_EQ(got.found, want.found);
  EXPECT_EQ(got.complete, want.complete);
  EXPECT_EQ(got.min_preemptions, want.min_preemptions);
  ASSERT_EQ(got.bounds.size(), want.bounds.size());
  for (std::size_t b = 0; b < want.bounds.size(); ++b) {
    EXPECT_EQ(got.bounds[b].executions, want.bounds[b].executions) << "bound " << want.bounds[b].bound;
  }
}

TEST(ExploreSplit, ShardsOfTheSleepSetSearchAddUpToTheSerialSearch) {
  for (const char* variant : {"fixed", "baseline"}) {
    for (bool iterative : {false, true}) {
      const Scenario s = ThreeCallers(variant);
      const ExploreOptions o = Options(2, iterative, /*dpor=*/false);
      const ExploreResult serial = Explore(s, o);
      ASSERT_TRUE(serial.complete);
      ASSERT_GT(serial.stats.executions, 500u);
      for (int units_at : {1, 2}) {
        ExploreOptions::Split units;
        units.unit_preemptions = units_at;
        ExploreOptions os = o;
        os.split = &units;
        for (int n : {1, 2, 5, 16}) {
          const std::string what = std::string(variant) + (iterative ? " iterative" : "") + " in " +
                                   std::to_string(n) + " shards, units at preemption " + std::to_string(units_at);
          MergedSearch m = MergeOf(s, os, n);
          EXPECT_TRUE(m.established) << what;
          ExpectSameSearch(serial, m.result, what);
          EXPECT_EQ(m.result.stats.distinct_traces, serial.stats.distinct_traces) << what;
          EXPECT_GE(m.units, 16u) << what << ": too few units to spread";
        }
      }
    }
  }
}

TEST(ExploreSplit, UnitsTakeANodesLaterAlternativesThatCostNothing) {
  for (int bound : {1, 2}) {
    for (bool dpor : {false, true}) {
      const ExploreOptions o = Options(bound, false, dpor);
      const ExploreResult serial = MergeOf(CrossCallers(), o, 1).result;
      if (!dpor) ExpectSameSearch(Explore(CrossCallers(), o), serial, "one shard");
      for (int n : {2, 5, 16}) ExpectSameSearch(serial, MergeOf(CrossCallers(), o, n).result, std::to_string(n) + " shards");
      absl::StatusOr<MergedSearch> jobs = ExploreJobs(CrossCallers(), o, "", 2);
      ASSERT_TRUE(jobs.ok()) << jobs.status();
      ExpectSameSearch(serial, jobs->result, "--jobs=2");
      ExploreOptions::Split units;
      const ExploreResult at2 = MergeOf(CrossCallers(), WithUnitsAtTwo(o, &units), 1).result;
      jobs = ExploreJobs(CrossCallers(), WithUnitsAtTwo(o, &units), "", 2);
      ASSERT_TRUE(jobs.ok()) << jobs.status();
      ExpectSameSearch(at2, jobs->result, "--jobs=2, units at 2");
    }
  }
}

TEST(ExploreSplit, EveryShardDoesItsShare) {
  const Scenario s = ThreeCallers("fixed");
  std::vector<ShardResult> parts;
  MergedSearch m = MergeOf(s, Options(2, false, false), 4, &parts);
  for (const ShardResult& p : parts) {
    EXPECT_GT(p.result.stats.executions, m.result.stats.executions / 16) << "shard " << p.index;
  }
}

TEST(ExploreSplit, DporShardsAndJobsAgreeWithTheSplitSerialSearchAndItsVerdict) {
  for (const char* variant : {"fixed", "b0473dcd", "mutant-sync-unlock-first"}) {
    const Scenario s = ThreeCallers(variant);
    const ExploreOptions o = Options(2, true, /*dpor=*/true);
    const ExploreResult unsplit = Explore(s, o);
    const MergedSearch one = MergeOf(s, o, 1);
    // The top of the tree tries every action: at least what DPOR alone does.
    EXPECT_GE(one.result.stats.executions, unsplit.stats.executions) << variant;
    EXPECT_EQ(one.result.found, unsplit.found) << variant;
    EXPECT_EQ(one.result.min_preemptions, unsplit.min_preemptions) << variant;
    for (int n : {3, 16}) ExpectSameSearch(one.result, MergeOf(s, o, n).result, std::string(variant) + " dpor shards");
    ExploreOptions::Split units;
    const MergedSearch one_like_jobs = MergeOf(s, WithUnitsAtTwo(o, &units), 1);
    EXPECT_EQ(one_like_jobs.result.min_preemptions, unsplit.min_preemptions) << variant;
    absl::StatusOr<MergedSearch> jobs = ExploreJobs(s, o, "", 2);
    ASSERT_TRUE(jobs.ok()) << jobs.status();
    ExpectSameSearch(one.result, jobs->result, std::string(variant) + " dpor --jobs=2");
    ExploreOptions::Split units2;
    jobs = ExploreJobs(s, WithUnitsAtTwo(o, &units2), "", 3);
    ASSERT_TRUE(jobs.ok()) << jobs.status();
    ExpectSameSearch(one_like_jobs.result, jobs->result, std::string(variant) + " dpor --jobs=3, units at 2");
  }
}

TEST(ExploreSplit, JobsSearchTheSerialTreeWithTheSameCounts) {
  const Scenario s = ThreeCallers("fixed");
  const ExploreOptions o = Options(2, false, false);
  const ExploreResult serial = Explore(s, o);
  for (int jobs : {1, 2, 3}) {
    absl::StatusOr<MergedSearch> m = ExploreJobs(s, o, "", jobs);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_TRUE(m->established);
    ExpectSameSearch(serial, m->result, "--jobs=" + std::to_string(jobs));
    EXPECT_EQ(m->result.stats.distinct_traces, serial.stats.distinct_traces);
  }
}

TEST(ExploreSplit, TheFirstViolationIsTheSerialSearchs) {
  // b0473dcd's self-loop: at bound 1, in some unit after the first.
  const Scenario s = CanonicalScenario(FindVariant("b0473dcd"));
  ExploreOptions o = Options(2, true, false, /*stop_at_first=*/true);
  o.violations = SignatureBit(Signature::kLlistSelfLoop);
  const ExploreResult serial = Explore(s, o);
  ASSERT_TRUE(serial.found);
  for (int n : {1, 2, 5, 16}) {
    MergedSearch m = MergeOf(s, o, n);
    EXPECT_TRUE(m.result.found);
    EXPECT_TRUE(m.established) << n << " shards";
    EXPECT_EQ(m.result.signature, serial.signature);
    EXPECT_EQ(m.result.preemptions, serial.preemptions);
    EXPECT_EQ(m.result.counterexample.schedule, serial.counterexample.schedule) << n << " shards";
  }
  for (int jobs : {2, 3}) {
    absl::StatusOr<MergedSearch> m = ExploreJobs(s, o, "", jobs);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_TRUE(m->established);
    EXPECT_EQ(m->result.counterexample.schedule, serial.counterexample.schedule) << "--jobs=" << jobs;
  }
}

TEST(ExploreSplit, TheFormatRoundTrips) {
  const Scenario s = CanonicalScenario(FindVariant("b0473dcd"));
  ShardResult r = ExploreShard(s, Options(1, true, false, true), "kernel 6.12", 1, 3);
  ASSERT_TRUE(r.result.found);
  const std::string text = FormatShard(r);
  absl::StatusOr<ShardResult> back = ParseShard(text, "x.shard");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(FormatShard(*back), text);
  // The key's options line reads back as the options it was made of.
  ExploreOptions o = Options(3, false, true, true);
  o.max_steps = 1234;
  o.violations = SignatureBit(Signature::kLlistSelfLoop) | SignatureBit(Signature::kDataRace);
  const ExploreOptions again = OptionsOfSearch(KeyOfSearch(s, o, ""));
  EXPECT_EQ(again.max_preemptions, 3);
  EXPECT_EQ(again.max_steps, 1234u);
  EXPECT_FALSE(again.iterative);
  EXPECT_TRUE(again.dpor);
  EXPECT_TRUE(again.sleep_sets);
  EXPECT_TRUE(again.stop_at_first);
  EXPECT_EQ(again.violations, o.violations);
  EXPECT_EQ(KeyOfSearch(s, again, "").options, KeyOfSearch(s, o, "").options);
}

TEST(ExploreSplit, MergeRefusesShardSetsThatDoNotCoverTheSearchOnce) {
  const Scenario s = ThreeCallers("fixed");
  const ExploreOptions o = Options(2, false, false);
  std::vector<ShardResult> parts;
  MergeOf(s, o, 3, &parts);
  const std::vector<std::string> names = {"a.shard", "b.shard", "c.shard"};
  auto error = [&](const std::vector<ShardResult>& v) {
    absl::StatusOr<MergedSearch> m = MergeShards(v, names);
    return m.ok() ? std::string("ok") : std::string(m.status().message());
  };
  EXPECT_EQ(error({parts[0], parts[1]}), "merge: shard 2/3 is missing (2 of 3 given)");
  EXPECT_EQ(error({parts[0], parts[1], parts[1]}), "c.shard: shard 1/3 given twice (also b.shard)");
  std::vector<ShardResult> other = parts;
  other[2] = ExploreShard(ThreeCallers("baseline"), o, "", 2, 3);
  EXPECT_NE(error(other).find("c.shard: a shard of another search than a.shard"), std::string::npos) << error(other);
  std::vector<ShardResult> tampered = parts;
  ++tampered[1].result.bounds[0].units;
  EXPECT_NE(error(tampered).find("b.shard: disagrees with a.shard on the top of the tree"), std::string::npos)
      << error(tampered);
  tampered = parts;
  --tampered[2].result.bounds[0].units_taken;
  EXPECT_NE(error(tampered).find("c.shard: shard 2/3 took"), std::string::npos) << error(tampered);
  // A shard cut short leaves the search open.
  std::vector<ShardResult> cut = parts;
  cut[1].result.complete = false;
  cut[1].result.bounds[0].complete = false;
  absl::StatusOr<MergedSearch> m = MergeShards(cut, names);
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->established);
  EXPECT_FALSE(m->result.complete);
  EXPECT_EQ(m->unfinished, "b.shard");
}

TEST(ExploreSplit, BadShardFilesNameTheLine) {
  const std::string good = FormatShard(ExploreShard(ThreeCallers("fixed"), Options(1, false, false), "", 0, 2));
  auto error = [](const std::string& text) {
    absl::StatusOr<ShardResult> r = ParseShard(text, "s.shard");
    return r.ok() ? std::string("ok") : std::string(r.status().message());
  };
  EXPECT_EQ(error(good), "ok");
  EXPECT_EQ(error("smpfuzz-repro 1\n"), "s.shard:1: not a shard result (expected 'smpfuzz-explore-shard 1')");
  EXPECT_EQ(error(good.substr(0, good.size() - 1)), "s.shard:" + std::to_string(std::count(good.begin(), good.end(), '\n')) +
                                                        ": truncated (no newline at the end)");
  const std::size_t result_line = good.find("result ");
  EXPECT_NE(error(good.substr(0, result_line)).find("truncated: no 'result' line"), std::string::npos);
  std::string bad = good;
  bad.replace(bad.find("executions="), 12, "executions=x");
  EXPECT_NE(error(bad).find("s.shard:5: executions: not a number"), std::string::npos) << error(bad);
  bad = good;
  bad.replace(bad.find("shard 0/2"), 9, "shard 2/2");
  EXPECT_EQ(error(bad), "s.shard:4: expected 'shard I/N' with 0 <= I < N");
}

}  // namespace
}  // namespace smpfuzz
