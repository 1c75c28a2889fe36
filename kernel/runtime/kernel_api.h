/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The C interface between the kernel guest's shim headers (kernel/shim/) and
 * its runtime (kernel/runtime/): everything the kernel's own code calls that
 * is not an instrumented memory access. Included by C (the kernel tree's
 * files) and by C++ (the runtime that implements it).
 */
#ifndef SMPFUZZ_KERNEL_RUNTIME_KERNEL_API_H_
#define SMPFUZZ_KERNEL_RUNTIME_KERNEL_API_H_

#ifdef __cplusplus
extern "C" {
#endif

/* smp_processor_id(): the simulated CPU the calling fiber runs on (0 outside). */
int smpfuzz_cpu_id(void);
/* preempt_disable(), preempt_enable() (get_cpu(), put_cpu()): the count the
 * machine reads before it switches the CPU to another task. */
void smpfuzz_preempt_disable(void);
void smpfuzz_preempt_enable(void);
/* irqs_disabled(), local_irq_save(), local_irq_restore() */
int smpfuzz_irqs_disabled(void);
unsigned long smpfuzz_irq_save(void);
void smpfuzz_irq_restore(unsigned long flags);
/* smp_mb() and friends: 0 mb, 1 wmb, 2 rmb, 3 acquire__after_ctrl_dep */
void smpfuzz_fence(int kind);
/* cpu_relax() in a spin loop: parks until a word the pass read changes. */
void smpfuzz_cpu_relax(void);
/* sched_clock(): virtual time in ns. */
unsigned long long smpfuzz_sched_clock(void);
/* arch_send_call_function_single_ipi(), arch_send_call_function_ipi_mask() */
void smpfuzz_send_ipi(int cpu);
void smpfuzz_send_ipi_mask(unsigned long mask);
/* per_cpu_ptr(ptr, cpu), range-checked; alloc_percpu() */
void *smpfuzz_per_cpu_ptr(const void *ptr, int cpu, unsigned long size);
void *smpfuzz_alloc_percpu(unsigned long size, unsigned long align);
/* printk(), WARN(), BUG(). The runtime reads some of the kernel's messages
 * (kernel/runtime/observer.h): its CSD-lock diagnostics, its WARNs. */
int smpfuzz_printk(const char *fmt, ...);
void smpfuzz_warn(const char *file, int line, const char *func);
void smpfuzz_bug(const char *file, int line);
/* sched_ttwu_pending() (smp_glue.inc): the task whose wake_entry this is
 * runs again, on this CPU. */
void smpfuzz_ttwu_activate(void *wake_entry);

#ifdef __cplusplus
}
#endif

#endif /* SMPFUZZ_KERNEL_RUNTIME_KERNEL_API_H_ */
