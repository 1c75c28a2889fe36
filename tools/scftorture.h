// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz scftorture: the row of the command table (tools/commands.h) for
// a torture run with scftorture's parameters (tools/scftorture.cc).

#ifndef SMPFUZZ_TOOLS_SCFTORTURE_H_
#define SMPFUZZ_TOOLS_SCFTORTURE_H_

#include "tools/command.h"

namespace smpfuzz::cli {

extern const Command kScfTortureCommand;

}  // namespace smpfuzz::cli

#endif  // SMPFUZZ_TOOLS_SCFTORTURE_H_
