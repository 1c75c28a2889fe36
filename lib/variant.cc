// SPDX-License-Identifier: GPL-2.0-only
#include "lib/variant.h"

#include <utility>

namespace smpfuzz {
namespace {

// `fixed` plus the row's own change.
Variant Mutant(Variant v) {
  v.single_csd_is_destinations_when_debug = true;
  v.csd_lock_atomic_when_debug = true;
  v.wait_after_put_cpu = true;
  v.mutant = true;
  return v;
}

}  // namespace

const std::vector<Variant>& AllVariants() {
  // Flags not named in a row are false. Every mutant is `fixed` plus one change.
  static const std::vector<Variant> kTable = {
      {.name = "baseline", .summary = "Linux 6.12: wait=0 uses the sender's own csd_data"},
      {.name = "b0473dcd",
       .summary = "smp: Improve smp_call_function_single() CSD-lock diagnostics: wait=0 uses the "
                  "destination's csd_data with csdlock_debug on; csd_lock is a plain RMW",
       .single_csd_is_destinations_when_debug = true,
       .wait_after_put_cpu = true},
      {.name = "fixed",
       .summary = "b0473dcd plus 'smp: Make CSD lock acquisition atomic for debug mode' "
                  "(try_cmpxchg_acquire)",
       .single_csd_is_destinations_when_debug = true,
       .csd_lock_atomic_when_debug = true,
       .wait_after_put_cpu = true},
      Mutant({.name = "mutant-plain-unlock",
              .summary = "fixed, but csd_unlock() uses a plain store (no release)",
              .csd_unlock_plain_store = true}),
      Mutant({.name = "mutant-no-ipi",
              .summary = "fixed, but no IPI is ever sent",
              .never_send_ipi = true}),
      Mutant({.name = "mutant-sync-unlock-first",
              .summary = "fixed, but the flush's SYNC pass releases the csd before running the "
                         "callback",
              .sync_unlock_before_call = true}),
      Mutant({.name = "mutant-enxio-keeps-lock",
              .summary = "fixed, but generic_exec_single() returns -ENXIO without csd_unlock()",
              .enxio_keeps_lock = true}),
      Mutant({.name = "mutant-ipi-when-busy",
              .summary = "fixed, but the IPI is sent when llist_add() found the queue non-empty",
              .ipi_when_queue_was_busy = true}),
      Mutant({.name = "mutant-async-ignores-lock",
              .summary = "fixed, but smp_call_function_single_async() queues a csd that is still "
                         "locked",
              .async_ignores_lock = true}),
      Mutant({.name = "mutant-async-unlock-after-call",
              .summary = "fixed, but the flush's ASYNC pass releases the csd after the callback "
                         "(before 8053871d0f7f)",
              .async_unlock_after_call = true}),
      Mutant({.name = "mutant-async-offline-queued",
              .summary = "fixed, but smp_call_function_single_async() queues onto an offline CPU "
                         "(before the 2014 online check)",
              .async_skips_online_check = true}),
      Mutant({.name = "mutant-llist-empty-check",
              .summary = "fixed, but the IPI decision reads llist_empty() before llist_add() "
                         "(before llist_add() returned it, 2011)",
              .llist_add_checks_empty_first = true}),
      Mutant({.name = "mutant-llist-double-read",
              .summary = "fixed, but llist_add_batch() reads head->first twice: for the new "
                         "node's next and for the cmpxchg (before ACCESS_ONCE, 2013)",
              .llist_add_reads_head_twice = true}),
      Mutant({.name = "mutant-put-cpu-early",
              .summary = "fixed, but smp_call_function_single(wait=0) calls put_cpu() before "
                         "csd_lock(): two tasks of one CPU share its csd_data",
              .put_cpu_before_csd_lock = true}),
      Mutant({.name = "mutant-any-offline-cpu",
              .summary = "fixed, but smp_call_function_any() takes the first CPU of its mask, "
                         "online or not: -ENXIO although an online CPU of the mask was there",
              .any_skips_online_check = true}),
      Mutant({.name = "mutant-no-dying-flush",
              .summary = "fixed, but smpcfd_dying_cpu() does not flush the dying CPU's queue "
                         "(before 8d056c48e486, 2014)",
              .dying_skips_flush = true}),
      Mutant({.name = "mutant-irq-work-claim-plain",
              .summary = "fixed, but irq_work_claim() is a plain read-modify-write instead of "
                         "atomic_fetch_or()",
              .irq_work_claim_plain = true}),
      Mutant({.name = "mutant-irq-work-pending-late",
              .summary = "fixed, but irq_work_single() clears IRQ_WORK_PENDING after the work's "
                         "func instead of before it",
              .irq_work_pending_cleared_late = true}),
      Mutant({.name = "mutant-ttwu-as-async",
              .summary = "fixed, but the flush's second pass runs CSD_TYPE_TTWU entries as "
                         "ASYNC ones",
              .flush_runs_ttwu_as_async = true}),
      Mutant({.name = "mutant-ttwu-dropped",
              .summary = "fixed, but the flush has no third pass: sched_ttwu_pending() never "
                         "gets the woken tasks",
              .flush_drops_ttwu = true}),
  };
  return kTable;
}

const Variant* FindVariant(std::string_view name) {
  for (const Variant& v : AllVariants()) {
    if (name == v.name) return &v;
  }
  return nullptr;
}

std::string VariantNames(bool include_mutants) {
  std::string out;
  for (const Variant& v : AllVariants()) {
    if (v.mutant && !include_mutants) continue;
    if (!out.empty()) out += ", ";
    out += v.name;
  }
  return out;
}

std::string VariantFlags(const Variant& v) {
  const std::pair<const char*, bool> flags[] = {
      {"single_csd_is_destinations_when_debug", v.single_csd_is_destinations_when_debug},
      {"csd_lock_atomic_when_debug", v.csd_lock_atomic_when_debug},
      {"wait_after_put_cpu", v.wait_after_put_cpu},
      {"mutant", v.mutant},
      {"csd_unlock_plain_store", v.csd_unlock_plain_store},
      {"never_send_ipi", v.never_send_ipi},
      {"sync_unlock_before_call", v.sync_unlock_before_call},
      {"enxio_keeps_lock", v.enxio_keeps_lock},
      {"ipi_when_queue_was_busy", v.ipi_when_queue_was_busy},
      {"async_ignores_lock", v.async_ignores_lock},
      {"async_unlock_after_call", v.async_unlock_after_call},
      {"async_skips_online_check", v.async_skips_online_check},
      {"llist_add_checks_empty_first", v.llist_add_checks_empty_first},
      {"llist_add_reads_head_twice", v.llist_add_reads_head_twice},
      {"put_cpu_before_csd_lock", v.put_cpu_before_csd_lock},
      {"any_skips_online_check", v.any_skips_online_check},
      {"dying_skips_flush", v.dying_skips_flush},
      {"irq_work_claim_plain", v.irq_work_claim_plain},
      {"irq_work_pending_cleared_late", v.irq_work_pending_cleared_late},
      {"flush_runs_ttwu_as_async", v.flush_runs_ttwu_as_async},
      {"flush_drops_ttwu", v.flush_drops_ttwu},
  };
  std::string out;
  for (const auto& [name, on] : flags) {
    if (!out.empty()) out += ' ';
    out += std::string(name) + (on ? "=1" : "=0");
  }
  return out;
}

}  // namespace smpfuzz
