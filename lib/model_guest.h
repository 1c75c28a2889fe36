// SPDX-License-Identifier: GPL-2.0-only
//
// The model guest: the coroutine model of kernel/smp.c and lib/llist.c
// (lib/smp.h, lib/llist.h) with its workload (lib/workload.h), as a Guest
// (lib/guest.h) that any machine runs.

#ifndef SMPFUZZ_LIB_MODEL_GUEST_H_
#define SMPFUZZ_LIB_MODEL_GUEST_H_

#include <memory>

#include "lib/guest.h"

namespace smpfuzz {

std::unique_ptr<Guest> NewModelGuest();

// How the model lays out a csd (call_single_data_t of lib/smp.h).
CsdLayout ModelCsdLayout();

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_MODEL_GUEST_H_
