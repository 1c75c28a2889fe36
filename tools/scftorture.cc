// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz scftorture: a torture run in the simulator with scftorture's module
// parameters (lib/scftorture_run.h). Prints its mix, progress every 10 s, a
// line and a reproducer per new signature, and scftorture's own closing
// line, "End of test: SUCCESS" or "End of test: FAILURE".

#include "tools/scftorture.h"

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/expectations.h"
#include "lib/repro.h"
#include "lib/scftorture.h"
#include "lib/scftorture_run.h"
#include "tools/command.h"
#include "tools/explore.h"
#include "tools/flag_types.h"
#include "tools/guest_choice.h"
#include "tools/shared_flags.h"

namespace smpfuzz::cli {
namespace {

constexpr const char* kDefaultVariant = "fixed";
constexpr std::uint64_t kDefaultScenarios = 1000;
constexpr std::uint64_t kRunsPerScenario = 100;
constexpr int kDefaultDepth = 3;

absl::StatusOr<ExitStatus> ScfTorture(const std::vector<std::string>& args) {
  absl::StatusOr<ScfParams> params = ParseScfParams(args);
  if (!params.ok()) return WithPrefix("smpfuzz: ", params.status());
  absl::StatusOr<const Variant*> forced = ForcedVariant();
  if (!forced.ok()) return forced.status();
  const Variant* variant = *forced != nullptr ? *forced : FindVariant(kDefaultVariant);
  absl::StatusOr<double> max_seconds = Value(FLAGS_max_seconds, 0);
  if (!max_seconds.ok()) return max_seconds.status();
  absl::StatusOr<std::uint64_t> seed = Value(FLAGS_seed);
  if (!seed.ok()) return seed.status();
  absl::StatusOr<std::uint64_t> depth = Value(FLAGS_pct);
  if (!depth.ok()) return depth.status();
  absl::StatusOr<std::uint64_t> scenarios = Value(FLAGS_runs);
  if (!scenarios.ok()) return scenarios.status();
  const std::string out_dir = absl::GetFlag(FLAGS_out);
  if (!out_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    if (ec) return absl::UnavailableError(absl::StrCat("smpfuzz: --out: cannot create ", out_dir, ": ", ec.message()));
  }
  absl::StatusOr<GuestChoice> guest = ChooseGuest(*variant);
  if (!guest.ok()) return guest.status();

  ScfTortureOptions o;
  o.seed = *seed;
  o.scenarios = FlagGiven("runs") ? *scenarios : kDefaultScenarios;
  o.max_seconds = *max_seconds;
  o.pct_depth = FlagGiven("pct") && *depth > 0 ? static_cast<int>(*depth) : kDefaultDepth;
  o.runs_per_scenario = kRunsPerScenario;
  o.guest = guest->make;
  for (const std::string& note : params->notes) std::fprintf(stderr, "scftorture: %s\n", note.c_str());
  std::fprintf(stderr, "scftorture: %s, variant %s, %s; up to %llu scenarios%s, %llu PCT runs of depth %d each, seed %llu\n",
               params->CommandLine().c_str(), variant->name, guest->description.c_str(),
               static_cast<unsigned long long>(o.scenarios),
               o.max_seconds > 0 ? absl::StrCat(" or ", o.max_seconds, " s").c_str() : "",
               static_cast<unsigned long long>(o.runs_per_scenario), o.pct_depth,
               static_cast<unsigned long long>(o.seed));

  absl::Status write_error;
  bool printed = false;  // without --out, the first reproducer goes to stdout
  const auto finding = [&](const ScfTortureFinding& f) {
    Repro r = f.repro;
    r.guest = guest->Record();
    if (!guest->kernel) StateExpectations(&r);
    const std::string text = FormatRepro(
        r, {absl::StrCat("found by smpfuzz scftorture ", params->CommandLine(), " (variant ", variant->name,
                         ", scenario ", f.scenario, " of seed ", o.seed, ")"),
            "shrink it with: smpfuzz minimize FILE"});
    std::string where;
    if (!out_dir.empty()) {
      where = absl::StrCat(out_dir, "/scftorture-", SignatureName(f.signature), ".repro");
      if (absl::Status s = WriteTextFile(where, text); !s.ok()) {
        if (write_error.ok()) write_error = s;  // the run goes on; the exit status says so
        where = "NOT SAVED: " + std::string(s.message());
      }
    } else if (!printed) {
      std::fputs(text.c_str(), stdout);
      printed = true;
      where = "standard output";
    } else {
      where = "not saved (give --out=DIR to keep one per signature)";
    }
    std::fprintf(stderr, "scftorture: scenario %llu: %s, %u preemption(s) -> %s\n",
                 static_cast<unsigned long long>(f.scenario), SignatureName(f.signature),
                 f.preemptions, where.c_str());
  };
  const auto counts = [&](const ScfTortureStats& s) {
    std::string found;
    for (int i = 0; i < kSignatureCount; ++i) {
      if (s.found[i] != 0) absl::StrAppend(&found, found.empty() ? "" : ", ", SignatureName(static_cast<Signature>(i)), " x", s.found[i]);
    }
    return absl::StrCat(s.scenarios, " scenarios, ", s.runs, " runs (", s.seconds > 0 ? static_cast<std::uint64_t>(s.runs / s.seconds) : 0,
                        "/s), ", found.empty() ? "no violation" : found);
  };
  const absl::StatusOr<ScfTortureStats> run = RunScfTorture(*params, variant, o, finding, [&](const ScfTortureStats& s) {
    std::fprintf(stderr, "scftorture: %s, %.0f s\n", counts(s).c_str(), s.seconds);
  });
  if (!run.ok()) return WithPrefix("smpfuzz: ", run.status());
  const ScfTortureStats& stats = *run;
  bool failed = false;
  for (std::uint64_t n : stats.found) failed |= n != 0;
  std::fprintf(stderr, "scftorture: End of test: %s: %s in %.1f s\n", failed ? "FAILURE" : "SUCCESS", counts(stats).c_str(),
               stats.seconds);
  if (!write_error.ok()) return write_error;
  return failed ? ExitStatus::kViolation : ExitStatus::kClean;
}

}  // namespace

const Command kScfTortureCommand = {
    .name = "scftorture",
    .synopsis = {"[PARAM=VALUE...] [--variant=V] [--runs=SCENARIOS] [--max_seconds=S] [--pct=DEPTH]\n"
                 "[--seed=S] [--out=DIR] [--guest=kernel ...]\n"
                 "(PARAM: scftorture's module parameters, `scftorture.` prefix allowed: nthreads,\n"
                 "weight_single, weight_single_wait, weight_many, weight_many_wait, weight_all,\n"
                 "weight_all_wait, onoff_interval (invoker ops per hotplug cycle); the boot parameters\n"
                 "nr_cpus (default 4) and csdlock_debug (default 1); smpfuzz's ops_per_thread (4),\n"
                 "weight_async, weight_any, weight_cond, weight_irqs_off, weight_irq_work, weight_ttwu)"},
    .flags = {Takes(FLAGS_variant), Takes(FLAGS_runs), Takes(FLAGS_max_seconds), Takes(FLAGS_pct),
              Takes(FLAGS_seed), Takes(FLAGS_out), Takes(FLAGS_guest), Takes(FLAGS_kernel), Takes(FLAGS_patch)},
    .run = ScfTorture,
};

}  // namespace smpfuzz::cli
