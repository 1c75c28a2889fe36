// SPDX-License-Identifier: GPL-2.0-only
//
// The model of kernel/irq_work.c's remote path: an irq_work queued onto
// another CPU's call_single_queue as a CSD_TYPE_IRQ_WORK entry, and run
// there by the flush's second pass.
//
// The work's flags word is its node's a_flags (the csd's u_flags):
// irq_work_claim() sets IRQ_WORK_PENDING | IRQ_WORK_BUSY and the type with
// one atomic fetch-or, and only the claimer that found PENDING clear queues
// the node; irq_work_single() clears PENDING before the work's func (a claim
// from then on queues the work again, so a run starts after every claim) and
// BUSY after it unless someone claimed it meanwhile.
//
// Not modelled: the lazy list and IRQ_WORK_LAZY, PREEMPT_RT's hard/soft
// split, irq_work_sync()'s rcuwait, NMI callers. A work queued on its own
// CPU (__irq_work_queue_local(): raised_list and a self-IPI, taken as soon
// as interrupts are on) runs at once, with interrupts off.

#ifndef SMPFUZZ_LIB_IRQ_WORK_H_
#define SMPFUZZ_LIB_IRQ_WORK_H_

#include "lib/smp.h"

namespace smpfuzz {

// struct irq_work, laid out like a csd (node first) because the flush reads
// every entry as one. `func` and `info` name the work's func for the
// platform; the kernel calls work->func(work), and the workload knows its
// works by `info`, as a kernel func knows its work by the pointer.
struct irq_work {
  __call_single_node node;
  smp_call_func_t func = 0;
  void* info = nullptr;
};
static_assert(sizeof(irq_work) == sizeof(call_single_data_t));

// True when this call claimed the work (it was not pending).
Task<bool> irq_work_claim(Cpu& cur, irq_work* work);
// False when the work was already pending (nothing queued: the pending run
// is still to start). The caller keeps `cpu` online (preemption off, after
// checking cpu_online()), as the kernel's WARN_ON_ONCE(cpu_is_offline(cpu))
// asks.
Task<bool> irq_work_queue_on(Cpu& cur, irq_work* work, int cpu);
// Runs one claimed work: called by the flush for a CSD_TYPE_IRQ_WORK entry.
Task<void> irq_work_single(Cpu& cur, void* arg);

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_IRQ_WORK_H_
