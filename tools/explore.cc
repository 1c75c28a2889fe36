// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz explore: the systematic search of one scenario (a reproducer's,
// or one given by --cpus and --ops) within a preemption bound, or
// randomized PCT runs; a counterexample as a reproducer, or "clean within
// bounds" with the counts.

#include "tools/explore.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/expectations.h"
#include "lib/explorer.h"
#include "lib/report.h"
#include "lib/repro.h"
#include "tools/command.h"
#include "tools/flag_types.h"
#include "tools/guest_choice.h"
#include "tools/shared_flags.h"

namespace smpfuzz::cli {
using PctDepth = WholeNumber<0, 64>;
using RandomSeed = WholeNumber<0, UINT64_MAX>;
using RunCount = WholeNumber<1, 1000000000000>;
}  // namespace smpfuzz::cli

ABSL_FLAG(smpfuzz::cli::PreemptionBound, preemptions, smpfuzz::cli::PreemptionBound("2"),
          "explore: the preemption bound (searched 0, 1, ... up to it)");
ABSL_FLAG(std::string, reduction, "sleep",
          "explore: `sleep` (sleep sets), `dpor` (dynamic partial-order reduction plus sleep "
          "sets) or `none`; `unsound-legacy` is the old, unsound relation, for benchmarks only");
ABSL_FLAG(bool, iterative, true,
          "explore: search bounds 0, 1, ... up to --preemptions (the first violation then has the "
          "fewest preemptions); --noiterative searches only the bound itself (a faster proof)");
ABSL_FLAG(smpfuzz::cli::StepLimit, max_steps, smpfuzz::cli::StepLimit("5000"),
          "explore: steps an execution may take (more: cpu-stuck)");
// Not a number flag: its text goes into the scenario, whose parser names the
// place of an error in --cpus/--ops.
ABSL_FLAG(std::string, cpus, "",
          "explore without FILE: number of CPUs; verify: N or a range N-M (default 2-3)");
ABSL_FLAG(std::string, ops, "",
          "explore without FILE: operations, `CPU: op args` separated by `;`, e.g. "
          "\"1: call_single target=0 wait=0; 2: call_single target=0 wait=0\"; verify: the most "
          "operations per CPU (default 1)");
ABSL_FLAG(std::string, csdlock_debug, "",
          "explore: `on` or `off` (default: the file's; on with --ops); verify: `on`, `off` or "
          "`on,off` (the default)");
ABSL_FLAG(smpfuzz::cli::PctDepth, pct, smpfuzz::cli::PctDepth("0"),
          "explore: randomized PCT of this depth instead of the search (0: off)");
ABSL_FLAG(smpfuzz::cli::RandomSeed, seed, smpfuzz::cli::RandomSeed("1"), "explore --pct: random seed");
ABSL_FLAG(smpfuzz::cli::RunCount, runs, smpfuzz::cli::RunCount("1000"), "explore --pct: number of runs");
ABSL_FLAG(std::string, signatures, "",
          "explore: comma-separated signatures that count as a violation (default: all)");

namespace smpfuzz::cli {
namespace {

// The name the scenario of --cpus/--ops goes by in messages.
constexpr char kFlagsScenario[] = "--cpus/--ops";

// The scenario of `explore --cpus=N --ops=...`, through the reproducer parser
// (so its errors name the place in --ops).
absl::StatusOr<Repro> ScenarioFromFlags(const Variant* variant) {
  std::string text = "smpfuzz-repro 1\ncpus " + absl::GetFlag(FLAGS_cpus) + "\nvariant " +
                     std::string(variant ? variant->name : kDefaultRawVariant) +
                     "\ncsdlock_debug on\n";
  const std::string ops = absl::GetFlag(FLAGS_ops);
  std::size_t start = 0;
  while (start <= ops.size()) {
    std::size_t semi = ops.find(';', start);
    std::string op = ops.substr(start, semi == std::string::npos ? std::string::npos : semi - start);
    if (op.find_first_not_of(" \t") != std::string::npos) text += "cpu " + op + "\n";
    if (semi == std::string::npos) break;
    start = semi + 1;
  }
  if (text.find("\ncpu ") == std::string::npos) {
    return absl::InvalidArgumentError(
        "smpfuzz: --ops: no operations (expected 'CPU: op args; ...')");
  }
  absl::StatusOr<Repro> r = ParseRepro(text, kFlagsScenario);
  if (!r.ok()) {
    return absl::InvalidArgumentError("smpfuzz: " + std::string(r.status().message()));
  }
  return r;
}

// One line of the search's counts.
std::string StatsLine(const ExploreStats& st) {
  char buf[320];
  // Redundancy: executions per distinct trace (1.00: no run wasted).
  const double redundancy =
      st.distinct_traces == 0 ? 0 : static_cast<double>(st.executions) / st.distinct_traces;
  std::snprintf(buf, sizeof buf,
                "bound %d: %llu executions (%llu cut short), %llu distinct traces, redundancy "
                "%.2f, %llu pruned, depth %llu, %.1f s",
                st.bound, static_cast<unsigned long long>(st.executions),
                static_cast<unsigned long long>(st.abandoned),
                static_cast<unsigned long long>(st.distinct_traces), redundancy,
                static_cast<unsigned long long>(st.pruned),
                static_cast<unsigned long long>(st.max_depth), st.seconds);
  return buf;
}

absl::StatusOr<ExitStatus> Explore(const std::vector<std::string>& files) {
  const bool from_flags = !absl::GetFlag(FLAGS_cpus).empty() || !absl::GetFlag(FLAGS_ops).empty();
  if (from_flags ? !files.empty() : files.size() != 1) {
    return UsageError("explore takes one FILE (a reproducer: its scenario) or --cpus=N --ops=...");
  }
  absl::StatusOr<const Variant*> forced = ForcedVariant();
  if (!forced.ok()) return forced.status();
  absl::StatusOr<std::uint64_t> preemptions = Value(FLAGS_preemptions);
  if (!preemptions.ok()) return preemptions.status();
  absl::StatusOr<std::uint64_t> max_steps = Value(FLAGS_max_steps);
  if (!max_steps.ok()) return max_steps.status();
  absl::StatusOr<double> max_seconds = Value(FLAGS_max_seconds, 0);
  if (!max_seconds.ok()) return max_seconds.status();
  const std::string reduction = absl::GetFlag(FLAGS_reduction);
  if (reduction != "sleep" && reduction != "dpor" && reduction != "none" &&
      reduction != "unsound-legacy") {
    return UsageError("--reduction: expected 'sleep', 'dpor' or 'none', got '" + reduction + "'");
  }
  ExploreOptions o;
  o.max_preemptions = static_cast<int>(*preemptions);
  o.max_steps = *max_steps;
  o.max_seconds = *max_seconds;
  o.sleep_sets = reduction != "none";
  o.unsound_legacy_sleep_sets = reduction == "unsound-legacy";
  o.dpor = reduction == "dpor";
  o.iterative = absl::GetFlag(FLAGS_iterative);
  const std::string sigs = absl::GetFlag(FLAGS_signatures);
  if (!sigs.empty()) {
    std::string bad;
    if (!ParseSignatureList(sigs, &o.violations, &bad)) {
      return absl::InvalidArgumentError("smpfuzz: --signatures: unknown signature '" + bad + "'");
    }
  }
  absl::StatusOr<Repro> r = from_flags ? ScenarioFromFlags(*forced) : LoadForcing(files[0], *forced);
  if (!r.ok()) return r.status();
  const std::string debug = absl::GetFlag(FLAGS_csdlock_debug);
  if (debug == "on" || debug == "off") {
    r->scenario.csdlock_debug = debug == "on";
  } else if (!debug.empty()) {
    return UsageError("--csdlock_debug: expected 'on' or 'off', got '" + debug + "'");
  }
  const std::string source = from_flags ? std::string(kFlagsScenario) : files[0];
  absl::StatusOr<std::uint64_t> pct = Value(FLAGS_pct);
  if (!pct.ok()) return pct.status();
  absl::StatusOr<std::uint64_t> seed = Value(FLAGS_seed);
  if (!seed.ok()) return seed.status();
  absl::StatusOr<std::uint64_t> runs = Value(FLAGS_runs);
  if (!runs.ok()) return runs.status();
  absl::StatusOr<GuestChoice> guest = ChooseGuest(*r->scenario.variant);
  if (!guest.ok()) return guest.status();
  o.guest = guest->make;
  if (guest->kernel) std::fprintf(stderr, "explore: kernel guest %s\n", guest->description.c_str());
  ExploreResult res;
  if (*pct >= 1) {
    PctOptions p;
    p.depth = static_cast<int>(*pct);
    p.seed = *seed;
    p.runs = *runs;
    p.max_steps = o.max_steps;
    p.violations = o.violations;
    p.guest = o.guest;
    res = ExplorePct(r->scenario, p);
  } else {
    res = smpfuzz::Explore(r->scenario, o, [&](const ExploreStats& st) {
      std::fprintf(stderr, "explore: %s\n", StatsLine(st).c_str());
    });
  }
  if (res.found) {
    Repro cex = res.counterexample;
    cex.guest = guest->Record();
    // Expectations are the model's variants' verdicts.
    if (!guest->kernel) StateExpectations(&cex);
    std::vector<std::string> comment = {"counterexample found by smpfuzz explore " + source +
                                        " (variant " + std::string(cex.scenario.variant->name) +
                                        ", " + std::to_string(res.preemptions) + " preemption(s))"};
    if (guest->kernel) comment.push_back("kernel guest: " + guest->description);
    std::string text = FormatRepro(cex, comment);
    if (absl::Status s = WriteOutput(text); !s.ok()) return s;
    std::string how = *pct >= 1 ? "PCT depth " + std::to_string(static_cast<int>(*pct)) +
                                      ": run " + std::to_string(res.stats.executions)
                                : StatsLine(res.stats);
    std::fprintf(stderr, "explore: violation %s with %u preemption(s); %s\n",
                 SignatureName(res.signature), res.preemptions, how.c_str());
    return ExitStatus::kViolation;
  }
  if (*pct >= 1) {
    std::fprintf(stderr, "explore: PCT depth %d: no violation in %llu runs (%llu distinct traces, %.1f s)\n",
                 static_cast<int>(*pct), static_cast<unsigned long long>(res.stats.executions),
                 static_cast<unsigned long long>(res.stats.distinct_traces), res.stats.seconds);
    return ExitStatus::kClean;
  }
  std::fprintf(stderr, "explore: %s within preemptions <= %d, steps <= %llu (%s): %s\n",
               res.complete ? "clean" : "no violation (budget ran out before the bound was covered)",
               o.max_preemptions, static_cast<unsigned long long>(o.max_steps),
               o.unsound_legacy_sleep_sets ? "UNSOUND legacy sleep sets"
               : o.dpor                    ? "DPOR and sleep sets"
               : o.sleep_sets              ? "sleep sets"
                                           : "no reduction",
               StatsLine(res.stats).c_str());
  return ExitStatus::kClean;
}

}  // namespace

const Command kExploreCommand = {
    .name = "explore",
    .synopsis =
        {
            "FILE [--variant=V] [--preemptions=N] [--reduction=sleep|dpor|none] [--noiterative]\n"
            "     [--max_steps=N] [--max_seconds=S] [--signatures=S,..] [--out=PATH]",
            "FILE --pct=DEPTH [--seed=S] [--runs=N] [...]",
            "--cpus=N --ops='C: op args; ...' [--csdlock_debug=on|off] [...]",
            "... --guest=kernel [--kernel=TREE] [--patch=FILE]...",
        },
    .flags = {Takes(FLAGS_variant), Takes(FLAGS_raw), Takes(FLAGS_preemptions),
              Takes(FLAGS_reduction), Takes(FLAGS_iterative), Takes(FLAGS_max_steps),
              Takes(FLAGS_max_seconds), Takes(FLAGS_signatures), Takes(FLAGS_out),
              Takes(FLAGS_pct), Takes(FLAGS_seed), Takes(FLAGS_runs), Takes(FLAGS_cpus),
              Takes(FLAGS_ops), Takes(FLAGS_csdlock_debug), Takes(FLAGS_guest),
              Takes(FLAGS_kernel), Takes(FLAGS_patch)},
    .run = Explore,
};

}  // namespace smpfuzz::cli
