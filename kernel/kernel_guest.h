// SPDX-License-Identifier: GPL-2.0-only
//
// The kernel guest: kernel/smp.c and lib/llist.c of a Linux tree, unmodified
// (plus the project's patch of the variant, kernel/patches/), compiled in
// userspace against kernel/shim/ and run by kernel/runtime/ as a Guest
// (lib/guest.h) that any machine with interleaves() runs: the simulator.
//
// Which variant runs is decided at link time: each of //kernel:guest_baseline,
// //kernel:guest_b0473dcd, //kernel:guest_fixed links its own build of the
// tree (a binary links exactly one). Scenario::variant is not consulted;
// KernelGuestVariant() names what was linked. The workload is lib/workload's
// (the same ops, tokens and request ghosts), calling the kernel's own
// functions; its callbacks are real functions, one per request token.
//
// One kernel guest at a time per process (the tree's globals exist once).

#ifndef SMPFUZZ_KERNEL_KERNEL_GUEST_H_
#define SMPFUZZ_KERNEL_KERNEL_GUEST_H_

#include <memory>

#include "lib/guest.h"

namespace smpfuzz {

std::unique_ptr<Guest> NewKernelGuest();

// "baseline", "b0473dcd" or "fixed": the build of the tree this binary links.
const char* KernelGuestVariant();

}  // namespace smpfuzz

#endif  // SMPFUZZ_KERNEL_KERNEL_GUEST_H_
