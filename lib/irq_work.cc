// SPDX-License-Identifier: GPL-2.0-only
//
// See lib/irq_work.h. Function order follows kernel/irq_work.c.

#include "lib/irq_work.h"

namespace smpfuzz {

Task<bool> irq_work_claim(Cpu& cur, irq_work* work) {
  unsigned int* a_flags = &work->node.u_flags;
  constexpr unsigned int kClaim = IRQ_WORK_CLAIMED | CSD_TYPE_IRQ_WORK;
  unsigned int oflags;
  if (cur.kernel->variant->irq_work_claim_plain) {
    oflags = co_await plain_load(cur, a_flags, Site::irq_work_claim_read);
    co_await plain_store(cur, a_flags, oflags | kClaim, Site::irq_work_claim_store);
  } else {
    // atomic_fetch_or(): on x86, arch_atomic_fetch_or() is this loop.
    oflags = co_await READ_ONCE(cur, a_flags, Site::irq_work_claim_read);
    while (!co_await try_cmpxchg(cur, a_flags, &oflags, oflags | kClaim,
                                 Site::irq_work_claim_cmpxchg)) {
    }
  }
  // Already pending: the run to come sees what this caller did before (the
  // fetch-or pairs with irq_work_single()'s smp_mb()).
  co_return !(oflags & IRQ_WORK_PENDING);
}

Task<void> irq_work_single(Cpu& cur, void* arg) {
  irq_work* work = static_cast<irq_work*>(arg);
  unsigned int* a_flags = &work->node.u_flags;
  const bool late = cur.kernel->variant->irq_work_pending_cleared_late;
  // PENDING acts as a lock this CPU owns: cleared without an atomic RMW.
  unsigned int flags = co_await READ_ONCE(cur, a_flags, Site::irq_work_single_read_flags);
  flags &= ~static_cast<unsigned int>(IRQ_WORK_PENDING);
  if (!late) co_await WRITE_ONCE(cur, a_flags, flags, Site::irq_work_single_clear_pending);
  smp_mb(cur);
  smp_call_func_t func = co_await plain_load(cur, &work->func, Site::irq_work_single_read_func);
  co_await csd_do_func(cur, func, work->info, Site::irq_work_single_call);
  if (late) co_await WRITE_ONCE(cur, a_flags, flags, Site::irq_work_single_clear_pending);
  // Back to free unless someone claimed it meanwhile (rcuwait_wake_up() of
  // irq_work_sync() is not modelled).
  unsigned int expected = flags;
  co_await try_cmpxchg(cur, a_flags, &expected, flags & ~static_cast<unsigned int>(IRQ_WORK_BUSY),
                       Site::irq_work_single_clear_busy);
}

Task<bool> irq_work_queue_on(Cpu& cur, irq_work* work, int cpu) {
  if (!co_await irq_work_claim(cur, work)) co_return false;
  preempt_disable(cur);
  if (cpu != cur.id) {
    co_await __smp_call_single_queue(cur, cpu, &work->node.llist);
  } else {
    // __irq_work_queue_local(): the self-IPI arrives as soon as interrupts
    // are on, which they are; run it as that interrupt would.
    bool flags = local_irq_save(cur);
    co_await irq_work_single(cur, work);
    co_await local_irq_restore(cur, flags);
  }
  preempt_enable(cur);
  co_return true;
}

}  // namespace smpfuzz
