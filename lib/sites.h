// SPDX-License-Identifier: GPL-2.0-only
//
// Code sites: every place in the model that touches shared memory (or calls a
// callback, or sends an IPI) has a stable identity here. Traces, reports,
// dedup keys and the fuzzers' interleaving feedback all speak in sites.
//
// A site names the kernel function it belongs to (as in kernel/smp.c or
// lib/llist.c) and the source expression it models, so a reader can hold the
// trace next to the kernel source. Sites are append-only: their numbers feed
// fuzzer coverage maps and their names are printed in reproducers.

#ifndef SMPFUZZ_LIB_SITES_H_
#define SMPFUZZ_LIB_SITES_H_

#include <cstdint>

namespace smpfuzz {

// X(identifier, kernel function, source expression)
#define SMPFUZZ_SITES(X)                                                                  \
  X(llist_add_batch_read_first, "llist_add_batch", "first = READ_ONCE(head->first)")      \
  X(llist_add_batch_set_next, "llist_add_batch", "new_last->next = first")                \
  X(llist_add_batch_cmpxchg, "llist_add_batch", "try_cmpxchg(&head->first, &first, new)") \
  X(llist_del_all_xchg, "llist_del_all", "xchg(&head->first, NULL)")                      \
  X(llist_reverse_order_read_next, "llist_reverse_order", "head = head->next")            \
  X(llist_reverse_order_set_next, "llist_reverse_order", "tmp->next = new_head")          \
  X(llist_empty_read_first, "llist_empty", "READ_ONCE(head->first) == NULL")              \
  X(csd_lock_wait_cond_load, "csd_lock_wait",                                             \
    "smp_cond_load_acquire(&csd->node.u_flags, !(VAL & CSD_FLAG_LOCK))")                  \
  X(csd_lock_wait_toolong_read_flags, "csd_lock_wait_toolong",                            \
    "flags = READ_ONCE(csd->node.u_flags)")                                               \
  X(csd_lock_wait_toolong_read_func, "csd_lock_wait_toolong", "pr_alert(.. csd->func ..)") \
  X(csd_lock_wait_toolong_read_info, "csd_lock_wait_toolong", "pr_alert(.. csd->info ..)") \
  X(csd_lock_wait_toolong_read_dst, "csd_lock_wait_getcpu", "csd->node.dst")              \
  X(csd_lock_load_flags, "csd_lock", "csd->node.u_flags |= CSD_FLAG_LOCK (load)")         \
  X(csd_lock_store_flags, "csd_lock", "csd->node.u_flags |= CSD_FLAG_LOCK (store)")       \
  X(csd_lock_read_flags, "csd_lock", "flags = READ_ONCE(csd->node.u_flags)")              \
  X(csd_lock_try_cmpxchg, "csd_lock",                                                     \
    "try_cmpxchg_acquire(&csd->node.u_flags, &flags, flags | CSD_FLAG_LOCK)")             \
  X(csd_unlock_warn_read, "csd_unlock", "WARN_ON(!(csd->node.u_flags & CSD_FLAG_LOCK))")  \
  X(csd_unlock_release, "csd_unlock", "smp_store_release(&csd->node.u_flags, 0)")         \
  X(scfs_set_func, "smp_call_function_single", "csd->func = func")                        \
  X(scfs_set_info, "smp_call_function_single", "csd->info = info")                        \
  X(scfs_set_src, "smp_call_function_single", "csd->node.src = this_cpu")                 \
  X(scfs_set_dst, "smp_call_function_single", "csd->node.dst = cpu")                      \
  X(scfsa_read_flags, "smp_call_function_single_async",                                   \
    "if (csd->node.u_flags & CSD_FLAG_LOCK)")                                             \
  X(scfsa_set_flags, "smp_call_function_single_async", "csd->node.u_flags = CSD_FLAG_LOCK") \
  X(ges_read_func, "generic_exec_single", "func = csd->func")                             \
  X(ges_read_info, "generic_exec_single", "info = csd->info")                             \
  X(ges_call, "generic_exec_single", "csd_do_func(func, info, NULL)")                     \
  X(send_ipi, "send_call_function_single_ipi", "arch_send_call_function_single_ipi(cpu)") \
  X(send_ipi_mask, "send_call_function_ipi_mask", "arch_send_call_function_ipi_mask(mask)") \
  X(flush_read_next, "__flush_smp_call_function_queue",                                   \
    "llist_for_each_entry_safe: n = pos->next")                                           \
  X(flush_read_type, "__flush_smp_call_function_queue", "CSD_TYPE(csd)")                  \
  X(flush_sync_read_func, "__flush_smp_call_function_queue", "func = csd->func (SYNC)")   \
  X(flush_sync_read_info, "__flush_smp_call_function_queue", "info = csd->info (SYNC)")   \
  X(flush_sync_unlink, "__flush_smp_call_function_queue", "prev->next = &csd_next->node.llist (SYNC)") \
  X(flush_sync_call, "__flush_smp_call_function_queue", "csd_do_func(func, info, csd) (SYNC)") \
  X(flush_async_read_func, "__flush_smp_call_function_queue", "func = csd->func (ASYNC)") \
  X(flush_async_read_info, "__flush_smp_call_function_queue", "info = csd->info (ASYNC)") \
  X(flush_async_unlink, "__flush_smp_call_function_queue", "prev->next = &csd_next->node.llist (!SYNC)") \
  X(flush_async_call, "__flush_smp_call_function_queue", "csd_do_func(func, info, csd) (ASYNC)") \
  X(scfm_load_flags, "smp_call_function_many_cond", "csd->node.u_flags |= CSD_TYPE_SYNC (load)") \
  X(scfm_store_flags, "smp_call_function_many_cond", "csd->node.u_flags |= CSD_TYPE_SYNC (store)") \
  X(scfm_set_func, "smp_call_function_many_cond", "csd->func = func")                     \
  X(scfm_set_info, "smp_call_function_many_cond", "csd->info = info")                     \
  X(scfm_set_src, "smp_call_function_many_cond", "csd->node.src = this_cpu")              \
  X(scfm_set_dst, "smp_call_function_many_cond", "csd->node.dst = cpu")                   \
  X(scfm_local_call, "smp_call_function_many_cond", "csd_do_func(func, info, NULL) (local)") \
  X(workload_mdelay, "(workload)", "local_irq_save(); mdelay(ms); local_irq_restore()") \
  X(local_irq_restore, "local_irq_restore", "local_irq_restore(flags)")             \
  X(fence, "(barrier)", "smp_mb/smp_wmb/smp_acquire__after_ctrl_dep")                \
  X(kernel_guest, "(kernel guest)", "an instrumented access of the kernel's own code") \
  /* Appended: the digests of certificates hash site numbers. */                     \
  X(callback_kfree, "(workload)", "kfree(csd) in the callback (free=1)")           \
  X(cpu_down, "(hotplug)", "remove_cpu(cpu): stop_machine(), smpcfd_dying_cpu()")   \
  X(cpu_up, "(hotplug)", "add_cpu(cpu)")                                          \
  X(irq_work_claim_read, "irq_work_claim",                                         \
    "atomic_fetch_or(IRQ_WORK_CLAIMED | CSD_TYPE_IRQ_WORK, &work->node.a_flags) (read)") \
  X(irq_work_claim_cmpxchg, "irq_work_claim",                                      \
    "atomic_fetch_or(IRQ_WORK_CLAIMED | CSD_TYPE_IRQ_WORK, &work->node.a_flags) (try_cmpxchg)") \
  X(irq_work_claim_store, "irq_work_claim", "work->node.a_flags |= IRQ_WORK_CLAIMED (store)") \
  X(irq_work_single_read_flags, "irq_work_single", "flags = atomic_read(&work->node.a_flags)") \
  X(irq_work_single_clear_pending, "irq_work_single",                              \
    "atomic_set(&work->node.a_flags, flags & ~IRQ_WORK_PENDING)")                  \
  X(irq_work_single_read_func, "irq_work_single", "work->func")                    \
  X(irq_work_single_call, "irq_work_single", "work->func(work)")                   \
  X(irq_work_single_clear_busy, "irq_work_single",                                 \
    "atomic_cmpxchg(&work->node.a_flags, flags, flags & ~IRQ_WORK_BUSY)")          \
  X(ttwu_pending_read_next, "sched_ttwu_pending",                                  \
    "llist_for_each_entry_safe: t = p->wake_entry.llist.next")                     \
  X(ttwu_activate, "sched_ttwu_pending", "ttwu_do_activate(rq, p, ..): the woken task runs") \
  X(ttwu_local, "try_to_wake_up", "ttwu_queue(): the wakee's CPU is this one: ttwu_do_activate()") \
  X(flush_ttwu, "__flush_smp_call_function_queue",                                 \
    "csd_do_func(sched_ttwu_pending, entry, csd) (TTWU)")                          \
  X(callback_udelay, "(workload)", "udelay() in the callback (act=delay): cpu_relax()") \
  X(rpc_complete, "(workload)", "complete(&rpc->done) in the callback (act=complete)") \
  X(rpc_wait_for_completion, "(workload)",                                         \
    "wait_for_completion(&rpc->done) after the wait=0 call (act=complete)")

enum class Site : std::uint16_t {
#define SMPFUZZ_SITE_ENUM(id, fn, expr) id,
  SMPFUZZ_SITES(SMPFUZZ_SITE_ENUM)
#undef SMPFUZZ_SITE_ENUM
      kCount
};

inline constexpr int kSiteCount = static_cast<int>(Site::kCount);

// The kernel function a site belongs to, e.g. "csd_lock".
const char* SiteFunction(Site s);
// The modelled source expression, e.g. "csd->node.u_flags |= CSD_FLAG_LOCK (load)".
const char* SiteExpression(Site s);
// The identifier, e.g. "csd_lock_load_flags" (stable; used in reproducers).
const char* SiteName(Site s);
// Inverse of SiteName; false if unknown.
bool SiteFromName(const char* name, Site* out);

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_SITES_H_
