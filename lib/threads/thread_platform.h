// SPDX-License-Identifier: GPL-2.0-only
//
// ThreadPlatform: a machine that runs a Guest (lib/guest.h; the smp.c model
// is the same guest the simulator runs) on real threads, one std::thread per
// online CPU, for ThreadSanitizer and for measuring how often the b0473dcd
// race happens on real hardware.
//
// interleaves() is false, so no access ever suspends a coroutine: a CPU's
// task (Guest::CpuTask) runs to completion inside Task::start() on its own
// thread, and every access is performed on the spot by Perform():
//
//   plain load/store           a plain, non-atomic access (RawLoad/RawStore):
//                              a race on it is a real race TSan can see
//   READ_ONCE/WRITE_ONCE       relaxed atomic
//   smp_load_acquire           acquire load
//   smp_store_release          release store
//   xchg, cmpxchg              seq_cst RMW (fully ordered)
//   try_cmpxchg_acquire        acquire RMW (relaxed on failure)
//   smp_cond_load_acquire      acquire loads in a cpu_relax() loop
//   debug csd_lock_wait spin   acquire loads (not relaxed) in a cpu_relax()
//                              loop until clear or the deadline: see below
//   smp_mb/wmb/rmb, smp_acquire__after_ctrl_dep
//                              std::atomic_thread_fence (seq_cst, release,
//                              acquire, acquire)
//
// Fences and TSan. TSan 14 does not model standalone fences (its
// __tsan_atomic_thread_fence only executes the fence; it creates no
// happens-before). The kernel's debug csd_lock_wait() is "READ_ONCE until the
// lock bit is clear, then smp_acquire__after_ctrl_dep()": correct, but to TSan
// the relaxed load that saw the unlock orders nothing, and every later access
// of the csd would be a false race with the previous owner's. The loop only
// exits through that fence, so the exiting load plus the fence is exactly an
// acquire load: the platform performs the spin's loads with acquire ordering
// and keeps the fence. That gives TSan the edge the kernel has and hides
// nothing the kernel does not order. smp_wmb() in csd_lock() is not needed
// for happens-before here (the queue's cmpxchg/xchg carry it), so its being
// invisible to TSan makes no false report either.
//
// IPIs. arch_send_call_function_single_ipi() sets the target's pending flag
// (release; the handler takes it with acquire, as interrupt delivery orders
// on real hardware). A CPU whose interrupts are enabled (Cpu::irqs_disabled
// false and not already in the handler) polls its flag before every access,
// in every spin iteration, in local_irq_restore() (Platform::IrqsEnabled) and
// in its idle loop, and runs the guest's IPI entry
// inline, on its own thread, like an interrupt on the current stack.
//
// Coroutine frames. FrameAllocator (lib/task.h) keeps per-thread free lists.
// Every frame is allocated and freed on one thread: a CPU's task and every
// handler it runs are created, run to completion and destroyed on that CPU's
// thread (nothing ever suspends, so no coroutine is resumed elsewhere). Other
// threads only touch data inside a frame (a wait=1 caller's on-stack csd),
// never allocate or free it.
//
// Ending a run that the bug broke. A b0473dcd self-loop makes the target spin
// forever in __flush_smp_call_function_queue, and a second owner re-adding a
// csd that its target is still walking corrupts the walk (the target follows
// `next` into the live queue and runs its entries twice, unlocking wait=1
// csds whose frames are gone). The platform watches the stores to a node's
// `next` in llist_add_batch:
//   - a store of a node's own address into its `next` is the self-loop;
//   - a store by a second CPU into the `next` of a node that is still queued
//     (added, not yet csd_unlock()ed) is a double add.
// Either one ends the run *before the store is made*. As a backstop for
// cycles made some other way (say, a CPU's local csd_unlock() freeing a csd
// that another sender still has queued, so a third re-adds it unseen), a
// flush that walks more `next` pointers than there are nodes is a cycle too.
// Any of these: the run is marked
// aborted (reason, time since start, CPU), and from then on every access on
// every thread is inert: loads return 0, cmpxchg succeeds without writing,
// stores, callbacks and IPIs do nothing, spins end at once. Every loop in the
// model ends on a NULL `next`, a clear lock bit or a successful cmpxchg, so
// each CPU's task unwinds on its own thread in a few accesses, frames are
// freed where they were allocated, threads are joined, and the next run
// starts in the same process. A watchdog aborts the same way (reason kStuck)
// if a run outlives its time limit, so no run can hang the caller.
// Double-add tracking uses relaxed atomics only, so it adds no
// happens-before edge that could hide a race from TSan.

#ifndef SMPFUZZ_LIB_THREADS_THREAD_PLATFORM_H_
#define SMPFUZZ_LIB_THREADS_THREAD_PLATFORM_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "lib/guest.h"
#include "lib/primitives.h"
#include "lib/scenario.h"

namespace smpfuzz {

enum class AbortReason : std::uint8_t {
  kNone,
  kSelfLoop,   // llist_add_batch was about to make node->next == node
  kDoubleAdd,  // a second CPU was about to re-add a node still in a queue
  kCycle,      // a queue walk visited more nodes than exist: a cycle
  kLockTimeout,  // a CSD-lock wait timed out (ThreadRunOptions::abort_on_lock_timeout)
  kStuck,      // the run outlived ThreadRunOptions::time_limit_ms
};

const char* AbortReasonName(AbortReason r);

struct ThreadRunOptions {
  // Watchdog: abort the run (kStuck) after this long.
  std::uint64_t time_limit_ms = 120000;
  // Spin iterations with a pause before a spinning CPU starts yielding its
  // time slice (the machine may have fewer cores than simulated CPUs).
  int spins_before_yield = 32;
  // End the run at the first "csd: Detected non-responsive CSD lock": on
  // b0473dcd a csd can be left locked for good (a second owner's local
  // csd_unlock() freed it while still queued, and the queue broke later).
  bool abort_on_lock_timeout = false;
  // How long each callback runs before it counts as done (a wait that keeps
  // yielding, like a scftorture handler's udelay() on a preemptible host): a
  // wait=1 call that returns early is seen only if the callback still runs
  // as the waiter looks.
  std::uint64_t callback_ns = 0;
};

// What one run observed. Callback accounting is per request token and CPU.
struct ThreadRunResult {
  AbortReason abort = AbortReason::kNone;
  int abort_cpu = -1;
  std::uint64_t abort_ns = 0;   // time from the start of the run to the abort
  std::uint64_t elapsed_ns = 0;
  std::uint64_t requests = 0;   // kRequestIssued events (calls made)
  std::uint64_t callbacks = 0;  // callbacks run
  std::uint64_t ipis = 0;       // IPI handler invocations
  std::uint64_t lost = 0;        // a requested callback that never ran
  std::uint64_t duplicated = 0;  // a callback run more often than requested
  std::uint64_t corrupted = 0;   // func and info of different requests, or unknown
  std::uint64_t warn_unlock_unlocked = 0;
  std::uint64_t lock_timeouts = 0;  // "csd: Detected non-responsive CSD lock"
  std::uint64_t percpu_out_of_range = 0;
  std::uint64_t errors = 0;  // calls that returned -errno
  // Promises of the API: a wait=1 call that returned before its callback ran
  // on every CPU it was due on; an -ENXIO return for a CPU that is online.
  std::uint64_t returned_early = 0;
  std::uint64_t wrong_enxio = 0;
  // A few human-readable findings (first ones only).
  std::vector<std::string> findings;

  bool aborted() const { return abort != AbortReason::kNone; }
  // Every callback ran exactly once where it was asked to, and no WARN fired.
  bool exactly_once() const {
    return lost == 0 && duplicated == 0 && corrupted == 0 && warn_unlock_unlocked == 0;
  }
  // Every wait=1 call returned after its callbacks, every -ENXIO was due.
  bool promises_kept() const { return returned_early == 0 && wrong_enxio == 0; }
  std::string Summary() const;
};

class ThreadPlatform final : private Platform {
 public:
  // Runs `guest` (lib/guest.h), e.g. NewModelGuest() of lib/model_guest.h.
  explicit ThreadPlatform(std::unique_ptr<Guest> guest);
  ~ThreadPlatform() override;
  ThreadPlatform(const ThreadPlatform&) = delete;
  ThreadPlatform& operator=(const ThreadPlatform&) = delete;

  // Prepares `s`; InvalidArgument (Scenario::Validate) when it cannot run.
  absl::Status Load(const Scenario& s);
  // Runs the loaded scenario once on fresh kernel state, one thread per
  // online CPU, and returns when every thread has been joined.
  ThreadRunResult Run(const ThreadRunOptions& options = {});

 private:
  struct alignas(64) ThreadCpu {
    Cpu cpu;
    std::atomic<bool> ipi_pending{false};
    bool in_irq = false;  // touched only by this CPU's thread
    std::uint64_t walk = 0;  // `next` loads since this CPU's last llist_del_all
  };
  class NodeTable;

  // Platform.
  std::uint64_t Perform(Cpu& cpu, const Access& a) override;
  void Fence(Cpu& cpu, FenceKind kind) override;
  void Ghost(Cpu& cpu, const GhostEvent& e) override;
  std::uint64_t Clock(Cpu& cpu) override;
  void IrqsEnabled(Cpu& cpu) override;

  void CpuThread(int id);
  // Runs the IPI handler if one is pending and `c` may take it.
  void PollIpi(ThreadCpu& c);
  bool Aborted() const { return abort_.load(std::memory_order_relaxed) != 0; }
  void Abort(AbortReason reason, int cpu);
  std::uint64_t Spin(ThreadCpu& c, const Access& a);
  void CpuRelax(int* spins) const;
  // The llist_add_batch store to node->next: false when the run must stop.
  bool CheckNextStore(int cpu, const Access& a);
  std::uint64_t NowNs() const;
  void Finding(std::string text);

  Scenario scenario_;
  bool loaded_ = false;
  std::unique_ptr<Guest> guest_;
  std::size_t flags_offset_ = 0;  // of u_flags in the guest's csd
  std::vector<std::unique_ptr<ThreadCpu>> cpus_;
  std::unique_ptr<NodeTable> nodes_;
  std::uint64_t walk_limit_ = 0;  // more `next` loads in one flush: a cycle
  ThreadRunOptions options_;
  std::uint64_t start_ns_ = 0;

  std::atomic<bool> go_{false};
  std::atomic<int> tasks_done_{0};
  std::atomic<int> threads_exited_{0};
  int nr_threads_ = 0;
  // (reason << 8 | cpu + 1), 0 while running; the first abort wins.
  std::atomic<std::uint32_t> abort_{0};
  std::atomic<std::uint64_t> abort_ns_{0};

  // Accounting, index token * nr_cpus + cpu. expected_ is written only by the
  // requesting CPU's thread and read after the join.
  std::vector<std::uint32_t> expected_;
  std::vector<std::uint64_t> issued_mask_;  // index token: the last request's mask
  std::vector<std::uint64_t> due_online_;   // index token: its online CPUs (an -ENXIO refuses none)
  std::unique_ptr<std::atomic<std::uint32_t>[]> ran_;
  std::size_t ran_size_ = 0;
  std::atomic<std::uint64_t> requests_{0}, callbacks_{0}, ipis_{0}, corrupted_{0}, warn_{0},
      timeouts_{0}, out_of_range_{0}, errors_{0}, returned_early_{0}, wrong_enxio_{0};
  std::atomic<int> findings_taken_{0};
  std::vector<std::string> findings_;  // slots claimed via findings_taken_
};

// The stress of issue 6: nr_cpus CPUs, each with ops_per_cpu operations in
// scftorture's manner: smp_call_function_single() wait=0 and wait=1,
// smp_call_function_single_async() on fresh csds, smp_call_function_many()
// with random masks (wait, run-local), now and then a flush. Targets are any
// CPU, this one included. csdlock_debug on. Deterministic in `seed`.
Scenario StressScenario(const Variant* variant, int nr_cpus, int ops_per_cpu,
                        std::uint64_t seed);
// The same with the rest of the API and hotplug's traces: one more CPU,
// offline, that calls target too (-ENXIO); smp_call_function(),
// smp_call_function_any() (masks with and without the offline CPU, some
// with it alone: -ENXIO) and on_each_cpu_cond_mask() with a condition.
Scenario ApiStressScenario(const Variant* variant, int nr_online_cpus, int ops_per_cpu,
                           std::uint64_t seed);
// How many of `s`'s calls must return -ENXIO: the single and async calls to
// an offline CPU, and the call_any ones whose mask has no online CPU.
int ExpectedEnxio(const Scenario& s);
// The canonical race, hammered: CPU0 only takes IPIs, every other CPU calls
// smp_call_function_single(0, f, x, wait=0) ops_per_cpu times.
Scenario HammerScenario(const Variant* variant, int nr_cpus, int ops_per_cpu);

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_THREADS_THREAD_PLATFORM_H_
