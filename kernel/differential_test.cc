// SPDX-License-Identifier: GPL-2.0-only
//
// Differential check, model against kernel (issue 15): for every scenario in
// repro/ and ci/explore/ (passed as arguments by kernel/BUILD) and
// kRandomScenarios random small ones (fixed seed, every op kind; and
// kRandomTaskScenarios with extra tasks, lib/scenario.h, and
// kRandomHotplugScenarios with CPU hotplug at run time), the model
// (lib/) and the kernel guest (Linux's own kernel/smp.c, the variant linked
// into this binary: one binary per variant, see BUILD) are each explored to
// the same preemption bound, the whole bound (no stop at the first
// violation, not iterative: lib/explorer.h), and the SETS of signatures they
// find must be equal.
//
// A search that runs out of its budget on either side is a failure, not an
// agreement. A difference is a failure unless kAllowed names it (scenario +
// variant + signature + which side has it) with the reason; an allowed
// difference that no longer occurs is a failure too, so the list stays
// honest.

#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "kernel/linked_image.h"
#include "lib/expectations.h"
#include "lib/explorer.h"
#include "lib/repro.h"
#include "lib/model_guest.h"
#include "lib/random_op.h"
#include "lib/scenario.h"
#include "lib/simulator.h"
#include "lib/trace_format.h"

namespace smpfuzz {
namespace {

std::vector<std::string>* files = nullptr;

// The preemption bound, the same for both guests: one for repro/ and the
// random scenarios (b0473dcd's self-loop needs one). ci/explore/'s scenarios
// are the explorer's benchmarks, made for proofs at bounds 2 and 3 on the
// model: at bound 1 the kernel guest, with several times the model's steps,
// needs 0.7M and 2.4M executions for them (about 330 s per debug variant),
// so the default suite explores them at bound 0;
// SMPFUZZ_DIFF_BOUND=N explores every scenario at N instead.
constexpr int kBound = 1;
constexpr int kCiExploreBound = 0;
constexpr int kRandomScenarios = 200;
// And this many with extra tasks (RandomTaskScenarioOnce).
constexpr int kRandomTaskScenarios = 40;
// And this many with CPUs taken down and up (RandomHotplugScenarioOnce).
constexpr int kRandomHotplugScenarios = 30;
constexpr std::uint64_t kSeed = 15;
// Per search, in executions (deterministic, unlike seconds on a shared
// machine): a search that needs more is reported, never counted as
// agreement. The biggest, ci/explore/fixed_4cpu_1op.repro on the kernel
// guest, needs about 860k.
constexpr std::uint64_t kMaxExecutions = 3000000;
// The cpu-stuck budget of a run whose scenario file names none. The kernel
// guest takes several times the model's steps for one call (every access of
// the compiled smp.c is a step), so the budget must leave both room.
constexpr std::uint64_t kMaxSteps = 20000;

const std::string kVariant = KernelGuestVariant();

// A documented difference: `side` ("model" or "kernel") reports `signature`
// on `scenario` for `variant` and the other side does not, because `reason`.
struct Allowed {
  const char* scenario;
  const char* variant;
  const char* signature;
  const char* side;
  const char* reason;
};

// With csdlock_debug on, the kernel's target records the csd it is handling
// (__csd_lock_record(): plain __this_cpu_write(cur_csd, csd), as the shim
// compiles __this_cpu_write), and a waiter that times out reads it from
// another CPU (csd_lock_wait_toolong(): smp_load_acquire(&per_cpu(cur_csd,
// cpux))): a plain write against a marked read, a data race by the
// detector's rules. cur_csd only feeds the timeout's messages and the
// decision to re-send the IPI; the model leaves it out (lib/smp.cc,
// csd_lock_wait_toolong: "cur_csd is not modelled"), so it cannot race on it.
// (On x86 the real __this_cpu_write is a %gs-relative mov that KCSAN does not
// instrument, so the kernel does not see this race either.)
constexpr char kCurCsdRace[] =
    "kernel-only race on the diagnostic per-CPU cur_csd (csd_lock_record vs "
    "csd_lock_wait_toolong), which the model does not model";

// Step granularity: the model's csd_lock_wait() spin is one read that the
// simulator lets complete only once CSD_FLAG_LOCK is clear (kSpinReadOnce),
// while the kernel guest performs every iteration's READ_ONCE(u_flags),
// the first one while the flags are still locked. In b0473dcd two senders
// share the destination's csd_data, so a sender that starts after another
// has taken it reads LOCK straight from that sender's plain u_flags store:
// a race the kernel guest reaches with no preemption (the switch happens
// where the first sender finishes). The model reaches the same race on these
// scenarios at bound 1 (SMPFUZZ_DIFF_BOUND=1: both report data-race), by a
// preemption inside csd_lock's plain read-modify-write.
constexpr char kSpinGranularity[] =
    "bound 0: the kernel guest's csd_lock_wait reads the still-locked flags "
    "(every spin iteration is a READ_ONCE), the model's spin read completes "
    "only once unlocked; the model shows the race from bound 1";

constexpr Allowed kAllowed[] = {
    {"explore/fixed_3cpu_2ops.repro", "b0473dcd", "data-race", "kernel", kSpinGranularity},
    {"explore/fixed_4cpu_1op.repro", "b0473dcd", "data-race", "kernel", kSpinGranularity},
    {"repro/irqs_off_timeout.repro", "baseline", "data-race", "kernel", kCurCsdRace},
    {"repro/irqs_off_timeout.repro", "b0473dcd", "data-race", "kernel", kCurCsdRace},
    {"repro/irqs_off_timeout.repro", "fixed", "data-race", "kernel", kCurCsdRace},
};

struct Case {
  std::string name;
  int bound = kBound;
  Scenario scenario;
  SimOptions sim;
};

struct Verdict {
  std::uint32_t signatures = 0;  // SignatureBits found within the bound
  bool complete = false;
  std::uint64_t executions = 0;
  double seconds = 0;
};

Verdict Search(const Case& c, bool kernel) {
  ExploreOptions o;
  o.max_preemptions = c.bound;
  o.iterative = false;
  o.stop_at_first = false;
  o.max_executions = kMaxExecutions;
  o.sim = c.sim;
  o.max_steps = c.sim.max_steps;
  o.sim.record_trace = false;
  if (kernel) o.guest = [] { return NewKernelGuest(); };
  const ExploreResult r = Explore(c.scenario, o);
  Verdict v;
  for (int i = 0; i < kSignatureCount; ++i) {
    if (r.min_preemptions[i] != ExploreResult::kNever) v.signatures |= 1u << i;
  }
  v.complete = r.complete;
  v.executions = r.stats.executions;
  v.seconds = r.stats.seconds;
  return v;
}

std::string Names(std::uint32_t bits) {
  std::string out;
  for (int i = 0; i < kSignatureCount; ++i) {
    if (!(bits & (1u << i))) continue;
    out += std::string(out.empty() ? "" : ",") + SignatureName(static_cast<Signature>(i));
  }
  return out.empty() ? "clean" : out;
}

struct Difference {
  std::string scenario;
  std::string variant;
  Signature signature;
  std::string side;  // who reports it: "model" or "kernel"
  bool operator<(const Difference& o) const {
    return std::tie(scenario, variant, signature, side) <
           std::tie(o.scenario, o.variant, o.signature, o.side);
  }
  std::string Describe() const {
    return scenario + " [" + variant + "]: only the " + side + " reports " +
           SignatureName(signature);
  }
};

// Every signature one side found and the other did not.
std::vector<Difference> Compare(const std::string& scenario, const std::string& variant,
                                std::uint32_t model, std::uint32_t kernel) {
  std::vector<Difference> out;
  for (int i = 0; i < kSignatureCount; ++i) {
    const std::uint32_t bit = 1u << i;
    if ((model & bit) == (kernel & bit)) continue;
    out.push_back({scenario, variant, static_cast<Signature>(i), model & bit ? "model" : "kernel"});
  }
  return out;
}

// The allow-list entry that names `d`, or nullptr.
const Allowed* FindAllowed(const Difference& d) {
  for (const Allowed& a : kAllowed) {
    if (d.scenario == a.scenario && d.variant == a.variant &&
        std::string(SignatureName(d.signature)) == a.signature && d.side == a.side) {
      return &a;
    }
  }
  return nullptr;
}

// How much work the operations ask for: one per request a call makes (a
// call_many's remote targets, plus one when it also runs locally, plus one
// for a wait=1 one's waits). The explored schedules grow steeply with it:
// random scenarios keep it at kMaxWork (two call_many wait=1 from two
// senders to two CPUs each, work 6, took the kernel guest 660k executions,
// 80 s, at one preemption).
constexpr int kMaxWork = 5;

int Work(const Scenario& s) {
  int work = 0;
  for (int t = 0; t < s.nr_tasks(); ++t) {
    const int cpu = s.TaskHome(t);
    for (const Op& op : s.TaskOpList(t)) {
      const std::uint64_t online = AllCpusMask(s.nr_cpus) & ~s.offline_mask;
      if (op.kind == OpKind::kCallFunction) {
        work += std::popcount(online & ~(std::uint64_t{1} << cpu)) + op.wait;
        continue;
      }
      if (op.kind != OpKind::kCallMany) {
        work += 1 + (op.kind == OpKind::kCallAny && op.wait);
        continue;
      }
      const std::uint64_t mask = op.mask & online & (op.local ? op.cond : kNoCond);
      work += std::popcount(mask & ~(std::uint64_t{1} << cpu));
      work += op.local && ((mask >> cpu) & 1);
      work += op.wait;  // its wait on every target's csd
    }
  }
  return work;
}

// Random small scenarios: 2-4 CPUs, 1-2 operations (lib/random_op.h: every
// op kind with its variations) on each of 1-2 sender CPUs, the rest idle
// targets; csdlock_debug on and off, sometimes a 1 ms CSD-lock timeout or an
// offline CPU. Kept small (Work): the kernel guest takes many more steps
// than the model, and both are explored exhaustively at kBound.
Scenario RandomScenarioOnce(std::mt19937_64& rng) {
  Scenario s;
  s.nr_cpus = 2 + static_cast<int>(rng() % 3);
  s.csdlock_debug = rng() % 2 == 0;
  // Sometimes a 1 ms CSD-lock timeout: the debug wait's report path runs.
  if (rng() % 4 == 0) s.csd_lock_timeout_ms = 1;
  s.ops.resize(s.nr_cpus);
  // Sometimes the last CPU of 4 is offline (it stays without operations).
  if (s.nr_cpus == 4 && rng() % 3 == 0) s.offline_mask = std::uint64_t{1} << 3;
  const int senders = s.nr_cpus == 2 ? 1 : 1 + static_cast<int>(rng() % 2);
  for (int i = 0; i < senders; ++i) {
    const int cpu = 1 + i;
    const int n = 1 + static_cast<int>(rng() % 2);
    for (int k = 0; k < n; ++k) s.ops[cpu].push_back(RandomOp(rng, s.nr_cpus));
  }
  return s;
}

// The same with one or two extra tasks (lib/scenario.h) of one operation
// each on the sender CPUs: preemption by another task of the CPU, and
// migration, on both guests.
Scenario RandomTaskScenarioOnce(std::mt19937_64& rng) {
  Scenario s;
  s.nr_cpus = 2 + static_cast<int>(rng() % 2);
  s.csdlock_debug = rng() % 2 == 0;
  s.ops.resize(s.nr_cpus);
  s.ops[1].push_back(RandomOp(rng, s.nr_cpus));
  const int extra = 1 + static_cast<int>(rng() % 2);
  for (int i = 0; i < extra; ++i) {
    const int cpu = 1 + static_cast<int>(rng() % static_cast<std::uint64_t>(s.nr_cpus - 1));
    s.tasks.push_back({cpu, {RandomOp(rng, s.nr_cpus)}});
  }
  return s;
}

// With CPU hotplug at run time: a sender on CPU1 (1-2 random ops), a CPU
// taken down (and sometimes brought back) by CPU0's own task or by an extra
// task, and on 3 CPUs a second sender on CPU2 (its own task or an invoker
// there), which may be the CPU going down:
// stop_machine(), the tree's smpcfd_dying_cpu() and the migrations it forces
// against the model's.
Scenario RandomHotplugScenarioOnce(std::mt19937_64& rng) {
  Scenario s;
  s.nr_cpus = 2 + static_cast<int>(rng() % 2);
  s.csdlock_debug = rng() % 2 == 0;
  s.ops.resize(s.nr_cpus);
  const int n = 1 + static_cast<int>(rng() % 2);
  for (int k = 0; k < n; ++k) s.ops[1].push_back(RandomOp(rng, s.nr_cpus));
  std::vector<Op> hotplug = RandomHotplugOps(rng, s.nr_cpus, /*may_come_back=*/true);
  if (rng() % 3 == 0) {
    s.tasks.push_back({s.nr_cpus - 1, hotplug});
  } else {
    s.ops[0] = hotplug;
  }
  if (s.nr_cpus == 3) {
    // A second sender (b0473dcd's bug needs two): CPU2's own, or an invoker
    // task on it.
    if (rng() % 2 == 0) {
      s.ops[2].push_back(RandomOp(rng, s.nr_cpus));
    } else {
      s.tasks.push_back({2, {RandomOp(rng, s.nr_cpus)}});
    }
  }
  return s;
}

Scenario RandomScenario(std::mt19937_64& rng, Scenario (*once)(std::mt19937_64&) = RandomScenarioOnce) {
  for (;;) {
    Scenario s = once(rng);
    if (Work(s) <= kMaxWork) return s;
  }
}

std::vector<Case> RandomCases() {
  std::mt19937_64 rng(kSeed);
  std::vector<Case> out;
  auto add = [&](int count, const char* prefix, Scenario (*once)(std::mt19937_64&)) {
    for (int i = 0; i < count; ++i) {
      Case c;
      char name[32];
      std::snprintf(name, sizeof name, "%s-%03d", prefix, i);
      c.name = name;
      c.scenario = RandomScenario(rng, once);
      c.sim.max_steps = kMaxSteps;
      out.push_back(c);
    }
  };
  add(kRandomScenarios, "random", RandomScenarioOnce);
  add(kRandomTaskScenarios, "tasks", RandomTaskScenarioOnce);
  add(kRandomHotplugScenarios, "hotplug", RandomHotplugScenarioOnce);
  return out;
}

std::vector<Case> FileCases() {
  std::vector<Case> out;
  for (const std::string& path : *files) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    absl::StatusOr<Repro> r = ParseRepro(ss.str(), path);
    if (!r.ok()) {
      ADD_FAILURE() << r.status().message();
      continue;
    }
    Case c;
    // "repro/self_loop_shortest.repro": the name the allow-list uses.
    const std::size_t slash = path.rfind('/', path.rfind('/') - 1);
    c.name = slash == std::string::npos ? path : path.substr(slash + 1);
    c.scenario = r->scenario;
    if (c.name.rfind("explore/", 0) == 0) c.bound = kCiExploreBound;
    c.sim = RunOptions(*r);
    if (r->max_steps == Repro::kDefaultMaxSteps) c.sim.max_steps = kMaxSteps;
    out.push_back(c);
  }
  return out;
}

std::string Describe(const Scenario& s) {
  Repro r;
  r.scenario = s;
  return FormatRepro(r);
}

// For a failure message: a run of `side` that shows `sig` (the fewest
// preemptions), as a reproducer with its verdict, and with the whole trace
// when SMPFUZZ_DIFF_TRACE is set.
std::string Witness(const Case& c, const Difference& d) {
  const bool kernel = d.side == "kernel";
  ExploreOptions o;
  o.max_preemptions = c.bound;
  o.max_executions = kMaxExecutions;
  o.sim = c.sim;
  o.max_steps = c.sim.max_steps;
  o.violations = SignatureBit(d.signature);
  if (kernel) o.guest = [] { return NewKernelGuest(); };
  const ExploreResult r = Explore(c.scenario, o);
  if (!r.found) return "(no witness found again)\n";
  Simulator sim(kernel ? NewKernelGuest() : NewModelGuest());
  if (!sim.Load(c.scenario).ok()) return "(does not load)\n";
  SimOptions run = c.sim;
  run.max_steps = o.max_steps;
  const RunResult& rr = sim.Run(r.counterexample.schedule, run);
  const TraceContext ctx{sim.scenario(), sim.locations()};
  std::string out = "witness (" + d.side + " guest):\n" + FormatRepro(r.counterexample) +
                    FormatVerdict(ctx, rr);
  if (std::getenv("SMPFUZZ_DIFF_TRACE") != nullptr) out += FormatTrace(ctx, rr);
  return out;
}

TEST(Differential, ADifferenceIsReported) {
  const std::uint32_t loop = SignatureBit(Signature::kLlistSelfLoop);
  const std::uint32_t race = SignatureBit(Signature::kDataRace);
  EXPECT_TRUE(Compare("s", "v", loop | race, loop | race).empty());
  EXPECT_TRUE(Compare("s", "v", 0, 0).empty());
  std::vector<Difference> d = Compare("s", "b0473dcd", loop | race, race);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].signature, Signature::kLlistSelfLoop);
  EXPECT_EQ(d[0].side, "model");
  EXPECT_EQ(FindAllowed(d[0]), nullptr);
  d = Compare("s", "fixed", 0, SignatureBit(Signature::kKernelWarn));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].side, "kernel");
  EXPECT_EQ(FindAllowed(d[0]), nullptr);
  // An allowed difference is allowed only for its scenario, variant, side.
  Difference allowed{"repro/irqs_off_timeout.repro", "fixed", Signature::kDataRace, "kernel"};
  EXPECT_NE(FindAllowed(allowed), nullptr);
  Difference other_scenario = allowed, other_side = allowed, other_signature = allowed;
  other_scenario.scenario = "repro/self_loop_shortest.repro";
  other_side.side = "model";
  other_signature.signature = Signature::kCsdLockTimeout;
  for (const Difference& other : {other_scenario, other_side, other_signature}) {
    EXPECT_EQ(FindAllowed(other), nullptr) << other.Describe();
  }
}

TEST(Differential, RandomScenariosAreValidAndCoverEveryOpKind) {
  std::set<std::string> kinds;
  bool debug_on = false, debug_off = false;
  for (const Case& c : RandomCases()) {
    ASSERT_TRUE(c.scenario.Validate().ok()) << c.name << ": " << c.scenario.Validate().message();
    debug_on |= c.scenario.csdlock_debug;
    debug_off |= !c.scenario.csdlock_debug;
    for (const auto& list : c.scenario.ops) {
      for (const Op& op : list) {
        std::string k = OpKindName(op.kind);
        if (op.kind == OpKind::kCallSingle) k += op.wait ? " wait=1" : " wait=0";
        if (op.kind == OpKind::kCallSingleAsync) k += op.csd < 0 ? " fresh" : " slot";
        if (op.kind == OpKind::kCallMany) {
          k += op.wait ? " wait=1" : " wait=0";
          kinds.insert(std::string("call_many local=") + (op.local ? "1" : "0"));
          if (op.cond != kNoCond) kinds.insert("call_many cond");
        }
        if (op.kind == OpKind::kCallFunction || op.kind == OpKind::kCallAny) {
          k += op.wait ? " wait=1" : " wait=0";
        }
        if (op.act != CallbackAct::kNone) kinds.insert(std::string("act=") + CallbackActName(op.act));
        kinds.insert(k);
      }
    }
  }
  EXPECT_TRUE(debug_on && debug_off);
  for (const char* k : {"call_single wait=0", "call_single wait=1", "call_single_async fresh",
                        "call_single_async slot", "call_many wait=0", "call_many wait=1",
                        "call_many local=0", "call_many local=1", "call_many cond",
                        "call_function wait=0", "call_function wait=1", "call_any wait=0",
                        "call_any wait=1", "flush", "irqs_off", "act=delay", "act=rearm",
                        "act=nest", "act=complete"}) {
    EXPECT_EQ(kinds.count(k), 1u) << "no random scenario has " << k;
  }
}

TEST(Differential, ModelAndKernelAgree) {
  ASSERT_NE(files, nullptr);
  ASSERT_GE(files->size(), 11u) << "repro/ or ci/explore/ lost its reproducers?";
  std::vector<Case> cases = FileCases();
  for (Case& c : RandomCases()) cases.push_back(std::move(c));
  const Variant* variant = FindVariant(kVariant);
  ASSERT_NE(variant, nullptr);
  std::set<const Allowed*> used;
  double model_seconds = 0, kernel_seconds = 0;
  int agreed = 0;
  // SMPFUZZ_DIFF_ONLY=SUBSTRING: only the cases whose name has it (the
  // allow-list is then not checked for entries that did not occur).
  const char* only = std::getenv("SMPFUZZ_DIFF_ONLY");
  const char* bound = std::getenv("SMPFUZZ_DIFF_BOUND");
  for (Case& c : cases) {
    if (only != nullptr && c.name.find(only) == std::string::npos) continue;
    if (bound != nullptr) c.bound = std::atoi(bound);
    c.scenario.variant = variant;
    const Verdict model = Search(c, false);
    const Verdict kernel = Search(c, true);
    model_seconds += model.seconds;
    kernel_seconds += kernel.seconds;
    std::printf("%-34s b%d model %-36s (%6llu exec, %5.1f s) kernel %-36s (%6llu exec, %5.1f s)\n",
                c.name.c_str(), c.bound, Names(model.signatures).c_str(),
                static_cast<unsigned long long>(model.executions), model.seconds,
                Names(kernel.signatures).c_str(),
                static_cast<unsigned long long>(kernel.executions), kernel.seconds);
    if (!model.complete || !kernel.complete) {
      ADD_FAILURE() << c.name << " [" << kVariant << "]: the "
                    << (!model.complete ? "model's" : "kernel guest's")
                    << " search ran out of its budget: not an agreement\n"
                    << Describe(c.scenario);
      continue;
    }
    bool ok = true;
    for (const Difference& d : Compare(c.name, kVariant, model.signatures, kernel.signatures)) {
      const Allowed* a = FindAllowed(d);
      if (a != nullptr) {
        used.insert(a);
        std::printf("  allowed: %s (%s)\n", d.Describe().c_str(), a->reason);
        continue;
      }
      ok = false;
      ADD_FAILURE() << d.Describe() << " (model " << Names(model.signatures) << ", kernel "
                    << Names(kernel.signatures) << ")\n"
                    << Witness(c, d);
    }
    agreed += ok;
  }
  for (const Allowed& a : kAllowed) {
    if (only != nullptr || a.variant != kVariant || used.count(&a)) continue;
    ADD_FAILURE() << "allow-list entry no longer occurs: " << a.scenario << " [" << a.variant
                  << "] " << a.signature << " (" << a.side << ")";
  }
  std::printf("%s: %zu scenarios, %d agree; model %.1f s, kernel %.1f s\n", kVariant.c_str(),
              cases.size(), agreed, model_seconds, kernel_seconds);
}

}  // namespace
}  // namespace smpfuzz

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  std::vector<std::string> args(argv + 1, argv + argc);
  smpfuzz::files = &args;
  return RUN_ALL_TESTS();
}
