// SPDX-License-Identifier: GPL-2.0-only
#include "lib/llist.h"

#include "lib/smp.h"  // Kernel: the variant's llist mutant

namespace smpfuzz {

Task<bool> llist_add_batch(Cpu& cur, llist_node* new_first, llist_node* new_last,
                           llist_head* head) {
  llist_node* first = co_await READ_ONCE(cur, &head->first, Site::llist_add_batch_read_first);
  const bool reads_twice = cur.kernel->variant->llist_add_reads_head_twice;
  do {
    co_await plain_store(cur, &new_last->next, first, Site::llist_add_batch_set_next);
    // The mutant reads head->first again for the cmpxchg's expected value:
    // what the compiler may do without the ACCESS_ONCE.
    if (reads_twice) {
      first = co_await READ_ONCE(cur, &head->first, Site::llist_add_batch_read_first);
    }
  } while (!co_await try_cmpxchg(cur, &head->first, &first, new_first,
                                 Site::llist_add_batch_cmpxchg));
  co_return first == nullptr;
}

Task<bool> llist_add(Cpu& cur, llist_node* node, llist_head* head) {
  co_return co_await llist_add_batch(cur, node, node, head);
}

AccessOp<llist_node*> llist_del_all(Cpu& cur, llist_head* head) {
  return xchg(cur, &head->first, static_cast<llist_node*>(nullptr), Site::llist_del_all_xchg);
}

Task<llist_node*> llist_reverse_order(Cpu& cur, llist_node* head) {
  llist_node* new_head = nullptr;
  while (head != nullptr) {
    llist_node* tmp = head;
    head = co_await plain_load(cur, &head->next, Site::llist_reverse_order_read_next);
    co_await plain_store(cur, &tmp->next, new_head, Site::llist_reverse_order_set_next);
    new_head = tmp;
  }
  co_return new_head;
}

Task<bool> llist_empty(Cpu& cur, llist_head* head) {
  llist_node* first = co_await READ_ONCE(cur, &head->first, Site::llist_empty_read_first);
  co_return first == nullptr;
}

}  // namespace smpfuzz
