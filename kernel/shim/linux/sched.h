/* SPDX-License-Identifier: GPL-2.0-only */
/* Resolves <linux/sched.h> to the shim (smpfuzz_shim.h says what it provides). */
#include "../smpfuzz_shim.h"
