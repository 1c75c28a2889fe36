// SPDX-License-Identifier: GPL-2.0-only
//
// LinkedGuestImage: the GuestImage of the build of the tree linked into this
// binary (one //kernel:smp_<variant> per binary: the names are the tree's).

#ifndef SMPFUZZ_KERNEL_LINKED_IMAGE_H_
#define SMPFUZZ_KERNEL_LINKED_IMAGE_H_

#include <memory>

#include "kernel/guest_image.h"
#include "lib/guest.h"

namespace smpfuzz {

const GuestImage& LinkedGuestImage();

// A kernel guest on it.
std::unique_ptr<Guest> NewKernelGuest();
// "baseline", "b0473dcd" or "fixed": its variant.
const char* KernelGuestVariant();

}  // namespace smpfuzz

#endif  // SMPFUZZ_KERNEL_LINKED_IMAGE_H_
