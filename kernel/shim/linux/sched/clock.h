/* SPDX-License-Identifier: GPL-2.0-only */
/* Resolves <linux/sched/clock.h> to the shim (smpfuzz_shim.h says what it provides). */
#include "../../smpfuzz_shim.h"
