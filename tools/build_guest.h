// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz build-guest: the row of the command table (tools/commands.h) that
// builds a kernel guest (tools/build_guest.cc).

#ifndef SMPFUZZ_TOOLS_BUILD_GUEST_H_
#define SMPFUZZ_TOOLS_BUILD_GUEST_H_

#include "tools/command.h"

namespace smpfuzz::cli {

extern const Command kBuildGuestCommand;

}  // namespace smpfuzz::cli

#endif  // SMPFUZZ_TOOLS_BUILD_GUEST_H_
