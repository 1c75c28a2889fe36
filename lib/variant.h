// SPDX-License-Identifier: GPL-2.0-only
//
// Variant: which version of kernel/smp.c the model behaves as.
//
// All behavioural differences between kernel versions (and the fault-injecting
// mutants the oracle tests use) live in one table of plain data. Model code
// asks the variant a question ("does wait=0 use the destination's csd_data?")
// and never compares variant names, so a new kernel version or mutant is one
// new row.

#ifndef SMPFUZZ_LIB_VARIANT_H_
#define SMPFUZZ_LIB_VARIANT_H_

#include <string>
#include <string_view>
#include <vector>

namespace smpfuzz {

struct Variant {
  const char* name;
  const char* summary;
  // smp_call_function_single(wait=0) with csdlock_debug on takes
  // per_cpu_ptr(&csd_data, cpu) (the destination's) instead of this_cpu_ptr.
  // (b0473dcd: get_single_csd_data())
  bool single_csd_is_destinations_when_debug;
  // csd_lock() with csdlock_debug on takes the lock with try_cmpxchg_acquire
  // in a loop instead of a plain read-modify-write. (the 2026 fix)
  bool csd_lock_atomic_when_debug;
  // __smp_call_function_single / smp_call_function_many_cond wait for
  // synchronous calls after put_cpu() (the 2026 series) rather than before.
  bool wait_after_put_cpu;
  // Mutants, for showing that checkers fire; never a real kernel.
  bool mutant;
  bool csd_unlock_plain_store;  // csd_unlock() with a plain store, no release
  bool never_send_ipi;          // send_call_function_single_ipi() sends nothing
  // One-line bugs at sites the kernel's history of smp.c has fixed or
  // redesigned, re-injected for the explorer's soundness test
  // (lib/explorer_soundness_test.cc). Unlocking a synchronous csd before its
  // callback is what 8053871d0f7f ("smp: Fix smp_call_function_single_async()
  // locking", 2015) ordered the other way; the -EBUSY check of the async path
  // came with 5a18ceca6350 (2019).
  bool sync_unlock_before_call;  // flush: SYNC entries csd_unlock() before the callback
  bool enxio_keeps_lock;         // generic_exec_single(): -ENXIO without csd_unlock()
  bool ipi_when_queue_was_busy;  // IPI on the wrong llist_add() result (list was non-empty)
  bool async_ignores_lock;       // smp_call_function_single_async(): no -EBUSY check
  // The kill matrix's further rows (BENCHMARKS.md "Kill matrix"), each what
  // a change in the history of kernel/smp.c or lib/llist.c closed:
  //  - before 8053871d0f7f (2015) the flush released an async csd only after
  //    its callback, so a caller the callback had already served got -EBUSY;
  //  - before "smp: Teach __smp_call_function_single() to check for offline
  //    cpus" (2014) the async entry queued onto an offline CPU;
  //  - before "llist: Return whether list is empty before adding in
  //    llist_add()" (2011) a caller learnt whether the list was empty from a
  //    read of its own before llist_add();
  //  - before "llist: fix/simplify llist_add() and llist_add_batch()" (2013,
  //    ACCESS_ONCE of head->first) the compiler could read head->first once
  //    for new_last->next and again for the cmpxchg's expected value.
  bool async_unlock_after_call;       // flush: ASYNC entries csd_unlock() after the callback
  bool async_skips_online_check;      // smp_call_function_single_async() queues to offline CPUs
  bool llist_add_checks_empty_first;  // IPI decision from llist_empty() before llist_add()
  bool llist_add_reads_head_twice;    // llist_add_batch(): two reads of head->first
  // smp_call_function_single(wait=0) calls put_cpu() before csd_lock()
  // instead of at its end: two tasks of one CPU may then both lock that
  // CPU's csd_data, debug or not (a mutant that needs extra tasks, #18).
  bool put_cpu_before_csd_lock;
  // smp_call_function_any() takes the first CPU of its mask without asking
  // cpu_online(): -ENXIO although an online CPU of the mask was there (a
  // mutant for the -ENXIO promise check, not a change from the history).
  bool any_skips_online_check;
  // smpcfd_dying_cpu() does not flush the dying CPU's queue: callbacks
  // queued to it whose IPI it had not taken are left there when it dies
  // (before "CPU hotplug, smp: flush any pending IPI callbacks before CPU
  // offline", 8d056c48e486, 2014; needs hotplug at run time, #18).
  bool dying_skips_flush;
  // The other entries of call_single_queue (#18), each a one-line change:
  //  - irq_work_claim() as a plain read-modify-write instead of
  //    atomic_fetch_or(): two claimers both see the work free and queue its
  //    node twice (what csd_lock() was before the 2026 fix, for irq_work);
  //  - irq_work_single() clears IRQ_WORK_PENDING after work->func() instead
  //    of before: a claim made while func runs sees it pending, queues
  //    nothing, and no run starts after it (irq_work's promise since
  //    "irq_work: Fix racy IRQ_WORK_BUSY flag setting", e0bbe2d8, 2012);
  //  - the flush's second pass takes CSD_TYPE_TTWU entries for ASYNC ones
  //    and calls what lies where a csd's func would be;
  //  - the flush has no third pass: woken tasks are dropped.
  bool irq_work_claim_plain;
  bool irq_work_pending_cleared_late;
  bool flush_runs_ttwu_as_async;
  bool flush_drops_ttwu;
};

// The table. The first three rows are the design brief's variants.
const std::vector<Variant>& AllVariants();
// nullptr if unknown.
const Variant* FindVariant(std::string_view name);
// "baseline, b0473dcd, fixed" (real kernels only; mutants when asked).
std::string VariantNames(bool include_mutants = false);
// Every behaviour flag of `v`, "name=0|1" separated by spaces, in the
// struct's order (what a certificate records of its variant, so that a
// changed row of the table shows). Keep it in step with the struct.
std::string VariantFlags(const Variant& v);

// The variant that raw fuzzer inputs (which carry none) run as unless told
// otherwise: the one with the bug, so a crash file replays as it crashed.
inline constexpr const char* kDefaultRawVariant = "b0473dcd";

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_VARIANT_H_
