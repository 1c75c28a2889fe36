// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz explore: the row of the command table (tools/commands.h) for the
// systematic search and PCT (tools/explore.cc).

#ifndef SMPFUZZ_TOOLS_EXPLORE_H_
#define SMPFUZZ_TOOLS_EXPLORE_H_

#include "tools/command.h"

namespace smpfuzz::cli {

extern const Command kExploreCommand;

}  // namespace smpfuzz::cli

#endif  // SMPFUZZ_TOOLS_EXPLORE_H_
