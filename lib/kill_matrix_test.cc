// SPDX-License-Identifier: GPL-2.0-only
//
// The kill matrix in small: every mutant row of the variant table, explored
// on the scenario of its minimal counterexample in ci/kill-matrix.sh's scopes
// (BENCHMARKS.md "Kill matrix"), shows that signature at exactly that many
// preemptions, and `fixed` is clean on each of those scenarios at the same
// bound. ci/kill-matrix.sh proves the minimality over the whole scopes; this
// keeps each kill in `bazel test`, so a change to the model, the checkers or
// the explorer that lets a mutant survive fails here first.

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "lib/explorer.h"
#include "lib/report.h"
#include "lib/repro.h"
#include "lib/variant.h"

namespace smpfuzz {
namespace {

struct Kill {
  const char* variant;
  const char* scenario;  // reproducer lines after `variant`
  Signature signature;
  std::uint32_t preemptions;
  bool races;  // whether data-race counts (not for a reused async csd: the caller's race)
};

const std::vector<Kill>& Kills() {
  static const std::vector<Kill> kKills = {
      {"b0473dcd", "cpus 2\ncpu 0: call_single target=0 wait=0\ncpu 1: call_single target=0 wait=0\n",
       Signature::kCallbackDuplicated, 1, true},
      {"mutant-plain-unlock", "cpus 2\ncpu 1: call_single target=0 wait=1\n", Signature::kDataRace,
       0, true},
      {"mutant-no-ipi", "cpus 2\ncpu 1: call_single target=0 wait=0\n", Signature::kCallbackLost, 0,
       true},
      {"mutant-sync-unlock-first", "cpus 2\ncpu 1: call_single target=0 wait=1\n",
       Signature::kCallbackLost, 1, true},
      {"mutant-enxio-keeps-lock", "cpus 2\ncpu 1: call_single target=2 wait=1\n",
       Signature::kCpuStuck, 0, true},
      {"mutant-ipi-when-busy", "cpus 2\ncpu 1: call_single target=0 wait=0\n",
       Signature::kCallbackLost, 0, true},
      {"mutant-async-ignores-lock",
       "cpus 2\ncpu 1: call_single_async target=0 csd=0\ncpu 1: call_single_async target=0 csd=0\n",
       Signature::kLlistSelfLoop, 0, false},
      {"mutant-async-unlock-after-call",
       "cpus 2\ncpu 1: call_single_async target=0 csd=0\ncpu 1: call_single_async target=0 csd=0\n",
       Signature::kCsdSpuriousBusy, 2, false},
      {"mutant-async-offline-queued", "cpus 2\noffline 0\ncpu 1: call_single_async target=0\n",
       Signature::kCallbackLost, 0, true},
      {"mutant-llist-empty-check",
       "cpus 3\ncpu 1: call_single target=0 wait=0\ncpu 2: call_single target=0 wait=1\n",
       Signature::kCsdLockTimeout, 1, true},
      {"mutant-llist-double-read",
       "cpus 3\ncpu 1: call_single target=0 wait=0\ncpu 2: call_single target=0 wait=1\n",
       Signature::kCallbackDuplicated, 1, true},
      // Scope C (an extra task): the call to its own CPU takes the local
      // path, and with preemption already on the task is migrated before the
      // callback, which then runs on the other CPU. (Its self-loop, two
      // tasks on one CPU: repro/put_cpu_early.repro.)
      {"mutant-put-cpu-early", "cpus 2\ntask 2 on 0: call_single target=0 wait=0\n",
       Signature::kCallbackCorrupted, 1, true},
      // Scope D (the rest of the call API): the mask's first CPU is offline,
      // the mutant calls it anyway and gets -ENXIO; CPU2 was online.
      {"mutant-any-offline-cpu", "cpus 3\noffline 1\ncpu 0: call_any mask=0x6 wait=0\n",
       Signature::kCallbackLost, 0, true},
      // Scope E (hotplug at run time): CPU0 takes itself down while CPU1's
      // call waits on its queue for the IPI; the mutant's dying CPU does not
      // flush.
      {"mutant-no-dying-flush", "cpus 2\ncpu 0: offline target=0\ncpu 1: call_single target=0 wait=0\n",
       Signature::kCallbackLost, 0, true},
      // Scope F (the other entries of call_single_queue): irq_work and TTWU.
      // Without data-race for irq_work: re-queueing a work while its flush
      // runs races in every variant (README "The irq_work re-queue race").
      // The plain claim is interrupted by the IPI that runs the work: its
      // store sets PENDING again with nothing queued, and it returns false.
      {"mutant-irq-work-claim-plain",
       "cpus 2\ncpu 0: irq_work_queue_on target=1 work=0\ncpu 1: irq_work_queue_on target=0 work=0\n",
       Signature::kCsdSpuriousBusy, 0, false},
      // The second claim lands while the first run's func runs.
      {"mutant-irq-work-pending-late",
       "cpus 2\ncpu 1: irq_work_queue_on target=0 work=0\ncpu 1: irq_work_queue_on target=0 work=0\n",
       Signature::kCsdSpuriousBusy, 2, false},
      {"mutant-ttwu-as-async", "cpus 2\ncpu 1: ttwu_queue target=0\n", Signature::kCallbackCorrupted,
       0, true},
      {"mutant-ttwu-dropped", "cpus 2\ncpu 1: ttwu_queue target=0\n", Signature::kCallbackLost, 0,
       true},
  };
  return kKills;
}

Scenario Load(const char* variant, const char* lines) {
  std::string text = std::string("smpfuzz-repro 1\nvariant ") + variant + "\ncsdlock_debug on\n" + lines;
  absl::StatusOr<Repro> r = ParseRepro(text, "kill");
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? r->scenario : Scenario{};
}

ExploreOptions Options(bool races) {
  ExploreOptions o;
  o.max_preemptions = 2;
  o.violations = ~0u & ~SignatureBit(Signature::kPercpuOutOfRange);
  if (!races) o.violations &= ~SignatureBit(Signature::kDataRace);
  return o;
}

TEST(KillMatrix, EveryMutantOfTheTableHasARow) {
  std::set<std::string> rows;
  for (const Kill& k : Kills()) rows.insert(k.variant);
  for (const Variant& v : AllVariants()) {
    if (v.mutant) EXPECT_TRUE(rows.count(v.name)) << v.name << " has no row in the kill matrix";
  }
  EXPECT_GE(rows.size(), 11u);
}

TEST(KillMatrix, EachMutantDiesOnItsScenarioAtItsPreemptionCount) {
  for (const Kill& k : Kills()) {
    ExploreResult r = Explore(Load(k.variant, k.scenario), Options(k.races));
    ASSERT_TRUE(r.found) << k.variant << " survived";
    EXPECT_EQ(r.signature, k.signature) << k.variant << ": " << SignatureName(r.signature);
    // Iterative search: the first violation has the fewest preemptions.
    EXPECT_EQ(r.preemptions, k.preemptions) << k.variant;
  }
}

TEST(KillMatrix, FixedIsCleanOnEveryKillScenario) {
  for (const Kill& k : Kills()) {
    ExploreResult r = Explore(Load("fixed", k.scenario), Options(k.races));
    EXPECT_FALSE(r.found) << k.variant << "'s scenario: fixed has " << SignatureName(r.signature);
    EXPECT_TRUE(r.complete) << k.variant;
  }
}

}  // namespace
}  // namespace smpfuzz
