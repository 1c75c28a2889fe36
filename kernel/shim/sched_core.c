/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The scheduler's definitions that a tree's kernel/sched/smp.h declares and
 * smp.c calls out of line (kernel/sched/core.c in the kernel). Trees whose
 * smp.c defines a static send_call_function_single_ipi() of its own (6.12)
 * never call this one.
 */
#include "smpfuzz_shim.h"

void send_call_function_single_ipi(int cpu);

void send_call_function_single_ipi(int cpu)
{
	if (call_function_single_prep_ipi(cpu))
		arch_send_call_function_single_ipi(cpu);
}
