// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz hunt: the row of the command table (tools/commands.h) for the
// overnight run (tools/hunt_command.cc; the run itself is tools/hunt/).

#ifndef SMPFUZZ_TOOLS_HUNT_COMMAND_H_
#define SMPFUZZ_TOOLS_HUNT_COMMAND_H_

#include "tools/command.h"

namespace smpfuzz::cli {

extern const Command kHuntCommand;

}  // namespace smpfuzz::cli

#endif  // SMPFUZZ_TOOLS_HUNT_COMMAND_H_
