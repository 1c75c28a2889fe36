// SPDX-License-Identifier: GPL-2.0-only
#include "tools/commands.h"

#include <string>

#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "tools/build_guest.h"
#include "tools/check_patch.h"
#include "tools/convert.h"
#include "tools/explore.h"
#include "tools/hunt_command.h"
#include "tools/minimize.h"
#include "tools/replay.h"
#include "tools/scftorture.h"
#include "tools/triage.h"
#include "tools/verify.h"

namespace smpfuzz::cli {
namespace {

constexpr const Command* kCommands[] = {
    &kReplayCommand,   &kConvertCommand, &kExploreCommand,
    &kMinimizeCommand, &kTriageCommand,  &kHuntCommand,
    &kVerifyCommand,   &kCheckPatchCommand, &kBuildGuestCommand,
    &kScfTortureCommand,
};

// A flag some command takes, or one of Abseil's own; null otherwise.
const absl::CommandLineFlag* FindFlag(std::string_view name) {
  for (const Command* c : kCommands) {
    for (const absl::CommandLineFlag* f : c->flags) {
      if (f->Name() == absl::string_view(name.data(), name.size())) return f;
    }
  }
  const absl::CommandLineFlag* f = absl::FindCommandLineFlag(absl::string_view(name.data(), name.size()));
  // A flag of smpfuzz's own that no command lists is no flag.
  if (f != nullptr && f->Filename().find("tools/") != std::string::npos) return nullptr;
  return f;
}

}  // namespace

std::span<const Command* const> Commands() { return kCommands; }

const Command* FindCommand(std::string_view name) {
  for (const Command* c : kCommands) {
    if (c->name == name) return c;
  }
  return nullptr;
}

std::string UsageText() {
  std::string text = "smpfuzz: fuzzing and reproducers for kernel/smp.c's CSD queueing.\n\n";
  for (const Command* c : kCommands) {
    const std::string lead = "  smpfuzz " + std::string(c->name) + " ";
    const std::string indent = "\n" + std::string(lead.size(), ' ');
    for (std::string_view form : c->synopsis) {
      absl::StrAppend(&text, lead,
                      absl::StrReplaceAll(absl::string_view(form.data(), form.size()),
                                          {{"\n", indent}}),
                      "\n");
    }
  }
  return text + "\nExit status: 0 no violation, 1 violation, 2 bad usage or input.";
}

absl::Status CheckFlags(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    const std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    const std::size_t eq = body.find('=');
    const std::string name = body.substr(0, eq);
    const bool has_value = eq != std::string::npos;
    const std::string value = has_value ? body.substr(eq + 1) : "";
    if (name == "help" || name == "helpfull") continue;
    const absl::CommandLineFlag* flag = FindFlag(name);
    bool negated = false;
    if (flag == nullptr && name.rfind("no", 0) == 0) {
      flag = FindFlag(std::string_view(name).substr(2));
      negated = flag != nullptr;
    }
    if (flag == nullptr) return absl::InvalidArgumentError("smpfuzz: unknown flag --" + name);
    NoteFlagGiven(std::string(flag->Name()));
    const bool is_bool = flag->IsOfType<bool>();
    if (negated && (!is_bool || has_value)) {
      return absl::InvalidArgumentError("smpfuzz: --" + name + ": not a boolean flag");
    }
    if (is_bool && has_value && value != "true" && value != "false" && value != "1" &&
        value != "0" && value != "yes" && value != "no") {
      return absl::InvalidArgumentError("smpfuzz: --" + name + ": expected true or false, got '" +
                                        value + "'");
    }
    if (!is_bool && !has_value) {
      if (i + 1 >= argc) return absl::InvalidArgumentError("smpfuzz: --" + name + " needs a value");
      ++i;
    }
  }
  return absl::OkStatus();
}

}  // namespace smpfuzz::cli
