// SPDX-License-Identifier: GPL-2.0-only
//
// The kernel guest's runtime: runs the kernel's own code (compiled with
// -fsanitize=thread against kernel/shim/, linked without the TSan runtime)
// on simulated CPUs.
//
// Each simulated CPU is a stackful fiber (Boost.Context fcontext). The
// compiler's __tsan_* calls (plain and volatile loads and stores, __atomic
// builtins) are the scheduling points: at each one the fiber switches back
// to a bridge coroutine, a Task<void> of lib/task.h, which `co_await`s the
// corresponding Access on the machine (so the simulator parks the CPU there
// like any model access) and hands the machine's result back to the fiber.
//  - Plain and volatile stores run natively right after their scheduling
//    point: the machine is told the old value (it rewrites what is there),
//    so traces show a plain store's address but not its value.
//  - Atomics are performed by the machine (cmpxchg, xchg, load, store);
//    fetch-and-op builtins become a cmpxchg loop.
//  - cpu_relax() parks the CPU until the last word read in the loop's pass
//    changes (kSpinUntilChanged), unless some word read in the pass has
//    changed already; when the pass read sched_clock(), the park also ends at
//    a deadline an eighth of the time spun so far away, so the machine's
//    virtual clock reaches a CSD-lock timeout in tens of steps, at most 1/8
//    late.
//  - An IPI runs generic_smp_call_function_single_interrupt() nested on the
//    target's fiber (on top of the access it is parked at), IRQs off.
// Traces: every access's site is Site::kernel_guest (the tree's file:line
// is a later slice), and values read from memory are raw, so a trace hash
// is the same for the same schedule within one process, but pointers other
// than list links (callbacks' func, per-CPU pointers) differ between
// processes under ASLR.
// One process holds one copy of the kernel's globals: one kernel guest runs
// at a time (per thread; the globals are not thread-local, so never two
// threads).

#ifndef SMPFUZZ_KERNEL_RUNTIME_RUNTIME_H_
#define SMPFUZZ_KERNEL_RUNTIME_RUNTIME_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "lib/locations.h"
#include "lib/primitives.h"
#include "lib/task.h"

namespace smpfuzz::kernel_rt {

using EntryFn = void (*)(void* arg);

// Where the guest's sections lie (kdata, kbss and percpu: start and stop
// each), as its build reports them (smpfuzz_glue_sections); before Setup.
void SetSections(char* const bounds[6]);
// Prepares `nr_tasks` fibers (one per task: Scenario::nr_tasks), `nr_cpus`
// per-CPU areas, and snapshots the guest's data sections (the first call
// for each image: several may be loaded).
void Setup(int nr_cpus, int nr_tasks);
// Restores the guest's globals and per-CPU data to their initial state.
void ResetMemory();
// A boot's result, kept and put back: after ResetMemory and a boot (the
// guest's boot code, run off any fiber), SaveBooted(owner) keeps the guest's
// globals, per-CPU data, alloc_percpu() state and printk messages;
// RestoreBooted(owner) puts them back, as ResetMemory plus the same boot
// would leave them, and says whether it could: false when nothing was kept
// for `owner` since the last Setup (Setup forgets it) or for this image.
// Only for a boot that is a function of what Setup and the owner fixed.
void SaveBooted(const void* owner);
bool RestoreBooted(const void* owner);
// Where the guest's csds are (`names`, filled in this run's Guest::Reset;
// null: not known) and how they are laid out: what the runtime's checkers
// on real memory watch (kernel/runtime/observer.h).
void WatchCsds(Locations* names, const CsdLayout& layout);
// Per-CPU layout, after ResetMemory: CPU `cpu`'s copy of the per-CPU object
// at template address `p`; the wild object per_cpu_ptr() of an impossible CPU
// returns.
void* PerCpu(const void* p, int cpu);
void* WildPerCpu();
// What the tree's code printed (printk, pr_alert, ...) since ResetMemory.
const std::vector<std::string>& PrintkMessages();
std::size_t WildPerCpuSize();

// Binds fiber `cpu` to the machine's CPU (every run).
void BindCpu(Cpu& cpu);
// The task of `cpu`: runs entry(arg) on its fiber from the start.
Task<void> RunTask(Cpu& cpu, EntryFn entry, void* arg);
// An IPI's handler on `cpu`: handler(arg) nested on the fiber's current
// stack (or on a fresh stack when the CPU's task is not running).
Task<void> RunIrq(Cpu& cpu, EntryFn handler, void* arg);

// From code on a fiber (the workload): the machine's CPU it runs on, and a
// scheduling point of the caller's choosing (a callback: AccessKind::kCall).
Cpu* CurrentCpu();
std::uint64_t Yield(const Access& a);

}  // namespace smpfuzz::kernel_rt

#endif  // SMPFUZZ_KERNEL_RUNTIME_RUNTIME_H_
