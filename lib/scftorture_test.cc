// SPDX-License-Identifier: GPL-2.0-only
//
// scftorture's parameters: parsed as scftorture_init() reads them, turned
// into scenarios of that mix, and run: the run finds the bugs that need its
// features (two invokers on a CPU, hotplug) and stays silent on fixed.

#include "lib/scftorture.h"

#include <map>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/model_guest.h"
#include "lib/scftorture_run.h"
#include "lib/simulator.h"

namespace smpfuzz {
namespace {

std::uint32_t W(const ScfParams& p, ScfPrim prim) { return p.weight[static_cast<int>(prim)]; }

ScfParams Parse(const std::vector<std::string>& words) {
  absl::StatusOr<ScfParams> p = ParseScfParams(words);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : ScfParams{};
}

std::string Error(const std::vector<std::string>& words) {
  absl::StatusOr<ScfParams> p = ParseScfParams(words);
  EXPECT_FALSE(p.ok());
  return p.ok() ? "" : std::string(p.status().message());
}

TEST(ScfTortureParams, NoWeightGivesScftorturesDefaultMix) {
  const ScfParams p = Parse({});
  EXPECT_EQ(p.nr_cpus, 4);
  EXPECT_EQ(p.invokers(), 4);  // nthreads=-1: one per CPU
  EXPECT_EQ(W(p, ScfPrim::kSingle), 8u);  // 2 * nr_cpu_ids
  EXPECT_EQ(W(p, ScfPrim::kSingleWait), 8u);
  EXPECT_EQ(W(p, ScfPrim::kMany), 2u);
  EXPECT_EQ(W(p, ScfPrim::kManyWait), 2u);
  EXPECT_EQ(W(p, ScfPrim::kAll), 1u);
  EXPECT_EQ(W(p, ScfPrim::kAllWait), 1u);
  EXPECT_EQ(W(p, ScfPrim::kAsync), 0u);  // not scftorture's
  ASSERT_EQ(p.notes.size(), 2u);  // resched and single_rpc: said, not dropped silently
  EXPECT_NE(p.notes[1].find("weight_single_rpc"), std::string::npos);

  const ScfParams three = Parse({"nr_cpus=3"});
  EXPECT_EQ(W(three, ScfPrim::kSingle), 6u);
  // A zero weight keeps the rule: the others take their defaults.
  const ScfParams no_single = Parse({"weight_single=0"});
  EXPECT_EQ(W(no_single, ScfPrim::kSingle), 0u);
  EXPECT_EQ(W(no_single, ScfPrim::kSingleWait), 8u);
}

TEST(ScfTortureParams, AGivenWeightLeavesTheOthersOut) {
  const ScfParams p = Parse({"scftorture.weight_single=3", "weight_any=1", "nthreads=9",
                             "scftorture.onoff_interval=2", "csdlock_debug=0"});
  EXPECT_EQ(W(p, ScfPrim::kSingle), 3u);
  EXPECT_EQ(W(p, ScfPrim::kAny), 1u);
  EXPECT_EQ(W(p, ScfPrim::kSingleWait), 0u);
  EXPECT_EQ(W(p, ScfPrim::kMany), 0u);
  EXPECT_EQ(p.invokers(), 9);
  EXPECT_EQ(p.onoff_interval, 2);
  EXPECT_FALSE(p.csdlock_debug);
  EXPECT_TRUE(p.notes.empty());
  EXPECT_EQ(p.CommandLine(),
            "nr_cpus=4 csdlock_debug=0 nthreads=9 ops_per_thread=4 onoff_interval=2 weight_single=3 weight_any=1");
  // The command line parses back to the same mix.
  std::vector<std::string> words;
  std::string line = p.CommandLine();
  for (std::size_t at = 0; at != std::string::npos;) {
    const std::size_t space = line.find(' ', at);
    words.push_back(line.substr(at, space == std::string::npos ? std::string::npos : space - at));
    at = space == std::string::npos ? space : space + 1;
  }
  const ScfParams again = Parse(words);
  EXPECT_EQ(again.CommandLine(), p.CommandLine());
}

TEST(ScfTortureParams, BadWordsAreErrorsNamingTheWord) {
  EXPECT_EQ(Error({"bogus=1"}),
            "scftorture: bogus=1: not a parameter of scftorture (or of smpfuzz's: see smpfuzz scftorture --help)");
  EXPECT_EQ(Error({"nthreads"}), "scftorture: nthreads: expected PARAM=VALUE");
  EXPECT_EQ(Error({"nthreads=many"}), "scftorture: nthreads=many: the value is not a whole number");
  EXPECT_EQ(Error({"nr_cpus=1"}), "scftorture: nr_cpus=1: must be 2..64");
  EXPECT_EQ(Error({"weight_single=-2"}), "scftorture: weight_single=-2: must be -1..1000000");
  EXPECT_EQ(Error({"nthreads=0"}), "scftorture: nthreads=0: no invoker makes no test");
  EXPECT_NE(Error({"weight_single_rpc=2"}).find("is not modelled"), std::string::npos);
  EXPECT_NE(Error({"weight_resched=1"}).find("not modelled"), std::string::npos);
  EXPECT_NE(Error({"use_cpus_read_lock=1"}).find("not modelled"), std::string::npos);
  EXPECT_EQ(Error({"nthreads=64", "onoff_interval=1"}),
            "scftorture: nr_cpus=4, nthreads=64 and the onoff task make 65 tasks; a scenario holds at most 64");
  EXPECT_EQ(Error({"nr_cpus=64", "nthreads=2", "onoff_interval=1"}),
            "scftorture: nr_cpus=64, nthreads=2 and the onoff task make 65 tasks; a scenario holds at most 64");
  EXPECT_EQ(Error({"nthreads=50", "ops_per_thread=11"}),
            "scftorture: nthreads=50 x ops_per_thread=11 make 550 operations; a scenario holds at most 500");
  EXPECT_EQ(Error({"nthreads=62", "ops_per_thread=8", "onoff_interval=1"}),
            "scftorture: nthreads=62 x ops_per_thread=8 and the onoff task's make 512 operations; a scenario holds "
            "at most 500");
  EXPECT_EQ(Error({"weight_single=0", "weight_single_wait=0", "weight_many=0", "weight_many_wait=0",
                   "weight_all=0", "weight_all_wait=0"}),
            "scftorture: all zero weights makes no sense");
  // Timing parameters are accepted and said to do nothing.
  const ScfParams p = Parse({"stutter=5", "weight_single=1"});
  ASSERT_EQ(p.notes.size(), 1u);
  EXPECT_NE(p.notes[0].find("stutter=5 ignored"), std::string::npos);
}

TEST(ScfTortureScenario, InvokersHotplugAndMixAreScftorturesShape) {
  const Variant* fixed = FindVariant("fixed");
  const ScfParams p = Parse({"nthreads=10", "ops_per_thread=6", "onoff_interval=2"});
  const Scenario s = ScfTortureScenario(p, fixed, 7);
  ASSERT_TRUE(s.Validate().ok()) << s.Validate();
  EXPECT_EQ(s.nr_cpus, 4);
  ASSERT_EQ(s.nr_tasks(), 11);  // 4 per-CPU tasks, 6 extra invokers, the onoff task
  for (int t = 0; t < 10; ++t) {
    EXPECT_EQ(s.TaskHome(t), t % 4) << t;
    EXPECT_EQ(s.TaskOpList(t).size(), 6u) << t;
    for (const Op& op : s.TaskOpList(t)) EXPECT_FALSE(IsHotplugOp(op.kind));
  }
  const std::vector<Op>& onoff = s.TaskOpList(10);
  EXPECT_EQ(s.TaskHome(10), 0);
  ASSERT_EQ(onoff.size(), 6u);  // ceil(6 / 2) cycles of down and up
  for (std::size_t i = 0; i < onoff.size(); i += 2) {
    EXPECT_EQ(onoff[i].kind, OpKind::kCpuOffline);
    EXPECT_EQ(onoff[i + 1].kind, OpKind::kCpuOnline);
    EXPECT_EQ(onoff[i].target, onoff[i + 1].target);
    EXPECT_NE(onoff[i].target, 0);
  }
  // Deterministic in the seed, and the seed matters.
  EXPECT_EQ(ScfTortureScenario(p, fixed, 7).ops, s.ops);
  EXPECT_NE(ScfTortureScenario(p, fixed, 8).ops, s.ops);
}

TEST(ScfTortureScenario, KindsFollowTheWeights) {
  const ScfParams p = Parse({"nr_cpus=3", "weight_single=3", "weight_all_wait=1", "ops_per_thread=100"});
  std::map<OpKind, int> kinds;
  std::map<int, int> targets;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {  // 20 scenarios of 300 ops
    const Scenario s = ScfTortureScenario(p, FindVariant("fixed"), seed);
    for (int t = 0; t < s.nr_tasks(); ++t) {
      for (const Op& op : s.TaskOpList(t)) {
        ++kinds[op.kind];
        if (op.kind == OpKind::kCallSingle) {
          EXPECT_FALSE(op.wait);
          ++targets[op.target];
        } else {
          EXPECT_EQ(op.kind, OpKind::kCallFunction);
          EXPECT_TRUE(op.wait);
        }
      }
    }
  }
  EXPECT_EQ(kinds.size(), 2u);
  // 6000 draws at 3/4: within 4 standard deviations (0.0056 each).
  EXPECT_NEAR(kinds[OpKind::kCallSingle] / 6000.0, 0.75, 0.023);
  // Targets over every CPU, the caller's own included (scftorture's % nr_cpu_ids).
  for (int cpu = 0; cpu < 3; ++cpu) EXPECT_NEAR(targets[cpu] / 4500.0, 1 / 3.0, 0.03) << cpu;
}

TEST(ScfTortureScenario, EveryMixGivesValidScenarios) {
  std::mt19937_64 rng(20261203);
  for (int i = 0; i < 300; ++i) {
    std::vector<std::string> words = {"nr_cpus=" + std::to_string(2 + rng() % 7),
                                      "nthreads=" + std::to_string(1 + rng() % 20),
                                      "ops_per_thread=" + std::to_string(1 + rng() % 5),
                                      "onoff_interval=" + std::to_string(rng() % 3),
                                      "csdlock_debug=" + std::to_string(rng() % 2)};
    for (int prim = 0; prim < static_cast<int>(ScfPrim::kCount); ++prim) {
      if (rng() % 2) words.push_back(std::string(ScfPrimParam(static_cast<ScfPrim>(prim))) + "=" + std::to_string(rng() % 3));
    }
    absl::StatusOr<ScfParams> p = ParseScfParams(words);
    if (!p.ok()) {  // only the all-zero mix may be refused here
      EXPECT_EQ(p.status().message(), "scftorture: all zero weights makes no sense");
      continue;
    }
    const Scenario s = ScfTortureScenario(*p, FindVariant("fixed"), rng());
    EXPECT_TRUE(s.Validate().ok()) << p->CommandLine() << ": " << s.Validate();
  }
}

// The step budget holds the biggest mixes: a fair run of each, on fixed,
// quiesces clean well within ScfMaxSteps (too small a budget would call a
// fixed kernel cpu-stuck).
TEST(ScfTortureRun, TheStepBudgetHoldsTheBiggestMixes) {
  for (const std::vector<std::string>& words :
       std::vector<std::vector<std::string>>{{"nr_cpus=64", "weight_all_wait=1", "ops_per_thread=7"},
                                             {"nr_cpus=64", "weight_many=1", "ops_per_thread=7"},
                                             {"nr_cpus=8", "nthreads=56", "weight_irqs_off=1", "weight_single_wait=1",
                                              "ops_per_thread=8", "onoff_interval=1"}}) {
    const Scenario s = ScfTortureScenario(Parse(words), FindVariant("fixed"), 3);
    Simulator sim(NewModelGuest());
    ASSERT_TRUE(sim.Load(s).ok());
    SimOptions opt;
    opt.max_steps = ScfMaxSteps(s);
    opt.record_trace = false;
    const RunResult& r = sim.Run(Schedule{}, opt);
    EXPECT_TRUE(r.clean()) << words[0] << " " << words[1];
    EXPECT_LT(r.steps * 2, opt.max_steps) << words[0] << " " << words[1] << ": " << r.steps << " steps";
  }
}

// The run finds what its mix can reach and nothing on fixed. Each pair runs
// the same scenarios and schedules on the buggy variant and on fixed.
struct Case {
  const char* variant;
  std::vector<std::string> params;
  Signature expect;  // the first finding's signature on `variant`
};

std::map<Signature, ScfTortureFinding> Torture(const Case& c, const char* variant, std::uint64_t scenarios) {
  ScfTortureOptions o;
  o.scenarios = scenarios;
  o.runs_per_scenario = 50;
  std::map<Signature, ScfTortureFinding> found;
  const absl::StatusOr<ScfTortureStats> stats = RunScfTorture(
      Parse(c.params), FindVariant(variant), o, [&](const ScfTortureFinding& f) { found.emplace(f.signature, f); });
  EXPECT_TRUE(stats.ok()) << stats.status();
  if (stats.ok()) EXPECT_EQ(stats->scenarios, scenarios);
  return found;
}

TEST(ScfTortureRun, FindsTheBugsItsMixReachesAndNothingOnFixed) {
  const Case cases[] = {
      // The 2026 bug: two wait=0 senders on one target's csd, debug on.
      {"b0473dcd", {"nr_cpus=3", "weight_single=1", "ops_per_thread=2"}, Signature::kLlistSelfLoop},
      // Two invokers of one CPU share its csd_data: needs nthreads > nr_cpus
      // (without debug, so not b0473dcd's way). The kernel's scftorture would
      // not reach it: it holds preempt_disable() around the call, which
      // smpfuzz's invokers do not (lib/scftorture.h).
      {"mutant-put-cpu-early", {"nr_cpus=2", "nthreads=4", "weight_single=1", "ops_per_thread=2", "csdlock_debug=0"},
       Signature::kCount},
      // A dying CPU that does not flush: needs onoff.
      {"mutant-no-dying-flush", {"nr_cpus=3", "weight_single=1", "ops_per_thread=2", "onoff_interval=2"},
       Signature::kCount},
      // The other entries: remote wakeups that the flush drops, and an
      // irq_work whose PENDING is cleared too late (with irq_works the run
      // leaves data-race out: the re-queue race of every variant, README
      // "The irq_work re-queue race"; fixed stays clean below).
      {"mutant-ttwu-dropped", {"nr_cpus=3", "weight_ttwu=1", "ops_per_thread=2"}, Signature::kCallbackLost},
      {"mutant-irq-work-pending-late", {"nr_cpus=2", "weight_irq_work=1", "ops_per_thread=3"},
       Signature::kCsdSpuriousBusy},
  };
  for (const Case& c : cases) {
    const auto buggy = Torture(c, c.variant, 200);
    EXPECT_FALSE(buggy.empty()) << c.variant;
    if (c.expect != Signature::kCount) EXPECT_TRUE(buggy.count(c.expect)) << c.variant;
    for (const auto& [sig, f] : buggy) {
      std::printf("%s: %s in scenario %llu, %u preemption(s)\n", c.variant, SignatureName(sig),
                  static_cast<unsigned long long>(f.scenario), f.preemptions);
      // The reproducer is the scenario of that seed, and its schedule shows the signature again.
      EXPECT_EQ(f.repro.scenario.ops, ScfTortureScenario(Parse(c.params), FindVariant(c.variant), f.seed).ops);
      Simulator sim(NewModelGuest());
      ASSERT_TRUE(sim.Load(f.repro.scenario).ok());
      SimOptions opt;
      opt.max_steps = f.repro.max_steps;
      EXPECT_TRUE(sim.Run(f.repro.schedule, opt).fired & SignatureBit(sig)) << c.variant << ": " << SignatureName(sig);
    }
    const auto fixed = Torture(c, "fixed", 200);
    for (const auto& [sig, f] : fixed) ADD_FAILURE() << "fixed: " << SignatureName(sig) << " with " << c.variant << "'s mix";
  }
  // The features matter: without a second invoker per CPU the put_cpu()
  // mutant is as clean as fixed, without onoff the dying-flush one.
  EXPECT_TRUE(Torture({"", {"nr_cpus=2", "weight_single=1", "ops_per_thread=2", "csdlock_debug=0"}, Signature::kCount},
                  "mutant-put-cpu-early", 200)
                  .empty());
  EXPECT_TRUE(
      Torture({"", {"nr_cpus=3", "weight_single=1", "ops_per_thread=2"}, Signature::kCount}, "mutant-no-dying-flush", 200)
          .empty());
}

}  // namespace
}  // namespace smpfuzz
