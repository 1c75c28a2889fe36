// SPDX-License-Identifier: GPL-2.0-only
#include "lib/threads/thread_platform.h"

#include <bit>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <random>
#include <thread>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SMPFUZZ_TSAN 1
#include <sanitizer/tsan_interface_atomic.h>
extern "C" void AnnotateIgnoreReadsBegin(const char* file, int line);
extern "C" void AnnotateIgnoreReadsEnd(const char* file, int line);
#endif
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define SMPFUZZ_LSAN 1
#include <sanitizer/lsan_interface.h>
#endif
#endif

namespace smpfuzz {
namespace {

constexpr int kMaxFindings = 8;

// Calls f with a zero of the unsigned type of `size` bytes.
template <class F>
std::uint64_t BySize(int size, F f) {
  switch (size) {
    case 1: return f(std::uint8_t{});
    case 2: return f(std::uint16_t{});
    case 4: return f(std::uint32_t{});
    default: return f(std::uint64_t{});
  }
}

std::uint64_t AtomicLoad(void* p, int size, int order) {
  return BySize(size, [&](auto z) -> std::uint64_t {
    return __atomic_load_n(static_cast<decltype(z)*>(p), order);
  });
}
void AtomicStore(void* p, int size, std::uint64_t v, int order) {
  BySize(size, [&](auto z) -> std::uint64_t {
    using U = decltype(z);
    __atomic_store_n(static_cast<U*>(p), static_cast<U>(v), order);
    return 0;
  });
}
std::uint64_t AtomicXchg(void* p, int size, std::uint64_t v, int order) {
  return BySize(size, [&](auto z) -> std::uint64_t {
    using U = decltype(z);
    return __atomic_exchange_n(static_cast<U*>(p), static_cast<U>(v), order);
  });
}
#ifdef SMPFUZZ_TSAN
// An atomic RMW that changes nothing, made through TSan's own entry point
// (the compiler would turn a plain `fetch_or(p, 0)` into a load).
void TsanRecordAtomicWrite(void* p, int size) {
  constexpr auto kRelaxed = __tsan_memory_order_relaxed;
  switch (size) {
    case 1: __tsan_atomic8_fetch_or(static_cast<volatile __tsan_atomic8*>(p), 0, kRelaxed); break;
    case 2: __tsan_atomic16_fetch_or(static_cast<volatile __tsan_atomic16*>(p), 0, kRelaxed); break;
    case 4: __tsan_atomic32_fetch_or(static_cast<volatile __tsan_atomic32*>(p), 0, kRelaxed); break;
    default: __tsan_atomic64_fetch_or(static_cast<volatile __tsan_atomic64*>(p), 0, kRelaxed); break;
  }
}
#endif

// Returns the value found (== expected on success), like cmpxchg().
//
// TSan 14 records every compare-exchange as an atomic *write*, even one that
// fails; in the C++ and Linux memory models a failed cmpxchg is a read. The
// fixed csd_lock()'s try_cmpxchg_acquire fails whenever another sender got
// the lock first, and the target's later plain reads of u_flags
// (CSD_TYPE(csd), csd_unlock's WARN_ON) would be reported as racing with that
// "write": a false report. Under TSan the exchange itself is therefore hidden
// from race detection (its acquire/release synchronization still happens) and
// re-recorded as what it was: an atomic load when it failed, an atomic
// read-modify-write (of nothing) when it succeeded.
std::uint64_t AtomicCmpxchg(void* p, int size, std::uint64_t expected, std::uint64_t desired,
                            int success, int failure) {
#ifdef SMPFUZZ_TSAN
  AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
#endif
  bool ok = false;
  std::uint64_t seen = BySize(size, [&](auto z) -> std::uint64_t {
    using U = decltype(z);
    U old = static_cast<U>(expected);
    ok = __atomic_compare_exchange_n(static_cast<U*>(p), &old, static_cast<U>(desired), false,
                                     success, failure);
    return old;
  });
#ifdef SMPFUZZ_TSAN
  AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
  if (ok) {
    TsanRecordAtomicWrite(p, size);
  } else {
    (void)AtomicLoad(p, size, __ATOMIC_RELAXED);
  }
#endif
  (void)ok;
  return seen;
}

std::uint64_t Bit(int cpu) { return std::uint64_t{1} << cpu; }

}  // namespace

const char* AbortReasonName(AbortReason r) {
  switch (r) {
    case AbortReason::kNone: return "none";
    case AbortReason::kSelfLoop: return "llist-self-loop";
    case AbortReason::kDoubleAdd: return "llist-double-add";
    case AbortReason::kCycle: return "llist-cycle";
    case AbortReason::kLockTimeout: return "csd-lock-timeout";
    case AbortReason::kStuck: return "cpu-stuck";
  }
  return "?";
}

std::string ThreadRunResult::Summary() const {
  std::string s = "requests=" + std::to_string(requests) + " callbacks=" +
                  std::to_string(callbacks) + " ipis=" + std::to_string(ipis) +
                  " lost=" + std::to_string(lost) + " duplicated=" + std::to_string(duplicated) +
                  " corrupted=" + std::to_string(corrupted) +
                  " warn_unlock_unlocked=" + std::to_string(warn_unlock_unlocked) +
                  " lock_timeouts=" + std::to_string(lock_timeouts) +
                  " errors=" + std::to_string(errors) +
                  " returned_early=" + std::to_string(returned_early) +
                  " wrong_enxio=" + std::to_string(wrong_enxio) +
                  " elapsed_ms=" + std::to_string(elapsed_ns / 1000000);
  if (aborted()) {
    s += std::string(" aborted=") + AbortReasonName(abort) + " on CPU" +
         std::to_string(abort_cpu) + " after " + std::to_string(abort_ns / 1000) + " us";
  }
  return s;
}

// Who has a node queued: node address -> owning CPU + 1 (0: not queued).
// Open addressing, insert-only keys; relaxed atomics throughout, so the
// bookkeeping creates no happens-before edge TSan could mistake for the
// kernel's.
class ThreadPlatform::NodeTable {
 public:
  explicit NodeTable(std::size_t min_capacity)
      : capacity_(std::bit_ceil(min_capacity)),
        keys_(new std::atomic<std::uintptr_t>[capacity_]),
        owners_(new std::atomic<std::uint32_t>[capacity_]) {
    Clear();
  }
  void Clear() {
    for (std::size_t i = 0; i < capacity_; ++i) {
      keys_[i].store(0, std::memory_order_relaxed);
      owners_[i].store(0, std::memory_order_relaxed);
    }
  }
  // Sets node's owner; returns the previous one (0 when untracked: table full).
  std::uint32_t Exchange(const void* node, std::uint32_t owner) {
    std::size_t i = Find(node, /*insert=*/true);
    if (i == kNone) return 0;
    return owners_[i].exchange(owner, std::memory_order_relaxed);
  }
  void Release(const void* node) {
    std::size_t i = Find(node, /*insert=*/false);
    if (i != kNone) owners_[i].store(0, std::memory_order_relaxed);
  }

 private:
  static constexpr std::size_t kNone = ~std::size_t{0};
  std::size_t Find(const void* node, bool insert) {
    const std::uintptr_t key = reinterpret_cast<std::uintptr_t>(node);
    std::size_t i = (key >> 4) * 0x9e3779b97f4a7c15ULL % capacity_;
    for (std::size_t probes = 0; probes < capacity_; ++probes, i = (i + 1) % capacity_) {
      std::uintptr_t k = keys_[i].load(std::memory_order_relaxed);
      if (k == key) return i;
      if (k != 0) continue;
      if (!insert) return kNone;
      if (keys_[i].compare_exchange_strong(k, key, std::memory_order_relaxed)) return i;
      if (k == key) return i;  // another thread inserted it just now
    }
    return kNone;
  }

  std::size_t capacity_;
  std::unique_ptr<std::atomic<std::uintptr_t>[]> keys_;
  std::unique_ptr<std::atomic<std::uint32_t>[]> owners_;
};

ThreadPlatform::ThreadPlatform(std::unique_ptr<Guest> guest)
    : Platform(/*interleaves=*/false), guest_(std::move(guest)) {}

ThreadPlatform::~ThreadPlatform() = default;

absl::Status ThreadPlatform::Load(const Scenario& s) {
  absl::Status valid = s.Validate();
  if (valid.ok() && !s.tasks.empty()) {
    valid = absl::InvalidArgumentError("the real-thread platform runs one task per CPU: no extra tasks");
  }
  if (valid.ok()) {
    for (int t = 0; t < s.nr_tasks() && valid.ok(); ++t) {
      for (const Op& op : s.TaskOpList(t)) {
        if (op.kind == OpKind::kIrqWorkQueueOn || op.kind == OpKind::kTtwuQueue) {
          // Its node-owner table frees a node at csd_unlock(), which an
          // irq_work or a wake entry never passes.
          valid = absl::InvalidArgumentError(std::string("the real-thread platform runs csds only: no ") +
                                             OpKindName(op.kind) + " operations");
          break;
        }
        if (op.act != CallbackAct::kNone) {
          // Not yet checked on real threads (a callback's nested call runs
          // in the IPI's thread; the owner table has not been taught it).
          valid = absl::InvalidArgumentError(
              "the real-thread platform runs callbacks without act=: no act=" +
              std::string(CallbackActName(op.act)));
          break;
        }
      }
    }
  }
  if (valid.ok() && s.HasHotplug()) {
    valid = absl::InvalidArgumentError(
        "the real-thread platform has a fixed online set: no offline/online operations");
  }
  loaded_ = valid.ok();
  if (!loaded_) return valid;
  scenario_ = s;
  if (scenario_.variant == nullptr) scenario_.variant = FindVariant("baseline");
  guest_->Load(scenario_);
  // Where csd_unlock()'s store lands, relative to the node it unlocks.
  flags_offset_ = guest_->csd_layout().flags;
  const int n = scenario_.nr_cpus;
  cpus_.clear();
  for (int i = 0; i < n; ++i) cpus_.push_back(std::make_unique<ThreadCpu>());
  // Every node a queue can hold: csd_data, cfd csds, async csds, the wild
  // csd, and on-stack csds (recycled frames: a few addresses per CPU).
  std::size_t nodes = guest_->static_csd_count();
  nodes_ = std::make_unique<NodeTable>(4 * (nodes + 1024 * static_cast<std::size_t>(n)));
  // A flush reads each node's `next` at most three times (reverse, SYNC
  // pass, !SYNC pass); at most one on-stack csd per CPU is queued at a time.
  walk_limit_ = 3 * (nodes + n) + 16;
  const std::size_t tokens = guest_->requests().count() + 1;
  ran_size_ = tokens * n;
  ran_.reset(new std::atomic<std::uint32_t>[ran_size_]);
  return absl::OkStatus();
}

std::uint64_t ThreadPlatform::NowNs() const {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

void ThreadPlatform::Finding(std::string text) {
  int slot = findings_taken_.fetch_add(1, std::memory_order_relaxed);
  if (slot < kMaxFindings) findings_[slot] = std::move(text);
}

void ThreadPlatform::Abort(AbortReason reason, int cpu) {
  std::uint32_t want = (static_cast<std::uint32_t>(reason) << 8) | static_cast<std::uint32_t>(cpu + 1);
  std::uint32_t none = 0;
  if (abort_.compare_exchange_strong(none, want, std::memory_order_relaxed)) {
    abort_ns_.store(NowNs() - start_ns_, std::memory_order_relaxed);
  }
}

void ThreadPlatform::CpuRelax(int* spins) const {
  if (++*spins < options_.spins_before_yield) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  } else {
    // Fewer cores than CPUs: let the CPU we wait for run.
    std::this_thread::yield();
  }
}

void ThreadPlatform::PollIpi(ThreadCpu& c) {
  if (c.in_irq || c.cpu.irqs_disabled || Aborted()) return;
  if (!c.ipi_pending.load(std::memory_order_relaxed)) return;
  // Acquire pairs with the sender's release: taking an interrupt orders
  // like that on real hardware.
  if (!c.ipi_pending.exchange(false, std::memory_order_acquire)) return;
  ipis_.fetch_add(1, std::memory_order_relaxed);
  c.in_irq = true;
  const bool saved = c.cpu.irqs_disabled;
  c.cpu.irqs_disabled = true;
  {
    Task<void> handler = guest_->IpiEntry(c.cpu);
    handler.start();  // never suspends: runs to completion on this thread
    if (!handler.done()) std::abort();
  }
  c.cpu.irqs_disabled = saved;
  c.in_irq = false;
}

void ThreadPlatform::IrqsEnabled(Cpu& cpu) { PollIpi(*cpus_[cpu.id]); }

std::uint64_t ThreadPlatform::Clock(Cpu&) { return NowNs() - start_ns_; }

void ThreadPlatform::Fence(Cpu&, FenceKind kind) {
  // Executed for real; TSan ignores them (see the header), which is why the
  // debug lock-wait spin loads with acquire.
  switch (kind) {
    case FenceKind::kMb: std::atomic_thread_fence(std::memory_order_seq_cst); break;
    case FenceKind::kWmb: std::atomic_thread_fence(std::memory_order_release); break;
    case FenceKind::kRmb:
    case FenceKind::kAcquireAfterCtrlDep:
      std::atomic_thread_fence(std::memory_order_acquire);
      break;
  }
}

std::uint64_t ThreadPlatform::Spin(ThreadCpu& c, const Access& a) {
  int spins = 0;
  for (;;) {
    if (Aborted()) return 0;
    if (a.kind == AccessKind::kDelay) {
      if (NowNs() - start_ns_ >= a.deadline) return 0;
    } else {
      std::uint64_t v = AtomicLoad(a.addr, a.size, __ATOMIC_ACQUIRE);
      if (a.kind == AccessKind::kSpinUntilChanged) {
        if (v != a.expected || NowNs() - start_ns_ >= a.deadline) return v;
      } else if (!(v & a.expected)) {
        return v;
      }
      if (a.kind == AccessKind::kSpinReadOnce && NowNs() - start_ns_ >= a.deadline) return v;
    }
    PollIpi(c);
    CpuRelax(&spins);
  }
}

bool ThreadPlatform::CheckNextStore(int cpu, const Access& a) {
  if (a.value == reinterpret_cast<std::uintptr_t>(a.addr)) {
    Abort(AbortReason::kSelfLoop, cpu);
    return false;
  }
  // `next` is the first word of the node: a.addr is the node.
  std::uint32_t prev = nodes_->Exchange(a.addr, static_cast<std::uint32_t>(cpu + 1));
  if (prev != 0 && prev != static_cast<std::uint32_t>(cpu + 1)) {
    Abort(AbortReason::kDoubleAdd, cpu);
    return false;
  }
  return true;
}

std::uint64_t ThreadPlatform::Perform(Cpu& cpu, const Access& a) {
  ThreadCpu& c = *cpus_[cpu.id];
  // An interrupt arrives between two instructions, never inside one.
  PollIpi(c);
  if (Aborted()) {
    // Inert: every model loop ends on NULL, a clear lock bit or a cmpxchg
    // that succeeds, so the CPU's task unwinds (see the header).
    return (a.kind == AccessKind::kCmpxchg || a.kind == AccessKind::kCmpxchgAcquire) ? a.expected
                                                                                     : 0;
  }
  switch (a.kind) {
    case AccessKind::kPlainLoad:
      if (a.site == Site::flush_read_next || a.site == Site::llist_reverse_order_read_next) {
        if (++c.walk > walk_limit_) {
          Abort(AbortReason::kCycle, cpu.id);
          return 0;
        }
      }
      return RawLoad(a.addr, a.size);
    case AccessKind::kPlainStore:
    case AccessKind::kWriteOnce:
    case AccessKind::kStoreRelease:
      if (a.site == Site::llist_add_batch_set_next && !CheckNextStore(cpu.id, a)) return 0;
      if (a.site == Site::csd_unlock_release) {
        // Before the store: the next owner acquires it and may re-add at once.
        nodes_->Release(static_cast<char*>(a.addr) - flags_offset_);
      }
      if (a.kind == AccessKind::kPlainStore) {
        RawStore(a.addr, a.size, a.value);
      } else {
        AtomicStore(a.addr, a.size, a.value,
                    a.kind == AccessKind::kWriteOnce ? __ATOMIC_RELAXED : __ATOMIC_RELEASE);
      }
      return 0;
    case AccessKind::kReadOnce:
      return AtomicLoad(a.addr, a.size, __ATOMIC_RELAXED);
    case AccessKind::kLoadAcquire:
      return AtomicLoad(a.addr, a.size, __ATOMIC_ACQUIRE);
    case AccessKind::kXchg:
      if (a.site == Site::llist_del_all_xchg) c.walk = 0;
      return AtomicXchg(a.addr, a.size, a.value, __ATOMIC_SEQ_CST);
    case AccessKind::kCmpxchg:
      return AtomicCmpxchg(a.addr, a.size, a.expected, a.value, __ATOMIC_SEQ_CST,
                           __ATOMIC_SEQ_CST);
    case AccessKind::kCmpxchgAcquire:
      return AtomicCmpxchg(a.addr, a.size, a.expected, a.value, __ATOMIC_ACQUIRE,
                           __ATOMIC_RELAXED);
    case AccessKind::kCondLoadAcquire:
    case AccessKind::kSpinReadOnce:
    case AccessKind::kSpinUntilChanged:
    case AccessKind::kDelay:
      return Spin(c, a);
    case AccessKind::kCall: {
      std::uint32_t token = TokenOfFunc(a.value);
      if (token == 0 || token != TokenOfInfo(a.expected) ||
          token >= ran_size_ / scenario_.nr_cpus) {
        corrupted_.fetch_add(1, std::memory_order_relaxed);
        Finding("CPU" + std::to_string(cpu.id) + " ran func " + std::to_string(a.value) +
                " with info " + std::to_string(a.expected));
      } else {
        if (options_.callback_ns != 0) {
          const auto until = std::chrono::steady_clock::now() +
                             std::chrono::nanoseconds(options_.callback_ns);
          // Yield while "running": on a machine with fewer free cores than
          // CPU threads the waiter must still get to look at its csd
          // meanwhile, or an early return could never be seen there.
          while (std::chrono::steady_clock::now() < until) std::this_thread::yield();
        }
        ran_[static_cast<std::size_t>(token) * scenario_.nr_cpus + cpu.id].fetch_add(
            1, std::memory_order_relaxed);
      }
      callbacks_.fetch_add(1, std::memory_order_relaxed);
      return 0;
    }
    case AccessKind::kSendIpi:
    case AccessKind::kSendIpiMask: {
      std::uint64_t mask =
          a.kind == AccessKind::kSendIpi ? Bit(static_cast<int>(a.value) & 63) : a.value;
      if (a.kind == AccessKind::kSendIpi && a.value >= cpus_.size()) mask = 0;
      for (int t = 0; t < static_cast<int>(cpus_.size()); ++t) {
        if ((mask >> t) & 1) cpus_[t]->ipi_pending.store(true, std::memory_order_release);
      }
      return 0;
    }
    case AccessKind::kCpuDown:  // Load refuses scenarios with hotplug
    case AccessKind::kCpuUp:
    case AccessKind::kCount:
      break;
  }
  return 0;
}

void ThreadPlatform::Ghost(Cpu& cpu, const GhostEvent& e) {
  // After an abort the inert accesses make the model "see" nonsense
  // (unlocked csds, ...): nothing it reports then means anything.
  if (Aborted()) return;
  const int n = scenario_.nr_cpus;
  switch (e.kind) {
    case GhostKind::kRequestIssued: {
      requests_.fetch_add(1, std::memory_order_relaxed);
      issued_mask_[e.a] = e.b;
      due_online_[e.a] = e.b & e.d;
      for (int t = 0; t < n; ++t) {
        if ((e.b >> t) & 1) ++expected_[e.a * n + t];
      }
      break;
    }
    case GhostKind::kRequestReturned: {
      const std::int64_t err = static_cast<std::int64_t>(e.b);
      if (err < 0) {
        errors_.fetch_add(1, std::memory_order_relaxed);
        for (int t = 0; t < n; ++t) {
          if ((issued_mask_[e.a] >> t) & 1) --expected_[e.a * n + t];
        }
        if (err == -ENXIO && due_online_[e.a] != 0) {
          wrong_enxio_.fetch_add(1, std::memory_order_relaxed);
          Finding("CPU" + std::to_string(cpu.id) + ": request " + std::to_string(e.a) +
                  " returned -ENXIO although a CPU it was due on is online");
        }
        break;
      }
      if (e.d == 0) break;
      // wait=1 returned: csd_lock_wait()'s acquire of each target's unlock
      // orders that target's callback (and our count of it) before this.
      for (int t = 0; t < n; ++t) {
        const std::size_t i = e.a * n + t;
        if (((e.c >> t) & 1) && ran_[i].load(std::memory_order_relaxed) < expected_[i]) {
          returned_early_.fetch_add(1, std::memory_order_relaxed);
          Finding("CPU" + std::to_string(cpu.id) + ": wait=1 request " + std::to_string(e.a) +
                  " returned before its callback ran on CPU" + std::to_string(t));
        }
      }
      break;
    }
    case GhostKind::kWarnUnlockUnlocked:
      warn_.fetch_add(1, std::memory_order_relaxed);
      Finding("CPU" + std::to_string(cpu.id) + ": WARN_ON in csd_unlock (csd not locked)");
      break;
    case GhostKind::kCsdLockTimeout:
      timeouts_.fetch_add(1, std::memory_order_relaxed);
      if (options_.abort_on_lock_timeout) Abort(AbortReason::kLockTimeout, cpu.id);
      Finding("CPU" + std::to_string(cpu.id) + ": csd: Detected non-responsive CSD lock (" +
              std::to_string(e.a / 1000000) + " ms, dst CPU" +
              std::to_string(static_cast<std::int64_t>(e.b)) + ")");
      break;
    case GhostKind::kPerCpuOutOfRange:
      out_of_range_.fetch_add(1, std::memory_order_relaxed);
      break;
    default:
      break;
  }
}

void ThreadPlatform::CpuThread(int id) {
#ifdef SMPFUZZ_LSAN
  // FrameAllocator's free lists are thread_local and nothing frees them when
  // the thread exits, so LeakSanitizer would report every cached frame. The
  // model allocates nothing else on this thread.
  __lsan_disable();
#endif
  while (!go_.load(std::memory_order_acquire)) std::this_thread::yield();
  ThreadCpu& c = *cpus_[id];
  if (guest_->HasTask(id)) {
    // Created, run and destroyed here: its frames (and those of everything
    // it calls) come from and go back to this thread's FrameAllocator.
    Task<void> task = guest_->RunTask(c.cpu, id);
    task.start();
    if (!task.done()) std::abort();
  }
  tasks_done_.fetch_add(1, std::memory_order_release);
  // Idle: take IPIs until every task is done (after that no request is
  // made, and every IPI already sent is visible) and none is pending.
  int spins = 0;
  for (;;) {
    if (Aborted()) break;
    PollIpi(c);
    if (tasks_done_.load(std::memory_order_acquire) == nr_threads_ &&
        !c.ipi_pending.load(std::memory_order_relaxed)) {
      break;
    }
    CpuRelax(&spins);
  }
#ifdef SMPFUZZ_LSAN
  __lsan_enable();
#endif
  threads_exited_.fetch_add(1, std::memory_order_release);
}

ThreadRunResult ThreadPlatform::Run(const ThreadRunOptions& options) {
  ThreadRunResult r;
  if (!loaded_) return r;
  options_ = options;
  const int n = scenario_.nr_cpus;
  guest_->Reset(nullptr);
  nodes_->Clear();
  for (std::size_t i = 0; i < ran_size_; ++i) ran_[i].store(0, std::memory_order_relaxed);
  expected_.assign(ran_size_, 0);
  issued_mask_.assign(ran_size_ / n, 0);
  due_online_.assign(ran_size_ / n, 0);
  for (auto* counter : {&requests_, &callbacks_, &ipis_, &corrupted_, &warn_, &timeouts_,
                        &out_of_range_, &errors_, &returned_early_, &wrong_enxio_}) {
    counter->store(0, std::memory_order_relaxed);
  }
  findings_.assign(kMaxFindings, "");
  findings_taken_.store(0, std::memory_order_relaxed);
  abort_.store(0, std::memory_order_relaxed);
  abort_ns_.store(0, std::memory_order_relaxed);
  go_.store(false, std::memory_order_relaxed);
  tasks_done_.store(0, std::memory_order_relaxed);
  threads_exited_.store(0, std::memory_order_relaxed);
  nr_threads_ = 0;
  for (int i = 0; i < n; ++i) {
    ThreadCpu& c = *cpus_[i];
    c.cpu.id = i;
    c.cpu.task = i;  // one task per CPU
    c.cpu.platform = this;
    guest_->BindCpu(c.cpu);
    c.cpu.irqs_disabled = false;
    c.in_irq = false;
    c.walk = 0;
    c.ipi_pending.store(false, std::memory_order_relaxed);
    if (guest_->CpuOnline(i)) ++nr_threads_;
  }

  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    if (guest_->CpuOnline(i)) threads.emplace_back(&ThreadPlatform::CpuThread, this, i);
  }
  start_ns_ = NowNs();
  go_.store(true, std::memory_order_release);
  // Watchdog: a run that cannot finish is ended like a self-loop.
  const std::uint64_t limit_ns = options_.time_limit_ms * 1000000;
  while (threads_exited_.load(std::memory_order_acquire) < nr_threads_) {
    if (NowNs() - start_ns_ > limit_ns) Abort(AbortReason::kStuck, -1);
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  for (std::thread& t : threads) t.join();
  r.elapsed_ns = NowNs() - start_ns_;

  std::uint32_t abort = abort_.load(std::memory_order_relaxed);
  r.abort = static_cast<AbortReason>(abort >> 8);
  r.abort_cpu = static_cast<int>(abort & 0xff) - 1;
  r.abort_ns = abort_ns_.load(std::memory_order_relaxed);
  r.requests = requests_.load(std::memory_order_relaxed);
  r.callbacks = callbacks_.load(std::memory_order_relaxed);
  r.ipis = ipis_.load(std::memory_order_relaxed);
  r.corrupted = corrupted_.load(std::memory_order_relaxed);
  r.warn_unlock_unlocked = warn_.load(std::memory_order_relaxed);
  r.lock_timeouts = timeouts_.load(std::memory_order_relaxed);
  r.percpu_out_of_range = out_of_range_.load(std::memory_order_relaxed);
  r.errors = errors_.load(std::memory_order_relaxed);
  r.returned_early = returned_early_.load(std::memory_order_relaxed);
  r.wrong_enxio = wrong_enxio_.load(std::memory_order_relaxed);
  int taken = std::min(findings_taken_.load(std::memory_order_relaxed), kMaxFindings);
  r.findings.assign(findings_.begin(), findings_.begin() + taken);
  if (!r.aborted()) {
    // Callback accounting: only meaningful for a run that finished.
    for (std::size_t i = n; i < ran_size_; ++i) {
      std::uint32_t ran = ran_[i].load(std::memory_order_relaxed);
      std::uint32_t want = expected_[i];
      if (ran == want) continue;
      const std::size_t token = i / n;
      const int cpu = static_cast<int>(i % n);
      if (ran < want) r.lost += want - ran;
      if (ran > want) r.duplicated += ran - want;
      if (r.findings.size() < kMaxFindings) {
        auto origin = guest_->requests().Origin(static_cast<std::uint32_t>(token));
        r.findings.push_back("request " + std::to_string(token) + " (CPU" +
                             std::to_string(origin.first) + " op " +
                             std::to_string(origin.second) + ") ran " + std::to_string(ran) +
                             "x on CPU" + std::to_string(cpu) + ", expected " +
                             std::to_string(want));
      }
    }
  }
  return r;
}

Scenario StressScenario(const Variant* variant, int nr_cpus, int ops_per_cpu,
                        std::uint64_t seed) {
  Scenario s;
  s.nr_cpus = nr_cpus;
  s.variant = variant;
  s.csdlock_debug = true;
  s.ops.resize(nr_cpus);
  std::mt19937_64 rng(seed);
  const std::uint64_t all = AllCpusMask(nr_cpus);
  for (int cpu = 0; cpu < nr_cpus; ++cpu) {
    for (int i = 0; i < ops_per_cpu; ++i) {
      Op op;
      const int target = static_cast<int>(rng() % nr_cpus);
      const unsigned pick = static_cast<unsigned>(rng() % 100);
      if (pick < 40) {  // scftorture's SCF_PRIM_SINGLE
        op.kind = OpKind::kCallSingle;
        op.target = target;
      } else if (pick < 60) {  // SCF_PRIM_SINGLE with wait
        op.kind = OpKind::kCallSingle;
        op.target = target;
        op.wait = true;
      } else if (pick < 80) {  // SCF_PRIM_SINGLE_RPC-like async, kmalloc()ed csd
        op.kind = OpKind::kCallSingleAsync;
        op.target = target;
      } else if (pick < 98) {  // SCF_PRIM_MANY
        op.kind = OpKind::kCallMany;
        op.mask = rng() & all;
        op.wait = rng() % 2 == 0;
        op.local = rng() % 2 == 0;
      } else {
        op.kind = OpKind::kFlush;
      }
      s.ops[cpu].push_back(op);
    }
  }
  return s;
}

Scenario ApiStressScenario(const Variant* variant, int nr_online_cpus, int ops_per_cpu,
                           std::uint64_t seed) {
  const int n = nr_online_cpus + 1;
  Scenario s;
  s.nr_cpus = n;
  s.variant = variant;
  s.csdlock_debug = true;
  s.offline_mask = Bit(n - 1);
  s.ops.resize(n);
  std::mt19937_64 rng(seed);
  const std::uint64_t all = AllCpusMask(n);
  for (int cpu = 0; cpu < nr_online_cpus; ++cpu) {
    for (int i = 0; i < ops_per_cpu; ++i) {
      Op op;
      op.target = static_cast<int>(rng() % n);  // the offline CPU too
      op.wait = rng() % 2 == 0;
      const unsigned pick = static_cast<unsigned>(rng() % 100);
      if (pick < 30) {
        op.kind = OpKind::kCallSingle;
      } else if (pick < 45) {
        op.kind = OpKind::kCallSingleAsync;
        op.wait = false;
      } else if (pick < 60) {
        op.kind = OpKind::kCallMany;
        op.mask = rng() & all;
        op.local = rng() % 2 == 0;
        if (op.local && rng() % 2 == 0) op.cond = rng() & all;
      } else if (pick < 75) {
        op.kind = OpKind::kCallFunction;
      } else if (pick < 98) {
        op.kind = OpKind::kCallAny;
        op.mask = rng() % 4 == 0 ? Bit(n - 1) : 1 + rng() % all;
      } else {
        op.kind = OpKind::kFlush;
        op.wait = false;
      }
      s.ops[cpu].push_back(op);
    }
  }
  return s;
}

int ExpectedEnxio(const Scenario& s) {
  const std::uint64_t online = AllCpusMask(s.nr_cpus) & ~s.offline_mask;
  int n = 0;
  for (int t = 0; t < s.nr_tasks(); ++t) {
    for (const Op& op : s.TaskOpList(t)) {
      const bool single = op.kind == OpKind::kCallSingle || op.kind == OpKind::kCallSingleAsync;
      if (single && (op.target < 0 || op.target >= s.nr_cpus || !((online >> op.target) & 1))) ++n;
      if (op.kind == OpKind::kCallAny && (op.mask & online) == 0) ++n;
    }
  }
  return n;
}

Scenario HammerScenario(const Variant* variant, int nr_cpus, int ops_per_cpu) {
  Scenario s;
  s.nr_cpus = nr_cpus;
  s.variant = variant;
  s.csdlock_debug = true;
  s.ops.resize(nr_cpus);
  Op call;
  call.kind = OpKind::kCallSingle;
  call.target = 0;
  call.wait = false;
  for (int cpu = 1; cpu < nr_cpus; ++cpu) s.ops[cpu].assign(ops_per_cpu, call);
  return s;
}

}  // namespace smpfuzz
