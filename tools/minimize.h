// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz minimize: the row of the command table (tools/commands.h) for
// shrinking a reproducer (tools/minimize.cc).

#ifndef SMPFUZZ_TOOLS_MINIMIZE_H_
#define SMPFUZZ_TOOLS_MINIMIZE_H_

#include "tools/command.h"

namespace smpfuzz::cli {

extern const Command kMinimizeCommand;

}  // namespace smpfuzz::cli

#endif  // SMPFUZZ_TOOLS_MINIMIZE_H_
