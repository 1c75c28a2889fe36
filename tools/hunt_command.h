// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz hunt: the row of the command table (tools/commands.h) for the
// overnight run (tools/hunt_command.cc; the run itself is tools/hunt/).

#ifndef SMPFUZZ_TOOLS_HUNT_COMMAND_H_
#define SMPFUZZ_TOOLS_HUNT_COMMAND_H_

#include "absl/flags/declare.h"
#include "tools/command.h"
#include "tools/flag_types.h"

namespace smpfuzz::cli {
using JobCount = WholeNumber<1, 256>;
}  // namespace smpfuzz::cli

// verify's worker processes too.
ABSL_DECLARE_FLAG(smpfuzz::cli::JobCount, jobs);

namespace smpfuzz::cli {

extern const Command kHuntCommand;

}  // namespace smpfuzz::cli

#endif  // SMPFUZZ_TOOLS_HUNT_COMMAND_H_
