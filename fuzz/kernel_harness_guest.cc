// SPDX-License-Identifier: GPL-2.0-only
#include "fuzz/kernel_harness_guest.h"

#include "kernel/linked_image.h"

namespace smpfuzz::fuzz {

HarnessGuest KernelHarnessGuest() {
  return HarnessGuest{[] { return NewKernelGuest(); }, "--guest=kernel", KernelGuestVariant()};
}

}  // namespace smpfuzz::fuzz
