// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz replay: the row of the command table (tools/commands.h) for running
// reproducers and fuzzer inputs (tools/replay.cc).

#ifndef SMPFUZZ_TOOLS_REPLAY_H_
#define SMPFUZZ_TOOLS_REPLAY_H_

#include "tools/command.h"

namespace smpfuzz::cli {

extern const Command kReplayCommand;

}  // namespace smpfuzz::cli

#endif  // SMPFUZZ_TOOLS_REPLAY_H_
