// SPDX-License-Identifier: GPL-2.0-only
//
// Scenario and Schedule: the input every engine produces and every run
// consumes.
//
// A Scenario is the static part: how many CPUs, which kernel variant, whether
// csdlock_debug= is on, which CPUs are offline, and per CPU the list of
// operations its task performs (modelled on kernel/scftorture.c's mix). A
// Schedule is the dynamic part: for each step, which CPU moves and whether
// the step is the delivery of that CPU's pending IPI.

#ifndef SMPFUZZ_LIB_SCENARIO_H_
#define SMPFUZZ_LIB_SCENARIO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "lib/variant.h"

namespace smpfuzz {

enum class OpKind : std::uint8_t {
  kCallSingle,       // smp_call_function_single(target, f, x, wait)
  kCallSingleAsync,  // smp_call_function_single_async(target, csd)
  kCallMany,         // smp_call_function_many(mask, f, x, wait); local: on_each_cpu_cond_mask()
  kFlush,            // flush_smp_call_function_queue() from the idle task
  kIrqsOff,          // local_irq_save(); mdelay(ms); local_irq_restore()
  kCallFunction,     // smp_call_function(f, x, wait): every other online CPU
  kCallAny,          // smp_call_function_any(mask, f, x, wait): one CPU of mask
  // CPU hotplug at run time (scftorture's onoff kthread: remove_cpu(),
  // add_cpu()): take CPU `target` down through stop_machine() and its dying
  // callback smpcfd_dying_cpu(), or bring it back up.
  kCpuOffline,
  kCpuOnline,
  // The two other kinds of entry on call_single_queue (smp_types.h):
  // irq_work_queue_on(&work[csd], target), CSD_TYPE_IRQ_WORK, claimed as
  // kernel/irq_work.c's irq_work_claim() does and run by irq_work_single()
  // in the flush's second pass. Works are the scenario's (static irq_works:
  // every task naming number `csd` queues the same one). The caller checks
  // cpu_online(target) with preemption off first, as irq_work_queue_on()'s
  // WARN asks its callers to keep the target online.
  kIrqWorkQueueOn,
  // A remote wakeup, ttwu_queue_wakelist(): a sleeping task's wake_entry
  // (CSD_TYPE_TTWU) onto `target`'s queue, handed to sched_ttwu_pending()
  // after the flush's passes. One sleeping task per op, woken once.
  kTtwuQueue,
};

inline bool IsHotplugOp(OpKind k) { return k == OpKind::kCpuOffline || k == OpKind::kCpuOnline; }

const char* OpKindName(OpKind k);  // "call_single", "call_single_async", ...

// What a callback does besides running (scftorture's handlers delay and
// free their requests; a callback may also queue its own async csd again,
// which the flush's release-before-call exists for, or call another CPU from
// its IRQ). The calls an act makes are requests of their own: they do not
// act again.
enum class CallbackAct : std::uint8_t {
  kNone,
  kDelay,  // udelay(): act_arg steps of cpu_relax() (1..kMaxActDelay), interrupts off
  kRearm,  // smp_call_function_single_async(same target, its own csd) once more
  kNest,   // smp_call_function_single_async(act_arg, a fresh csd) from the callback
  // scftorture's SINGLE_RPC: a wait=0 call whose caller then sleeps in
  // wait_for_completion() until the callback's complete().
  kComplete,
};

inline constexpr int kMaxActDelay = 8;

// "delay", "rearm", "nest", "complete" ("none" for kNone).
const char* CallbackActName(CallbackAct a);

// Op::cond of a call without cond_func.
inline constexpr std::uint64_t kNoCond = ~std::uint64_t{0};

struct Op {
  OpKind kind = OpKind::kCallSingle;
  int target = 0;          // single/async: any CPU number, even offline or impossible;
                           // offline/online: the CPU (a possible one)
  bool wait = false;       // single, many, function, any
  std::uint64_t mask = 0;  // many, any: CPU bitmask (bits past nr_cpus are ignored like the kernel)
  bool local = false;      // many: SCF_RUN_LOCAL (also run on this CPU when in mask)
  // many with local: on_each_cpu_cond_mask()'s cond_func holds on these CPUs
  // (kNoCond: on_each_cpu_mask(), no cond_func).
  std::uint64_t cond = kNoCond;
  int csd = -1;            // async: the caller's csd number (shared by ops naming it); -1 = fresh
                           // irq_work: the work's number (0..kMaxIrqWorks-1)
  // async with a fresh csd: the callback kfree()s the csd, as scftorture's
  // handler frees a request nobody waits for. The flush releases an ASYNC
  // csd before its callback for this: any access after the free is a
  // use-after-free.
  bool handler_frees = false;
  // call_single, call_single_async: what the callback does (act=); act_arg
  // is the delay's steps or the nested call's target (any CPU number).
  CallbackAct act = CallbackAct::kNone;
  int act_arg = 0;
  std::uint32_t ms = 0;    // irqs_off: how long, in milliseconds of virtual time

  bool operator==(const Op&) const = default;
};

inline constexpr int kMinCpus = 2;
inline constexpr int kMaxScenarioCpus = 64;
inline constexpr int kMaxAsyncCsdSlots = 16;
inline constexpr int kMaxIrqWorks = 16;

// The bits of CPUs 0..nr_cpus-1 (nr_cpus up to 64).
constexpr std::uint64_t AllCpusMask(int nr_cpus) {
  return nr_cpus >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << nr_cpus) - 1;
}

// An extra task: one more invoker thread (scftorture's nthreads > nr_cpus)
// that starts on CPU `cpu`, runs its own op list, may be preempted wherever
// it is preemptible and migrated while preempted. The per-CPU op lists
// (Scenario::ops) are bound to their CPU, like per-CPU kthreads.
struct TaskOps {
  int cpu = 0;
  std::vector<Op> ops;
  bool operator==(const TaskOps&) const = default;
};

inline constexpr int kMaxTasks = 64;  // per-CPU tasks and extra tasks together

struct Scenario {
  int nr_cpus = 2;
  const Variant* variant = nullptr;  // nullptr means "baseline"
  bool csdlock_debug = true;
  std::uint64_t offline_mask = 0;
  std::uint64_t csd_lock_timeout_ms = 5000;
  std::vector<std::vector<Op>> ops;  // ops[cpu], size nr_cpus
  // Extra tasks; schedules name them nr_cpus, nr_cpus + 1, ...
  std::vector<TaskOps> tasks;

  // OK when the scenario can run; else InvalidArgument saying why not.
  absl::Status Validate() const;
  int TotalOps() const;
  // Whether some task takes a CPU down or up at run time.
  bool HasHotplug() const;
  // The schedulable tasks: one per CPU (its op list, possibly empty, and its
  // IPIs) and the extra tasks.
  int nr_tasks() const { return nr_cpus + static_cast<int>(tasks.size()); }
  // Task t's op list and the CPU it starts on.
  const std::vector<Op>& TaskOpList(int t) const {
    return t < nr_cpus ? ops[t] : tasks[t - nr_cpus].ops;
  }
  int TaskHome(int t) const { return t < nr_cpus ? t : tasks[t - nr_cpus].cpu; }
};

// One step: which task moves. Tasks 0..nr_cpus-1 are the CPUs' own (and
// `ipi` delivers that CPU's pending IPI instead); an extra task's step
// preempts whatever its CPU runs when that is preemptible, and its `ipi`
// bit migrates it, while it is preempted, to the next online CPU.
struct Choice {
  std::uint8_t cpu = 0;  // the task (for a scenario without extra tasks, the CPU)
  bool ipi = false;  // deliver this CPU's pending IPI (extra task: migrate it)
  bool operator==(const Choice&) const = default;
};

using Schedule = std::vector<Choice>;

// The design brief's canonical scenario: CPU0 idle (the target), CPU1 and
// CPU2 each smp_call_function_single(0, f, x, wait=0), csdlock_debug on.
Scenario CanonicalScenario(const Variant* variant);
// Its shortest known b0473dcd interleaving: CPU1 passes its lock-wait, CPU2
// runs its whole call, CPU1 resumes. One preemption.
Schedule CanonicalSelfLoopSchedule();

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_SCENARIO_H_
