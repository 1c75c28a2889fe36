/* SPDX-License-Identifier: GPL-2.0-only */
/* The configuration the kernel guest compiles the tree's files with. */
#define CONFIG_SMP 1
#define CONFIG_64BIT 1
#define CONFIG_NR_CPUS 64
#define CONFIG_CSD_LOCK_WAIT_DEBUG 1
