// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz replay: the row of the command table (tools/commands.h) for running
// reproducers and fuzzer inputs (tools/replay.cc).

#ifndef SMPFUZZ_TOOLS_REPLAY_H_
#define SMPFUZZ_TOOLS_REPLAY_H_

#include "absl/flags/declare.h"
#include "tools/command.h"

// verify takes it too: --check=CERT (tools/verify.h, SpellVerifyCheck).
ABSL_DECLARE_FLAG(bool, check);

namespace smpfuzz::cli {

extern const Command kReplayCommand;

}  // namespace smpfuzz::cli

#endif  // SMPFUZZ_TOOLS_REPLAY_H_
