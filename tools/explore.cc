// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz explore: the systematic search of one scenario (a reproducer's,
// or one given by --cpus and --ops) within a preemption bound, or
// randomized PCT runs; a counterexample as a reproducer, or "clean within
// bounds" with the counts.

#include "tools/explore.h"

#include <cstdint>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/expectations.h"
#include "lib/explore_split.h"
#include "lib/explorer.h"
#include "lib/inputs.h"
#include "lib/report.h"
#include "lib/repro.h"
#include "tools/command.h"
#include "tools/flag_types.h"
#include "tools/guest_choice.h"
#include "tools/shared_flags.h"

ABSL_FLAG(smpfuzz::cli::PreemptionBound, preemptions, smpfuzz::cli::PreemptionBound("2"),
          "explore: the preemption bound (searched 0, 1, ... up to it), or `unbounded`: bounds 0, "
          "1, ... until one cuts no alternative off (with --noiterative: one search without a "
          "bound); a clean result then holds for every interleaving");
ABSL_FLAG(bool, estimate, false,
          "explore: only estimate the search's size (random runs) and how long it would take");
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
ABSL_FLAG(std::string, shard, "",
          "explore: `I/N` searches shard I (0 <= I < N) of N and writes its result (merge them "
          "with --merge); `auto/N` takes I from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) "
          "or SLURM_ARRAY_TASK_ID; `auto` also takes N from SLURM_ARRAY_TASK_COUNT");
ABSL_FLAG(smpfuzz::cli::PreemptionBound, split_preemptions, smpfuzz::cli::PreemptionBound(),
          "explore --jobs/--shard: cut the units at this preemption (default 1; 2: smaller units, "
          "for many workers, but every worker walks the schedules with one preemption)");
ABSL_FLAG(bool, merge, false,
          "explore: FILE... are shard results of one search (--shard): check that they cover it "
          "exactly once and give its verdict and counts");
ABSL_FLAG(std::string, signatures, "",
          "explore: comma-separated signatures that count as a violation (default: all)");

namespace smpfuzz::cli {

absl::StatusOr<int> PreemptionsFlag() {
  if (absl::GetFlag(FLAGS_preemptions).text() == "unbounded") return ExploreOptions::kUnbounded;
  absl::StatusOr<std::uint64_t> n = Value(FLAGS_preemptions);
  if (!n.ok()) return n.status();
  return static_cast<int>(*n);
}

namespace {

// Random runs for the estimate of a search's size: a few hundredths of a
// second; Knuth's estimator is heavy-tailed, and fewer runs were seen to be
// off by 5x on ci/explore/fixed_4cpu_1op.repro.
constexpr std::uint64_t kEstimateSamples = 3000;

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

// A duration for people: 42 s, 3m20s, 5h10m, 12d03h.
std::string Duration(double seconds) {
  char buf[64];
  const double s = std::max(0.0, seconds);
  const long long whole = static_cast<long long>(s);
  if (s < 100) {
    std::snprintf(buf, sizeof buf, "%.0f s", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", whole / 60, whole % 60);
  } else if (s < 86400) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", whole / 3600, whole / 60 % 60);
  } else if (s < 86400.0 * 1000) {
    std::snprintf(buf, sizeof buf, "%lldd%02lldh", whole / 86400, whole / 3600 % 24);
  } else {
    std::snprintf(buf, sizeof buf, "%.2g years", s / (86400 * 365.25));
  }
  return buf;
}


// One line of the search's counts.
std::string StatsLine(const ExploreStats& st) {
  char buf[320];
  // Redundancy: executions per distinct trace (1.00: no run wasted).
  const double redundancy =
      st.distinct_traces == 0 ? 0 : static_cast<double>(st.executions) / st.distinct_traces;
  std::snprintf(buf, sizeof buf,
                "bound %s: %llu executions (%llu cut short), %llu distinct traces, redundancy "
                "%.2f, %llu pruned, depth %llu, %.1f s",
                PreemptionBoundName(st.bound).c_str(), static_cast<unsigned long long>(st.executions),
                static_cast<unsigned long long>(st.abandoned),
                static_cast<unsigned long long>(st.distinct_traces), redundancy,
                static_cast<unsigned long long>(st.pruned),
                static_cast<unsigned long long>(st.max_depth), st.seconds);
  std::string line = buf;
  if (st.steps > 0) {
    std::snprintf(buf, sizeof buf, ", %.0f%% of steps replayed", 100.0 * st.replayed_steps / st.steps);
    line += buf;
  }
  // In progress reports: how far into this bound, and the time left.
  if (st.fraction > 0) {
    std::snprintf(buf, sizeof buf, "; about %.1f%% of bound %s done, about %s left", 100 * st.fraction,
                  PreemptionBoundName(st.bound).c_str(),
                  Duration(st.bound_seconds * (1 - st.fraction) / st.fraction).c_str());
    line += buf;
  }
  return line;
}

// The reduction's name in the verdict line.
const char* ReductionName(const ExploreOptions& o) {
  return o.unsound_legacy_sleep_sets ? "UNSOUND legacy sleep sets"
         : o.dpor                    ? "DPOR and sleep sets"
         : o.sleep_sets              ? "sleep sets"
                                     : "no reduction";
}

// What a split search adds to the counts line.
std::string SplitNote(const MergedSearch& m, const char* workers) {
  const std::uint64_t runs = m.result.stats.executions + m.skipped;
  char buf[200];
  std::snprintf(buf, sizeof buf, "; %d %s, %llu units, %llu runs cut at other %s' units (%.1f%% of all runs)",
                m.shards, workers, static_cast<unsigned long long>(m.units),
                static_cast<unsigned long long>(m.skipped), workers,
                runs == 0 ? 0.0 : 100.0 * static_cast<double>(m.skipped) / static_cast<double>(runs));
  return buf;
}

// The verdict of a search: the counterexample to --out (or stdout), the
// line on stderr, the exit status.
absl::StatusOr<ExitStatus> Verdict(const ExploreResult& res, const ExploreOptions& o, const std::string& source,
                                   const GuestRecord& record, const std::string& guest_note,
                                   const std::string& counts_note, bool established, const std::string& how = "") {
  if (res.found) {
    Repro cex = res.counterexample;
    cex.guest = record;
    // Expectations are the model's variants' verdicts.
    if (!record.kernel) StateExpectations(&cex);
    std::vector<std::string> comment = {"counterexample found by smpfuzz explore " + source + " (variant " +
                                        std::string(cex.scenario.variant->name) + ", " +
                                        std::to_string(res.preemptions) + " preemption(s))"};
    if (!guest_note.empty()) comment.push_back("kernel guest: " + guest_note);
    if (absl::Status s = WriteOutput(FormatRepro(cex, comment)); !s.ok()) return s;
    std::fprintf(stderr, "explore: violation %s with %u preemption(s)%s; %s%s\n", SignatureName(res.signature),
                 res.preemptions, established ? "" : " (not known to be the fewest: a shard did not finish)",
                 how.empty() ? StatsLine(res.stats).c_str() : how.c_str(), counts_note.c_str());
    return ExitStatus::kViolation;
  }
  std::fprintf(stderr, "explore: %s within preemptions <= %s, steps <= %llu (%s): %s%s%s\n",
               res.complete ? "clean" : "no violation (budget ran out before the bound was covered)",
               PreemptionBoundName(o.max_preemptions).c_str(), static_cast<unsigned long long>(o.max_steps), ReductionName(o),
               StatsLine(res.stats).c_str(), counts_note.c_str(),
               res.every_interleaving ? "; no alternative was cut off by the bound: clean for every interleaving" : "");
  return ExitStatus::kClean;
}

// --shard's value: I/N, auto/N or auto (I, and with `auto` N, from a batch
// engine's environment).
absl::StatusOr<std::pair<int, int>> ShardFlag(const std::string& text) {
  const auto bad = [&](const std::string& why) {
    return absl::InvalidArgumentError("smpfuzz: --shard: " + why +
                                      " (expected I/N with 0 <= I < N, auto/N or auto), got '" + text + "'");
  };
  const std::size_t slash = text.find('/');
  const std::string index_text = text.substr(0, slash);
  long long index = -1, count = -1;
  if (slash != std::string::npos && !absl::SimpleAtoi(text.substr(slash + 1), &count)) return bad("N is not a number");
  if (index_text == "auto") {
    const char* k8s = std::getenv("JOB_COMPLETION_INDEX");
    const char* slurm = std::getenv("SLURM_ARRAY_TASK_ID");
    const char* from = k8s != nullptr ? "JOB_COMPLETION_INDEX" : "SLURM_ARRAY_TASK_ID";
    const char* value = k8s != nullptr ? k8s : slurm;
    if (value == nullptr) return bad("neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set");
    if (!absl::SimpleAtoi(value, &index)) {
      return bad(std::string(from) + "='" + value + "' is not a number");
    }
    if (k8s == nullptr) {
      long long min = 0;
      if (const char* m = std::getenv("SLURM_ARRAY_TASK_MIN"); m != nullptr && !absl::SimpleAtoi(m, &min)) {
        return bad(std::string("SLURM_ARRAY_TASK_MIN='") + m + "' is not a number");
      }
      index -= min;
    }
    if (slash == std::string::npos) {
      const char* n = std::getenv("SLURM_ARRAY_TASK_COUNT");
      if (n == nullptr) return bad("auto without /N needs SLURM_ARRAY_TASK_COUNT");
      if (!absl::SimpleAtoi(n, &count)) return bad(std::string("SLURM_ARRAY_TASK_COUNT='") + n + "' is not a number");
    }
  } else if (slash == std::string::npos || !absl::SimpleAtoi(index_text, &index)) {
    return bad("I is not a number");
  }
  if (count < 1 || count > kMaxShards) return bad("N must be 1 to " + std::to_string(kMaxShards));
  if (index < 0 || index >= count) return bad("shard " + std::to_string(index) + " is not below N");
  return std::pair<int, int>(static_cast<int>(index), static_cast<int>(count));
}

// explore --merge FILE...: shard results joined.
absl::StatusOr<ExitStatus> Merge(const std::vector<std::string>& files) {
  if (files.empty()) return UsageError("explore --merge takes the shard result files");
  std::vector<ShardResult> shards;
  for (const std::string& f : files) {
    absl::StatusOr<std::string> text = ReadRegularFile(f, std::size_t{64} << 20);
    if (!text.ok()) return absl::InvalidArgumentError("smpfuzz: " + std::string(text.status().message()));
    absl::StatusOr<ShardResult> r = ParseShard(*text, f);
    if (!r.ok()) return absl::InvalidArgumentError("smpfuzz: " + std::string(r.status().message()));
    shards.push_back(*std::move(r));
  }
  absl::StatusOr<MergedSearch> m = MergeShards(shards, files);
  if (!m.ok()) return absl::InvalidArgumentError("smpfuzz: " + std::string(m.status().message()));
  // The verdict line names the shards' bound, step limit and reduction.
  const ExploreOptions o = OptionsOfSearch(shards[0].key);
  std::string note = SplitNote(*m, "shards");
  if (!m->established && !m->result.found) note += "; " + m->unfinished + " did not finish";
  return Verdict(m->result, o, std::to_string(files.size()) + " shard results", m->result.counterexample.guest,
                 "", note, m->established);
}

absl::StatusOr<ExitStatus> Explore(const std::vector<std::string>& files) {
  if (absl::GetFlag(FLAGS_merge)) {
    if (!absl::GetFlag(FLAGS_cpus).empty() || !absl::GetFlag(FLAGS_ops).empty() ||
        !absl::GetFlag(FLAGS_shard).empty() || !absl::GetFlag(FLAGS_jobs).empty() ||
        !absl::GetFlag(FLAGS_split_preemptions).empty()) {
      return UsageError("explore --merge takes shard result files only (no --cpus/--ops/--shard/--jobs)");
    }
    return Merge(files);
  }
  const bool from_flags = !absl::GetFlag(FLAGS_cpus).empty() || !absl::GetFlag(FLAGS_ops).empty();
  if (from_flags ? !files.empty() : files.size() != 1) {
    return UsageError("explore takes one FILE (a reproducer: its scenario) or --cpus=N --ops=...");
  }
  absl::StatusOr<const Variant*> forced = ForcedVariant();
  if (!forced.ok()) return forced.status();
  absl::StatusOr<int> preemptions = PreemptionsFlag();
  if (!preemptions.ok()) return preemptions.status();
  const bool unbounded = *preemptions == ExploreOptions::kUnbounded;
  absl::StatusOr<std::uint64_t> max_steps = Value(FLAGS_max_steps);
  if (!max_steps.ok()) return max_steps.status();
  absl::StatusOr<double> max_seconds = Value(FLAGS_max_seconds, 0);
  if (!max_seconds.ok()) return max_seconds.status();
  absl::StatusOr<std::uint64_t> jobs = absl::GetFlag(FLAGS_jobs).empty() ? 1 : Value(FLAGS_jobs);
  if (!jobs.ok()) return jobs.status();
  if (*jobs > kMaxExploreJobs) {
    return absl::InvalidArgumentError("smpfuzz: --jobs: explore runs at most " + std::to_string(kMaxExploreJobs) +
                                      " processes, got " + std::to_string(*jobs));
  }
  std::optional<std::pair<int, int>> shard;
  if (!absl::GetFlag(FLAGS_shard).empty()) {
    absl::StatusOr<std::pair<int, int>> sh = ShardFlag(absl::GetFlag(FLAGS_shard));
    if (!sh.ok()) return sh.status();
    shard = *sh;
    if (*jobs != 1) return UsageError("--shard and --jobs: a shard is one process (run N shards, or --jobs)");
  }
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
  if (unbounded && o.iterative && (shard || *jobs != 1)) {
    return UsageError(
        "--preemptions=unbounded with --shard or --jobs needs --noiterative (the workers cannot agree on the bound "
        "at which the search stops growing)");
  }
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
  if (*pct >= 1 && (shard || *jobs != 1)) return UsageError("--pct samples: it takes no --shard or --jobs");
  absl::StatusOr<GuestChoice> guest = ChooseGuest(*r->scenario.variant);
  if (!guest.ok()) return guest.status();
  o.guest = guest->make;
  if (guest->kernel) std::fprintf(stderr, "explore: kernel guest %s\n", guest->description.c_str());
  const std::string guest_note = guest->kernel ? guest->description : "";
  if (*pct >= 1) {
    PctOptions p;
    p.depth = static_cast<int>(*pct);
    p.seed = *seed;
    p.runs = *runs;
    p.max_steps = o.max_steps;
    p.violations = o.violations;
    p.guest = o.guest;
    ExploreResult res = ExplorePct(r->scenario, p);
    if (!res.found) {
      std::fprintf(stderr, "explore: PCT depth %d: no violation in %llu runs (%llu distinct traces, %.1f s)\n",
                   static_cast<int>(*pct), static_cast<unsigned long long>(res.stats.executions),
                   static_cast<unsigned long long>(res.stats.distinct_traces), res.stats.seconds);
      return ExitStatus::kClean;
    }
    return Verdict(res, o, source, guest->Record(), guest_note, "", true,
                   "PCT depth " + std::to_string(p.depth) + ": run " + std::to_string(res.stats.executions));
  }
  // The search's size first, when it is long (or asked for): GenMC-style.
  // A glance first (100 runs, about a millisecond), so that a small search,
  // such as the hunt for a counterexample of one preemption, does not wait.
  SearchEstimate estimate = EstimateSearch(r->scenario, o, 100);
  if (absl::GetFlag(FLAGS_estimate) || estimate.executions >= 1e4) {
    estimate = EstimateSearch(r->scenario, o, kEstimateSamples);
  }
  const double runs_per_second = estimate.seconds_per_run > 0 ? 1 / estimate.seconds_per_run : 0;
  if (absl::GetFlag(FLAGS_estimate) || estimate.executions >= 1e5) {
    const double procs = shard ? 1.0 / shard->second : static_cast<double>(*jobs);
    std::fprintf(stderr,
                 "explore: estimate for bound %s: about %.3g executions without reduction (standard error %.0f%%, "
                 "%llu random runs); at %.0f runs/s%s about %s (the reductions run fewer)\n",
                 PreemptionBoundName(o.max_preemptions).c_str(), estimate.executions,
                 estimate.executions > 0 ? 100 * estimate.standard_error / estimate.executions : 0.0,
                 static_cast<unsigned long long>(estimate.samples), runs_per_second,
                 shard ? (" for this shard of " + std::to_string(shard->second)).c_str()
                 : *jobs > 1 ? (" on " + std::to_string(*jobs) + " processes").c_str()
                             : "",
                 Duration(estimate.executions * estimate.seconds_per_run / procs).c_str());
  }
  if (absl::GetFlag(FLAGS_estimate)) return ExitStatus::kClean;
  auto progress = [&](const ExploreStats& st) { std::fprintf(stderr, "explore: %s\n", StatsLine(st).c_str()); };
  ExploreOptions::Split units;  // only its unit_preemptions: the workers bring take_unit
  if (!absl::GetFlag(FLAGS_split_preemptions).empty()) {
    absl::StatusOr<std::uint64_t> at = Value(FLAGS_split_preemptions);
    if (!at.ok()) return at.status();
    if (!shard && *jobs == 1) return UsageError("--split_preemptions is for --jobs and --shard");
    if (*at < 1) return absl::InvalidArgumentError("smpfuzz: --split_preemptions: expected 1 or more, got 0");
    units.unit_preemptions = static_cast<int>(*at);
  }
  ExploreOptions split_options = o;
  if (!absl::GetFlag(FLAGS_split_preemptions).empty()) split_options.split = &units;
  if (shard) {
    ShardResult sr = ExploreShard(r->scenario, split_options, guest_note, shard->first, shard->second, progress);
    sr.result.counterexample.guest = guest->Record();
    if (absl::Status s = WriteOutput(FormatShard(sr)); !s.ok()) return s;
    std::fprintf(stderr, "explore: shard %d/%d %s: %s; merge the shards' results with explore --merge\n",
                 shard->first, shard->second,
                 sr.result.found      ? (std::string("found ") + SignatureName(sr.result.signature)).c_str()
                 : sr.result.complete ? "done"
                                      : "budget ran out",
                 StatsLine(sr.result.stats).c_str());
    return ExitStatus::kClean;  // the verdict is the merge's
  }
  if (*jobs > 1) {
    absl::StatusOr<MergedSearch> m =
        ExploreJobs(r->scenario, split_options, guest_note, static_cast<int>(*jobs), [&](const ExploreStats& st) {
          std::fprintf(stderr, "explore: %llu executions, %llu distinct traces, %.1f s (%d jobs)\n",
                       static_cast<unsigned long long>(st.executions),
                       static_cast<unsigned long long>(st.distinct_traces), st.seconds, static_cast<int>(*jobs));
        });
    if (!m.ok()) return m.status();
    return Verdict(m->result, o, source, guest->Record(), guest_note, SplitNote(*m, "jobs"), true);
  }
  return Verdict(smpfuzz::Explore(r->scenario, o, progress), o, source, guest->Record(), guest_note, "", true);
}

}  // namespace

const Command kExploreCommand = {
    .name = "explore",
    .synopsis =
        {
            "FILE [--variant=V] [--preemptions=N|unbounded] [--reduction=sleep|dpor|none] [--noiterative]\n"
            "     [--max_steps=N] [--max_seconds=S] [--signatures=S,..] [--out=PATH] [--estimate]",
            "FILE --pct=DEPTH [--seed=S] [--runs=N] [...]",
            "--cpus=N --ops='C: op args; ...' [--csdlock_debug=on|off] [...]",
            "... --jobs=N | --shard=I/N|auto/N|auto [--out=RESULT] [--split_preemptions=K]",
            "--merge RESULT...",
            "... --guest=kernel [--kernel=TREE] [--patch=FILE]...",
        },
    .flags = {Takes(FLAGS_variant), Takes(FLAGS_raw), Takes(FLAGS_preemptions),
              Takes(FLAGS_reduction), Takes(FLAGS_iterative), Takes(FLAGS_max_steps),
              Takes(FLAGS_max_seconds), Takes(FLAGS_signatures), Takes(FLAGS_out),
              Takes(FLAGS_pct), Takes(FLAGS_seed), Takes(FLAGS_runs), Takes(FLAGS_cpus),
              Takes(FLAGS_ops), Takes(FLAGS_csdlock_debug), Takes(FLAGS_guest),
              Takes(FLAGS_kernel), Takes(FLAGS_patch), Takes(FLAGS_jobs), Takes(FLAGS_shard),
              Takes(FLAGS_merge), Takes(FLAGS_estimate), Takes(FLAGS_split_preemptions)},
    .run = Explore,
};

}  // namespace smpfuzz::cli
