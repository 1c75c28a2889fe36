// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/linked_image.h"

#include <memory>

#include "kernel/kernel_guest.h"

// The tree's functions (kernel/smp.c) and the glue appended to it
// (kernel/runtime/smp_glue.inc), as linked.
extern "C" {
#define SMPFUZZ_GUEST_DECLARE(field, symbol, ret, params) ret symbol params;
SMPFUZZ_GUEST_ENTRY_POINTS(SMPFUZZ_GUEST_DECLARE)
#undef SMPFUZZ_GUEST_DECLARE
}

namespace smpfuzz {

const GuestImage& LinkedGuestImage() {
  static const GuestImage* image = [] {
    auto* g = new GuestImage;
#define SMPFUZZ_GUEST_ASSIGN(field, symbol, ret, params) g->field = &symbol;
    SMPFUZZ_GUEST_ENTRY_POINTS(SMPFUZZ_GUEST_ASSIGN)
#undef SMPFUZZ_GUEST_ASSIGN
    g->description = std::string("the linked build, variant ") + smpfuzz_glue_variant();
    return g;
  }();
  return *image;
}

std::unique_ptr<Guest> NewKernelGuest() { return NewKernelGuest(LinkedGuestImage()); }

const char* KernelGuestVariant() { return LinkedGuestImage().variant(); }

}  // namespace smpfuzz
