// SPDX-License-Identifier: GPL-2.0-only
//
// The kernel guest: kernel/smp.c and lib/llist.c of a Linux tree, unmodified
// (plus the project's patch of the variant, kernel/patches/), compiled in
// userspace against kernel/shim/ and run by kernel/runtime/ as a Guest
// (lib/guest.h) that any machine with interleaves() runs: the simulator.
//
// Which build of which tree runs is the GuestImage's (kernel/guest_image.h):
// one linked into the binary (LinkedGuestImage(), kernel/linked_image.h) or
// one smpfuzz built and loaded (kernel/guest_build.h). Scenario::variant is
// not consulted: the image is the variant. The workload is lib/workload's
// (the same ops, tokens and request ghosts), calling the kernel's own
// functions; its callbacks are real functions, one per request token.
//
// One kernel guest runs at a time per process (an image's globals exist
// once); the image outlives the guest.

#ifndef SMPFUZZ_KERNEL_KERNEL_GUEST_H_
#define SMPFUZZ_KERNEL_KERNEL_GUEST_H_

#include <memory>

#include "lib/guest.h"

namespace smpfuzz {

struct GuestImage;

std::unique_ptr<Guest> NewKernelGuest(const GuestImage& image);

}  // namespace smpfuzz

#endif  // SMPFUZZ_KERNEL_KERNEL_GUEST_H_
