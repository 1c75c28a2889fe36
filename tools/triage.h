// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz triage: the row of the command table (tools/commands.h) for bucketing
// crash files into reproducers (tools/triage.cc).

#ifndef SMPFUZZ_TOOLS_TRIAGE_H_
#define SMPFUZZ_TOOLS_TRIAGE_H_

#include "tools/command.h"

namespace smpfuzz::cli {

extern const Command kTriageCommand;

}  // namespace smpfuzz::cli

#endif  // SMPFUZZ_TOOLS_TRIAGE_H_
