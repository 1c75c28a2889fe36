// SPDX-License-Identifier: GPL-2.0-only
//
// Command: one `smpfuzz` command as a row of the command table
// (tools/commands.h). Each command's file defines its row next to its code
// and its flags: the name, the forms of its synopsis (the usage text is made
// of them), the flags it takes, and the function that runs it.
//
// The contract of `run`: it gets the arguments after the command name (the
// flags are parsed by then) and returns the exit status: kClean, kViolation,
// or kBadInput once it has reported bad inputs itself, one line each, and
// gone on with the others (replay, triage). An error ends the command: main
// prints its message, a whole line, then the usage text for a UsageError,
// and exits with status 2. Only main turns an error into an exit status.

#ifndef SMPFUZZ_TOOLS_COMMAND_H_
#define SMPFUZZ_TOOLS_COMMAND_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace smpfuzz::cli {

// 0 no violation, 1 violation found (or an expectation failed), 2 bad usage
// or bad input.
enum class ExitStatus { kClean = 0, kViolation = 1, kBadInput = 2 };

struct Command {
  std::string_view name;
  // Its forms, each the arguments after "smpfuzz NAME "; a '\n' in a form
  // continues it on the next line, indented under the first argument.
  std::vector<std::string_view> synopsis;
  // The flags it reads (Takes(FLAGS_x)).
  std::vector<const absl::CommandLineFlag*> flags;
  absl::StatusOr<ExitStatus> (*run)(const std::vector<std::string>& args);
};

template <typename T>
const absl::CommandLineFlag* Takes(const absl::Flag<T>& flag) {
  return &absl::GetFlagReflectionHandle(flag);
}

// Whether flag --NAME was given on the command line (main's flag check
// notes each; Abseil 20220623 keeps its own record private). For a command
// whose default differs from the shared flag's.
void NoteFlagGiven(std::string_view name);
bool FlagGiven(std::string_view name);

// An error in how the command was called: main prints "smpfuzz: WHY" and the
// usage text.
absl::Status UsageError(absl::string_view why);
bool IsUsageError(const absl::Status& status);

// `status` with `prefix` before its message.
absl::Status WithPrefix(absl::string_view prefix, const absl::Status& status);

}  // namespace smpfuzz::cli

#endif  // SMPFUZZ_TOOLS_COMMAND_H_
