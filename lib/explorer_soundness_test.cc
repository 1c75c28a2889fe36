// SPDX-License-Identifier: GPL-2.0-only
//
// Explorer soundness: the reductions (sleep sets under a preemption bound, and
// DPOR with sleep sets) are checked against the unreduced search, the slow
// and obviously correct method.
//
// Random small scenarios (every op kind, 2-4 CPUs, csdlock_debug on and off,
// offline and impossible targets) times every row of the variant table,
// mutants included, are each explored at one bound with and without the
// reduction, exploring the whole bound (no stop at the first violation). For
// every signature, whether it shows and the fewest preemptions of a run that
// shows it must be the same. Then the iterative search with the reduction, as
// `smpfuzz explore` runs it, must report its first counterexample at exactly
// the fewest preemptions the unreduced search needs for any violation and for
// that signature, and the counterexample must replay to it.
//
// The same harness run with the relation smpfuzz had before
// (ExploreOptions::unsound_legacy_sleep_sets), and with a DPOR that ignores
// the races of IPI deliveries (ExploreOptions::crippled_dpor_for_test), must
// find a disagreement: the check can fail.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/explorer.h"
#include "lib/expectations.h"
#include "lib/model_guest.h"
#include "lib/random_op.h"
#include "lib/repro.h"

namespace smpfuzz {
namespace {

// Each scenario's unreduced search may take this many executions; a scenario
// that needs more is counted as skipped (and few may be).
constexpr std::uint64_t kMaxExecutions = 20000;
constexpr std::uint64_t kMaxSteps = 2000;

Scenario RandomScenario(std::mt19937_64& rng) {
  Scenario s;
  s.nr_cpus = 2 + static_cast<int>(rng() % 3);
  s.csdlock_debug = rng() % 2 == 0;
  s.csd_lock_timeout_ms = rng() % 2 == 0 ? 5000 : 1;
  s.ops.resize(s.nr_cpus);
  // Sometimes the last CPU is offline (it has no operations then).
  if (s.nr_cpus > 2 && rng() % 4 == 0) s.offline_mask = std::uint64_t{1} << (s.nr_cpus - 1);
  // 1-3 operations on the CPUs other than CPU0, which stays the idle target
  // but may get a flush or an irqs_off of its own.
  const int total = 1 + static_cast<int>(rng() % (s.nr_cpus == 2 ? 3 : 2));
  for (int i = 0; i < total; ++i) {
    int cpu = 1 + static_cast<int>(rng() % static_cast<std::uint64_t>(s.nr_cpus - 1));
    if ((s.offline_mask >> cpu) & 1) cpu = 1;
    s.ops[cpu].push_back(RandomOp(rng, s.nr_cpus));
  }
  if (rng() % 5 == 0) {
    Op own;
    own.kind = rng() % 2 == 0 ? OpKind::kFlush : OpKind::kIrqsOff;
    s.ops[0].push_back(own);
  }
  return s;
}

// Scenarios with extra tasks (lib/scenario.h): 2-3 CPUs, one or two extra
// tasks of one operation each on the CPUs other than CPU0, at most three
// operations in all, so that preemption of one task by another of its CPU
// and migration both come up at small bounds.
Scenario RandomScenarioWithTasks(std::mt19937_64& rng) {
  Scenario s;
  s.nr_cpus = 2 + static_cast<int>(rng() % 2);
  s.csdlock_debug = rng() % 2 == 0;
  s.ops.resize(s.nr_cpus);
  const int extra = 1 + static_cast<int>(rng() % 2);
  const int own = static_cast<int>(rng() % static_cast<std::uint64_t>(4 - extra));
  for (int i = 0; i < own; ++i) {
    int cpu = 1 + static_cast<int>(rng() % static_cast<std::uint64_t>(s.nr_cpus - 1));
    s.ops[cpu].push_back(RandomOp(rng, s.nr_cpus));
  }
  for (int i = 0; i < extra; ++i) {
    int cpu = 1 + static_cast<int>(rng() % static_cast<std::uint64_t>(s.nr_cpus - 1));
    s.tasks.push_back({cpu, {RandomOp(rng, s.nr_cpus)}});
  }
  return s;
}

// Scenarios with CPU hotplug at run time: 2-3 CPUs, one or two random calls
// on the CPUs other than CPU0, and a task that takes a CPU down (and
// sometimes up again): CPU0's own, or an extra task, which then may itself
// be migrated off the dying CPU.
Scenario RandomScenarioWithHotplug(std::mt19937_64& rng) {
  Scenario s;
  s.nr_cpus = 2 + static_cast<int>(rng() % 2);
  s.csdlock_debug = rng() % 2 == 0;
  s.ops.resize(s.nr_cpus);
  const int calls = 1 + static_cast<int>(rng() % 2);
  for (int i = 0; i < calls; ++i) {
    int cpu = 1 + static_cast<int>(rng() % static_cast<std::uint64_t>(s.nr_cpus - 1));
    s.ops[cpu].push_back(RandomOp(rng, s.nr_cpus));
  }
  std::vector<Op> hotplug = RandomHotplugOps(rng, s.nr_cpus, /*may_come_back=*/calls == 1);
  if (rng() % 3 == 0) {
    s.tasks.push_back({s.nr_cpus - 1, hotplug});
  } else {
    s.ops[0] = hotplug;
  }
  return s;
}

// The bound each scenario is explored at: the unreduced search must stay
// small, and bigger scenarios have more schedules per preemption.
int BoundFor(const Scenario& s) { return s.nr_cpus == 2 && s.TotalOps() <= 2 ? 2 : 1; }

std::string Describe(const Scenario& s) {
  Repro r;
  r.scenario = s;
  return FormatRepro(r);
}

std::string Signatures(const ExploreResult& r) {
  std::string out;
  for (int i = 0; i < kSignatureCount; ++i) {
    if (r.min_preemptions[i] == ExploreResult::kNever) continue;
    out += std::string(out.empty() ? "" : ", ") + SignatureName(static_cast<Signature>(i)) +
           "@" + std::to_string(r.min_preemptions[i]);
  }
  return out.empty() ? "clean" : out;
}

// The reductions under test.
// kSplitDpor is DPOR as --jobs and --shard run it (the nodes above the
// units try every action), on one worker that takes every unit.
enum class Reduction { kSleepSets, kDpor, kSplitDpor, kLegacySleepSets, kCrippledDpor };

const char* Name(Reduction m) {
  switch (m) {
    case Reduction::kSleepSets: return "sleep sets";
    case Reduction::kDpor: return "DPOR";
    case Reduction::kSplitDpor: return "split DPOR";
    case Reduction::kLegacySleepSets: return "legacy sleep sets";
    case Reduction::kCrippledDpor: return "crippled DPOR";
  }
  return "?";
}

bool Sound(Reduction m) {
  return m == Reduction::kSleepSets || m == Reduction::kDpor || m == Reduction::kSplitDpor;
}

const ExploreOptions::Split kOneWorker = {1, [](int, std::uint64_t) { return ExploreOptions::Take::kTake; }};

void Apply(Reduction m, ExploreOptions* o) {
  o->sleep_sets = true;
  o->unsound_legacy_sleep_sets = m == Reduction::kLegacySleepSets;
  o->dpor = m == Reduction::kDpor || m == Reduction::kSplitDpor;
  o->split = m == Reduction::kSplitDpor ? &kOneWorker : nullptr;
  o->crippled_dpor_for_test = m == Reduction::kCrippledDpor;
}

struct Tally {
  int compared = 0;
  int skipped = 0;
  int with_violation = 0;
  int counterexamples_checked = 0;
  std::uint64_t plain_executions = 0;
  std::uint64_t reduced_executions = 0;
  std::vector<std::string> disagreements;
};

// Explores `s` with `mode` and compares with `plain`, its unreduced search
// under `o`.
void CompareWith(const Scenario& s, const ExploreResult& plain, ExploreOptions o, Reduction mode,
                 Tally* tally) {
  Apply(mode, &o);
  o.max_executions = 0;
  const ExploreResult reduced = Explore(s, o);
  ++tally->compared;
  tally->plain_executions += plain.stats.executions;
  tally->reduced_executions += reduced.stats.executions;
  const std::string where = std::string(Name(mode)) + ", " + s.variant->name + " at bound " +
                            std::to_string(o.max_preemptions) + ":\n" + Describe(s);
  if (!reduced.complete || reduced.min_preemptions != plain.min_preemptions) {
    tally->disagreements.push_back("unreduced " + Signatures(plain) + ", reduced " +
                                   Signatures(reduced) + " for " + where);
    return;
  }
  std::uint32_t fewest = ExploreResult::kNever;
  for (std::uint32_t p : plain.min_preemptions) fewest = std::min(fewest, p);
  if (fewest == ExploreResult::kNever) return;
  ++tally->with_violation;
  if (!Sound(mode)) return;

  // The first counterexample of the iterative, reduced search (what
  // `smpfuzz explore` prints) has the fewest preemptions of any violation,
  // and no run with fewer preemptions shows its signature.
  ExploreOptions first;
  first.max_preemptions = o.max_preemptions;
  first.max_steps = kMaxSteps;
  Apply(mode, &first);
  const ExploreResult found = Explore(s, first);
  ++tally->counterexamples_checked;
  if (!found.found || found.preemptions != fewest ||
      plain.min_preemptions[static_cast<int>(found.signature)] != found.preemptions) {
    tally->disagreements.push_back(
        "first counterexample " +
        (found.found ? std::string(SignatureName(found.signature)) + "@" +
                           std::to_string(found.preemptions)
                     : std::string("none")) +
        ", unreduced " + Signatures(plain) + " for " + where);
    return;
  }
  Simulator sim(NewModelGuest());
  const RunResult& again =
      sim.Run(found.counterexample.scenario, found.counterexample.schedule,
              RunOptions(found.counterexample));
  if (!again.Has(found.signature) || again.preemptions != found.preemptions) {
    tally->disagreements.push_back("counterexample does not replay for " + where);
  }
}

// Explores `s` without reduction and with each of `modes`, and records every
// difference in that mode's tally.
void Compare(const Scenario& s, const std::vector<Reduction>& modes, std::vector<Tally>* tallies) {
  ExploreOptions o;
  o.max_preemptions = BoundFor(s);
  o.iterative = false;
  o.stop_at_first = false;
  o.max_steps = kMaxSteps;
  o.max_executions = kMaxExecutions;
  o.sleep_sets = false;
  const ExploreResult plain = Explore(s, o);
  for (std::size_t m = 0; m < modes.size(); ++m) {
    Tally* tally = &(*tallies)[m];
    if (!plain.complete) {
      ++tally->skipped;
      continue;
    }
    CompareWith(s, plain, o, modes[m], tally);
  }
}

// One tally per mode.
std::vector<Tally> RunCampaign(int scenarios, std::uint64_t seed,
                               const std::vector<Reduction>& modes,
                               Scenario (*make)(std::mt19937_64&) = RandomScenario) {
  std::mt19937_64 rng(seed);
  std::vector<Tally> tallies(modes.size());
  for (int i = 0; i < scenarios; ++i) {
    Scenario s = make(rng);
    for (const Variant& v : AllVariants()) {
      s.variant = &v;
      Compare(s, modes, &tallies);
    }
  }
  return tallies;
}

// SMPFUZZ_SOUNDNESS_SCENARIOS and SMPFUZZ_SOUNDNESS_SEED widen the campaign
// for a long run (ci/soundness.sh); a bad value fails the test.
std::uint64_t EnvNumber(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == 0) return fallback;
  char* end = nullptr;
  const unsigned long long x = std::strtoull(v, &end, 10);
  if (*end != 0 || x == 0) {
    ADD_FAILURE() << name << "=" << v << ": expected a positive whole number";
    return fallback;
  }
  return x;
}

int ScenarioCount() {
  // Sanitizer builds run the same check on fewer scenarios (they are 3-10x
  // slower); the default build runs all of them.
  int n = 300;
#if defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
  n = 60;
#endif
#endif
  return static_cast<int>(EnvNumber("SMPFUZZ_SOUNDNESS_SCENARIOS", n));
}

std::uint64_t Seed() { return EnvNumber("SMPFUZZ_SOUNDNESS_SEED", 20261201); }

// Every sound mode agreed with the unreduced search, had something to
// compare, and reduced; each tally printed under `label`.
void ExpectAgreement(const std::vector<Reduction>& modes, const std::vector<Tally>& tallies,
                     const char* label) {
  for (std::size_t m = 0; m < modes.size(); ++m) {
    const Tally& t = tallies[m];
    SCOPED_TRACE(Name(modes[m]));
    for (std::size_t i = 0; i < t.disagreements.size() && i < 5; ++i) {
      ADD_FAILURE() << t.disagreements[i];
    }
    EXPECT_TRUE(t.disagreements.empty()) << t.disagreements.size() << " disagreement(s)";
    // The comparison must have had something to compare.
    EXPECT_LE(t.skipped * 20, t.compared) << "too many scenarios too big for the unreduced search";
    // More than 1 in 20: the table's rows are diluted by mutants that need
    // an op a random scenario draws rarely (the four irq_work/TTWU rows fire
    // only on those ops: with them the hotplug campaign went from 13% to 8-10%).
    EXPECT_GT(t.with_violation * 20, t.compared) << "too few scenarios with a violation";
    EXPECT_GT(t.counterexamples_checked, 0);
    // And the reduction must reduce.
    EXPECT_LT(t.reduced_executions, t.plain_executions);
    std::printf("%s%s: compared %d, skipped %d, with a violation %d, counterexamples checked %d, "
                "disagreements %zu; executions unreduced %llu, reduced %llu\n",
                label, Name(modes[m]), t.compared, t.skipped, t.with_violation,
                t.counterexamples_checked, t.disagreements.size(),
                static_cast<unsigned long long>(t.plain_executions),
                static_cast<unsigned long long>(t.reduced_executions));
  }
}

TEST(ExplorerSoundness, ReductionsFindExactlyWhatTheUnreducedSearchFinds) {
  const std::vector<Reduction> modes = {Reduction::kSleepSets, Reduction::kDpor, Reduction::kSplitDpor};
  const auto start = std::chrono::steady_clock::now();
  ExpectAgreement(modes, RunCampaign(ScenarioCount(), Seed(), modes), "");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("campaign: %.1f s\n", seconds);
}

// The same check on scenarios with extra tasks: task switches, preemption
// points that depend on preempt counts, and migrations are new actions for
// every reduction.
TEST(ExplorerSoundness, ReductionsAgreeWithTheUnreducedSearchWithExtraTasks) {
  const std::vector<Reduction> modes = {Reduction::kSleepSets, Reduction::kDpor, Reduction::kSplitDpor};
  ExpectAgreement(modes,
                  RunCampaign(std::max(20, ScenarioCount() / 3), Seed() + 1, modes, RandomScenarioWithTasks),
                  "extra tasks, ");
}

// And with CPUs taken down and up while calls are in flight: stop_machine(),
// the dying CPU's flush and the migrations it forces are new actions too.
TEST(ExplorerSoundness, ReductionsAgreeWithTheUnreducedSearchWithHotplug) {
  const std::vector<Reduction> modes = {Reduction::kSleepSets, Reduction::kDpor, Reduction::kSplitDpor};
  ExpectAgreement(modes,
                  RunCampaign(std::max(20, ScenarioCount() / 3), Seed() + 2, modes,
                              RandomScenarioWithHotplug),
                  "hotplug, ");
}

TEST(ExplorerSoundness, TheCheckCatchesTheOldUnsoundRelationAndACrippledDpor) {
  const std::vector<Reduction> modes = {Reduction::kLegacySleepSets, Reduction::kCrippledDpor};
  // 100 scenarios in every build: the campaign is deterministic, and fewer
  // (60 / 3 under a sanitizer) do not reach a case the crippled DPOR gets wrong.
  const std::vector<Tally> tallies =
      RunCampaign(std::max(100, ScenarioCount() / 3), Seed(), modes);
  for (std::size_t m = 0; m < modes.size(); ++m) {
    const Tally& t = tallies[m];
    EXPECT_FALSE(t.disagreements.empty())
        << Name(modes[m]) << " agreed with the unreduced search on " << t.compared
        << " explorations: the soundness check has lost its power";
    if (!t.disagreements.empty()) {
      std::printf("%s, %zu disagreement(s), the first: %s\n", Name(modes[m]),
                  t.disagreements.size(), t.disagreements[0].c_str());
    }
  }
}

// The case that showed the old relation unsound: a callback and the waiter's
// return touch no common memory, but the checkers see their order.
TEST(ExplorerSoundness, SyncUnlockFirstMutantLosesTheCallbackAtOnePreemption) {
  Scenario s;
  s.nr_cpus = 2;
  s.variant = FindVariant("mutant-sync-unlock-first");
  ASSERT_NE(s.variant, nullptr);
  s.ops.resize(2);
  Op call;
  call.kind = OpKind::kCallSingle;
  call.target = 0;
  call.wait = true;
  s.ops[1].push_back(call);
  for (int mode = 0; mode < 3; ++mode) {
    ExploreOptions o;
    o.sleep_sets = mode >= 1;
    o.dpor = mode == 2;
    const ExploreResult r = Explore(s, o);
    ASSERT_TRUE(r.found) << "mode " << mode;
    EXPECT_EQ(r.signature, Signature::kCallbackLost) << "mode " << mode;
    EXPECT_EQ(r.preemptions, 1u) << "mode " << mode;
  }
  ExploreOptions legacy;
  legacy.unsound_legacy_sleep_sets = true;
  EXPECT_FALSE(Explore(s, legacy).found) << "the old relation no longer misses it: update the test";
}

}  // namespace
}  // namespace smpfuzz
