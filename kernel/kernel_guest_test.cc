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
#include <vector>

#include "gtest/gtest.h"
#include "kernel/runtime/kernel_api.h"
#include "kernel/runtime/runtime.h"
#include "lib/checkers.h"
#include "lib/explorer.h"
#include "lib/locations.h"
#include "lib/model_guest.h"
#include "lib/primitives.h"
#include "lib/report.h"
#include "lib/requests.h"
#include "lib/scenario.h"
#include "lib/simulator.h"

namespace smpfuzz {
namespace {

const std::string kVariant = SMPFUZZ_KERNEL_VARIANT;
const std::string kTree = SMPFUZZ_KERNEL_TREE;

Scenario Canonical() { return CanonicalScenario(FindVariant(kVariant)); }

// CPU0 keeps IRQs off for `ms` of virtual time while CPU1 makes a wait=1
// call to it.
Scenario IrqsOffThenWait(std::uint32_t ms) {
  Scenario s = Canonical();
  s.nr_cpus = 2;
  s.ops.assign(2, {});
  Op off{OpKind::kIrqsOff};
  off.ms = ms;
  s.ops[0] = {off};
  s.ops[1] = {Op{OpKind::kCallSingle, 0, true}};
  return s;
}

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
// sleep sets, with DPOR and without reduction (all must agree).
TEST(KernelGuest, ExplorerAtOnePreemption) {
  for (int mode : {1, 2, 0}) {
    const bool sleep_sets = mode >= 1;
    ExploreOptions o;
    o.max_preemptions = 1;
    o.max_seconds = 120;
    o.sleep_sets = sleep_sets;
    o.dpor = mode == 2;
    o.guest = [] { return NewKernelGuest(); };
    if (kVariant == "b0473dcd") {
      // Every run of b0473dcd races on u_flags; ask for the self-loop itself.
      o.violations = SignatureBit(Signature::kLlistSelfLoop);
    }
    const ExploreResult r = Explore(Canonical(), o);
    std::printf("%s: explorer bound 1%s: %s after %llu executions (%llu pruned), %.2f s\n",
                kVariant.c_str(), mode == 2 ? " (DPOR)" : sleep_sets ? "" : " (no sleep sets)",
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
      // Its bucket key names the tree's place, the same from a verbose run
      // (where the simulator fills Report::where) and from the fuzzers'
      // quiet one (Simulator::DedupKey looks the pc up).
      std::string verbose_key;
      for (const Report& rep : sim.Run(r.counterexample.schedule, so).reports) {
        if (rep.signature == Signature::kLlistSelfLoop) verbose_key = rep.DedupKey();
      }
      EXPECT_EQ(verbose_key.rfind("llist-self-loop@llist_add_batch(lib/llist.c:", 0), 0u) << verbose_key;
      so.verbose = false;
      std::string quiet_key;
      for (const Report& rep : sim.Run(r.counterexample.schedule, so).reports) {
        if (rep.signature == Signature::kLlistSelfLoop) {
          EXPECT_TRUE(rep.where.empty()) << "a quiet run looked its place up";
          quiet_key = sim.DedupKey(rep);
        }
      }
      EXPECT_EQ(quiet_key, verbose_key);
    } else {
      EXPECT_FALSE(r.found) << SignatureName(r.signature);
      EXPECT_TRUE(r.complete);
      EXPECT_GT(r.stats.executions, 10u);
    }
  }
}

// The callbacks' calls of a run, in trace order: the model's are the same.
std::vector<std::pair<int, std::uint64_t>> Calls(const RunResult& r) { return r.Calls(); }

// Callbacks that act (act=), on the tree's own code: a delay, a re-armed
// csd, a call from the callback's interrupt to a waiting CPU, to the target
// itself and to an offline CPU, an RPC's complete(). Each fair run is clean and runs the same
// callbacks on the same CPUs in the same order as the model's, and the
// delay's steps are there.
TEST(KernelGuest, CallbacksThatActRunAsInTheModel) {
  auto acting = [](OpKind kind, int target, bool wait, CallbackAct act, int arg) {
    Op op;
    op.kind = kind;
    op.target = target;
    op.wait = wait;
    op.act = act;
    op.act_arg = arg;
    return op;
  };
  const std::vector<Op> ops = {
      acting(OpKind::kCallSingle, 0, true, CallbackAct::kDelay, 3),
      acting(OpKind::kCallSingleAsync, 0, false, CallbackAct::kRearm, 0),
      acting(OpKind::kCallSingle, 0, true, CallbackAct::kNest, 1),
      acting(OpKind::kCallSingleAsync, 0, false, CallbackAct::kNest, 0),
      acting(OpKind::kCallSingle, 0, false, CallbackAct::kNest, 2),
      acting(OpKind::kCallSingle, 0, false, CallbackAct::kComplete, 0),
  };
  for (const Op& op : ops) {
    Scenario s;
    s.nr_cpus = 3;
    s.variant = FindVariant(kVariant);
    s.offline_mask = 1u << 2;
    s.ops = {{}, {op}, {}};
    Simulator kernel(NewKernelGuest()), model(NewModelGuest());
    const RunResult& k = kernel.Run(s, {});
    const RunResult& m = model.Run(s, {});
    const std::string what = std::string(CallbackActName(op.act)) + " " + OpKindName(op.kind);
    EXPECT_TRUE(k.clean()) << what << ": " << Describe(k);
    EXPECT_TRUE(k.quiescent) << what;
    EXPECT_EQ(Calls(k), Calls(m)) << what;
    // One callback, and a second one from a rearm or a nest to an online CPU.
    const bool second = op.act == CallbackAct::kRearm || (op.act == CallbackAct::kNest && op.act_arg != 2);
    EXPECT_EQ(Calls(k).size(), second ? 2u : 1u) << what;
    int delays = 0, completes = 0, waits = 0;
    for (const TraceEntry& e : k.trace) {
      delays += e.site == Site::callback_udelay;
      completes += e.site == Site::rpc_complete;
      waits += e.site == Site::rpc_wait_for_completion;
    }
    EXPECT_EQ(delays, op.act == CallbackAct::kDelay ? 3 : 0) << what;
    EXPECT_EQ(completes, op.act == CallbackAct::kComplete ? 1 : 0) << what;
    EXPECT_EQ(waits, op.act == CallbackAct::kComplete ? 1 : 0) << what;
  }
}

// Two CPUs claim one irq_work for CPU 0: irq_work_claim()'s fetch-or writes
// IRQ_WORK_PENDING (a csd's CSD_FLAG_LOCK bit) again on a pending work, which
// is a claim that fails, not a second owner of a lock: no csd-double-lock in
// any interleaving up to one preemption (the lock shadow watches csds only).
TEST(KernelGuest, TwoClaimsOfOneIrqWorkAreNoDoubleLock) {
  Scenario s;
  s.nr_cpus = 3;
  s.variant = FindVariant(kVariant);
  Op claim;
  claim.kind = OpKind::kIrqWorkQueueOn;
  claim.target = 0;
  claim.csd = 0;
  s.ops = {{}, {claim}, {claim}};
  ExploreOptions o;
  o.max_preemptions = 1;
  o.stop_at_first = false;
  o.iterative = false;
  o.guest = [] { return NewKernelGuest(); };
  const ExploreResult r = Explore(s, o);
  EXPECT_TRUE(r.complete);
  EXPECT_GT(r.stats.executions, 10u);
  EXPECT_EQ(r.min_preemptions[static_cast<int>(Signature::kCsdDoubleLock)], ExploreResult::kNever);
}

// remove_cpu() of the caller's own CPU returns on the CPU the caller was
// moved to (lib/simulator_test.cc has the model's side): an extra task takes
// CPU0 down, then calls on_each_cpu_cond_mask() with the condition true on
// CPU0 only. Clean at bound 2; its fair run calls nothing (CPU1's condition
// is false, CPU0 is gone) and returns on CPU1.
TEST(KernelGuest, ATaskThatTakesItsOwnCpuDownGoesOnWhereItWasMoved) {
  Scenario s;
  s.nr_cpus = 2;
  s.variant = FindVariant(kVariant);
  s.csdlock_debug = false;
  s.ops.resize(2);
  Op many;
  many.kind = OpKind::kCallMany;
  many.mask = 0b11;
  many.local = true;
  many.cond = 0b01;
  s.tasks.push_back({0, {Op{.kind = OpKind::kCpuOffline, .target = 0}, many}});
  ExploreOptions o;
  o.max_preemptions = 2;
  o.guest = [] { return NewKernelGuest(); };
  const ExploreResult r = Explore(s, o);
  EXPECT_FALSE(r.found) << SignatureName(r.signature);
  EXPECT_TRUE(r.complete);
  Simulator sim(NewKernelGuest());
  ASSERT_TRUE(sim.Load(s).ok());
  const RunResult& run = sim.Run(Schedule{});
  EXPECT_TRUE(run.clean());
  bool returned = false;
  for (const TraceEntry& e : run.trace) {
    if (e.kind == AccessKind::kDelay && e.site == Site::cpu_down) {
      returned = true;
      EXPECT_EQ(e.cpu, 1);
    }
    EXPECT_NE(e.kind, AccessKind::kCall) << "a callback ran";
  }
  EXPECT_TRUE(returned);
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

// smp_call_function(), smp_call_function_any() and on_each_cpu_cond_mask()
// of the tree: where their callbacks run (every other online CPU; this CPU,
// else the first online one of the mask, else none; where cond_func holds).
TEST(KernelGuest, TheOtherCallApisRunTheirCallbacksWhereTheTreeSays) {
  struct Case {
    Op op;
    std::uint64_t offline, ran;
  };
  const Case cases[] = {
      {Op{.kind = OpKind::kCallFunction, .wait = true}, 0b0100, 0b1001},
      {Op{.kind = OpKind::kCallFunction, .wait = false}, 0, 0b1101},
      {Op{.kind = OpKind::kCallAny, .wait = true, .mask = 0b1110}, 0, 0b0010},
      {Op{.kind = OpKind::kCallAny, .wait = true, .mask = 0b1100}, 0b0100, 0b1000},
      {Op{.kind = OpKind::kCallAny, .wait = false, .mask = 0b0100}, 0b0100, 0},
      {Op{.kind = OpKind::kCallMany, .wait = true, .mask = 0b1111, .local = true, .cond = 0b1010}, 0,
       0b1010},
      {Op{.kind = OpKind::kCallMany, .wait = false, .mask = 0b1111, .local = true, .cond = 0}, 0, 0},
  };
  for (const Case& c : cases) {
    Scenario s = Canonical();
    s.nr_cpus = 4;
    s.ops.assign(4, {});
    s.ops[1] = {c.op};
    s.offline_mask = c.offline;
    Simulator sim(NewKernelGuest());
    ASSERT_TRUE(sim.Load(s).ok());
    const RunResult& r = sim.Run(Schedule{});
    const std::string what = "kind " + std::string(OpKindName(c.op.kind)) + " mask " +
                             std::to_string(c.op.mask) + " offline " + std::to_string(c.offline);
    EXPECT_TRUE(r.quiescent) << what;
    // smp_call_function_any() with no online CPU in the mask passes
    // nr_cpu_ids on to smp_call_function_single() ("handles nr_cpu_ids"),
    // whose wait=0 path under b0473dcd takes per_cpu_ptr(&csd_data,
    // nr_cpu_ids) before the check: the same finding as an impossible target.
    const bool out_of_range = c.op.kind == OpKind::kCallAny && c.ran == 0 && !c.op.wait &&
                              FindVariant(kVariant)->single_csd_is_destinations_when_debug;
    if (out_of_range) {
      ASSERT_EQ(r.reports.size(), 1u) << what << ": " << Describe(r);
      EXPECT_EQ(r.reports[0].signature, Signature::kPercpuOutOfRange) << what;
    } else {
      EXPECT_TRUE(r.reports.empty()) << what << ": " << Describe(r);
    }
    std::uint64_t ran = 0;
    for (const TraceEntry& e : r.trace) {
      if (e.kind == AccessKind::kCall && e.event == TraceEvent::kAccess) ran |= std::uint64_t{1} << e.cpu;
    }
    EXPECT_EQ(ran, c.ran) << what;
  }
}

TEST(KernelGuest, CsdLockTimeoutIsReachedInVirtualTime) {
  // CPU0 sits with IRQs off for 6 s while CPU1 waits for its wait=1 call:
  // with csdlock_debug on the waiter's spin reaches the 5 s timeout path,
  // and the run still ends quiescent once CPU0 takes the IPI.
  Scenario s = IrqsOffThenWait(6000);
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

// ---- checkers on real memory (kernel/runtime/observer.h) ------------------------------

const Report* Find(const RunResult& r, Signature s) {
  for (const Report& rep : r.reports) {
    if (rep.signature == s) return &rep;
  }
  return nullptr;
}

int Count(const RunResult& r, Signature s) {
  int n = 0;
  for (const Report& rep : r.reports) n += rep.signature == s;
  return n;
}

// CPU1 runs k steps, CPU2 m steps, CPU1 100 more (then the fair policy): the
// family of PreemptionSchedules.
Schedule Preempted(int k, int m) {
  Schedule s(k, Choice{1, false});
  s.resize(k + m, Choice{2, false});
  s.resize(k + m + 100, Choice{1, false});
  return s;
}

// The first schedule of that family that self-loops the canonical scenario
// (b0473dcd only; empty when none does).
Schedule FirstSelfLoop() {
  Simulator sim(NewKernelGuest());
  EXPECT_TRUE(sim.Load(Canonical()).ok());
  SimOptions o;
  o.record_trace = false;
  for (int k = 0; k < 60; ++k) {
    for (int m = 1; m < 60; ++m) {
      if (sim.Run(Preempted(k, m), o).Has(Signature::kLlistSelfLoop)) return Preempted(k, m);
    }
  }
  return {};
}

// csd-double-lock from the shadowed u_flags writes: the explorer at one
// preemption asks for it alone.
TEST(KernelCheckers, CsdDoubleLockAtOnePreemptionOnlyOnB0473dcd) {
  ExploreOptions o;
  o.max_preemptions = 1;
  o.max_seconds = 120;
  o.guest = [] { return NewKernelGuest(); };
  o.violations = SignatureBit(Signature::kCsdDoubleLock);
  const ExploreResult r = Explore(Canonical(), o);
  std::printf("%s: explorer bound 1 for csd-double-lock: %s after %llu executions\n",
              kVariant.c_str(), r.found ? "found" : "clean",
              static_cast<unsigned long long>(r.stats.executions));
  if (kVariant != "b0473dcd") {
    EXPECT_FALSE(r.found);
    EXPECT_TRUE(r.complete);
    return;
  }
  ASSERT_TRUE(r.found);
  EXPECT_EQ(r.preemptions, 1u);
  Simulator sim(NewKernelGuest());
  ASSERT_TRUE(sim.Load(r.counterexample.scenario).ok());
  SimOptions so;
  so.max_steps = o.max_steps;
  const RunResult& run = sim.Run(r.counterexample.schedule, so);
  const Report* d = Find(run, Signature::kCsdDoubleLock);
  ASSERT_NE(d, nullptr) << Describe(run);
  // Both senders, on the target's csd_data (b0473dcd's get_single_csd_data).
  EXPECT_EQ(d->csd, "csd_data[0]") << d->message;
  ASSERT_EQ(d->cpus.size(), 2u);
  EXPECT_NE(d->cpus[0], d->cpus[1]);
  EXPECT_NE(d->cpus[0], 0);
  EXPECT_NE(d->cpus[1], 0);
}

TEST(KernelCheckers, RandomSchedulesDoubleLockOnlyOnB0473dcd) {
  Simulator sim(NewKernelGuest());
  ASSERT_TRUE(sim.Load(Canonical()).ok());
  SearchResult r = RandomSearch(sim, 1000, 200, 16);
  std::printf("%s: csd-double-lock in %d of %d random runs, llist-self-loop in %d\n",
              kVariant.c_str(), r.by_signature["csd-double-lock"], r.runs,
              r.by_signature["llist-self-loop"]);
  if (kVariant == "b0473dcd") {
    // Every self-loop is a second lock of the node's csd first.
    EXPECT_GE(r.by_signature["csd-double-lock"], r.by_signature["llist-self-loop"]);
    EXPECT_GT(r.by_signature["csd-double-lock"], 0);
  } else {
    EXPECT_EQ(r.by_signature["csd-double-lock"], 0) << r.first_other;
  }
}

// The model's requeue-while-flushing (repro/requeue_while_flushing.repro) as
// a family: CPU1 k steps, CPU2 m steps, CPU0 takes its IPI and runs j steps
// of the handler, CPU1 again. Where CPU0's handler has taken the list but
// not run it when CPU1 "locks" the still-locked csd and queues it again,
// CPU0 runs the node twice and its second csd_unlock() finds it unlocked:
// the kernel's own WARN, bucketed by its place in the tree.
TEST(KernelCheckers, CsdUnlockUnlockedIsTheKernelsWarnInCsdUnlock) {
  Simulator sim(NewKernelGuest());
  ASSERT_TRUE(sim.Load(Canonical()).ok());
  SimOptions o;
  o.record_trace = false;
  o.stop_on = 0;
  o.max_steps = 3000;
  int fired = 0, runs = 0;
  for (int k = 0; k < 4; ++k) {
    for (int m = 1; m < 30; ++m) {
      for (int j = 0; j < 30; ++j) {
        Schedule s(k, Choice{1, false});
        s.resize(k + m, Choice{2, false});
        s.push_back(Choice{0, true});
        s.resize(k + m + 1 + j, Choice{0, false});
        s.resize(k + m + 1 + j + 100, Choice{1, false});
        const RunResult& r = sim.Run(s, o);
        ++runs;
        EXPECT_FALSE(r.Has(Signature::kKernelWarn)) << Describe(r);
        const Report* w = Find(r, Signature::kCsdUnlockUnlocked);
        if (w == nullptr) continue;
        if (fired++ > 0) continue;
        EXPECT_EQ(w->cpus, std::vector<int>{0});
        EXPECT_EQ(w->csd, "csd_data[0]");
        EXPECT_EQ(w->where.rfind("csd_unlock(kernel/smp.c:", 0), 0u) << w->where;
        EXPECT_EQ(w->DedupKey(), "csd-unlock-unlocked@" + w->where);
        EXPECT_NE(w->message.find(w->where), std::string::npos) << w->message;
        // The model's verdict on its schedule of this race.
        const std::uint32_t model = SignatureBit(Signature::kCsdDoubleLock) |
                                    SignatureBit(Signature::kCallbackDuplicated) |
                                    SignatureBit(Signature::kCallbackLost) |
                                    SignatureBit(Signature::kCsdUnlockUnlocked) |
                                    SignatureBit(Signature::kDataRace);
        EXPECT_EQ(r.fired, model) << Describe(r);
        // Once per csd, though CPU0 unlocked it unlocked more than once.
        EXPECT_EQ(Count(r, Signature::kCsdUnlockUnlocked), 1);
      }
    }
  }
  std::printf("%s: csd-unlock-unlocked in %d of %d requeue-while-flushing schedules\n",
              kVariant.c_str(), fired, runs);
  if (kVariant == "b0473dcd") {
    EXPECT_GT(fired, 0);
  } else {
    EXPECT_EQ(fired, 0);
  }
}

// The kernel's own "csd: Detected non-responsive CSD lock", as printed.
TEST(KernelCheckers, CsdLockTimeoutIsTheKernelsPrAlert) {
  // Not a bug: CPU0 keeps IRQs off for 6 s, longer than csd_lock_timeout
  // (the model reports it on every variant: repro/irqs_off_timeout.repro).
  Scenario s = IrqsOffThenWait(6000);
  Simulator sim(NewKernelGuest());
  ASSERT_TRUE(sim.Load(s).ok());
  const RunResult& r = sim.Run(Schedule{});
  const Report* t = Find(r, Signature::kCsdLockTimeout);
  ASSERT_NE(t, nullptr) << Describe(r);
  EXPECT_NE(t->message.find("csd: Detected non-responsive CSD lock (#1) on CPU#1, waiting "),
            std::string::npos)
      << t->message;
  EXPECT_EQ(t->cpus, (std::vector<int>{1, 0}));
  // One report though the kernel printed more (the unstuck message too).
  EXPECT_EQ(Count(r, Signature::kCsdLockTimeout), 1);
  EXPECT_GE(kernel_rt::PrintkMessages().size(), 2u);

  // 100 ms with IRQs off: no timeout.
  ASSERT_TRUE(sim.Load(IrqsOffThenWait(100)).ok());
  EXPECT_TRUE(sim.Run(Schedule{}).clean());
}

// The model's cascade (lib/simulator_test.cc): a third sender's wait=1 call
// queued behind the self-loop waits past the timeout; on fixed the same
// schedule runs clean. The third sender first spends 100 ms with IRQs off,
// so that CPU0's handler has taken the list (and walks its cycle) before the
// wait=1 csd is queued: queued before, it would be on CPU0's chain and run.
TEST(KernelCheckers, CsdLockTimeoutBehindTheSelfLoop) {
  Schedule loop = kVariant == "b0473dcd" ? FirstSelfLoop() : Preempted(5, 20);
  ASSERT_FALSE(loop.empty());
  Scenario s = Canonical();
  s.nr_cpus = 4;
  Op off{OpKind::kIrqsOff};
  off.ms = 100;
  s.ops.push_back({off, Op{OpKind::kCallSingle, 0, true}});
  Simulator sim(NewKernelGuest());
  ASSERT_TRUE(sim.Load(s).ok());
  SimOptions o;
  o.stop_on = 0;
  o.record_trace = false;
  o.ns_per_step = 100 * 1000;  // 100 us a step: 5 s is 50k steps
  const RunResult& r = sim.Run(loop, o);
  const Report* t = Find(r, Signature::kCsdLockTimeout);
  if (kVariant != "b0473dcd") {
    EXPECT_TRUE(r.clean()) << Describe(r);
    EXPECT_TRUE(r.quiescent);
    return;
  }
  ASSERT_NE(t, nullptr) << Describe(r);
  EXPECT_EQ(t->cpus, (std::vector<int>{3, 0}));
  EXPECT_NE(t->message.find("csd: Detected non-responsive CSD lock (#1) on CPU#3"),
            std::string::npos)
      << t->message;
}

// get_single_csd_data() (b0473dcd, and fixed: the 2026 patch leaves it)
// takes per_cpu_ptr(&csd_data, cpu) before generic_exec_single() checks the
// CPU number: repro/percpu_out_of_range.repro.
TEST(KernelCheckers, PercpuOutOfRangeOnB0473dcdAndFixed) {
  Scenario s = Canonical();
  s.nr_cpus = 2;
  s.ops.assign(2, {});
  s.ops[1] = {Op{OpKind::kCallSingle, 7, false}, Op{OpKind::kCallSingle, -1, false}};
  Simulator sim(NewKernelGuest());
  ASSERT_TRUE(sim.Load(s).ok());
  const RunResult& r = sim.Run(Schedule{});
  EXPECT_TRUE(r.quiescent);
  if (kVariant == "baseline") {
    EXPECT_TRUE(r.clean()) << Describe(r);
    return;
  }
  EXPECT_EQ(r.fired, SignatureBit(Signature::kPercpuOutOfRange)) << Describe(r);
  EXPECT_EQ(Count(r, Signature::kPercpuOutOfRange), 2);  // CPU 7 and CPU -1
}

// A platform that runs a fiber straight through and keeps its ghosts.
class GhostRecorder final : public Platform {
 public:
  GhostRecorder() : Platform(false) {}
  std::uint64_t Perform(Cpu&, const Access&) override { return 0; }
  void Fence(Cpu&, FenceKind) override {}
  void Ghost(Cpu&, const GhostEvent& e) override {
    events.push_back(e);
    where.push_back(e.where != nullptr ? e.where : "");
    text.push_back(e.text != nullptr ? e.text : "");
  }
  std::uint64_t Clock(Cpu&) override { return 0; }
  void IrqsEnabled(Cpu&) override {}
  std::vector<GhostEvent> events;
  std::vector<std::string> where, text;
};

// What the tree's code calls, as it calls it: a WARN that is not csd_unlock's
// (no workload reaches one yet: the brief's workload never calls with IRQs
// off nor IPIs an offline CPU) and the unstuck message.
void WarnElsewhere(void*) {
  smpfuzz_printk("IPI on offline CPU %d\n", 0);
  smpfuzz_warn("kernel/smp.c", 496, "__flush_smp_call_function_queue");
  smpfuzz_warn("kernel/smp.c", 496, "__flush_smp_call_function_queue");
  smpfuzz_printk("csd: CSD lock (#%d) got unstuck on CPU#%02d, CPU#%02d released the lock.\n",
                 3, 1, 0);
}

TEST(KernelCheckers, OtherWarnsAreKernelWarnReportsPerLocation) {
  Simulator sim(NewKernelGuest());
  ASSERT_TRUE(sim.Load(Canonical()).ok());
  kernel_rt::ResetMemory();
  GhostRecorder rec;
  Cpu cpu;
  cpu.platform = &rec;
  kernel_rt::BindCpu(cpu);
  Task<void> t = kernel_rt::RunTask(cpu, &WarnElsewhere, nullptr);
  t.start();
  ASSERT_TRUE(t.done());
  ASSERT_EQ(rec.events.size(), 3u);
  EXPECT_EQ(rec.events[0].kind, GhostKind::kKernelWarn);
  EXPECT_EQ(rec.where[0], "__flush_smp_call_function_queue(kernel/smp.c:496)");
  EXPECT_EQ(rec.events[2].kind, GhostKind::kCsdLockUnstuck);
  EXPECT_EQ(rec.events[2].d, 3u);
  EXPECT_NE(rec.text[2].find("got unstuck"), std::string::npos);

  // The checkers make one kernel-warn report of the two, keyed by location.
  RequestOrigins requests;
  requests.Clear();
  Locations names;
  names.Clear(1, CsdLayout{});
  Checkers checkers;
  checkers.Reset(1, &requests, &names, false, true);
  for (std::size_t i = 0; i < rec.events.size(); ++i) {
    GhostEvent e = rec.events[i];
    e.where = rec.where[i].empty() ? nullptr : rec.where[i].c_str();
    e.text = rec.text[i].empty() ? nullptr : rec.text[i].c_str();
    checkers.OnGhost(0, e, i);
  }
  ASSERT_EQ(checkers.reports().size(), 1u);
  const Report& w = checkers.reports()[0];
  EXPECT_EQ(w.signature, Signature::kKernelWarn);
  EXPECT_EQ(w.DedupKey(), "kernel-warn@__flush_smp_call_function_queue(kernel/smp.c:496)");
  EXPECT_NE(w.message.find("CPU0 at __flush_smp_call_function_queue(kernel/smp.c:496)"),
            std::string::npos)
      << w.message;
}

}  // namespace
}  // namespace smpfuzz
