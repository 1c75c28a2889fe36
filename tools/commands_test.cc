// SPDX-License-Identifier: GPL-2.0-only
//
// The command table: the usage text made of it, and its flag lists.

#include "tools/commands.h"

#include <regex>
#include <set>
#include <string>

#include "absl/flags/reflection.h"
#include "gtest/gtest.h"
#include "tools/command.h"

namespace smpfuzz::cli {
namespace {

// The usage text, byte for byte: first the text the CLI printed when it was a
// hand-kept string (generated from the table, it stayed the same), then the
// kernel guest's flags and check-patch (issue 15), verify (issue 17), scftorture
// (issue 18).
constexpr char kUsageBefore[] =
    "smpfuzz: fuzzing and reproducers for kernel/smp.c's CSD queueing.\n"
    "\n"
    "  smpfuzz replay FILE... [--variant=V] [--json] [--raw] [--notrace] [--check] [--svg=OUT]\n"
    "                 [--guest=kernel [--kernel=TREE] [--patch=FILE]...]\n"
    "  smpfuzz convert FILE --to=text|bytes [--out=PATH] [--variant=V]\n"
    "  smpfuzz explore FILE [--variant=V] [--preemptions=N|unbounded] [--reduction=sleep|dpor|none] [--noiterative]\n"
    "                       [--max_steps=N] [--max_seconds=S] [--signatures=S,..] [--out=PATH] [--estimate]\n"
    "  smpfuzz explore FILE --pct=DEPTH [--seed=S] [--runs=N] [...]\n"
    "  smpfuzz explore --cpus=N --ops='C: op args; ...' [--csdlock_debug=on|off] [...]\n"
    "  smpfuzz explore ... --jobs=N | --shard=I/N|auto/N|auto [--out=RESULT] [--split_preemptions=K]\n"
    "  smpfuzz explore --merge RESULT...\n"
    "  smpfuzz explore ... --guest=kernel [--kernel=TREE] [--patch=FILE]...\n"
    "  smpfuzz minimize FILE [--variant=V] [--out=PATH] [--max_seconds=S] [--guest=kernel ...]\n"
    "  smpfuzz triage DIR_OR_FILE... --out=DIR [--variant=V] [--json] [--max_seconds=S]\n"
    "                 [--guest=kernel [--kernel=TREE] [--patch=FILE]...]\n"
    "  smpfuzz hunt --time=DURATION --out=DIR [--variant=V] [--engine=libfuzzer,afl] [--jobs=N]\n"
    "               --libfuzzer_target=PATH --afl_target=PATH [--afl_mutator=PATH] [--dict=PATH]\n"
    "               [--merge_every=DURATION] [--noskip_known_buckets] [--sync_dir=DIR]\n"
    "               [--guest=kernel] (the default tree's build, as kernel_smp_<variant>_fuzzer links it)\n"
    "               (ci/hunt.sh builds the targets and fills in the paths)\n"
    "  smpfuzz verify [--cpus=N|N-M] [--ops=K]\n"
    "                 [--kinds=single,async,async_reused,many,cond,function,any,flush,irqs_off,hotplug,irq_work,ttwu]\n"
    "                 [--csdlock_debug=on,off] [--offline=K] [--tasks=K] [--variant=V] [--preemptions=N|unbounded]\n"
    "                 [--signatures=S,..] [--max_steps=N] [--jobs=N] [--nosymmetry] [--out=PATH]\n"
    "                 [--certificate=FILE] [--guest=kernel [--kernel=TREE] [--patch=FILE]...]\n"
    "  smpfuzz verify --check=CERT [--variant=V] [--jobs=N] [--guest=kernel ...]\n"
    "  smpfuzz check-patch PATCH... [--kernel=TREE] [--preemptions=N (default 1)] [--max_seconds=S]\n"
    "                      [--out=DIR]\n"
    "  smpfuzz build-guest [--kernel=TREE] [--variant=baseline|b0473dcd|fixed] [--patch=FILE]...\n"
    "  smpfuzz scftorture [PARAM=VALUE...] [--variant=V] [--runs=SCENARIOS] [--max_seconds=S] [--pct=DEPTH]\n"
    "                     [--seed=S] [--out=DIR] [--guest=kernel ...]\n"
    "                     (PARAM: scftorture's module parameters, `scftorture.` prefix allowed: nthreads,\n"
    "                     weight_single, weight_single_wait, weight_many, weight_many_wait, weight_all,\n"
    "                     weight_all_wait, onoff_interval (invoker ops per hotplug cycle); the boot parameters\n"
    "                     nr_cpus (default 4) and csdlock_debug (default 1); smpfuzz's ops_per_thread (4),\n"
    "                     weight_async, weight_any, weight_cond, weight_irqs_off, weight_irq_work, weight_ttwu)\n"
    "\n"
    "Exit status: 0 no violation, 1 violation, 2 bad usage or input.";

TEST(CommandsTest, UsageTextIsTheOneBefore) { EXPECT_EQ(UsageText(), kUsageBefore); }

std::set<std::string> FlagNames(const Command& c) {
  std::set<std::string> names;
  for (const absl::CommandLineFlag* f : c.flags) names.emplace(f->Name());
  return names;
}

TEST(CommandsTest, EveryFlagASynopsisNamesIsOneItsCommandTakes) {
  const std::regex flag("--([a-z_]+)");
  for (const Command* c : Commands()) {
    const std::set<std::string> takes = FlagNames(*c);
    for (std::string_view form : c->synopsis) {
      const std::string text(form);
      for (auto it = std::sregex_iterator(text.begin(), text.end(), flag);
           it != std::sregex_iterator(); ++it) {
        std::string name = (*it)[1];
        if (takes.count(name) == 0 && name.rfind("no", 0) == 0) name = name.substr(2);
        EXPECT_EQ(takes.count(name), 1u) << c->name << ": --" << name;
      }
    }
  }
}

TEST(CommandsTest, EveryFlagOfToolsIsOneACommandTakes) {
  std::set<std::string> taken;
  for (const Command* c : Commands()) {
    const std::set<std::string> names = FlagNames(*c);
    taken.insert(names.begin(), names.end());
  }
  int flags_of_tools = 0;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (flag->Filename().find("tools/") == std::string::npos) continue;
    ++flags_of_tools;
    EXPECT_EQ(taken.count(std::string(name)), 1u) << "--" << name << " (" << flag->Filename() << ")";
  }
  EXPECT_EQ(flags_of_tools, 43);  // hunt --sync_dir (issue 20), verify --tasks (issue 18)
}

TEST(CommandsTest, NamesAreFound) {
  for (const Command* c : Commands()) EXPECT_EQ(FindCommand(c->name), c);
  EXPECT_EQ(FindCommand("frobnicate"), nullptr);
}

}  // namespace
}  // namespace smpfuzz::cli
