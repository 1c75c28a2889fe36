// SPDX-License-Identifier: GPL-2.0-only
//
// The command table: every `smpfuzz` command (tools/command.h), in the order
// of the usage text, and what main reads from it: the command a name picks,
// the usage text made of the commands' synopses, and the check of the flags
// on the command line against the flags the commands take.

#ifndef SMPFUZZ_TOOLS_COMMANDS_H_
#define SMPFUZZ_TOOLS_COMMANDS_H_

#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "tools/command.h"

namespace smpfuzz::cli {

std::span<const Command* const> Commands();

// Null when no command has that name.
const Command* FindCommand(std::string_view name);

// What `smpfuzz` prints after a usage error and --help shows first.
std::string UsageText();

// Abseil exits with status 1 on an unknown flag or a bad boolean; the
// contract is 2 with a line of smpfuzz's own. So main checks the command
// line first: every flag must be one a command takes (any command: one a
// command does not read is ignored, as it always was) or one of Abseil's own
// (--flagfile, --help, ...), a boolean's value true or false, any other flag
// given a value. Values themselves are the commands' to check
// (tools/flag_types.h).
absl::Status CheckFlags(int argc, char** argv);

}  // namespace smpfuzz::cli

#endif  // SMPFUZZ_TOOLS_COMMANDS_H_
