// SPDX-License-Identifier: GPL-2.0-only
//
// The model under the deterministic simulator: the CSD-lock race of the
// design brief, its consequences, every checker firing and staying silent,
// determinism.

#include "lib/simulator.h"

#include <set>
#include <string>

#include "gtest/gtest.h"
#include "lib/explorer.h"
#include "lib/model_guest.h"
#include "lib/requests.h"
#include "lib/smp.h"

namespace smpfuzz {
namespace {

Op Single(int target, bool wait) {
  Op op;
  op.kind = OpKind::kCallSingle;
  op.target = target;
  op.wait = wait;
  return op;
}
Op Async(int target, int csd = -1) {
  Op op;
  op.kind = OpKind::kCallSingleAsync;
  op.target = target;
  op.csd = csd;
  return op;
}
Op Many(std::uint64_t mask, bool wait) {
  Op op;
  op.kind = OpKind::kCallMany;
  op.mask = mask;
  op.wait = wait;
  return op;
}
Op Hotplug(int cpu, bool online) {
  Op op;
  op.kind = online ? OpKind::kCpuOnline : OpKind::kCpuOffline;
  op.target = cpu;
  return op;
}

Op IrqsOff(std::uint32_t ms) {
  Op op;
  op.kind = OpKind::kIrqsOff;
  op.ms = ms;
  return op;
}

Scenario Make(const char* variant, bool debug, std::vector<std::vector<Op>> ops) {
  Scenario s;
  s.nr_cpus = static_cast<int>(ops.size());
  s.variant = FindVariant(variant);
  s.csdlock_debug = debug;
  s.ops = std::move(ops);
  return s;
}

Schedule Steps(std::initializer_list<std::pair<int, int>> runs) {
  Schedule s;
  for (auto [cpu, n] : runs) {
    for (int i = 0; i < n; ++i) s.push_back({static_cast<std::uint8_t>(cpu), false});
  }
  return s;
}

std::string Describe(const RunResult& r) {
  std::string out;
  for (const Report& rep : r.reports) {
    out += std::string(SignatureName(rep.signature)) + ": " + rep.message + "\n";
  }
  return out.empty() ? "clean" : out;
}

const Report* Find(const RunResult& r, Signature s) {
  for (const Report& rep : r.reports) {
    if (rep.signature == s) return &rep;
  }
  return nullptr;
}

// ---- the bug of the design brief ------------------------------------------------

TEST(CsdLockRace, ShortestInterleavingSelfLoopsOnB0473dcd) {
  Simulator sim(NewModelGuest());
  const RunResult& r =
      sim.Run(CanonicalScenario(FindVariant("b0473dcd")), CanonicalSelfLoopSchedule());
  ASSERT_TRUE(r.Has(Signature::kLlistSelfLoop)) << Describe(r);
  ASSERT_TRUE(r.Has(Signature::kCsdDoubleLock)) << Describe(r);
  const Report* loop = Find(r, Signature::kLlistSelfLoop);
  const Report* dlock = Find(r, Signature::kCsdDoubleLock);
  EXPECT_LT(dlock->step, loop->step);
  EXPECT_EQ(loop->csd, "csd_data[0]");
  EXPECT_EQ(loop->cpus, std::vector<int>{1});
  EXPECT_EQ(dlock->cpus, (std::vector<int>{1, 2}));
  EXPECT_EQ(r.Primary()->signature, Signature::kLlistSelfLoop);
  EXPECT_EQ(r.preemptions, 1u);
  // The self-loop ends the run (SimOptions::stop_on): no quiescence.
  EXPECT_FALSE(r.quiescent);
  // The plain read-modify-write of u_flags is a data race too.
  EXPECT_TRUE(r.Has(Signature::kDataRace));
}

TEST(CsdLockRace, SameScheduleIsCleanOnFixedBaselineAndWithDebugOff) {
  struct Case {
    const char* variant;
    bool debug;
  } cases[] = {{"fixed", true}, {"baseline", true}, {"b0473dcd", false}, {"fixed", false}};
  for (const Case& c : cases) {
    Scenario s = CanonicalScenario(FindVariant(c.variant));
    s.csdlock_debug = c.debug;
    Simulator sim(NewModelGuest());
    const RunResult& r = sim.Run(s, CanonicalSelfLoopSchedule());
    EXPECT_TRUE(r.clean()) << c.variant << " debug=" << c.debug << ": " << Describe(r);
    EXPECT_TRUE(r.quiescent) << c.variant;
  }
}

Scenario Cascade(const char* variant) {
  Scenario s = CanonicalScenario(FindVariant(variant));
  s.nr_cpus = 4;
  s.ops.push_back({Single(0, /*wait=*/true)});
  return s;
}

TEST(CsdLockRace, ThirdCpusSynchronousCallGetsStuckBehindTheSelfLoop) {
  SimOptions opt;
  opt.stop_on = 0;  // watch the consequences
  opt.record_trace = false;
  Simulator sim(NewModelGuest());
  const RunResult& r = sim.Run(Cascade("b0473dcd"), CanonicalSelfLoopSchedule(), opt);
  EXPECT_TRUE(r.Has(Signature::kLlistSelfLoop)) << Describe(r);
  EXPECT_TRUE(r.Has(Signature::kCsdLockTimeout) || r.Has(Signature::kCpuStuck)) << Describe(r);
  const Report* stuck = Find(r, Signature::kCpuStuck);
  ASSERT_NE(stuck, nullptr);
  // CPU0 walks the cycle in its IPI handler; CPU3 waits for its csd_stack.
  EXPECT_NE(std::find(stuck->cpus.begin(), stuck->cpus.end(), 0), stuck->cpus.end());
  EXPECT_NE(std::find(stuck->cpus.begin(), stuck->cpus.end(), 3), stuck->cpus.end());
  // The node is ASYNC: the SYNC pass of __flush_smp_call_function_queue
  // skips it, follows next back to it, and never leaves.
  bool in_sync_pass = false;
  for (Site site : stuck->sites) {
    in_sync_pass |= site == Site::flush_read_next || site == Site::flush_read_type;
  }
  EXPECT_TRUE(in_sync_pass) << stuck->message;
}

TEST(CsdLockRace, WithCoarseVirtualTimeTheWaiterReportsACsdLockTimeout) {
  SimOptions opt;
  opt.stop_on = 0;
  opt.record_trace = false;
  opt.ns_per_step = 100 * 1000;  // 100 us a step: 5 s is 50k steps
  Simulator sim(NewModelGuest());
  const RunResult& r = sim.Run(Cascade("b0473dcd"), CanonicalSelfLoopSchedule(), opt);
  const Report* timeout = Find(r, Signature::kCsdLockTimeout);
  ASSERT_NE(timeout, nullptr) << Describe(r);
  EXPECT_EQ(timeout->cpus, (std::vector<int>{3, 0}));
  EXPECT_NE(timeout->message.find("csd: Detected non-responsive CSD lock (#1) on CPU#3"),
            std::string::npos)
      << timeout->message;
}

TEST(CsdLockRace, CascadeIsCleanOnFixed) {
  Simulator sim(NewModelGuest());
  const RunResult& r = sim.Run(Cascade("fixed"), CanonicalSelfLoopSchedule());
  EXPECT_TRUE(r.clean()) << Describe(r);
  EXPECT_TRUE(r.quiescent);
}

// ---- every checker fires somewhere and stays silent elsewhere --------------------

struct OracleCase {
  const char* name;
  Signature signature;
  Scenario fires;
  Schedule fires_schedule;
  Scenario silent;
  Schedule silent_schedule;
  SimOptions options;
};

std::vector<OracleCase> OracleCases() {
  std::vector<OracleCase> cases;
  SimOptions dflt;
  SimOptions no_stop;
  no_stop.stop_on = 0;
  Scenario canon_bug = CanonicalScenario(FindVariant("b0473dcd"));
  Scenario canon_fixed = CanonicalScenario(FindVariant("fixed"));
  Schedule loop = CanonicalSelfLoopSchedule();
  // CPU1 passes the wait; CPU2 queues its request; CPU0's handler takes the
  // list (llist_del_all) but has not run it yet; CPU1 "locks" the still-locked
  // csd, overwrites func/info and queues the node again: it is now on CPU0's
  // private chain and on the queue at once.
  Schedule late = Steps({{1, 1}, {2, 11}});
  late.push_back({0, true});
  late.push_back({0, false});
  for (int i = 0; i < 10; ++i) late.push_back({1, false});
  // Both CPUs take the lock, then interleave their func/info stores.
  Schedule mixed = Steps({{1, 1}, {2, 3}, {1, 2}, {1, 1}, {2, 1}, {2, 1}, {1, 1}});

  cases.push_back({"self-loop", Signature::kLlistSelfLoop, canon_bug, loop, canon_fixed, loop, dflt});
  cases.push_back(
      {"double-lock", Signature::kCsdDoubleLock, canon_bug, loop, canon_fixed, loop, dflt});
  cases.push_back({"data-race", Signature::kDataRace, canon_bug, loop, canon_fixed, loop, dflt});
  cases.push_back({"duplicated", Signature::kCallbackDuplicated, canon_bug, late, canon_fixed,
                   late, no_stop});
  cases.push_back(
      {"lost", Signature::kCallbackLost, canon_bug, late, canon_fixed, late, no_stop});
  cases.push_back({"unlock-unlocked", Signature::kCsdUnlockUnlocked, canon_bug, late,
                   canon_fixed, late, no_stop});
  cases.push_back({"corrupted", Signature::kCallbackCorrupted, canon_bug, mixed, canon_fixed,
                   mixed, no_stop});
  // A CPU with interrupts off for 6 s (virtual) holds up a wait=1 caller past
  // csd_lock_timeout=5000 ms; 100 ms does not.
  cases.push_back({"lock-timeout", Signature::kCsdLockTimeout,
                   Make("fixed", true, {{IrqsOff(6000)}, {Single(0, true)}}), Steps({{0, 0}}),
                   Make("fixed", true, {{IrqsOff(100)}, {Single(0, true)}}), Steps({{0, 0}}),
                   dflt});
  // No IPI ever: a wait=1 caller without debug spins forever: deadlock.
  cases.push_back({"cpu-stuck", Signature::kCpuStuck,
                   Make("mutant-no-ipi", false, {{}, {Single(0, true)}}), {},
                   Make("fixed", false, {{}, {Single(0, true)}}), {}, dflt});
  // get_single_csd_data() indexes csd_data with a CPU number it never checks.
  cases.push_back({"percpu", Signature::kPercpuOutOfRange,
                   Make("b0473dcd", true, {{}, {Single(7, false)}}), {},
                   Make("baseline", true, {{}, {Single(7, false)}}), {}, dflt});
  // csd_unlock() without its release: the waiter's acquire no longer orders
  // the target's plain reads of func/info before the next owner's stores.
  cases.push_back({"data-race (plain unlock)", Signature::kDataRace,
                   Make("mutant-plain-unlock", true, {{}, {Single(0, false), Single(0, false)}}),
                   {}, Make("fixed", true, {{}, {Single(0, false), Single(0, false)}}), {},
                   dflt});
  // CPU1's first async call is queued and CPU0's flush has run its callback;
  // CPU1 calls again on the csd. Before 8053871d0f7f the flush released the
  // csd only after the callback: -EBUSY although nothing holds the csd.
  Schedule served = Steps({{1, 6}});
  served.push_back({0, true});
  for (int i = 0; i < 11; ++i) served.push_back({0, false});
  served.push_back({1, false});
  SimOptions no_races;  // reusing the csd unserialized is the caller's race (async_ebusy.repro)
  no_races.detect_races = false;
  cases.push_back({"spurious-busy", Signature::kCsdSpuriousBusy,
                   Make("mutant-async-unlock-after-call", true, {{}, {Async(0, 0), Async(0, 0)}}),
                   served, Make("fixed", true, {{}, {Async(0, 0), Async(0, 0)}}), served,
                   no_races});
  // A callback that kfree()s its fresh csd (free=1, scftorture's handler
  // owning a no-wait request). The flush releases an ASYNC csd before the
  // callback for this; before 8053871d0f7f it released it after: the
  // csd_unlock() writes freed memory.
  Op frees = Async(0);
  frees.handler_frees = true;
  cases.push_back({"use-after-free", Signature::kUseAfterFree,
                   Make("mutant-async-unlock-after-call", true, {{}, {frees}}), {},
                   Make("fixed", true, {{}, {frees}}), {}, dflt});
  // CPU1 queues a call to CPU2 and sends the IPI; CPU0 takes CPU2 down
  // before CPU2 takes it. smpcfd_dying_cpu() must run it; before
  // 8d056c48e486 nothing did.
  Schedule dies = Steps({{1, 11}, {0, 1}});
  cases.push_back({"offline-cpu-entry", Signature::kOfflineCpuEntry,
                   Make("mutant-no-dying-flush", false, {{Hotplug(2, false)}, {Single(2, false)}, {}}),
                   dies, Make("fixed", false, {{Hotplug(2, false)}, {Single(2, false)}, {}}), dies,
                   dflt});
  return cases;
}

TEST(Oracles, EachFiresOnItsScenarioAndStaysSilentOnTheFixedOne) {
  for (const OracleCase& c : OracleCases()) {
    Simulator sim(NewModelGuest());
    const RunResult& fires = sim.Run(c.fires, c.fires_schedule, c.options);
    EXPECT_TRUE(fires.Has(c.signature)) << c.name << ": " << Describe(fires);
    const RunResult& silent = sim.Run(c.silent, c.silent_schedule, c.options);
    EXPECT_FALSE(silent.Has(c.signature)) << c.name << ": " << Describe(silent);
    EXPECT_TRUE(silent.clean()) << c.name << ": " << Describe(silent);
  }
}

TEST(Oracles, EverySignatureIsCovered) {
  std::set<Signature> covered;
  for (const OracleCase& c : OracleCases()) covered.insert(c.signature);
  // The model has no WARN but csd_unlock's (csd-unlock-unlocked): kernel-warn
  // is the kernel guest's, tested in kernel/kernel_guest_test.cc.
  covered.insert(Signature::kKernelWarn);
  EXPECT_EQ(covered.size(), static_cast<std::size_t>(kSignatureCount));
}

// ---- model behaviour ---------------------------------------------------------------

TEST(Model, OfflineAndImpossibleTargetsGetEnxioAndNoCallback) {
  Scenario s = Make("baseline", true, {{}, {Single(2, true), Single(9, false), Single(-1, true)}, {}});
  s.offline_mask = 1u << 2;
  Simulator sim(NewModelGuest());
  ASSERT_TRUE(sim.Load(s).ok());
  const RunResult& r = sim.Run(Schedule{});
  EXPECT_TRUE(r.clean()) << Describe(r);
  EXPECT_TRUE(r.quiescent);
}

TEST(Model, LocalCallRunsInPlaceWithoutAnIpi) {
  Simulator sim(NewModelGuest());
  const RunResult& r = sim.Run(Make("fixed", true, {{}, {Single(1, true), Single(1, false)}}), {});
  EXPECT_TRUE(r.clean()) << Describe(r);
  for (const TraceEntry& e : r.trace) {
    EXPECT_NE(e.kind, AccessKind::kSendIpi);
    EXPECT_NE(e.event, TraceEvent::kIpiDelivered);
  }
}

// Callbacks that kfree() their csd (free=1): every interleaving up to two
// preemptions, on the remote path (the flush), the local one
// (generic_exec_single() runs it in place) and an offline target (-ENXIO,
// no callback). The real variants never touch the csd after the callback;
// the mutant that releases ASYNC csds after it does, and only on the flush.
TEST(Model, ACallbackFreesItsCsdOnlyOnceTheKernelIsDoneWithIt) {
  Op remote = Async(0), local = Async(1), offline = Async(3);
  for (Op* op : {&remote, &local, &offline}) op->handler_frees = true;
  auto explore = [](const char* variant, std::vector<std::vector<Op>> ops) {
    Scenario s = Make(variant, true, std::move(ops));
    s.offline_mask = 1u << 3;
    ExploreOptions o;
    o.max_preemptions = 2;
    return Explore(s, o);
  };
  for (const char* v : {"baseline", "b0473dcd", "fixed"}) {
    const ExploreResult r = explore(v, {{}, {remote, local, offline}, {remote}, {}});
    EXPECT_FALSE(r.found) << v << ": " << SignatureName(r.signature);
    EXPECT_TRUE(r.complete) << v;
  }
  const ExploreResult flush = explore("mutant-async-unlock-after-call", {{}, {remote}, {}, {}});
  ASSERT_TRUE(flush.found);
  EXPECT_EQ(flush.signature, Signature::kUseAfterFree);
  EXPECT_EQ(flush.bound, 0);
  const ExploreResult in_place =
      explore("mutant-async-unlock-after-call", {{}, {local, offline}, {}, {}});
  EXPECT_FALSE(in_place.found) << SignatureName(in_place.signature);
}

// ---- callbacks that act (act=) ---------------------------------------------------

Op Acting(Op op, CallbackAct act, int arg = 0) {
  op.act = act;
  op.act_arg = arg;
  return op;
}

// The callbacks' calls, in trace order: (CPU, token).
std::vector<std::pair<int, std::uint32_t>> Calls(const RunResult& r) {
  std::vector<std::pair<int, std::uint32_t>> calls;
  for (auto [cpu, func] : r.Calls()) calls.push_back({cpu, TokenOfFunc(func)});
  return calls;
}

ExploreResult ExploreUpTo2(const char* variant, std::vector<std::vector<Op>> ops,
                           std::uint64_t offline = 0) {
  Scenario s = Make(variant, true, std::move(ops));
  s.offline_mask = offline;
  ExploreOptions o;
  o.max_preemptions = 2;
  return Explore(s, o);
}

// act=rearm: the callback queues its own fresh csd once more, which the
// flush allows by releasing an ASYNC csd before its callback (8053871d0f7f).
// Clean in every interleaving up to two preemptions on the real variants,
// with a second caller on the same target; the mutant that releases after
// the callback makes the re-arm get -EBUSY although every call on the csd
// is done (csd-spurious-busy), at no preemption.
TEST(Model, ACallbackQueuesItsOwnAsyncCsdAgain) {
  const Op rearm = Acting(Async(0), CallbackAct::kRearm);
  Simulator sim(NewModelGuest());
  const RunResult& r = sim.Run(Make("fixed", true, {{}, {rearm}, {}}), {});
  EXPECT_TRUE(r.clean()) << Describe(r);
  EXPECT_TRUE(r.quiescent);
  // Token 1 is the op's, token 2 the re-armed request's: both on CPU0.
  EXPECT_EQ(Calls(r), (std::vector<std::pair<int, std::uint32_t>>{{0, 1}, {0, 2}}));
  for (const char* v : {"baseline", "b0473dcd", "fixed"}) {
    const ExploreResult e = ExploreUpTo2(v, {{}, {rearm}, {Async(0)}});
    EXPECT_FALSE(e.found) << v << ": " << SignatureName(e.signature);
    EXPECT_TRUE(e.complete) << v;
  }
  const ExploreResult mutant = ExploreUpTo2("mutant-async-unlock-after-call", {{}, {rearm}, {}});
  ASSERT_TRUE(mutant.found);
  EXPECT_EQ(mutant.signature, Signature::kCsdSpuriousBusy);
  EXPECT_EQ(mutant.bound, 0);
}

// act=nest:T: the callback calls CPU T with a fresh csd from its interrupt:
// to another CPU (which takes it while it waits for its own call), to
// itself (run in place), to an offline CPU (-ENXIO, no callback).
TEST(Model, ACallbackCallsAnotherCpuFromItsInterrupt) {
  using Calls_ = std::vector<std::pair<int, std::uint32_t>>;
  Simulator sim(NewModelGuest());
  Scenario back = Make("fixed", true, {{}, {Acting(Single(0, true), CallbackAct::kNest, 1)}, {}});
  const RunResult& r = sim.Run(back, {});
  EXPECT_TRUE(r.clean()) << Describe(r);
  EXPECT_EQ(Calls(r), (Calls_{{0, 1}, {1, 2}}));
  const RunResult& self =
      sim.Run(Make("fixed", true, {{}, {Acting(Async(0), CallbackAct::kNest, 0)}, {}}), {});
  EXPECT_TRUE(self.clean()) << Describe(self);
  EXPECT_EQ(Calls(self), (Calls_{{0, 1}, {0, 2}}));
  Scenario off = Make("fixed", true, {{}, {Acting(Single(0, false), CallbackAct::kNest, 2)}, {}});
  off.offline_mask = 1u << 2;
  const RunResult& enxio = sim.Run(off, {});
  EXPECT_TRUE(enxio.clean()) << Describe(enxio);
  EXPECT_EQ(Calls(enxio), (Calls_{{0, 1}}));
  for (const char* v : {"baseline", "b0473dcd", "fixed"}) {
    const ExploreResult e = ExploreUpTo2(
        v, {{}, {Acting(Single(0, true), CallbackAct::kNest, 2)}, {Async(1)}});
    EXPECT_FALSE(e.found) << v << ": " << SignatureName(e.signature);
    EXPECT_TRUE(e.complete) << v;
  }
}

// act=complete (scftorture's SINGLE_RPC): a wait=0 call whose caller sleeps
// in wait_for_completion() until the callback's complete(). Its wait ends
// after the store-release on the target; clean to bound 2 with a second
// sender on the real variants; without IPIs (mutant-no-ipi) the waiter
// never wakes: cpu-stuck, where a plain wait=0 call's loss shows only at
// quiescence.
TEST(Model, AnRpcWaitsForItsCallbacksComplete) {
  const Op rpc = Acting(Single(0, false), CallbackAct::kComplete);
  Simulator sim(NewModelGuest());
  const RunResult& r = sim.Run(Make("fixed", true, {{}, {rpc}}), {});
  EXPECT_TRUE(r.clean()) << Describe(r);
  std::int64_t completed = -1, woke = -1;
  for (std::size_t i = 0; i < r.trace.size(); ++i) {
    const TraceEntry& e = r.trace[i];
    if (e.event != TraceEvent::kAccess) continue;
    if (e.site == Site::rpc_complete) {
      EXPECT_EQ(e.cpu, 0);
      completed = static_cast<std::int64_t>(i);
    }
    if (e.site == Site::rpc_wait_for_completion) {
      EXPECT_EQ(e.cpu, 1);
      woke = static_cast<std::int64_t>(i);
    }
  }
  ASSERT_GE(completed, 0);
  EXPECT_GT(woke, completed);
  // An RPC makes no call of its own: a later op's nested call is still its own.
  const RunResult& then_nest =
      sim.Run(Make("fixed", true, {{}, {rpc, Acting(Async(0), CallbackAct::kNest, 1)}}), {});
  EXPECT_TRUE(then_nest.clean()) << Describe(then_nest);
  EXPECT_EQ(then_nest.Calls().size(), 3u);
  for (const char* v : {"baseline", "b0473dcd", "fixed"}) {
    const ExploreResult e = ExploreUpTo2(v, {{}, {rpc}, {Single(0, true)}});
    EXPECT_FALSE(e.found) << v << ": " << SignatureName(e.signature);
    EXPECT_TRUE(e.complete) << v;
  }
  const RunResult& stuck = sim.Run(Make("mutant-no-ipi", true, {{}, {rpc}}), {});
  EXPECT_TRUE(stuck.Has(Signature::kCpuStuck)) << Describe(stuck);
}

// act=delay:K: K cpu_relax() steps on the target, after the callback's call
// and before its SYNC csd is released, while the caller spins in
// csd_lock_wait().
TEST(Model, ADelayingCallbackSpinsItsStepsBeforeTheCsdIsReleased) {
  Simulator sim(NewModelGuest());
  const RunResult& r =
      sim.Run(Make("fixed", true, {{}, {Acting(Single(0, true), CallbackAct::kDelay, 3)}}), {});
  EXPECT_TRUE(r.clean()) << Describe(r);
  int delays = 0;
  bool called = false, released = false;
  for (const TraceEntry& e : r.trace) {
    if (e.event != TraceEvent::kAccess) continue;
    if (e.kind == AccessKind::kCall) called = true;
    if (e.site == Site::callback_udelay) {
      ++delays;
      EXPECT_EQ(e.cpu, 0);
      EXPECT_TRUE(e.in_irq);
      EXPECT_TRUE(called);
      EXPECT_FALSE(released);
    }
    if (called && e.kind == AccessKind::kStoreRelease && e.cpu == 0) released = true;
  }
  EXPECT_EQ(delays, 3);
  EXPECT_TRUE(released);
}

// CPU hotplug at run time. stop_machine() waits for every CPU to be
// preemptible: CPU1's interrupts-off section ends before CPU2 goes down.
TEST(Model, TakingACpuDownWaitsForEveryCpuToBeStoppable) {
  Scenario s = Make("fixed", true, {{Hotplug(2, false)}, {IrqsOff(1)}, {}});
  Simulator sim(NewModelGuest());
  ASSERT_TRUE(sim.Load(s).ok());
  // CPU0 first: not enabled while CPU1 has interrupts off, so CPU1 runs.
  const RunResult& r = sim.Run(Steps({{1, 1}, {0, 5}}));
  EXPECT_TRUE(r.clean()) << Describe(r);
  // (local_irq_restore() turns interrupts on before its scheduling point.)
  std::size_t down = 0, delay = 0;
  for (std::size_t i = 0; i < r.trace.size(); ++i) {
    if (r.trace[i].kind == AccessKind::kCpuDown) down = i;
    if (r.trace[i].kind == AccessKind::kDelay && r.trace[i].cpu == 1) delay = i;
  }
  ASSERT_GT(down, 0u) << Describe(r);
  EXPECT_GT(down, delay) << Describe(r);
  EXPECT_NE(r.trace[down].read, 0u) << "CPU2 went down";
}

// The dying CPU's extra task moves to the next online CPU and finishes
// there; its own task is parked while it is down and finishes once it is
// back; a CPU offline from boot can be brought up and called; taking down
// the last online CPU or an offline one does nothing.
TEST(Model, HotplugMovesTasksParksTheOwnOneAndBringsCpusBack) {
  // CPU2's own task and its extra task 4 each wait for a wait=1 call (after
  // put_cpu(): preemptible) when CPU0 takes CPU2 down; CPU0 then calls CPU2
  // (-ENXIO), brings CPU2 and the boot-offline CPU3 up and calls CPU3.
  Scenario s = Make("fixed", true,
                    {{Hotplug(2, false), Single(2, true), Hotplug(2, true), Hotplug(3, true),
                      Single(3, true)},
                     {},
                     {Single(1, true)},
                     {}});
  s.offline_mask = 1u << 3;
  s.tasks.push_back({2, {Single(0, true)}});
  Simulator sim(NewModelGuest());
  ASSERT_TRUE(sim.Load(s).ok());
  const RunResult& r = sim.Run(Steps({{2, 8}, {4, 8}, {0, 1}}));
  EXPECT_TRUE(r.clean()) << Describe(r);
  EXPECT_TRUE(r.quiescent);
  int dead = 0, migrated = 0, calls = 0, own_after_up = 0;
  bool up = false;
  for (const TraceEntry& e : r.trace) {
    dead += e.event == TraceEvent::kCpuDead;
    migrated += e.event == TraceEvent::kMigrated && e.aux == 2;
    calls += e.event == TraceEvent::kAccess && e.kind == AccessKind::kCall;
    if (e.kind == AccessKind::kCpuUp && e.written == 2) up = true;
    own_after_up += up && e.cpu == 2 && e.task < 0 && !e.in_irq && e.event == TraceEvent::kAccess;
  }
  EXPECT_EQ(dead, 1);
  EXPECT_EQ(migrated, 1) << "task 4 leaves the dying CPU2";
  // Every callback but that of CPU0's call to CPU2 while it is down (-ENXIO).
  EXPECT_EQ(calls, 3) << Describe(r);
  EXPECT_GT(own_after_up, 0) << "CPU2's own task, parked mid-list, resumes once it is up";

  Scenario last = Make("fixed", true, {{Hotplug(0, false), Hotplug(1, false)}, {}});
  last.offline_mask = 1u << 1;
  const RunResult& l = sim.Run(last, {});
  EXPECT_TRUE(l.clean()) << Describe(l);
  for (const TraceEntry& e : l.trace) {
    if (e.kind == AccessKind::kCpuDown) EXPECT_EQ(e.read, 0u) << "nothing to take down";
  }
}

// Every interleaving up to two preemptions: a call to CPU2 in flight, an
// invoker on CPU2, CPU2 taken down and up. The real kernels flush the dying
// CPU; the mutant leaves the entry there at no preemption at all.
TEST(Model, TheDyingCpuRunsWhatWasQueuedToIt) {
  auto scenario = [](const char* variant) {
    Scenario s = Make(variant, true,
                      {{Hotplug(2, false), Hotplug(2, true)}, {Single(2, false)}, {}});
    s.tasks.push_back({2, {Single(1, true)}});
    return s;
  };
  ExploreOptions o;
  o.max_preemptions = 2;
  for (const char* v : {"baseline", "b0473dcd", "fixed"}) {
    const ExploreResult r = Explore(scenario(v), o);
    EXPECT_FALSE(r.found) << v << ": " << SignatureName(r.signature);
    EXPECT_TRUE(r.complete) << v;
  }
  o.violations = SignatureBit(Signature::kOfflineCpuEntry);
  const ExploreResult m = Explore(scenario("mutant-no-dying-flush"), o);
  ASSERT_TRUE(m.found);
  EXPECT_EQ(m.signature, Signature::kOfflineCpuEntry);
  EXPECT_EQ(m.bound, 0);
}

// remove_cpu() of the caller's own CPU returns on the CPU the caller was
// moved to: what it does next is that CPU's. Found by the baseline fuzzer: an
// extra task took CPU0 down and its next call_many (local, cond true on CPU0
// only) was issued as CPU0's, ran as CPU1's and was called corrupted and lost.
TEST(Model, ATaskThatTakesItsOwnCpuDownGoesOnWhereItWasMoved) {
  Op many;
  many.kind = OpKind::kCallMany;
  many.mask = 0b11;
  many.local = true;
  many.cond = 0b01;
  for (const bool extra : {true, false}) {
    for (const char* v : {"baseline", "b0473dcd", "fixed"}) {
      Scenario s = Make(v, false, {{}, {}});
      (extra ? s.tasks.emplace_back(TaskOps{0, {}}).ops : s.ops[0]) = {Hotplug(0, false), many};
      ExploreOptions o;
      o.max_preemptions = 2;
      const ExploreResult r = Explore(s, o);
      EXPECT_FALSE(r.found) << v << (extra ? " extra task: " : " CPU0's task: ") << SignatureName(r.signature);
      EXPECT_TRUE(r.complete) << v;
    }
  }
  // The fair run: the extra task's call_many is CPU1's (cond false there: no
  // local call) and CPU0 is gone (no remote one).
  Scenario s = Make("fixed", false, {{}, {}});
  s.tasks.push_back({0, {Hotplug(0, false), many}});
  Simulator sim(NewModelGuest());
  ASSERT_TRUE(sim.Load(s).ok());
  const RunResult& r = sim.Run(Schedule{});
  EXPECT_TRUE(r.clean()) << Describe(r);
  bool returned = false;
  for (const TraceEntry& e : r.trace) {
    if (e.kind == AccessKind::kDelay && e.site == Site::cpu_down) {
      returned = true;
      EXPECT_EQ(e.cpu, 1);
    }
    EXPECT_NE(e.kind, AccessKind::kCall) << "a callback ran";
  }
  EXPECT_TRUE(returned);
}

TEST(Model, AsyncOnABusyCsdReturnsEbusyAndItsCallbackRunsOnce) {
  // Two async calls on one csd, the second while the first is still queued.
  Scenario s = Make("fixed", true, {{}, {Async(0, 0), Async(0, 0)}});
  Simulator sim(NewModelGuest());
  ASSERT_TRUE(sim.Load(s).ok());
  SimOptions opt;
  opt.detect_races = false;  // reusing an in-flight csd is the caller's race
  const RunResult& r = sim.Run(Steps({{1, 30}}), opt);
  EXPECT_TRUE(r.clean()) << Describe(r);
  // The second call read CSD_FLAG_LOCK and returned before generic_exec_single.
  int flag_reads = 0;
  for (const TraceEntry& e : r.trace) {
    if (e.site == Site::scfsa_read_flags) {
      ++flag_reads;
      if (flag_reads == 2) EXPECT_EQ(e.read & CSD_FLAG_LOCK, CSD_FLAG_LOCK);
    }
  }
  EXPECT_EQ(flag_reads, 2);
}

TEST(Model, EbusyOnASharedCsdCancelsTheRequestForItsOwnTarget) {
  // Found by the fixed fuzz target: a -EBUSY return used to cancel the
  // expectation of the csd's last call (target 2) instead of its own (1).
  Scenario s = Make("fixed", true, {{}, {}, {Async(1, 0), Async(1, 0), Async(2, 0)}});
  SimOptions opt;
  opt.detect_races = false;  // the caller's race on the shared csd; see async_ebusy.repro
  Simulator sim(NewModelGuest());
  const RunResult& r = sim.Run(s, Steps({{2, 22}}), opt);
  EXPECT_TRUE(r.clean()) << Describe(r);
  EXPECT_TRUE(r.quiescent);
}

TEST(Model, ManyWithWaitRunsSyncPassAndWaitsForEveryTarget) {
  Scenario s = Make("fixed", true, {{}, {Many(0b1111, true)}, {}, {}});
  Simulator sim(NewModelGuest());
  const RunResult& r = sim.Run(s, {});
  EXPECT_TRUE(r.clean()) << Describe(r);
  int sync_calls = 0;
  for (const TraceEntry& e : r.trace) sync_calls += e.site == Site::flush_sync_call;
  EXPECT_EQ(sync_calls, 3);  // CPU0, CPU2 and CPU3; not the caller CPU1
}

// The CPUs on which a callback ran (the model's csd_do_func()).
std::uint64_t CallbackCpus(const RunResult& r) {
  std::uint64_t cpus = 0;
  for (auto [cpu, func] : r.Calls()) cpus |= std::uint64_t{1} << cpu;
  return cpus;
}

RunResult RunOne(Op op, std::uint64_t offline = 0) {
  Scenario s = Make("fixed", true, {{}, {op}, {}, {}});
  s.offline_mask = offline;
  Simulator sim(NewModelGuest());
  return sim.Run(s, {});
}

TEST(Model, CallFunctionRunsOnEveryOtherOnlineCpuAndWaitsForThem) {
  Op op{.kind = OpKind::kCallFunction, .wait = true};
  RunResult r = RunOne(op, /*offline=*/0b0100);
  EXPECT_TRUE(r.clean()) << Describe(r);
  EXPECT_EQ(CallbackCpus(r), 0b1001u);  // CPU0 and CPU3: not the caller, not offline CPU2
  op.wait = false;
  r = RunOne(op);
  EXPECT_TRUE(r.clean()) << Describe(r);
  EXPECT_EQ(CallbackCpus(r), 0b1101u);
}

TEST(Model, CallAnyTakesThisCpuThenTheFirstOnlineOneOfTheMask) {
  Op op{.kind = OpKind::kCallAny, .wait = true, .mask = 0b1110};
  RunResult r = RunOne(op);
  EXPECT_TRUE(r.clean()) << Describe(r);
  EXPECT_EQ(CallbackCpus(r), 0b0010u);  // the caller, CPU1, in place
  for (const TraceEntry& e : r.trace) EXPECT_NE(e.kind, AccessKind::kSendIpi);
  op.mask = 0b1100;
  r = RunOne(op, /*offline=*/0b0100);
  EXPECT_TRUE(r.clean()) << Describe(r);
  EXPECT_EQ(CallbackCpus(r), 0b1000u);  // CPU2 is offline: CPU3
  op.mask = 0b0100;
  r = RunOne(op, /*offline=*/0b0100);  // nothing online in the mask: -ENXIO
  EXPECT_TRUE(r.clean()) << Describe(r);
  EXPECT_EQ(CallbackCpus(r), 0u);
  // Without wait, it hands nr_cpu_ids to smp_call_function_single(), whose
  // b0473dcd csd choice indexes csd_data with it before any check.
  op.wait = false;
  r = RunOne(op, /*offline=*/0b0100);
  ASSERT_EQ(r.reports.size(), 1u) << Describe(r);
  EXPECT_EQ(r.reports[0].signature, Signature::kPercpuOutOfRange);
  EXPECT_EQ(CallbackCpus(r), 0u);
  Scenario s = Make("baseline", true, {{}, {op}, {}, {}});
  s.offline_mask = 0b0100;
  Simulator sim(NewModelGuest());
  EXPECT_TRUE(sim.Run(s, {}).clean());
}

TEST(Model, OnEachCpuCondMaskRunsWhereTheConditionHolds) {
  Op op{.kind = OpKind::kCallMany, .wait = true, .mask = 0b1111, .local = true, .cond = 0b1010};
  RunResult r = RunOne(op);
  EXPECT_TRUE(r.clean()) << Describe(r);
  EXPECT_EQ(CallbackCpus(r), 0b1010u);  // CPU1 locally, CPU3 remotely
  // The CPUs it skips get no csd: only CPU3's is filled in.
  int remote = 0;
  for (const TraceEntry& e : r.trace) remote += e.site == Site::scfm_set_func;
  EXPECT_EQ(remote, 1);
  op.cond = kNoCond;
  r = RunOne(op);
  EXPECT_TRUE(r.clean()) << Describe(r);
  EXPECT_EQ(CallbackCpus(r), 0b1111u);
  remote = 0;
  for (const TraceEntry& e : r.trace) remote += e.site == Site::scfm_set_func;
  EXPECT_EQ(remote, 3);
}

TEST(Model, SixtyFourCpusRun) {
  std::vector<std::vector<Op>> ops(64);
  ops[63].push_back(Many(~std::uint64_t{0}, true));
  ops[5].push_back(Single(63, false));
  Simulator sim(NewModelGuest());
  SimOptions opt;
  opt.record_trace = false;
  const RunResult& r = sim.Run(Make("fixed", true, ops), {}, opt);
  EXPECT_TRUE(r.clean()) << Describe(r);
  EXPECT_TRUE(r.quiescent);
}

TEST(Model, InvalidScenariosAreRefused) {
  Simulator sim(NewModelGuest());
  Scenario s = Make("fixed", true, {{}});
  EXPECT_FALSE(sim.Load(s).ok());
  s = Make("fixed", true, std::vector<std::vector<Op>>(65));
  EXPECT_FALSE(sim.Load(s).ok());
  s = Make("fixed", true, {{}, {Single(0, false)}});
  s.offline_mask = 2;
  EXPECT_NE(sim.Load(s).message().find("offline"), std::string::npos);
  // Acts are per request: none on a shared csd, whose calls are one request.
  s = Make("fixed", true, {{}, {Acting(Async(0, 0), CallbackAct::kNest, 1), Async(0, 0)}});
  EXPECT_NE(sim.Load(s).message().find("needs a fresh csd"), std::string::npos);
  s = Make("fixed", true, {{}, {Acting(Async(0), CallbackAct::kRearm, 3)}});
  EXPECT_EQ(sim.Load(s).message(), "act=rearm takes no argument");
  s = Make("fixed", true, {{}, {Acting(Single(0, true), CallbackAct::kComplete)}});
  EXPECT_NE(sim.Load(s).message().find("wait=0"), std::string::npos);
  s = Make("fixed", true, {{}, {Acting(Single(0, true), CallbackAct::kDelay, 9)}});
  EXPECT_NE(sim.Load(s).message().find("1..8 steps"), std::string::npos);
}

// ---- determinism -----------------------------------------------------------------

TEST(Determinism, ThousandReplaysGiveOneTraceHash) {
  std::set<std::uint64_t> hashes;
  Scenario s = Cascade("b0473dcd");
  SimOptions opt;
  opt.stop_on = 0;
  opt.max_steps = 2000;
  Simulator shared(NewModelGuest());
  for (int i = 0; i < 1000; ++i) {
    if (i % 100 == 0) {
      Simulator fresh(NewModelGuest());  // a new instance, new addresses
      hashes.insert(fresh.Run(s, CanonicalSelfLoopSchedule(), opt).trace_hash);
    } else {
      hashes.insert(shared.Run(s, CanonicalSelfLoopSchedule(), opt).trace_hash);
    }
  }
  EXPECT_EQ(hashes.size(), 1u);
}

// The explorer compares the addresses a step touched in one run with steps of
// later runs; a wait=1 caller's csd lives in a coroutine frame. The same
// schedule must touch the same addresses whatever ran before it.
TEST(Determinism, ScheduleTouchesTheSameAddressesWhateverRanBefore) {
  Simulator sim(NewModelGuest());
  Scenario s = Make("fixed", true, {{Single(1, true), Single(2, true)},
                                    {Single(0, true), Single(2, true)},
                                    {Single(0, true)}});
  auto addresses = [&](const Schedule& schedule) {
    std::vector<StepEffects> fx;
    SimOptions opt;
    opt.step_effects = &fx;
    sim.Run(s, schedule, opt);
    std::vector<const void*> out;
    for (const StepEffects& e : fx) {
      out.push_back(e.addr);
      for (int i = 0; i < e.nr_objects; ++i) out.push_back(e.objects[i].addr);
    }
    return out;
  };
  const Schedule x = Steps({{0, 9}, {1, 30}, {2, 7}, {0, 40}, {2, 40}, {1, 40}});
  const std::vector<const void*> first = addresses(x);
  for (const Schedule& before : {Steps({{1, 12}, {2, 12}, {0, 200}}),
                                 Steps({{2, 40}, {1, 9}, {0, 3}, {1, 200}}),
                                 Steps({{0, 300}, {1, 300}, {2, 300}})}) {
    addresses(before);
    EXPECT_EQ(addresses(x), first);
  }
}

TEST(Determinism, DifferentSchedulesGiveDifferentHashes) {
  Simulator sim(NewModelGuest());
  Scenario s = CanonicalScenario(FindVariant("fixed"));
  std::uint64_t a = sim.Run(s, Steps({{1, 5}})).trace_hash;
  std::uint64_t b = sim.Run(s, Steps({{2, 5}})).trace_hash;
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace smpfuzz
