// SPDX-License-Identifier: GPL-2.0-only
#include "lib/variant.h"

#include <utility>

namespace smpfuzz {

const std::vector<Variant>& AllVariants() {
  // name, summary, dest csd, atomic lock, wait after put_cpu, mutant, plain unlock, no ipi,
  // sync unlock first, enxio keeps lock, ipi when busy, async ignores lock
  static const std::vector<Variant> kTable = {
      {"baseline", "Linux 6.12: wait=0 uses the sender's own csd_data", false, false, false,
       false, false, false},
      {"b0473dcd",
       "smp: Improve smp_call_function_single() CSD-lock diagnostics: wait=0 uses the "
       "destination's csd_data with csdlock_debug on; csd_lock is a plain RMW",
       true, false, true, false, false, false},
      {"fixed",
       "b0473dcd plus 'smp: Make CSD lock acquisition atomic for debug mode' "
       "(try_cmpxchg_acquire)",
       true, true, true, false, false, false},
      {"mutant-plain-unlock", "fixed, but csd_unlock() uses a plain store (no release)", true,
       true, true, true, true, false},
      {"mutant-no-ipi", "fixed, but no IPI is ever sent", true, true, true, true, false, true},
      {"mutant-sync-unlock-first",
       "fixed, but the flush's SYNC pass releases the csd before running the callback", true,
       true, true, true, false, false, true},
      {"mutant-enxio-keeps-lock",
       "fixed, but generic_exec_single() returns -ENXIO without csd_unlock()", true, true, true,
       true, false, false, false, true},
      {"mutant-ipi-when-busy",
       "fixed, but the IPI is sent when llist_add() found the queue non-empty", true, true, true,
       true, false, false, false, false, true},
      {"mutant-async-ignores-lock",
       "fixed, but smp_call_function_single_async() queues a csd that is still locked", true,
       true, true, true, false, false, false, false, false, true},
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
  };
  std::string out;
  for (const auto& [name, on] : flags) {
    if (!out.empty()) out += ' ';
    out += std::string(name) + (on ? "=1" : "=0");
  }
  return out;
}

}  // namespace smpfuzz
