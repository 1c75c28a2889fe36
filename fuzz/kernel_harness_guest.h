// SPDX-License-Identifier: GPL-2.0-only
//
// The kernel guest for the smp harness: the build of the tree linked into
// the binary (//kernel:guest_<variant>, kernel/linked_image.h), one variant
// per binary. fuzz/BUILD builds this file once per kernel variant.

#ifndef SMPFUZZ_FUZZ_KERNEL_HARNESS_GUEST_H_
#define SMPFUZZ_FUZZ_KERNEL_HARNESS_GUEST_H_

#include "fuzz/smp_harness.h"

namespace smpfuzz::fuzz {

HarnessGuest KernelHarnessGuest();

}  // namespace smpfuzz::fuzz

#endif  // SMPFUZZ_FUZZ_KERNEL_HARNESS_GUEST_H_
