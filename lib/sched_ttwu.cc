// SPDX-License-Identifier: GPL-2.0-only
//
// See lib/sched_ttwu.h. Function order follows kernel/sched/core.c.

#include "lib/sched_ttwu.h"

namespace smpfuzz {

Task<void> ttwu_do_activate(Cpu& cur, task_struct* p, Site site) {
  // The wakee is who the platform records as run here.
  co_await csd_do_func(cur, p->wakee, p->wakee_info, site);
}

Task<void> sched_ttwu_pending(Cpu& cur, llist_node* arg) {
  for (llist_node* pos = arg; pos != nullptr;) {
    llist_node* next = co_await plain_load(cur, &pos->next, Site::ttwu_pending_read_next);
    co_await ttwu_do_activate(cur, task_of_wake_entry(pos), Site::ttwu_activate);
    pos = next;
  }
}

Task<void> __ttwu_queue_wakelist(Cpu& cur, task_struct* p, int cpu) {
  co_await __smp_call_single_queue(cur, cpu, &p->wake_entry.llist);
}

}  // namespace smpfuzz
