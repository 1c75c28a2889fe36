// SPDX-License-Identifier: GPL-2.0-only
//
// Checkers on real memory (issue 15): what the kernel's own code does, told
// to the machine as the ghost events the model emits by hand (GhostKind,
// lib/primitives.h), so lib/checkers.cc judges both guests by one set of
// rules. Internal to kernel/runtime/: runtime.cc calls these hooks on the
// fiber, the observer calls cpu.platform->Ghost().
//
//  - CSD-lock ownership, shadowed from the u_flags words of the csds the
//    guest names (Locations: csd_data, the cfd_data csds, the workload's
//    csds, the wild csd). A write that leaves CSD_FLAG_LOCK set takes the
//    lock (kCsdLocked; taken while another CPU holds it: csd-double-lock)
//    unless the writing CPU holds it already and the word still says so (the
//    owner's own `u_flags |= CSD_TYPE_SYNC` in smp_call_function_many_cond);
//    a write that leaves it clear releases it (kCsdUnlocked). So b0473dcd's
//    `u_flags |= CSD_FLAG_LOCK` by two CPUs whose csd_lock_wait() both saw
//    the csd unlocked is two takes, whatever the second one's load of the
//    word read (it may already see the first one's LOCK: the code does not
//    look). Who holds which word is the observer's own note for that rule;
//    the checker keeps the owners it reports by.
//    On-stack csds (csd_stack) are not named by the kernel guest, so not
//    watched: only their own sender ever locks one.
//    A plain store's scheduling point comes before the store itself (the
//    machine is told the old value): the new value is read at the fiber's
//    next scheduling point, where Settle() runs, still within the same step.
//  - WARN*(): the one in csd_unlock() is csd-unlock-unlocked, about the
//    flags word the CPU read last; any other is kernel-warn (no signature
//    names a WARN in general). Both carry the tree's location
//    "func(file:line)" as their report's dedup key.
//  - printk: the CSD-lock diagnostics of csd_lock_wait_toolong(), recognised
//    by their format string when printed: "csd: %s non-responsive CSD lock"
//    is kCsdLockTimeout ("Detected" the first time, "Continued" after),
//    "csd: CSD lock (#%d) got unstuck" is kCsdLockUnstuck. The csd is the
//    word the wait loop's pass read first: the function begins with
//    READ_ONCE(csd->node.u_flags).

#ifndef SMPFUZZ_KERNEL_RUNTIME_OBSERVER_H_
#define SMPFUZZ_KERNEL_RUNTIME_OBSERVER_H_

#include <cstdarg>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "lib/locations.h"
#include "lib/primitives.h"

namespace smpfuzz::kernel_rt {

class Observer {
 public:
  // A new run on `nr_cpus` CPUs: forgets what each CPU read and wrote.
  // One slot per task (Scenario::nr_tasks): a task switch may come between
  // a plain store's scheduling point and the store, and two tasks of one CPU
  // are two owners of a csd.
  void Reset(int nr_tasks);
  // What the guest names its memory with (null: ownership is not shadowed),
  // and how its csds are laid out.
  void Watch(Locations* names, const CsdLayout& layout);

  // A load the machine performed for `cpu`. (Inline: only a 4-byte access
  // can be a flags word, and most of the guest's accesses are not.)
  void OnLoad(Cpu& cpu, const void* addr, int size) {
    if (size == 4 && names_ != nullptr) OnLoad4(cpu, addr);
  }
  // A plain store's scheduling point passed; the store itself follows.
  void OnPlainStore(Cpu& cpu, void* addr, int size) {
    if (size == 4 && names_ != nullptr) OnPlainStore4(cpu, addr);
  }
  // An atomic write the machine performed: the word held `old` (a
  // cmpxchg's or xchg's old value) and holds `now`.
  void OnAtomicWrite(Cpu& cpu, const void* addr, int size, std::uint64_t old, std::uint64_t now);
  // An atomic store, whose old value the CPU never saw.
  void OnAtomicStore(Cpu& cpu, const void* addr, int size, std::uint64_t now);
  // The fiber is about to switch out (or end): judge its pending plain store.
  void Settle(Cpu& cpu) {
    if (tasks_[cpu.task].pending != nullptr) SettleStore(cpu);
  }

  // WARN*() at file:line in func; `last_load` is the fiber's last load.
  void OnWarn(Cpu& cpu, const char* file, int line, const char* func, const void* last_load);
  // printk(fmt, ap) printed `text`; `pass_first` is the first marked load
  // of the fiber's current spin-loop pass.
  void OnPrintk(Cpu& cpu, const char* fmt, va_list ap, const void* pass_first, const char* text);

 private:
  struct PerTask {
    void* pending = nullptr;  // a csd flags word a plain store is about to write
    std::uint64_t pending_old = 0;
    const void* last_flags_read = nullptr;  // the csd flags word this task read last
  };
  struct Holder {
    const void* word;
    int task;
  };

  bool IsCsdFlags(const void* addr, int size) const;
  void OnLoad4(Cpu& cpu, const void* addr);
  void OnPlainStore4(Cpu& cpu, void* addr);
  const void* CsdOf(const void* flags_word) const;
  // `cpu` wrote `now` over `old` (old_known false: an atomic store).
  void Transition(Cpu& cpu, const void* addr, bool old_known, std::uint64_t old,
                  std::uint64_t now);
  void SettleStore(Cpu& cpu);
  // "func(file:line)", one copy per location for the process.
  const char* Where(const char* file, int line, const char* func);

  Locations* names_ = nullptr;
  CsdLayout layout_;
  std::vector<PerTask> tasks_;
  std::vector<Holder> holders_;  // few: the csds locked at once
  std::map<std::pair<const char*, int>, std::string> where_;
};

// At namespace scope, not a function-local static (no guard check per
// call: the runtime calls it at every scheduling point).
extern Observer g_observer;
inline Observer& Observe() { return g_observer; }

}  // namespace smpfuzz::kernel_rt

#endif  // SMPFUZZ_KERNEL_RUNTIME_OBSERVER_H_
