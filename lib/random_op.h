// SPDX-License-Identifier: GPL-2.0-only
//
// RandomOp: one random operation of any kind, for tests that build random
// small scenarios (lib/explorer_soundness_test.cc, kernel/differential_test.cc).

#ifndef SMPFUZZ_LIB_RANDOM_OP_H_
#define SMPFUZZ_LIB_RANDOM_OP_H_

#include <random>
#include <vector>

#include "lib/scenario.h"

namespace smpfuzz {

// Every op kind: call_single wait 0/1, call_single_async with a fresh csd or
// one of two shared slots, call_many with a random non-empty mask of the
// first nr_cpus CPUs, wait and local (and then sometimes a cond mask),
// call_function wait 0/1, call_any with a random non-empty mask and wait,
// flush, irqs_off of 0-2 ms, irq_work_queue_on of one of two works,
// ttwu_queue. The target
// is mostly CPU0 (the usual idle target); sometimes any CPU, the caller
// itself included, or a CPU number past the last one.
Op RandomOp(std::mt19937_64& rng, int nr_cpus);
// A hotplug op: offline (two times in three) or online of a random CPU of
// the first nr_cpus, CPU0 included; and an op list of one, or when it takes
// a CPU down and `may_come_back`, half the time followed by bringing it up.
Op RandomHotplugOp(std::mt19937_64& rng, int nr_cpus);
std::vector<Op> RandomHotplugOps(std::mt19937_64& rng, int nr_cpus, bool may_come_back);

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_RANDOM_OP_H_
