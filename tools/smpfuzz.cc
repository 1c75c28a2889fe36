// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz: the command line. See README.md, "Command line". The commands
// are rows of the command table (tools/commands.h), one file each; main
// checks the flags, picks the command and turns its result into the exit
// status: 0 no violation, 1 violation found (or an expectation failed with
// --check), 2 bad usage or bad input.

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <unistd.h>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tools/command.h"
#include "tools/commands.h"
#include "tools/guest_choice.h"
#include "tools/verify.h"

namespace smpfuzz::cli {
namespace {

constexpr int kBadInputStatus = static_cast<int>(ExitStatus::kBadInput);

// Prints an error as main's contract says: its line, then the usage text
// after a usage error.
int Fail(const absl::Status& error, const std::string& usage) {
  std::fprintf(stderr, "%s\n", std::string(error.message()).c_str());
  if (IsUsageError(error)) std::fprintf(stderr, "%s\n", usage.c_str());
  return kBadInputStatus;
}

// --help lists the flags of every command's file (Abseil's default: only
// those of a file named after the program).
bool IsCommandFile(absl::string_view filename) {
  return filename.find("tools/") != absl::string_view::npos;
}

}  // namespace
}  // namespace smpfuzz::cli

int main(int argc, char** argv) {
  using namespace smpfuzz::cli;
  // `bazel run` starts us in the runfiles tree; relative paths are the user's.
  if (const char* wd = std::getenv("BUILD_WORKING_DIRECTORY"); wd != nullptr && *wd != '\0') {
    if (chdir(wd) != 0) {
      std::fprintf(stderr, "smpfuzz: cannot enter %s: %s\n", wd, std::strerror(errno));
      return kBadInputStatus;
    }
  }
  const std::string usage = UsageText();
  absl::SetProgramUsageMessage(usage);
  absl::FlagsUsageConfig config;
  config.contains_helpshort_flags = IsCommandFile;
  config.contains_help_flags = IsCommandFile;
  absl::SetFlagsUsageConfig(config);
  CollectPatchFlags(&argc, argv);
  SpellVerifyCheck(argc, argv);
  if (absl::Status s = CheckFlags(argc, argv); !s.ok()) return Fail(s, usage);
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() < 2) return Fail(UsageError("missing command"), usage);
  const Command* command = FindCommand(rest[1]);
  if (command == nullptr) {
    return Fail(UsageError("unknown command '" + std::string(rest[1]) + "'"), usage);
  }
  absl::StatusOr<ExitStatus> result =
      command->run(std::vector<std::string>(rest.begin() + 2, rest.end()));
  if (!result.ok()) return Fail(result.status(), usage);
  return static_cast<int>(*result);
}
