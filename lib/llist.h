// SPDX-License-Identifier: GPL-2.0-only
//
// The lock-less NULL-terminated singly linked list of include/linux/llist.h
// and lib/llist.c, written with the kernel's access kinds.
//
// Contract, as in the kernel: any number of producers may llist_add at once;
// one consumer takes the whole list with llist_del_all; nobody may add a node
// that is already on a list. Breaking that last rule is the CSD-lock bug:
// adding the node that is already the head stores `node->next = node`.

#ifndef SMPFUZZ_LIB_LLIST_H_
#define SMPFUZZ_LIB_LLIST_H_

#include "lib/primitives.h"
#include "lib/task.h"

namespace smpfuzz {

struct llist_node {
  llist_node* next = nullptr;
};

struct llist_head {
  llist_node* first = nullptr;
};

// Adds the chain new_first..new_last at the head. Returns whether the list
// was empty before (the caller then sends the IPI).
Task<bool> llist_add_batch(Cpu& cur, llist_node* new_first, llist_node* new_last,
                           llist_head* head);
Task<bool> llist_add(Cpu& cur, llist_node* node, llist_head* head);
// Takes every entry (newest first).
AccessOp<llist_node*> llist_del_all(Cpu& cur, llist_head* head);
// Reverses a detached chain in place (plain accesses: the chain is private).
Task<llist_node*> llist_reverse_order(Cpu& cur, llist_node* head);
Task<bool> llist_empty(Cpu& cur, llist_head* head);

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_LLIST_H_
