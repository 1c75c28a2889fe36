// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz convert: the row of the command table (tools/commands.h) for
// converting between a reproducer and fuzzer bytes (tools/convert.cc).

#ifndef SMPFUZZ_TOOLS_CONVERT_H_
#define SMPFUZZ_TOOLS_CONVERT_H_

#include "tools/command.h"

namespace smpfuzz::cli {

extern const Command kConvertCommand;

}  // namespace smpfuzz::cli

#endif  // SMPFUZZ_TOOLS_CONVERT_H_
