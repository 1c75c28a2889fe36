// SPDX-License-Identifier: GPL-2.0-only
//
// The model of the scheduler's remote-wakeup path through call_single_queue
// (kernel/sched/core.c): __ttwu_queue_wakelist() puts a sleeping task's
// wake_entry, a CSD_TYPE_TTWU node, on the wakee CPU's queue, and the
// flush hands what is left after its two passes to sched_ttwu_pending(),
// which activates each task.
//
// Not modelled: the runqueue itself (rq lock, ttwu_pending flag, p->on_cpu
// wait, set_task_cpu), select_task_rq() (the workload names the CPU),
// WF_MIGRATED. A task is woken once: it is queued by one waker and never
// again (p->pi_lock and the task state keep a second waker out).

#ifndef SMPFUZZ_LIB_SCHED_TTWU_H_
#define SMPFUZZ_LIB_SCHED_TTWU_H_

#include <cstdint>

#include "lib/smp.h"

namespace smpfuzz {

// A sleeping task as far as the wakeup path sees it: wake_entry first, as
// __call_single_node (u_flags = CSD_TYPE_TTWU, set at fork), then other task
// state where a csd would have func and info (zero: the flush's ASYNC path
// would call nothing valid), then who the task is, for the platform.
struct task_struct {
  __call_single_node wake_entry;
  std::uint64_t state_words[2] = {0, 0};
  smp_call_func_t wakee = 0;
  void* wakee_info = nullptr;
};

// ttwu_queue_wakelist() for a remote `cpu`: IRQs are off (p->pi_lock).
Task<void> __ttwu_queue_wakelist(Cpu& cur, task_struct* p, int cpu);
// The woken task runs again on this CPU: what ttwu_do_activate() means for
// the checkers (a callback of the wakee's request).
Task<void> ttwu_do_activate(Cpu& cur, task_struct* p, Site site);
// Activates every task on the list `arg` (wake_entry nodes).
Task<void> sched_ttwu_pending(Cpu& cur, llist_node* arg);

inline task_struct* task_of_wake_entry(llist_node* n) { return reinterpret_cast<task_struct*>(n); }

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_SCHED_TTWU_H_
