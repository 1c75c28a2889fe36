// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/runtime/runtime.h"

#include <boost/context/detail/fcontext.hpp>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kernel/runtime/kernel_api.h"
#include "kernel/runtime/observer.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SMPFUZZ_ASAN_FIBERS 1
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#endif

// Coverage instrumentation on the guest's own files (the fuzz configs,
// kernel/defs.bzl): clang 14's TSan pass instruments the coverage updates
// too (libFuzzer's inline 8-bit counters: a __tsan_write1 per edge; AFL++'s
// PCGUARD: the guard's load, the map pointer's load, the map byte's store).
// They are no kernel accesses: no scheduling point, no checker event, or a
// run would take other steps (and race on counters) in a fuzz build than in
// smpfuzz's. The section bounds are this module's: a binary that links the
// guest and this runtime into one module (fuzz targets; tests with
// linkstatic) finds the tree's counters.
#if defined(SMPFUZZ_LIBFUZZER) || defined(SMPFUZZ_AFL)
extern "C" {
extern char __start___sancov_cntrs[] __attribute__((weak));
extern char __stop___sancov_cntrs[] __attribute__((weak));
extern char __start___sancov_guards[] __attribute__((weak));
extern char __stop___sancov_guards[] __attribute__((weak));
extern unsigned char* __afl_area_ptr __attribute__((weak));
extern unsigned int __afl_map_size __attribute__((weak));
}
#endif

namespace smpfuzz::kernel_rt {
namespace {

// The guest's data sections (kernel/shim/smpfuzz_prelude.h, DEFINE_PER_CPU),
// as SetSections was told.
char* __start_smpfuzz_kdata;
char* __stop_smpfuzz_kdata;
char* __start_smpfuzz_kbss;
char* __stop_smpfuzz_kbss;
char* __start_smpfuzz_percpu;
char* __stop_smpfuzz_percpu;

namespace ctx = boost::context::detail;

constexpr std::size_t kStackSize = 256 * 1024;
constexpr std::size_t kDynPerCpu = 16 * 1024;  // alloc_percpu() space per CPU
constexpr std::size_t kWildSize = 256;
constexpr std::uint64_t kSpinQuantumNs = 1000000;  // first park of a timed spin: 1 ms
constexpr int kPassReads = 8;

enum class Msg : std::uint8_t { kResult, kIrq };
enum class Yielded : std::uint8_t { kAccess, kDone, kIrqDone };

struct PassRead {
  const void* addr;
  std::uint8_t size;
  std::uint64_t value;
};

// What a spin loop read since its last cpu_relax().
struct Pass {
  PassRead reads[kPassReads];
  int nr = 0;          // reads recorded (the last kPassReads kept)
  int last_marked = -1;  // index in reads of the last marked read
  const void* first_marked = nullptr;  // the pass's first marked read
  bool clock = false;  // sched_clock() was read
  void Clear() {
    nr = 0;
    last_marked = -1;
    first_marked = nullptr;
    clock = false;
  }
  void Add(const void* addr, std::uint8_t size, std::uint64_t value, bool marked) {
    static_assert((kPassReads & (kPassReads - 1)) == 0);
    int i = nr & (kPassReads - 1);  // nr % kPassReads (nr >= 0)
    reads[i] = {addr, size, value};
    ++nr;
    if (marked && first_marked == nullptr) first_marked = addr;
    if (marked) last_marked = i;
    else if (last_marked == i) last_marked = -1;
  }
};

struct Fiber {
  Cpu* cpu = nullptr;
  // For ASan (SMPFUZZ_ASAN_FIBERS): the fiber's fake stack while it is
  // switched out, and the stack of the bridge that resumed it.
  void* asan_fake_stack = nullptr;
  const void* caller_stack = nullptr;
  std::size_t caller_stack_size = 0;
  std::unique_ptr<char[]> stack;
  ctx::fcontext_t ctx = nullptr;     // the kernel side, to resume
  ctx::fcontext_t caller = nullptr;  // the bridge that resumed it
  bool live = false;                 // ctx is a started, unfinished context
  EntryFn entry = nullptr;
  void* arg = nullptr;
  bool irq_mode = false;             // the root entry is an IPI handler
  EntryFn irq_handler = nullptr;
  void* irq_arg = nullptr;
  Msg msg = Msg::kResult;
  Yielded yielded = Yielded::kDone;
  std::uint64_t result = 0;
  Pass pass;
  const void* last_load = nullptr;  // the last plain or volatile load
  const void* spin_addr = nullptr;  // the word the current timed spin parks on
  int spin_parks = 0;
  std::uint64_t spin_start = 0;     // when it first parked
};

struct State {
  int nr_cpus = 0;
  int nr_tasks = 0;
  std::vector<Fiber> fibers;  // one per task: the CPU a task is on changes, its fiber not
  Fiber* current = nullptr;
  // The initial data of each image run so far, by the start of its data
  // section (an image is snapshotted before its first run).
  std::map<const char*, std::vector<char>> kdata_initial;
  const std::vector<char>* initial = nullptr;  // the current image's
  char* percpu = nullptr;  // nr_cpus areas of `stride` bytes
  std::size_t percpu_static = 0;
  std::size_t stride = 0;
  std::size_t dyn_used = 0;
  std::size_t dyn_high = 0;  // the most dyn_used ever reached (since Setup)
  std::vector<std::string> printk;  // this run's messages
  std::uint64_t code_pc = 0;  // the guest code address of the access being made (SMPFUZZ_HERE)
  // The memory a boot left (SaveBooted), for RestoreBooted; owner null: none.
  struct Booted {
    const void* owner = nullptr;
    const char* kdata = nullptr;  // the image it is of (its data section)
    std::vector<char> data;       // kdata, kbss, then each CPU's area up to `percpu`
    std::size_t percpu = 0;       // bytes of each CPU's area kept (static + boot's dynamic)
    std::size_t dyn_used = 0;
    std::vector<std::string> printk;
  } booted;
  alignas(64) char wild[kWildSize];
};

// One instance at namespace scope rather than a function-local static: S()
// runs several times per scheduling point, and a local static's guard check
// and call were about 2% of a kernel guest run (callgrind). Nothing reaches
// it during static initialisation: the guest's code runs only in runs.
State g_state;
inline State& S() { return g_state; }

std::uint64_t NativePerform(const Access& a) {
  switch (a.kind) {
    case AccessKind::kPlainStore:
    case AccessKind::kWriteOnce:
    case AccessKind::kStoreRelease:
      RawStore(a.addr, a.size, a.value);
      return 0;
    case AccessKind::kXchg: {
      std::uint64_t old = RawLoad(a.addr, a.size);
      RawStore(a.addr, a.size, a.value);
      return old;
    }
    case AccessKind::kCmpxchg:
    case AccessKind::kCmpxchgAcquire: {
      std::uint64_t old = RawLoad(a.addr, a.size);
      const std::uint64_t mask =
          a.size >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * a.size)) - 1;
      if (old == (a.expected & mask)) RawStore(a.addr, a.size, a.value);
      return old;
    }
    default:
      return AccessTouchesMemory(a.kind) ? RawLoad(a.addr, a.size) : 0;
  }
}

inline bool IsCoverage(const void* a) {
#if defined(SMPFUZZ_LIBFUZZER) || defined(SMPFUZZ_AFL)
  auto in = [a](const void* begin, const void* end) { return a >= begin && a < end; };
  if (in(__start___sancov_cntrs, __stop___sancov_cntrs) ||
      in(__start___sancov_guards, __stop___sancov_guards)) {
    return true;
  }
  if (&__afl_area_ptr == nullptr) return false;
  return a == &__afl_area_ptr ||
         in(__afl_area_ptr, __afl_area_ptr + (&__afl_map_size ? __afl_map_size : 0));
#else
  (void)a;
  return false;
#endif
}

// ASan's fiber annotations (compiler-rt's common_interface_defs.h) around
// every jump_fcontext: without them ASan takes a fiber's stack for a heap
// block and its frames' redzones for the thread's. Leave: about to switch
// to the stack [to, to + size); `fake_stack` null when the current stack is
// done for good. Arrive: just switched; `from` gets the stack left.
inline void AsanLeave(void** fake_stack, const void* to, std::size_t size) {
#if defined(SMPFUZZ_ASAN_FIBERS)
  __sanitizer_start_switch_fiber(fake_stack, to, size);
#else
  (void)fake_stack, (void)to, (void)size;
#endif
}
inline void AsanArrive(void* fake_stack, const void** from, std::size_t* from_size) {
#if defined(SMPFUZZ_ASAN_FIBERS)
  __sanitizer_finish_switch_fiber(fake_stack, from, from_size);
#else
  (void)fake_stack, (void)from, (void)from_size;
#endif
}

// Switches from the fiber to the bridge that resumed it.
void SwitchOut(Fiber* f) {
  Observe().Settle(*f->cpu);
  AsanLeave(&f->asan_fake_stack, f->caller_stack, f->caller_stack_size);
  ctx::transfer_t t = ctx::jump_fcontext(f->caller, nullptr);
  AsanArrive(f->asan_fake_stack, &f->caller_stack, &f->caller_stack_size);
  f->caller = t.fctx;
}

void RunHandlerNested(Fiber* f) {
  Pass saved = f->pass;
  f->pass.Clear();
  f->irq_handler(f->irq_arg);
  f->pass = saved;
}

void FiberMain(ctx::transfer_t t) {
  Fiber* f = static_cast<Fiber*>(t.data);
  AsanArrive(nullptr, &f->caller_stack, &f->caller_stack_size);
  f->caller = t.fctx;
  if (f->irq_mode) {
    f->irq_handler(f->irq_arg);
    f->yielded = Yielded::kIrqDone;
  } else {
    f->entry(f->arg);
    f->yielded = Yielded::kDone;
  }
  f->live = false;
  Observe().Settle(*f->cpu);
  AsanLeave(nullptr, f->caller_stack, f->caller_stack_size);
  ctx::jump_fcontext(f->caller, nullptr);
  std::abort();  // a finished context is never resumed
}

// From the bridge: runs the fiber until its next scheduling point or its end.
Yielded Resume(Fiber* f, Msg msg) {
  Fiber* outer = S().current;
  S().current = f;
  f->msg = msg;
  void* fake_stack = nullptr;
  AsanLeave(&fake_stack, f->stack.get(), kStackSize);
  ctx::transfer_t t = ctx::jump_fcontext(f->ctx, f);
  AsanArrive(fake_stack, nullptr, nullptr);
  f->ctx = t.fctx;
  S().current = outer;
  return f->yielded;
}

void StartFresh(Fiber* f) {
  char* top = f->stack.get() + kStackSize;
#if defined(SMPFUZZ_ASAN_FIBERS)
  // A fiber abandoned mid-run (a finished run's, ResetMemory) left its
  // frames' redzones poisoned: the new one starts on a clean stack.
  __asan_unpoison_memory_region(f->stack.get(), kStackSize);
#endif
  f->ctx = ctx::make_fcontext(top, kStackSize, FiberMain);
  f->live = true;
  f->pass.Clear();
  f->spin_addr = nullptr;
  f->spin_parks = 0;
}

// The bridge's await: like lib/primitives.h's AccessOp, but the access is
// the one the fiber wrote into cpu.parked itself (YieldOn), not a copy. The
// machine keeps cpu.parked across an IPI handler nested on the CPU (it saves
// it when it delivers the IPI and puts it back when the handler is done), so
// when this bridge is resumed cpu.parked is still its access, whatever the
// handler's own accesses wrote there meanwhile.
struct ParkedAccessOp {
  Cpu& cpu;
  bool await_ready() const noexcept { return !cpu.platform->interleaves(); }
  void await_suspend(std::coroutine_handle<> h) noexcept { cpu.parked_at = h; }
  std::uint64_t await_resume() { return cpu.platform->Perform(cpu, cpu.parked); }
};

Task<void> Bridge(Cpu& cpu, Fiber* f, Msg first) {
  Yielded y = Resume(f, first);
  while (y == Yielded::kAccess) {
    f->result = co_await ParkedAccessOp{cpu};
    y = Resume(f, Msg::kResult);
  }
}

#if defined(SMPFUZZ_LIBFUZZER)
// Interleaving feedback from the tree's own code, for libFuzzer (which reads
// every array in this section as coverage and clears it before each input):
// the pairs of code addresses (relative to the binary) of accesses that ran
// back to back on different CPUs, hashed. The simulator's pairs are of
// Sites, and every kernel access is Site::kernel_guest: this is their
// counterpart for the kernel guest.
constexpr std::size_t kPcPairBits = 12;
__attribute__((section("__libfuzzer_extra_counters"))) std::uint8_t pc_pairs[1 << kPcPairBits];
struct {
  int cpu = -1;
  std::uint64_t pc = 0;
} last_access;

void CountPcPair(int cpu, std::uint64_t pc) {
  if (pc == 0) return;
  const std::uint64_t rel = pc - reinterpret_cast<std::uintptr_t>(&NativePerform);
  if (last_access.cpu >= 0 && last_access.cpu != cpu) {
    const std::uint64_t h = ((last_access.pc * 0x9e3779b97f4a7c15ull) ^ rel) * 0xff51afd7ed558ccdull;
    std::uint8_t& c = pc_pairs[h >> (64 - kPcPairBits)];
    if (c != 0xff) ++c;
  }
  last_access = {cpu, rel};
}
void ResetPcPairs() { last_access.cpu = -1; }
#else
void CountPcPair(int, std::uint64_t) {}
void ResetPcPairs() {}
#endif

// A scheduling point of the running fiber `f` (Yield's body, inlined into
// the entry points that know `f` already): park at `a` until the machine
// performs it, running any IPI handler delivered meanwhile.
inline std::uint64_t YieldOn(Fiber* f, const Access& a) {
  // Parked where the machine looks (ParkedAccessOp).
  Access& parked = f->cpu->parked;
  parked = a;
  if (a.site == Site::kernel_guest && a.kind != AccessKind::kCall && a.pc == 0) {
    parked.pc = S().code_pc;
  }
  const std::uint64_t pc = parked.pc;
  f->yielded = Yielded::kAccess;
  for (;;) {
    SwitchOut(f);
    if (f->msg == Msg::kResult) {
      CountPcPair(f->cpu->id, pc);  // the access ran just now
      return f->result;
    }
    // An IPI came in while this CPU was parked here: its handler runs on top.
    RunHandlerNested(f);
    f->yielded = Yielded::kIrqDone;
  }
}

// Yield(a) when the caller may be off any fiber (boot): then `a` runs natively.
inline std::uint64_t YieldOrPerform(const Access& a) {
  Fiber* f = S().current;
  return f == nullptr ? NativePerform(a) : YieldOn(f, a);
}

// A plain or volatile load: a scheduling point, then the native load.
// (Load and Store are inlined into each __tsan_* entry point: one call less
// per scheduling point.)
__attribute__((always_inline)) inline void Load(void* addr, std::uint8_t size, bool marked) {
  Fiber* f = S().current;
  if (f == nullptr || IsCoverage(addr)) return;
  Access a;
  a.kind = marked ? AccessKind::kReadOnce : AccessKind::kPlainLoad;
  a.size = size;
  a.site = Site::kernel_guest;
  a.addr = addr;
  const std::uint64_t v = YieldOn(f, a);
  f->pass.Add(addr, size, v, marked);
  f->last_load = addr;
  Observe().OnLoad(*f->cpu, addr, size);
}

// A plain or volatile store: a scheduling point, then the native store (the
// machine rewrites the old value).
__attribute__((always_inline)) inline void Store(void* addr, std::uint8_t size, bool marked) {
  Fiber* f = S().current;
  if (f == nullptr || IsCoverage(addr)) return;
  Access a;
  a.kind = marked ? AccessKind::kWriteOnce : AccessKind::kPlainStore;
  a.size = size;
  a.site = Site::kernel_guest;
  a.addr = addr;
  a.value = RawLoad(addr, size);
  YieldOn(f, a);
  Observe().OnPlainStore(*f->cpu, addr, size);
}

AccessKind LoadKind(int mo) {
  return mo == __ATOMIC_RELAXED ? AccessKind::kReadOnce : AccessKind::kLoadAcquire;
}
AccessKind StoreKind(int mo) {
  return mo == __ATOMIC_RELAXED ? AccessKind::kWriteOnce : AccessKind::kStoreRelease;
}
AccessKind CasKind(int mo) {
  return (mo == __ATOMIC_ACQUIRE || mo == __ATOMIC_CONSUME) ? AccessKind::kCmpxchgAcquire
                                                            : AccessKind::kCmpxchg;
}

template <class T>
std::uint64_t Bits(T v) {
  return static_cast<std::uint64_t>(static_cast<std::make_unsigned_t<T>>(v));
}

template <class T>
T AtomicLoad(volatile T* p, int mo) {
  Access a;
  a.kind = LoadKind(mo);
  a.size = sizeof(T);
  a.site = Site::kernel_guest;
  a.addr = const_cast<T*>(p);
  T v = static_cast<T>(YieldOrPerform(a));
  if (Fiber* f = S().current) {
    f->pass.Add(a.addr, a.size, static_cast<std::uint64_t>(v), true);
    Observe().OnLoad(*f->cpu, a.addr, a.size);
  }
  return v;
}
template <class T>
void AtomicStore(volatile T* p, T v, int mo) {
  Access a;
  a.kind = StoreKind(mo);
  a.size = sizeof(T);
  a.site = Site::kernel_guest;
  a.addr = const_cast<T*>(p);
  a.value = Bits(v);
  YieldOrPerform(a);
  if (Fiber* f = S().current) Observe().OnAtomicStore(*f->cpu, a.addr, a.size, a.value);
}
template <class T>
T AtomicXchg(volatile T* p, T v, int) {
  Access a;
  a.kind = AccessKind::kXchg;
  a.size = sizeof(T);
  a.site = Site::kernel_guest;
  a.addr = const_cast<T*>(p);
  a.value = Bits(v);
  const T old = static_cast<T>(YieldOrPerform(a));
  if (Fiber* f = S().current) Observe().OnAtomicWrite(*f->cpu, a.addr, a.size, Bits(old), a.value);
  return old;
}
template <class T>
T AtomicCas(volatile T* p, T expected, T v, int mo) {
  Access a;
  a.kind = CasKind(mo);
  a.size = sizeof(T);
  a.site = Site::kernel_guest;
  a.addr = const_cast<T*>(p);
  a.value = Bits(v);
  a.expected = Bits(expected);
  const T old = static_cast<T>(YieldOrPerform(a));
  if (old == expected) {
    if (Fiber* f = S().current) Observe().OnAtomicWrite(*f->cpu, a.addr, a.size, a.expected, a.value);
  }
  return old;
}
enum class Rmw { kAdd, kSub, kAnd, kOr, kXor, kNand };
template <class T>
T AtomicRmw(volatile T* p, T v, int mo, Rmw op) {
  for (;;) {
    T old = static_cast<T>(RawLoad(const_cast<T*>(p), sizeof(T)));
    T nv;
    switch (op) {
      case Rmw::kAdd: nv = static_cast<T>(old + v); break;
      case Rmw::kSub: nv = static_cast<T>(old - v); break;
      case Rmw::kAnd: nv = static_cast<T>(old & v); break;
      case Rmw::kOr: nv = static_cast<T>(old | v); break;
      case Rmw::kXor: nv = static_cast<T>(old ^ v); break;
      default: nv = static_cast<T>(~(old & v)); break;
    }
    if (AtomicCas(p, old, nv, mo == __ATOMIC_RELAXED ? __ATOMIC_SEQ_CST : mo) == old) return old;
  }
}

}  // namespace

void SetSections(char* const bounds[6]) {
  __start_smpfuzz_kdata = bounds[0];
  __stop_smpfuzz_kdata = bounds[1];
  __start_smpfuzz_kbss = bounds[2];
  __stop_smpfuzz_kbss = bounds[3];
  __start_smpfuzz_percpu = bounds[4];
  __stop_smpfuzz_percpu = bounds[5];
}

void Setup(int nr_cpus, int nr_tasks) {
  State& s = S();
  auto [it, first] = s.kdata_initial.try_emplace(__start_smpfuzz_kdata);
  if (first) it->second.assign(__start_smpfuzz_kdata, __stop_smpfuzz_kdata);
  s.initial = &it->second;
  s.nr_cpus = nr_cpus;
  s.nr_tasks = nr_tasks;
  if (s.fibers.size() < static_cast<std::size_t>(nr_tasks)) s.fibers.resize(nr_tasks);
  for (Fiber& f : s.fibers) {
    if (!f.stack) f.stack = std::make_unique<char[]>(kStackSize);
    f.live = false;
  }
  s.percpu_static = (static_cast<std::size_t>(__stop_smpfuzz_percpu - __start_smpfuzz_percpu) + 63) &
                    ~std::size_t{63};
  const std::size_t stride = s.percpu_static + kDynPerCpu;
  std::free(s.percpu);
  s.stride = stride;
  s.percpu = static_cast<char*>(std::aligned_alloc(64, stride * nr_cpus));
  std::memset(s.percpu, 0, stride * nr_cpus);
  s.dyn_high = 0;
  s.booted.owner = nullptr;
}

// What ResetMemory does besides the guest's memory.
void ResetRuntime() {
  State& s = S();
  s.dyn_used = 0;
  s.printk.clear();
  ResetPcPairs();
  Observe().Reset(s.nr_tasks);
  std::memset(s.wild, 0, sizeof(s.wild));
  for (Fiber& f : s.fibers) f.live = false;
  s.current = nullptr;
}

void ResetMemory() {
  State& s = S();
  std::memcpy(__start_smpfuzz_kdata, s.initial->data(), s.initial->size());
  std::memset(__start_smpfuzz_kbss, 0, __stop_smpfuzz_kbss - __start_smpfuzz_kbss);
  const std::size_t tmpl = static_cast<std::size_t>(__stop_smpfuzz_percpu - __start_smpfuzz_percpu);
  // Only what alloc_percpu() ever handed out needs zeroing (the same
  // allocations every run: a run's boot makes them).
  s.dyn_high = std::max(s.dyn_high, s.dyn_used);
  for (int cpu = 0; cpu < s.nr_cpus; ++cpu) {
    char* area = s.percpu + cpu * s.stride;
    std::memcpy(area, __start_smpfuzz_percpu, tmpl);
    std::memset(area + tmpl, 0, s.percpu_static - tmpl + s.dyn_high);
  }
  ResetRuntime();
}

void SaveBooted(const void* owner) {
  State& s = S();
  State::Booted& b = s.booted;
  const std::size_t kdata = static_cast<std::size_t>(__stop_smpfuzz_kdata - __start_smpfuzz_kdata);
  const std::size_t kbss = static_cast<std::size_t>(__stop_smpfuzz_kbss - __start_smpfuzz_kbss);
  b.owner = owner;
  b.kdata = __start_smpfuzz_kdata;
  b.percpu = s.percpu_static + s.dyn_used;
  b.dyn_used = s.dyn_used;
  b.printk = s.printk;
  b.data.resize(kdata + kbss + b.percpu * s.nr_cpus);
  char* out = b.data.data();
  std::memcpy(out, __start_smpfuzz_kdata, kdata);
  std::memcpy(out + kdata, __start_smpfuzz_kbss, kbss);
  for (int cpu = 0; cpu < s.nr_cpus; ++cpu) {
    std::memcpy(out + kdata + kbss + cpu * b.percpu, s.percpu + cpu * s.stride, b.percpu);
  }
}

bool RestoreBooted(const void* owner) {
  State& s = S();
  const State::Booted& b = s.booted;
  if (b.owner == nullptr || b.owner != owner || b.kdata != __start_smpfuzz_kdata) return false;
  const std::size_t kdata = static_cast<std::size_t>(__stop_smpfuzz_kdata - __start_smpfuzz_kdata);
  const std::size_t kbss = static_cast<std::size_t>(__stop_smpfuzz_kbss - __start_smpfuzz_kbss);
  const char* in = b.data.data();
  std::memcpy(__start_smpfuzz_kdata, in, kdata);
  std::memcpy(__start_smpfuzz_kbss, in + kdata, kbss);
  // What alloc_percpu() handed out after the boot (nothing in smp.c does)
  // is zeroed, as ResetMemory would.
  s.dyn_high = std::max(s.dyn_high, s.dyn_used);
  const std::size_t end = s.percpu_static + s.dyn_high;
  for (int cpu = 0; cpu < s.nr_cpus; ++cpu) {
    char* area = s.percpu + cpu * s.stride;
    std::memcpy(area, in + kdata + kbss + cpu * b.percpu, b.percpu);
    if (end > b.percpu) std::memset(area + b.percpu, 0, end - b.percpu);
  }
  ResetRuntime();
  s.dyn_used = b.dyn_used;
  s.printk = b.printk;
  return true;
}

void WatchCsds(Locations* names, const CsdLayout& layout) { Observe().Watch(names, layout); }

void* PerCpu(const void* p, int cpu) {
  State& s = S();
  return s.percpu + cpu * s.stride + (static_cast<const char*>(p) - __start_smpfuzz_percpu);
}
void* WildPerCpu() { return S().wild; }
const std::vector<std::string>& PrintkMessages() { return S().printk; }
std::size_t WildPerCpuSize() { return kWildSize; }

void BindCpu(Cpu& cpu) {
  Fiber& f = S().fibers[cpu.task];
  f.cpu = &cpu;
  f.live = false;
}

Task<void> RunTask(Cpu& cpu, EntryFn entry, void* arg) {
  Fiber* f = &S().fibers[cpu.task];
  f->entry = entry;
  f->arg = arg;
  f->irq_mode = false;
  StartFresh(f);
  return Bridge(cpu, f, Msg::kResult);
}

Task<void> RunIrq(Cpu& cpu, EntryFn handler, void* arg) {
  Fiber* f = &S().fibers[cpu.task];  // the handler nests on the current task's fiber
  f->irq_handler = handler;
  f->irq_arg = arg;
  if (f->live) return Bridge(cpu, f, Msg::kIrq);
  f->irq_mode = true;
  StartFresh(f);
  return Bridge(cpu, f, Msg::kResult);
}

Cpu* CurrentCpu() {
  Fiber* f = S().current;
  return f == nullptr ? nullptr : f->cpu;
}

std::uint64_t Yield(const Access& a) { return YieldOrPerform(a); }

}  // namespace smpfuzz::kernel_rt

// ---- the C interface of kernel/runtime/kernel_api.h ---------------------------------

using smpfuzz::kernel_rt::S;

namespace rt = smpfuzz::kernel_rt;

// Each entry point notes its caller's address, the guest code's pc of the
// access (Access::pc, for traces with the tree's lines).
#define SMPFUZZ_HERE \
  (rt::S().code_pc = reinterpret_cast<std::uint64_t>(__builtin_return_address(0)))


extern "C" {

int smpfuzz_cpu_id(void) {
  rt::Fiber* f = S().current;
  return f == nullptr ? 0 : f->cpu->id;
}

void smpfuzz_preempt_disable(void) {
  rt::Fiber* f = S().current;
  if (f != nullptr) ++f->cpu->preempt_count;
}

void smpfuzz_preempt_enable(void) {
  rt::Fiber* f = S().current;
  if (f != nullptr) --f->cpu->preempt_count;
}

int smpfuzz_irqs_disabled(void) {
  rt::Fiber* f = S().current;
  return f == nullptr ? 1 : f->cpu->irqs_disabled;
}

unsigned long smpfuzz_irq_save(void) {
  rt::Fiber* f = S().current;
  if (f == nullptr) return 1;
  unsigned long was = f->cpu->irqs_disabled;
  f->cpu->irqs_disabled = true;
  return was;
}

void smpfuzz_irq_restore(unsigned long flags) {
  rt::Fiber* f = S().current;
  if (f == nullptr) return;
  smpfuzz::Cpu& cpu = *f->cpu;
  cpu.irqs_disabled = flags != 0;
  if (flags != 0) return;
  cpu.platform->IrqsEnabled(cpu);
  smpfuzz::Access a;
  a.kind = smpfuzz::AccessKind::kIrqRestore;
  a.site = smpfuzz::Site::local_irq_restore;
  rt::Yield(a);
}

void smpfuzz_fence(int kind) {
  rt::Fiber* f = S().current;
  if (f == nullptr) return;
  f->cpu->platform->Fence(*f->cpu, static_cast<smpfuzz::FenceKind>(kind));
}

void smpfuzz_cpu_relax(void) {
  SMPFUZZ_HERE;
  rt::Fiber* f = S().current;
  if (f == nullptr) return;
  rt::Pass& p = f->pass;
  const int n = p.nr < rt::kPassReads ? p.nr : rt::kPassReads;
  bool changed = n == 0;
  for (int i = 0; i < n && !changed; ++i) {
    changed = smpfuzz::RawLoad(p.reads[i].addr, p.reads[i].size) != p.reads[i].value;
  }
  int park = p.last_marked >= 0 ? p.last_marked : (p.nr - 1) % rt::kPassReads;
  if (changed || park < 0) {
    // Something the pass read changed since: run the next pass at once.
    f->spin_addr = nullptr;
    f->spin_parks = 0;
    p.Clear();
    return;
  }
  const rt::PassRead r = p.reads[park];
  smpfuzz::Access a;
  a.kind = smpfuzz::AccessKind::kSpinUntilChanged;
  a.size = r.size;
  a.site = smpfuzz::Site::kernel_guest;
  a.addr = const_cast<void*>(r.addr);
  a.expected = r.value;
  if (p.clock) {
    // The loop reads the clock: wake it as time passes, in steps of an
    // eighth of the time it has spun so far (at least kSpinQuantumNs), so a
    // timeout T is seen by 9T/8 after about 8 ln(T / quantum) parks.
    const std::uint64_t now = f->cpu->platform->Clock(*f->cpu);
    if (f->spin_addr != r.addr || f->spin_parks == 0) f->spin_start = now;
    const std::uint64_t step = (now - f->spin_start) / 8;
    a.deadline = now + (step > rt::kSpinQuantumNs ? step : rt::kSpinQuantumNs);
    f->spin_addr = r.addr;
    ++f->spin_parks;
  }
  p.Clear();
  // Woken by a store rather than the deadline: the next spin starts afresh.
  if (rt::Yield(a) != r.value) f->spin_parks = 0;
}

unsigned long long smpfuzz_sched_clock(void) {
  rt::Fiber* f = S().current;
  if (f == nullptr) return 0;
  f->pass.clock = true;
  return f->cpu->platform->Clock(*f->cpu);
}

void smpfuzz_send_ipi(int cpu) {
  smpfuzz::Access a;
  a.kind = smpfuzz::AccessKind::kSendIpi;
  a.site = smpfuzz::Site::send_ipi;
  a.value = static_cast<std::uint64_t>(cpu);
  if (S().current != nullptr) rt::Yield(a);
}

void smpfuzz_send_ipi_mask(unsigned long mask) {
  smpfuzz::Access a;
  a.kind = smpfuzz::AccessKind::kSendIpiMask;
  a.site = smpfuzz::Site::send_ipi_mask;
  a.value = mask;
  if (S().current != nullptr) rt::Yield(a);
}

void* smpfuzz_per_cpu_ptr(const void* ptr, int cpu, unsigned long size) {
  rt::State& s = S();
  if (cpu < 0 || cpu >= s.nr_cpus || size > rt::kWildSize) {
    // per_cpu_ptr() of a CPU that is not possible: the kernel computes an
    // address outside every per-CPU area. Say so, and give it memory.
    if (rt::Fiber* f = S().current) {
      smpfuzz::GhostEvent e{smpfuzz::GhostKind::kPerCpuOutOfRange, smpfuzz::Site::kernel_guest,
                            s.wild};
      e.a = static_cast<std::uint64_t>(static_cast<std::int64_t>(cpu));
      f->cpu->platform->Ghost(*f->cpu, e);
    }
    return s.wild;
  }
  return rt::PerCpu(ptr, cpu);
}

void* smpfuzz_alloc_percpu(unsigned long size, unsigned long align) {
  rt::State& s = S();
  std::size_t at = (s.dyn_used + align - 1) & ~(align - 1);
  if (at + size > rt::kDynPerCpu) return nullptr;
  s.dyn_used = at + size;
  return rt::__start_smpfuzz_percpu + s.percpu_static + at;
}

int smpfuzz_printk(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  // The kernel's %pS/%ps print as pointers.
  int n = std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  S().printk.emplace_back(buf);
  if (rt::Fiber* f = S().current) {
    rt::Observe().Settle(*f->cpu);
    va_start(ap, fmt);
    rt::Observe().OnPrintk(*f->cpu, fmt, ap, f->pass.first_marked, buf);
    va_end(ap);
  }
  return n;
}

void smpfuzz_warn(const char* file, int line, const char* func) {
  rt::Fiber* f = S().current;
  if (f == nullptr) return;
  rt::Observe().Settle(*f->cpu);
  rt::Observe().OnWarn(*f->cpu, file, line, func, f->last_load);
}

void smpfuzz_bug(const char* file, int line) {
  std::fprintf(stderr, "kernel guest: BUG at %s:%d\n", file, line);
  std::abort();
}

// ---- the compiler's instrumentation callbacks ------------------------------------------

void __tsan_init(void) {}
void __tsan_func_entry(void*) {}
void __tsan_func_exit(void) {}

#define SMPFUZZ_TSAN_RW(n)                                                  \
  void __tsan_read##n(void* a) { SMPFUZZ_HERE; rt::Load(a, n, false); }                  \
  void __tsan_write##n(void* a) { SMPFUZZ_HERE; rt::Store(a, n, false); }                \
  void __tsan_unaligned_read##n(void* a) { SMPFUZZ_HERE; rt::Load(a, n, false); }        \
  void __tsan_unaligned_write##n(void* a) { SMPFUZZ_HERE; rt::Store(a, n, false); }      \
  void __tsan_volatile_read##n(void* a) { SMPFUZZ_HERE; rt::Load(a, n, true); }          \
  void __tsan_volatile_write##n(void* a) { SMPFUZZ_HERE; rt::Store(a, n, true); }        \
  void __tsan_unaligned_volatile_read##n(void* a) { SMPFUZZ_HERE; rt::Load(a, n, true); } \
  void __tsan_unaligned_volatile_write##n(void* a) { SMPFUZZ_HERE; rt::Store(a, n, true); }
SMPFUZZ_TSAN_RW(1)
SMPFUZZ_TSAN_RW(2)
SMPFUZZ_TSAN_RW(4)
SMPFUZZ_TSAN_RW(8)
#undef SMPFUZZ_TSAN_RW

#define SMPFUZZ_TSAN_ATOMIC(n, T)                                                         \
  T __tsan_atomic##n##_load(const volatile T* a, int mo) {                               \
    SMPFUZZ_HERE; return rt::AtomicLoad(const_cast<volatile T*>(a), mo);                               \
  }                                                                                      \
  void __tsan_atomic##n##_store(volatile T* a, T v, int mo) { SMPFUZZ_HERE; rt::AtomicStore(a, v, mo); } \
  T __tsan_atomic##n##_exchange(volatile T* a, T v, int mo) { SMPFUZZ_HERE; return rt::AtomicXchg(a, v, mo); } \
  T __tsan_atomic##n##_fetch_add(volatile T* a, T v, int mo) {                           \
    SMPFUZZ_HERE; return rt::AtomicRmw(a, v, mo, rt::Rmw::kAdd);                                       \
  }                                                                                      \
  T __tsan_atomic##n##_fetch_sub(volatile T* a, T v, int mo) {                           \
    SMPFUZZ_HERE; return rt::AtomicRmw(a, v, mo, rt::Rmw::kSub);                                       \
  }                                                                                      \
  T __tsan_atomic##n##_fetch_and(volatile T* a, T v, int mo) {                           \
    SMPFUZZ_HERE; return rt::AtomicRmw(a, v, mo, rt::Rmw::kAnd);                                       \
  }                                                                                      \
  T __tsan_atomic##n##_fetch_or(volatile T* a, T v, int mo) {                            \
    SMPFUZZ_HERE; return rt::AtomicRmw(a, v, mo, rt::Rmw::kOr);                                        \
  }                                                                                      \
  T __tsan_atomic##n##_fetch_xor(volatile T* a, T v, int mo) {                           \
    SMPFUZZ_HERE; return rt::AtomicRmw(a, v, mo, rt::Rmw::kXor);                                       \
  }                                                                                      \
  T __tsan_atomic##n##_fetch_nand(volatile T* a, T v, int mo) {                          \
    SMPFUZZ_HERE; return rt::AtomicRmw(a, v, mo, rt::Rmw::kNand);                                      \
  }                                                                                      \
  T __tsan_atomic##n##_compare_exchange_val(volatile T* a, T c, T v, int mo, int) {      \
    SMPFUZZ_HERE; return rt::AtomicCas(a, c, v, mo);                                                   \
  }                                                                                      \
  int __tsan_atomic##n##_compare_exchange_strong(volatile T* a, T* c, T v, int mo, int) { \
    SMPFUZZ_HERE; T old = rt::AtomicCas(a, *c, v, mo);                                                 \
    if (old == *c) return 1;                                                             \
    *c = old;                                                                            \
    return 0;                                                                            \
  }                                                                                      \
  int __tsan_atomic##n##_compare_exchange_weak(volatile T* a, T* c, T v, int mo, int f) { \
    return __tsan_atomic##n##_compare_exchange_strong(a, c, v, mo, f);                   \
  }
SMPFUZZ_TSAN_ATOMIC(8, std::int8_t)
SMPFUZZ_TSAN_ATOMIC(16, std::int16_t)
SMPFUZZ_TSAN_ATOMIC(32, std::int32_t)
SMPFUZZ_TSAN_ATOMIC(64, std::int64_t)
#undef SMPFUZZ_TSAN_ATOMIC

void __tsan_atomic_thread_fence(int) {
  rt::Fiber* f = S().current;
  if (f != nullptr) f->cpu->platform->Fence(*f->cpu, smpfuzz::FenceKind::kMb);
}
void __tsan_atomic_signal_fence(int) {}

}  // extern "C"
