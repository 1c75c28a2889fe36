/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Force-included (-include) before each of the tree's files: the guest's
 * global data goes to sections of its own, so the runtime can restore it to
 * its initial state between runs (kernel/runtime/).
 */
#pragma clang section bss = "smpfuzz_kbss" data = "smpfuzz_kdata"
