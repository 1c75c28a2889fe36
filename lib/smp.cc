// SPDX-License-Identifier: GPL-2.0-only
//
// See lib/smp.h. Function order follows kernel/smp.c.

#include "lib/smp.h"

#include "lib/irq_work.h"
#include "lib/sched_ttwu.h"

#include <bit>

namespace smpfuzz {
namespace {

constexpr std::uint64_t kNsPerMs = 1000 * 1000;

std::uint64_t Bit(int cpu) { return std::uint64_t{1} << cpu; }

// csd_lock_wait_getcpu(): the destination recorded in the csd, -1 if the
// type does not carry one.
Task<int> csd_lock_wait_getcpu(Cpu& cur, call_single_data_t* csd) {
  unsigned int flags =
      co_await plain_load(cur, &csd->node.u_flags, Site::csd_lock_wait_toolong_read_dst);
  unsigned int type = flags & CSD_FLAG_TYPE_MASK;
  if (type == CSD_TYPE_ASYNC || type == CSD_TYPE_SYNC) {
    co_return co_await plain_load(cur, &csd->node.dst, Site::csd_lock_wait_toolong_read_dst);
  }
  co_return -1;
}

// csd_lock_wait_toolong(), after its READ_ONCE of the flags: the caller has
// already read `flags` (see __csd_lock_wait). Returns true when the lock is
// free; otherwise, when the wait has become too long, reports it like the
// kernel's pr_alert("csd: Detected non-responsive CSD lock ...") and re-sends
// the IPI.
Task<bool> csd_lock_wait_toolong(Cpu& cur, call_single_data_t* csd, unsigned int flags,
                                 std::uint64_t ts0, std::uint64_t* ts1, int* bug_id,
                                 std::uint64_t* nmessages) {
  Kernel& k = *cur.kernel;
  const std::uint64_t timeout_ns = k.csd_lock_timeout_ms * kNsPerMs;
  if (!(flags & CSD_FLAG_LOCK)) {
    if (*bug_id == 0) co_return true;
    GhostEvent e{GhostKind::kCsdLockUnstuck, Site::csd_lock_wait_toolong_read_flags, csd};
    e.d = static_cast<std::uint64_t>(*bug_id);
    ghost(cur, e);
    co_return true;
  }
  std::uint64_t ts2 = cur.platform->Clock(cur);
  std::uint64_t ts_delta = ts2 - *ts1;
  std::uint64_t online = static_cast<std::uint64_t>(std::popcount(k.cpu_online_mask));
  std::uint64_t scale = *nmessages == 0 ? 1 : (std::bit_width(online) - 1) / 2 + 1;
  if (ts_delta <= timeout_ns * (*nmessages + 1) * scale || timeout_ns == 0) co_return false;

  bool firsttime = *bug_id == 0;
  if (firsttime) *bug_id = k.csd_bug_count.fetch_add(1) + 1;
  int cpu = co_await csd_lock_wait_getcpu(cur, csd);
  smp_call_func_t func =
      co_await plain_load(cur, &csd->func, Site::csd_lock_wait_toolong_read_func);
  void* info = co_await plain_load(cur, &csd->info, Site::csd_lock_wait_toolong_read_info);
  (void)info;
  GhostEvent e{GhostKind::kCsdLockTimeout, Site::csd_lock_wait_toolong_read_flags, csd};
  e.a = ts2 - ts0;
  e.b = static_cast<std::uint64_t>(static_cast<std::int64_t>(cpu));
  e.c = func;
  e.d = static_cast<std::uint64_t>(*bug_id) | (firsttime ? 0 : std::uint64_t{1} << 63);
  ghost(cur, e);
  ++*nmessages;
  // cur_csd is not modelled: the kernel re-sends when the target is not
  // known to be handling a csd, which is what we assume.
  if (cpu >= 0 && cpu < k.nr_cpu_ids) co_await send_call_function_single_ipi(cur, cpu);
  *ts1 = ts2;
  co_return false;
}

// __csd_lock_wait(): the CSD-lock-debug wait with its timeout. The kernel
// loops { flags = READ_ONCE(u_flags); toolong? ; cpu_relax(); }; every
// iteration that still sees CSD_FLAG_LOCK and has not timed out does
// nothing, so the loop is one spinning read that gives up at the next
// report deadline.
Task<void> __csd_lock_wait(Cpu& cur, call_single_data_t* csd) {
  Kernel& k = *cur.kernel;
  const std::uint64_t timeout_ns = k.csd_lock_timeout_ms * kNsPerMs;
  std::uint64_t nmessages = 0;
  int bug_id = 0;
  std::uint64_t ts0 = cur.platform->Clock(cur);
  std::uint64_t ts1 = ts0;
  for (;;) {
    std::uint64_t online = static_cast<std::uint64_t>(std::popcount(k.cpu_online_mask));
    std::uint64_t scale = nmessages == 0 ? 1 : (std::bit_width(online) - 1) / 2 + 1;
    std::uint64_t deadline =
        timeout_ns == 0 ? kNoDeadline : ts1 + timeout_ns * (nmessages + 1) * scale + 1;
    unsigned int flags = co_await read_once_until_clear(
        cur, &csd->node.u_flags, CSD_FLAG_LOCK, deadline, Site::csd_lock_wait_toolong_read_flags);
    if (co_await csd_lock_wait_toolong(cur, csd, flags, ts0, &ts1, &bug_id, &nmessages)) break;
  }
  smp_acquire__after_ctrl_dep(cur);
}

}  // namespace

Task<void> csd_do_func(Cpu& cur, smp_call_func_t func, void* info, Site site) {
  co_await call_func(cur, func, ToBits(info), site);
  CallbackBody* body = cur.kernel->callback_body;
  if (body == nullptr) co_return;
  if (body->Acts(func)) co_await body->Act(cur, func);
  body->Ran(cur, func, info);
}

void Kernel::Reset(const Variant* v, bool debug, int nr_cpus, std::uint64_t online_mask,
                   std::uint64_t timeout_ms) {
  variant = v;
  csdlock_debug = debug;
  nr_cpu_ids = nr_cpus;
  cpu_online_mask = online_mask;
  csd_lock_timeout_ms = timeout_ms;
  call_single_queue.assign(nr_cpus, llist_head{});
  csd_data.assign(nr_cpus, call_single_data_t{});
  cfd_csd.assign(static_cast<std::size_t>(nr_cpus) * nr_cpus, call_single_data_t{});
  wild_csd = call_single_data_t{};
  csd_bug_count.store(0);
}

Task<void> csd_lock_wait(Cpu& cur, call_single_data_t* csd) {
  if (cur.kernel->csdlock_debug) {
    co_await __csd_lock_wait(cur, csd);
    co_return;
  }
  co_await smp_cond_load_acquire_clear(cur, &csd->node.u_flags, CSD_FLAG_LOCK,
                                       Site::csd_lock_wait_cond_load);
}

Task<void> csd_lock(Cpu& cur, call_single_data_t* csd) {
  Kernel& k = *cur.kernel;
  if (k.csdlock_debug && k.variant->csd_lock_atomic_when_debug) {
    // The 2026 fix: only a successful try_cmpxchg_acquire takes the lock.
    for (;;) {
      co_await csd_lock_wait(cur, csd);
      unsigned int flags = co_await READ_ONCE(cur, &csd->node.u_flags, Site::csd_lock_read_flags);
      if (!(flags & CSD_FLAG_LOCK) &&
          co_await try_cmpxchg_acquire(cur, &csd->node.u_flags, &flags, flags | CSD_FLAG_LOCK,
                                       Site::csd_lock_try_cmpxchg)) {
        break;
      }
    }
  } else {
    co_await csd_lock_wait(cur, csd);
    // csd->node.u_flags |= CSD_FLAG_LOCK: a plain load, then a plain store.
    unsigned int flags = co_await plain_load(cur, &csd->node.u_flags, Site::csd_lock_load_flags);
    co_await plain_store(cur, &csd->node.u_flags, flags | CSD_FLAG_LOCK,
                         Site::csd_lock_store_flags);
  }
  ghost(cur, GhostEvent{GhostKind::kCsdLocked, Site::csd_lock_store_flags, csd});
  // Orders the flags store before the stores to func/info that follow.
  smp_wmb(cur);
}

Task<void> csd_unlock(Cpu& cur, call_single_data_t* csd) {
  unsigned int flags = co_await plain_load(cur, &csd->node.u_flags, Site::csd_unlock_warn_read);
  if (!(flags & CSD_FLAG_LOCK)) {
    ghost(cur, GhostEvent{GhostKind::kWarnUnlockUnlocked, Site::csd_unlock_warn_read, csd});
  }
  // Everything done with the csd before it may be reused.
  if (cur.kernel->variant->csd_unlock_plain_store) {
    co_await plain_store(cur, &csd->node.u_flags, 0u, Site::csd_unlock_release);
  } else {
    co_await smp_store_release(cur, &csd->node.u_flags, 0u, Site::csd_unlock_release);
  }
  ghost(cur, GhostEvent{GhostKind::kCsdUnlocked, Site::csd_unlock_release, csd});
}

call_single_data_t* get_single_csd_data(Cpu& cur, int cpu) {
  Kernel& k = *cur.kernel;
  if (k.csdlock_debug && k.variant->single_csd_is_destinations_when_debug) {
    // per_cpu_ptr(&csd_data, cpu): no range check before generic_exec_single().
    if (cpu < 0 || cpu >= k.nr_cpu_ids) {
      GhostEvent e{GhostKind::kPerCpuOutOfRange, Site::csd_lock_load_flags, &k.wild_csd};
      e.a = static_cast<std::uint64_t>(static_cast<std::int64_t>(cpu));
      ghost(cur, e);
      return &k.wild_csd;
    }
    return &k.csd_data[cpu];
  }
  return &k.csd_data[cur.id];  // this_cpu_ptr(&csd_data)
}

Task<void> send_call_function_single_ipi(Cpu& cur, int cpu) {
  // call_function_single_prep_ipi(): polling idle CPUs are not modelled.
  if (cur.kernel->variant->never_send_ipi) co_return;
  co_await arch_send_call_function_single_ipi(cur, cpu, Site::send_ipi);
}

// The llist_add() of a csd onto `cpu`'s call_single_queue, and whether the
// sender must IPI `cpu` for it: llist_add() is true when the queue was empty,
// and only then is the target not already on its way to flush it. (The
// kernel writes the llist_add() at its two callers, __smp_call_single_queue
// and smp_call_function_many_cond; the mutants of that decision live here.)
static Task<bool> queue_needs_ipi(Cpu& cur, llist_node* node, int cpu) {
  const Variant& v = *cur.kernel->variant;
  llist_head* head = &cur.kernel->call_single_queue[cpu];
  bool was_empty;
  if (v.llist_add_checks_empty_first) {
    was_empty = co_await llist_empty(cur, head);
    co_await llist_add(cur, node, head);
  } else {
    was_empty = co_await llist_add(cur, node, head);
  }
  co_return was_empty != v.ipi_when_queue_was_busy;
}

Task<void> __smp_call_single_queue(Cpu& cur, int cpu, llist_node* node) {
  if (co_await queue_needs_ipi(cur, node, cpu)) co_await send_call_function_single_ipi(cur, cpu);
}

Task<int> generic_exec_single(Cpu& cur, int cpu, call_single_data_t* csd) {
  Kernel& k = *cur.kernel;
  if (cpu == cur.id) {
    smp_call_func_t func = co_await plain_load(cur, &csd->func, Site::ges_read_func);
    void* info = co_await plain_load(cur, &csd->info, Site::ges_read_info);
    // Unlock early even for the synchronous on-stack case: same CPU.
    co_await csd_unlock(cur, csd);
    bool flags = local_irq_save(cur);
    co_await csd_do_func(cur, func, info, Site::ges_call);
    co_await local_irq_restore(cur, flags);
    co_return 0;
  }
  if (static_cast<unsigned>(cpu) >= static_cast<unsigned>(k.nr_cpu_ids) || !k.cpu_online(cpu)) {
    if (!k.variant->enxio_keeps_lock) co_await csd_unlock(cur, csd);
    co_return -ENXIO;
  }
  co_await __smp_call_single_queue(cur, cpu, &csd->node.llist);
  co_return 0;
}

// The flush's csd_do_func() and csd_unlock() of one entry, in either order:
// SYNC entries are released after the callback (their caller waits for it),
// ASYNC ones before it (so that the callback may queue the csd again). The
// kernel writes the pair out in each pass; the mutants of the order live here.
static Task<void> csd_call_and_unlock(Cpu& cur, call_single_data_t* csd, smp_call_func_t func,
                                      void* info, Site site, bool unlock_first) {
  if (unlock_first) co_await csd_unlock(cur, csd);
  co_await csd_do_func(cur, func, info, site);
  if (!unlock_first) co_await csd_unlock(cur, csd);
}

Task<void> generic_smp_call_function_single_interrupt(Cpu& cur) {
  co_await __flush_smp_call_function_queue(cur, true);
}

Task<void> smpcfd_dying_cpu(Cpu& cur) {
  // IPIs queued by other CPUs may not have arrived (this CPU disabled
  // interrupts in stop_machine() before they were sent): flush explicitly so
  // that it does not go offline with work pending. irq_work_run() has
  // nothing to run: the model runs a CPU's own irq_work at once (lib/irq_work.h).
  if (cur.kernel->variant->dying_skips_flush) co_return;
  co_await __flush_smp_call_function_queue(cur, false);
}

Task<void> __flush_smp_call_function_queue(Cpu& cur, bool warn_cpu_offline) {
  // The "IPI on offline CPU" warning needs an IPI taken on an offline CPU;
  // a machine delivers none (a dead CPU takes no interrupt).
  (void)warn_cpu_offline;
  Kernel& k = *cur.kernel;
  llist_head* head = &k.call_single_queue[cur.id];
  llist_node* entry = co_await llist_del_all(cur, head);
  entry = co_await llist_reverse_order(cur, entry);

  // First: run all SYNC callbacks, people are waiting for us.
  llist_node* prev = nullptr;
  for (llist_node* pos = entry; pos != nullptr;) {
    call_single_data_t* csd = csd_of(pos);
    llist_node* next = co_await plain_load(cur, &pos->next, Site::flush_read_next);
    unsigned int flags = co_await plain_load(cur, &csd->node.u_flags, Site::flush_read_type);
    if ((flags & CSD_FLAG_TYPE_MASK) == CSD_TYPE_SYNC) {
      smp_call_func_t func = co_await plain_load(cur, &csd->func, Site::flush_sync_read_func);
      void* info = co_await plain_load(cur, &csd->info, Site::flush_sync_read_info);
      if (prev != nullptr) {
        co_await plain_store(cur, &prev->next, next, Site::flush_sync_unlink);
      } else {
        entry = next;
      }
      co_await csd_call_and_unlock(cur, csd, func, info, Site::flush_sync_call,
                                   /*unlock_first=*/k.variant->sync_unlock_before_call);
    } else {
      prev = pos;
    }
    pos = next;
  }
  if (entry == nullptr) co_return;

  // Second: run all !SYNC callbacks.
  prev = nullptr;
  for (llist_node* pos = entry; pos != nullptr;) {
    call_single_data_t* csd = csd_of(pos);
    llist_node* next = co_await plain_load(cur, &pos->next, Site::flush_read_next);
    unsigned int type =
        (co_await plain_load(cur, &csd->node.u_flags, Site::flush_read_type)) & CSD_FLAG_TYPE_MASK;
    if (type != CSD_TYPE_TTWU || k.variant->flush_runs_ttwu_as_async) {
      if (prev != nullptr) {
        co_await plain_store(cur, &prev->next, next, Site::flush_async_unlink);
      } else {
        entry = next;
      }
      if (type == CSD_TYPE_ASYNC || type == CSD_TYPE_TTWU) {
        smp_call_func_t func = co_await plain_load(cur, &csd->func, Site::flush_async_read_func);
        void* info = co_await plain_load(cur, &csd->info, Site::flush_async_read_info);
        co_await csd_call_and_unlock(cur, csd, func, info, Site::flush_async_call,
                                     /*unlock_first=*/!k.variant->async_unlock_after_call);
      }
      if (type == CSD_TYPE_IRQ_WORK) co_await irq_work_single(cur, csd);
    } else {
      prev = pos;
    }
    pos = next;
  }
  // Third: only CSD_TYPE_TTWU is left, issue those.
  if (entry != nullptr && !k.variant->flush_drops_ttwu) {
    // csd_do_func(sched_ttwu_pending, entry, csd): the scheduler's hook, not
    // a request's callback.
    co_await sched_ttwu_pending(cur, entry);
  }
}

Task<void> flush_smp_call_function_queue(Cpu& cur) {
  if (co_await llist_empty(cur, &cur.kernel->call_single_queue[cur.id])) co_return;
  bool flags = local_irq_save(cur);
  co_await __flush_smp_call_function_queue(cur, true);
  co_await local_irq_restore(cur, flags);
}

Task<int> smp_call_function_single(Cpu& cur, int cpu, smp_call_func_t func, void* info,
                                   bool wait) {
  // The on-stack csd lives in this coroutine's frame, like on the kernel stack.
  call_single_data_t csd_stack;
  csd_stack.node.u_flags = CSD_FLAG_LOCK | CSD_TYPE_SYNC;
  const int this_cpu = get_cpu(cur);
  const Variant& v = *cur.kernel->variant;
  bool preemptible = false;

  call_single_data_t* csd = &csd_stack;
  if (!wait) {
    csd = get_single_csd_data(cur, cpu);
    if (v.put_cpu_before_csd_lock) {
      // From here on another task of this CPU may take the same csd_data.
      put_cpu(cur);
      preemptible = true;
    }
    co_await csd_lock(cur, csd);
  } else {
    GhostEvent born{GhostKind::kObjectBorn, Site::scfs_set_func, &csd_stack};
    born.a = sizeof(csd_stack);
    ghost(cur, born);
    ghost(cur, GhostEvent{GhostKind::kCsdLocked, Site::scfs_set_func, &csd_stack});
  }

  co_await plain_store(cur, &csd->func, func, Site::scfs_set_func);
  co_await plain_store(cur, &csd->info, info, Site::scfs_set_info);
  co_await plain_store(cur, &csd->node.src, this_cpu, Site::scfs_set_src);
  co_await plain_store(cur, &csd->node.dst, cpu, Site::scfs_set_dst);

  int err = co_await generic_exec_single(cur, cpu, csd);

  // b0473dcd's series waits after put_cpu(): the waiting task may then be
  // preempted, and migrated, while its on-stack csd is in flight.
  if (v.wait_after_put_cpu && !preemptible) {
    put_cpu(cur);
    preemptible = true;
  }
  if (wait) co_await csd_lock_wait(cur, csd);
  if (!preemptible) put_cpu(cur);
  co_return err;
}

Task<int> smp_call_function_single_async(Cpu& cur, int cpu, call_single_data_t* csd) {
  // preempt_disable() ... out: preempt_enable(), at each co_return below.
  preempt_disable(cur);
  unsigned int flags = co_await plain_load(cur, &csd->node.u_flags, Site::scfsa_read_flags);
  if ((flags & CSD_FLAG_LOCK) && !cur.kernel->variant->async_ignores_lock) {
    preempt_enable(cur);
    co_return -EBUSY;
  }
  co_await plain_store(cur, &csd->node.u_flags, static_cast<unsigned int>(CSD_FLAG_LOCK),
                       Site::scfsa_set_flags);
  ghost(cur, GhostEvent{GhostKind::kCsdLocked, Site::scfsa_set_flags, csd});
  smp_wmb(cur);
  Kernel& k = *cur.kernel;
  if (k.variant->async_skips_online_check && cpu != cur.id && cpu >= 0 && cpu < k.nr_cpu_ids &&
      !k.cpu_online(cpu)) {
    // The pre-2014 async entry: no online check, the csd goes onto the
    // offline CPU's queue and stays there.
    co_await __smp_call_single_queue(cur, cpu, &csd->node.llist);
    preempt_enable(cur);
    co_return 0;
  }
  const int err = co_await generic_exec_single(cur, cpu, csd);
  preempt_enable(cur);
  co_return err;
}

Task<int> smp_call_function_any(Cpu& cur, std::uint64_t mask, smp_call_func_t func, void* info,
                                bool wait) {
  Kernel& k = *cur.kernel;
  // Try for same CPU (cheapest).
  int cpu = get_cpu(cur);
  if (!((mask >> cpu) & 1)) {
    // Same node (the only one: every CPU), then any online one; none
    // leaves nr_cpu_ids, which smp_call_function_single() refuses.
    cpu = k.nr_cpu_ids;
    for (int c = 0; c < k.nr_cpu_ids; ++c) {
      if (((mask >> c) & 1) && (k.variant->any_skips_online_check || k.cpu_online(c))) {
        cpu = c;
        break;
      }
    }
  }
  const int ret = co_await smp_call_function_single(cur, cpu, func, info, wait);
  put_cpu(cur);
  co_return ret;
}

Task<void> smp_call_function_many_cond(Cpu& cur, std::uint64_t mask, smp_call_func_t func,
                                       void* info, unsigned int scf_flags,
                                       smp_cond_func_t cond_func) {
  Kernel& k = *cur.kernel;
  const int this_cpu = cur.id;
  const bool wait = (scf_flags & SCF_WAIT) != 0;
  bool run_remote = false;
  int nr_cpus = 0;
  int last_cpu = -1;
  // cfd->cpumask and cfd->cpumask_ipi: touched only by this CPU.
  std::uint64_t cpumask = 0;
  std::uint64_t cpumask_ipi = 0;

  // cpumask_any_and_but(mask, cpu_online_mask, this_cpu) < nr_cpu_ids
  if ((mask & k.cpu_online_mask & ~Bit(this_cpu)) != 0) {
    cpumask = mask & k.cpu_online_mask & ~Bit(this_cpu);
    for (int cpu = 0; cpu < k.nr_cpu_ids; ++cpu) {
      if (!((cpumask >> cpu) & 1)) continue;
      call_single_data_t* csd = k.cfd_csd_of(this_cpu, cpu);
      run_remote = true;
      if (cond_func != nullptr && !(*cond_func)(cpu, info)) {
        cpumask &= ~Bit(cpu);
        continue;
      }
      co_await csd_lock(cur, csd);
      if (wait) {
        // csd->node.u_flags |= CSD_TYPE_SYNC: plain load, plain store.
        unsigned int flags = co_await plain_load(cur, &csd->node.u_flags, Site::scfm_load_flags);
        co_await plain_store(cur, &csd->node.u_flags, flags | CSD_TYPE_SYNC,
                             Site::scfm_store_flags);
      }
      co_await plain_store(cur, &csd->func, func, Site::scfm_set_func);
      co_await plain_store(cur, &csd->info, info, Site::scfm_set_info);
      co_await plain_store(cur, &csd->node.src, this_cpu, Site::scfm_set_src);
      co_await plain_store(cur, &csd->node.dst, cpu, Site::scfm_set_dst);
      if (co_await queue_needs_ipi(cur, &csd->node.llist, cpu)) {
        cpumask_ipi |= Bit(cpu);
        nr_cpus++;
        last_cpu = cpu;
      }
    }
    if (nr_cpus == 1) {
      co_await send_call_function_single_ipi(cur, last_cpu);
    } else if (nr_cpus > 1 && !k.variant->never_send_ipi) {
      co_await arch_send_call_function_ipi_mask(cur, cpumask_ipi, Site::send_ipi_mask);
    }
  }

  if ((scf_flags & SCF_RUN_LOCAL) && ((mask >> this_cpu) & 1) &&
      (cond_func == nullptr || (*cond_func)(this_cpu, info))) {
    bool flags = local_irq_save(cur);
    co_await csd_do_func(cur, func, info, Site::scfm_local_call);
    co_await local_irq_restore(cur, flags);
  }

  if (run_remote && wait) {
    for (int cpu = 0; cpu < k.nr_cpu_ids; ++cpu) {
      if (!((cpumask >> cpu) & 1)) continue;
      co_await csd_lock_wait(cur, k.cfd_csd_of(this_cpu, cpu));
    }
  }
}

Task<void> smp_call_function_many(Cpu& cur, std::uint64_t mask, smp_call_func_t func, void* info,
                                  bool wait) {
  co_await smp_call_function_many_cond(cur, mask, func, info, wait ? SCF_WAIT : 0u, nullptr);
}

Task<void> smp_call_function(Cpu& cur, smp_call_func_t func, void* info, bool wait) {
  preempt_disable(cur);
  co_await smp_call_function_many(cur, cur.kernel->cpu_online_mask, func, info, wait);
  preempt_enable(cur);
}

Task<void> on_each_cpu_cond_mask(Cpu& cur, smp_cond_func_t cond_func, smp_call_func_t func,
                                 void* info, bool wait, std::uint64_t mask) {
  unsigned int scf_flags = SCF_RUN_LOCAL;
  if (wait) scf_flags |= SCF_WAIT;
  preempt_disable(cur);
  co_await smp_call_function_many_cond(cur, mask, func, info, scf_flags, cond_func);
  preempt_enable(cur);
}

}  // namespace smpfuzz
