// SPDX-License-Identifier: GPL-2.0-only
//
// The instrumented primitives: the only way model code touches shared memory.
//
// Every access the kernel makes is written here with the kernel's access kind
// (plain, READ_ONCE/WRITE_ONCE, smp_load_acquire/smp_store_release, xchg,
// cmpxchg, try_cmpxchg(_acquire), the spin-wait helpers and barriers) and a
// code site. Each one is an awaitable: `co_await read_once(cur, &x, site)`.
//
// A Platform decides what an access is:
//  - the simulator (interleaves() == true) parks the CPU at every access and
//    lets its scheduler choose which CPU performs its parked access next;
//  - the real-thread platform (interleaves() == false) performs the access at
//    once, with a real atomic of the kernel's ordering or a real plain access.
// Model code is the same for both. It never names the simulator.
//
// A plain read-modify-write such as `u_flags |= CSD_FLAG_LOCK` is written as a
// plain_load followed by a plain_store: two accesses, with a scheduling point
// between them, as on real hardware.
//
// Spin-waits (smp_cond_load_acquire, the debug csd_lock_wait loop) are single
// accesses with a condition: the simulator treats a spinning CPU as blocked
// until the condition holds (or its deadline passes), which is equivalent to
// any number of loop iterations that read the same value.

#ifndef SMPFUZZ_LIB_PRIMITIVES_H_
#define SMPFUZZ_LIB_PRIMITIVES_H_

#include <coroutine>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "lib/sites.h"

namespace smpfuzz {

enum class AccessKind : std::uint8_t {
  kPlainLoad,
  kPlainStore,
  kReadOnce,
  kWriteOnce,
  kLoadAcquire,     // smp_load_acquire
  kStoreRelease,    // smp_store_release
  kXchg,            // xchg: fully ordered
  kCmpxchg,         // cmpxchg / try_cmpxchg: fully ordered
  kCmpxchgAcquire,  // try_cmpxchg_acquire: acquire on success
  kCondLoadAcquire, // smp_cond_load_acquire(p, !(VAL & mask))
  kSpinReadOnce,    // READ_ONCE in a cpu_relax() loop until !(VAL & mask) or deadline
  kCall,            // csd_do_func(func, info): the callback runs
  kSendIpi,         // arch_send_call_function_single_ipi(cpu)
  kSendIpiMask,     // arch_send_call_function_ipi_mask(mask)
  kDelay,           // mdelay(): busy until virtual time `deadline`; touches no memory
  kIrqRestore,      // local_irq_restore() re-enabled interrupts: a pending IPI may come in
  kSpinUntilChanged,  // a cpu_relax() loop: READ_ONCE until the value differs from `expected`
                      // or deadline (the kernel guest's spin loops)
  // CPU hotplug (a workload's remove_cpu()/add_cpu(): the machine's move):
  // take CPU `value` down (stop_machine(): ready once every CPU may be
  // stopped; its dying callback then runs there) or bring it up.
  kCpuDown,
  kCpuUp,
  kCount
};

const char* AccessKindName(AccessKind k);

// True for accesses that read shared memory.
constexpr bool AccessReads(AccessKind k) {
  return k != AccessKind::kPlainStore && k != AccessKind::kWriteOnce &&
         k != AccessKind::kStoreRelease && k != AccessKind::kCall &&
         k != AccessKind::kSendIpi && k != AccessKind::kSendIpiMask &&
         k != AccessKind::kDelay && k != AccessKind::kIrqRestore &&
         k != AccessKind::kCpuDown && k != AccessKind::kCpuUp;
}
// True for accesses that may write shared memory.
constexpr bool AccessWrites(AccessKind k) {
  return k == AccessKind::kPlainStore || k == AccessKind::kWriteOnce ||
         k == AccessKind::kStoreRelease || k == AccessKind::kXchg ||
         k == AccessKind::kCmpxchg || k == AccessKind::kCmpxchgAcquire;
}
// True for plain (unmarked) accesses: the ones a data race is made of.
constexpr bool AccessIsPlain(AccessKind k) {
  return k == AccessKind::kPlainLoad || k == AccessKind::kPlainStore;
}
// True for accesses that touch memory at all.
constexpr bool AccessTouchesMemory(AccessKind k) {
  return k != AccessKind::kCall && k != AccessKind::kSendIpi &&
         k != AccessKind::kSendIpiMask && k != AccessKind::kDelay &&
         k != AccessKind::kIrqRestore && k != AccessKind::kCpuDown &&
         k != AccessKind::kCpuUp;
}

inline constexpr std::uint64_t kNoDeadline = std::numeric_limits<std::uint64_t>::max();

// One access, as parked by a CPU and performed by a platform.
struct Access {
  AccessKind kind = AccessKind::kPlainLoad;
  std::uint8_t size = 0;  // bytes: 1, 2, 4 or 8
  Site site = Site::fence;
  void* addr = nullptr;
  std::uint64_t value = 0;     // store/xchg/cmpxchg new value; kCall: func; IPI: cpu or mask
  std::uint64_t expected = 0;  // cmpxchg expected; spins: the bits that must be clear; kCall: info
  std::uint64_t deadline = kNoDeadline;  // kSpinReadOnce: give up at this virtual time (ns)
  // Where in a compiled guest's code the access is (the kernel guest: the
  // return address of its __tsan_* call); 0 for the model, whose Site says it.
  std::uint64_t pc = 0;
};

enum class FenceKind : std::uint8_t {
  kMb,                  // smp_mb
  kWmb,                 // smp_wmb
  kRmb,                 // smp_rmb
  kAcquireAfterCtrlDep  // smp_acquire__after_ctrl_dep
};

// Ghost events: annotations that change no kernel state, like lockdep hooks.
// They tell the platform's checkers what the code means.
enum class GhostKind : std::uint8_t {
  kObjectBorn,       // obj..obj+a starts a new life (stack csd, fresh async csd)
  kCsdLocked,        // the current CPU now owns csd obj's CSD lock
  kCsdUnlocked,      // csd obj's CSD lock was released
  kWarnUnlockUnlocked,  // csd_unlock's WARN_ON fired for csd obj
  kCsdLockTimeout,   // csd_lock_wait_toolong: a = waited ns, b = dst cpu, c = func, d = bug id
  kCsdLockUnstuck,   // csd_lock_wait_toolong: lock released after a report; d = bug id
  kPerCpuOutOfRange, // per_cpu_ptr() used with cpu a (not a possible CPU)
  kRequestIssued,    // a caller asks for callback token a on the CPUs in mask b; c = wait;
                     // d = the online CPUs (which an -ENXIO return must not refuse)
  kRequestReturned,  // the call for token a, on the CPUs in mask c, returned b (0 or
                     // -errno); d: it waited for its callbacks (wait=1)
  kKernelWarn,       // a WARN*() of the guest's own code that no kind above names
                     // (the kernel guest; `where` says which)
  kObjectFreed,      // obj..obj+a ends its life (kfree() by a callback that owns it)
};

struct GhostEvent {
  GhostKind kind;
  Site site = Site::fence;
  const void* obj = nullptr;
  std::uint64_t a = 0, b = 0, c = 0, d = 0;
  // A guest that runs real source says where in it and in what words, when
  // it knows (the kernel guest: a WARN's "csd_unlock(kernel/smp.c:368)", a
  // pr_alert's text). Null for the model, whose sites say it. Valid during
  // the Ghost() call only.
  const char* where = nullptr;
  const char* text = nullptr;
};

struct Cpu;

// What runs the model. See the file comment.
class Platform {
 public:
  explicit Platform(bool interleaves) : interleaves_(interleaves) {}
  virtual ~Platform() = default;

  bool interleaves() const { return interleaves_; }

  // Performs `a` for `cpu` and returns the value read (the old value for
  // xchg/cmpxchg; 0 for pure stores and non-memory accesses).
  virtual std::uint64_t Perform(Cpu& cpu, const Access& a) = 0;
  virtual void Fence(Cpu& cpu, FenceKind kind) = 0;
  virtual void Ghost(Cpu& cpu, const GhostEvent& e) = 0;
  // sched_clock()/ktime_get_mono_fast_ns() in nanoseconds.
  virtual std::uint64_t Clock(Cpu& cpu) = 0;
  // local_irq_restore() just re-enabled interrupts on `cpu`.
  virtual void IrqsEnabled(Cpu& cpu) = 0;

 private:
  bool interleaves_;
};

struct Kernel;

// One CPU's execution context: what smp_processor_id(), irqs_disabled() and
// "the current task" mean to model code.
struct Cpu {
  int id = 0;
  Platform* platform = nullptr;
  Kernel* kernel = nullptr;
  bool irqs_disabled = false;
  // preempt_disable() depth of the task running in this context: a machine
  // with several tasks per CPU switches away from it only at zero.
  int preempt_count = 0;
  // Simulator only: which task (Scenario::nr_tasks) this context is.
  int task = 0;
  // Simulator only: the access this CPU's innermost coroutine waits to perform.
  Access parked;
  std::coroutine_handle<> parked_at;
};

// ---- value <-> bits ----------------------------------------------------------

template <class T>
constexpr std::uint64_t ToBits(T v) {
  if constexpr (std::is_pointer_v<T>) {
    return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(v));
  } else {
    return static_cast<std::uint64_t>(v);
  }
}
template <class T>
constexpr T FromBits(std::uint64_t b) {
  if constexpr (std::is_pointer_v<T>) {
    return reinterpret_cast<T>(static_cast<std::uintptr_t>(b));
  } else {
    return static_cast<T>(b);
  }
}

// ---- the awaitable -----------------------------------------------------------

template <class T>
struct [[nodiscard]] AccessOp {
  Cpu& cpu;
  Access a;
  bool await_ready() const noexcept { return !cpu.platform->interleaves(); }
  void await_suspend(std::coroutine_handle<> h) noexcept {
    cpu.parked = a;
    cpu.parked_at = h;
  }
  T await_resume() {
    if constexpr (std::is_void_v<T>) {
      cpu.platform->Perform(cpu, a);
    } else {
      return FromBits<T>(cpu.platform->Perform(cpu, a));
    }
  }
};

// try_cmpxchg: returns success and, on failure, updates *old like the kernel.
template <class T>
struct [[nodiscard]] TryCmpxchgOp {
  Cpu& cpu;
  Access a;
  T* old;
  bool await_ready() const noexcept { return !cpu.platform->interleaves(); }
  void await_suspend(std::coroutine_handle<> h) noexcept {
    cpu.parked = a;
    cpu.parked_at = h;
  }
  bool await_resume() {
    T seen = FromBits<T>(cpu.platform->Perform(cpu, a));
    if (seen == *old) return true;
    *old = seen;
    return false;
  }
};

template <class T>
Access MakeAccess(AccessKind kind, T* p, Site site, std::uint64_t value = 0,
                  std::uint64_t expected = 0) {
  static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8);
  Access a;
  a.kind = kind;
  a.size = sizeof(T);
  a.site = site;
  a.addr = const_cast<std::remove_cv_t<T>*>(p);
  a.value = value;
  a.expected = expected;
  return a;
}

// ---- the kernel's access kinds -------------------------------------------------

template <class T>
AccessOp<T> plain_load(Cpu& cur, T* p, Site site) {
  return {cur, MakeAccess(AccessKind::kPlainLoad, p, site)};
}
template <class T, class V>
AccessOp<void> plain_store(Cpu& cur, T* p, V v, Site site) {
  return {cur, MakeAccess(AccessKind::kPlainStore, p, site, ToBits<T>(static_cast<T>(v)))};
}
template <class T>
AccessOp<T> READ_ONCE(Cpu& cur, T* p, Site site) {
  return {cur, MakeAccess(AccessKind::kReadOnce, p, site)};
}
template <class T, class V>
AccessOp<void> WRITE_ONCE(Cpu& cur, T* p, V v, Site site) {
  return {cur, MakeAccess(AccessKind::kWriteOnce, p, site, ToBits<T>(static_cast<T>(v)))};
}
template <class T>
AccessOp<T> smp_load_acquire(Cpu& cur, T* p, Site site) {
  return {cur, MakeAccess(AccessKind::kLoadAcquire, p, site)};
}
template <class T, class V>
AccessOp<void> smp_store_release(Cpu& cur, T* p, V v, Site site) {
  return {cur, MakeAccess(AccessKind::kStoreRelease, p, site, ToBits<T>(static_cast<T>(v)))};
}
template <class T, class V>
AccessOp<T> xchg(Cpu& cur, T* p, V v, Site site) {
  return {cur, MakeAccess(AccessKind::kXchg, p, site, ToBits<T>(static_cast<T>(v)))};
}
template <class T, class V>
TryCmpxchgOp<T> try_cmpxchg(Cpu& cur, T* p, T* old, V v, Site site) {
  return {cur, MakeAccess(AccessKind::kCmpxchg, p, site, ToBits<T>(static_cast<T>(v)), ToBits<T>(*old)),
          old};
}
template <class T, class V>
TryCmpxchgOp<T> try_cmpxchg_acquire(Cpu& cur, T* p, T* old, V v, Site site) {
  return {cur,
          MakeAccess(AccessKind::kCmpxchgAcquire, p, site, ToBits<T>(static_cast<T>(v)), ToBits<T>(*old)),
          old};
}
// smp_cond_load_acquire(p, !(VAL & mask)): returns the value that satisfied it.
template <class T>
AccessOp<T> smp_cond_load_acquire_clear(Cpu& cur, T* p, std::uint64_t mask, Site site) {
  return {cur, MakeAccess(AccessKind::kCondLoadAcquire, p, site, 0, mask)};
}
// for (;;) { v = READ_ONCE(*p); if (!(v & mask) || clock >= deadline) break; cpu_relax(); }
template <class T>
AccessOp<T> read_once_until_clear(Cpu& cur, T* p, std::uint64_t mask, std::uint64_t deadline,
                                  Site site) {
  Access a = MakeAccess(AccessKind::kSpinReadOnce, p, site, 0, mask);
  a.deadline = deadline;
  return {cur, a};
}

inline AccessOp<void> call_func(Cpu& cur, std::uint64_t func, std::uint64_t info, Site site) {
  Access a;
  a.kind = AccessKind::kCall;
  a.site = site;
  a.value = func;
  a.expected = info;
  return {cur, a};
}
inline AccessOp<void> arch_send_call_function_single_ipi(Cpu& cur, int cpu, Site site) {
  Access a;
  a.kind = AccessKind::kSendIpi;
  a.site = site;
  a.value = static_cast<std::uint64_t>(cpu);
  return {cur, a};
}
inline AccessOp<void> arch_send_call_function_ipi_mask(Cpu& cur, std::uint64_t mask, Site site) {
  Access a;
  a.kind = AccessKind::kSendIpiMask;
  a.site = site;
  a.value = mask;
  return {cur, a};
}

inline AccessOp<void> mdelay_until(Cpu& cur, std::uint64_t deadline, Site site) {
  Access a;
  a.kind = AccessKind::kDelay;
  a.site = site;
  a.deadline = deadline;
  return {cur, a};
}

// remove_cpu(cpu) / add_cpu(cpu): what a hotplug op of the workload asks
// the machine for (lib/simulator.h says what it does).
inline Access CpuHotplugAccess(int cpu, bool online) {
  Access a;
  a.kind = online ? AccessKind::kCpuUp : AccessKind::kCpuDown;
  a.site = online ? Site::cpu_up : Site::cpu_down;
  a.value = static_cast<std::uint64_t>(cpu);
  return a;
}
inline AccessOp<void> cpu_hotplug(Cpu& cur, int cpu, bool online) {
  return {cur, CpuHotplugAccess(cpu, online)};
}
// remove_cpu() of the caller's own CPU: the caller sleeps while its CPU dies
// and goes on where the scheduler moved it (an extra task: the next online
// CPU; a CPU's own task: its CPU, once back up). Without this step the code
// after the call would run, and name its CPU, before the CPU is dead. The
// step is ready at once but, with the CPU dying, can only be taken after it
// is dead (stop_machine(), lib/simulator.h); it touches no memory.
// `online_mask` is the guest's cpu_online_mask after the take-down access.
inline bool OfflinedOwnCpu(bool offline, int target, int cpu, std::uint64_t online_mask) {
  return offline && target == cpu && !((online_mask >> cpu) & 1);
}
inline Access CpuDownReturnAccess() {
  Access a;
  a.kind = AccessKind::kDelay;
  a.site = Site::cpu_down;
  a.deadline = 0;
  return a;
}

inline void smp_mb(Cpu& cur) { cur.platform->Fence(cur, FenceKind::kMb); }
inline void smp_wmb(Cpu& cur) { cur.platform->Fence(cur, FenceKind::kWmb); }
inline void smp_rmb(Cpu& cur) { cur.platform->Fence(cur, FenceKind::kRmb); }
inline void smp_acquire__after_ctrl_dep(Cpu& cur) {
  cur.platform->Fence(cur, FenceKind::kAcquireAfterCtrlDep);
}

// get_cpu()/put_cpu() and preempt_disable()/preempt_enable(): no memory
// access, only the count a machine reads before it preempts the task.
inline void preempt_disable(Cpu& cur) { ++cur.preempt_count; }
inline void preempt_enable(Cpu& cur) { --cur.preempt_count; }
inline int get_cpu(Cpu& cur) {
  preempt_disable(cur);
  return cur.id;
}
inline void put_cpu(Cpu& cur) { preempt_enable(cur); }

inline bool local_irq_save(Cpu& cur) {
  bool was_disabled = cur.irqs_disabled;
  cur.irqs_disabled = true;
  return was_disabled;
}
// Re-enabling interrupts is where a pending IPI arrives on real hardware, so
// when this turns them back on it is a scheduling point (`co_await` it).
inline AccessOp<void> local_irq_restore(Cpu& cur, bool was_disabled) {
  cur.irqs_disabled = was_disabled;
  if (!was_disabled) cur.platform->IrqsEnabled(cur);
  Access a;
  a.kind = AccessKind::kIrqRestore;
  a.site = Site::local_irq_restore;
  return {cur, a};
}

inline void ghost(Cpu& cur, const GhostEvent& e) { cur.platform->Ghost(cur, e); }

// ---- raw memory helpers for platforms ----------------------------------------

inline std::uint64_t RawLoad(const void* p, int size) {
  switch (size) {
    case 1: { std::uint8_t v; std::memcpy(&v, p, 1); return v; }
    case 2: { std::uint16_t v; std::memcpy(&v, p, 2); return v; }
    case 4: { std::uint32_t v; std::memcpy(&v, p, 4); return v; }
    default: { std::uint64_t v; std::memcpy(&v, p, 8); return v; }
  }
}
inline void RawStore(void* p, int size, std::uint64_t v) {
  switch (size) {
    case 1: { std::uint8_t x = static_cast<std::uint8_t>(v); std::memcpy(p, &x, 1); break; }
    case 2: { std::uint16_t x = static_cast<std::uint16_t>(v); std::memcpy(p, &x, 2); break; }
    case 4: { std::uint32_t x = static_cast<std::uint32_t>(v); std::memcpy(p, &x, 4); break; }
    default: std::memcpy(p, &v, 8); break;
  }
}

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_PRIMITIVES_H_
