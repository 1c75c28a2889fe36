// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz hunt: the overnight run (tools/hunt/hunt.h): its flags, read into
// HuntOptions. The engines' targets are built by ci/hunt.sh, which passes
// their paths.

#include "tools/hunt_command.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <unistd.h>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_split.h"
#include "tools/command.h"
#include "tools/flag_types.h"
#include "tools/guest_choice.h"
#include "tools/hunt/hunt.h"
#include "tools/shared_flags.h"
#include "lib/variant.h"

ABSL_FLAG(smpfuzz::cli::PositiveDuration, time, smpfuzz::cli::PositiveDuration(),
          "hunt: how long to fuzz, e.g. 2m, 8h, 90s");
ABSL_FLAG(std::string, engine, "libfuzzer,afl", "hunt: engines to run side by side (libfuzzer, afl)");
ABSL_FLAG(std::string, libfuzzer_target, "",
          "hunt: the smp fuzz target built with --config=libfuzzer-opt (ci/hunt.sh passes it)");
ABSL_FLAG(std::string, afl_target, "", "hunt: the smp fuzz target built with --config=afl");
ABSL_FLAG(std::string, dict, "", "hunt: a dictionary for both engines, e.g. fuzz/smp.dict");
ABSL_FLAG(std::string, afl_mutator, "",
          "hunt: AFL++ custom mutator library (libsmp_afl_mutator.so, built with -c opt)");
ABSL_FLAG(bool, skip_known_buckets, true,
          "hunt: the engines stop crashing on buckets already found and look for others");
ABSL_FLAG(std::string, sync_dir, "",
          "hunt: a directory shared with other hunts (other --out dirs, other machines over NFS or "
          "rsync): this hunt's AFL++ instances become secondaries (-S) there and the libFuzzer "
          "corpus is shared through it");
ABSL_FLAG(smpfuzz::cli::PositiveDuration, merge_every, smpfuzz::cli::PositiveDuration("5m"),
          "hunt: how often to merge AFL++'s queue into the corpus");

namespace smpfuzz::cli {
namespace {

absl::StatusOr<ExitStatus> Hunt(const std::vector<std::string>& args) {
  if (!args.empty()) return UsageError("hunt takes no FILE, only flags");
  hunt::HuntOptions o;
  if (absl::GetFlag(FLAGS_time).empty()) {
    return absl::InvalidArgumentError("smpfuzz: hunt needs --time, e.g. --time=8h");
  }
  absl::StatusOr<double> seconds = Value(FLAGS_time);
  if (!seconds.ok()) return seconds.status();
  absl::StatusOr<double> merge_every = Value(FLAGS_merge_every);
  if (!merge_every.ok()) return merge_every.status();
  o.seconds = *seconds;
  o.merge_every = *merge_every;
  o.variant = absl::GetFlag(FLAGS_variant).empty() ? kDefaultRawVariant : absl::GetFlag(FLAGS_variant);
  o.out = absl::GetFlag(FLAGS_out);
  o.sync_dir = absl::GetFlag(FLAGS_sync_dir);
  for (absl::string_view e : absl::StrSplit(absl::GetFlag(FLAGS_engine), ',', absl::SkipEmpty())) {
    if (std::find(o.engines.begin(), o.engines.end(), e) == o.engines.end()) o.engines.emplace_back(e);
  }
  if (absl::GetFlag(FLAGS_jobs).empty()) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o.jobs = std::max<long>(1, cores / std::max<std::size_t>(1, o.engines.size()));
  } else {
    absl::StatusOr<std::uint64_t> jobs = Value(FLAGS_jobs);
    if (!jobs.ok()) return jobs.status();
    o.jobs = static_cast<int>(*jobs);
  }
  o.libfuzzer_target = absl::GetFlag(FLAGS_libfuzzer_target);
  o.afl_target = absl::GetFlag(FLAGS_afl_target);
  o.dict = absl::GetFlag(FLAGS_dict);
  o.afl_mutator = absl::GetFlag(FLAGS_afl_mutator);
  o.skip_known_buckets = absl::GetFlag(FLAGS_skip_known_buckets);
  // The kernel guest: the build the targets link (ci/hunt.sh builds
  // kernel_smp_<variant>_fuzzer from the default tree; no --kernel or
  // --patch, which the targets would not follow), for triage and
  // minimization.
  if (const Variant* v = FindVariant(o.variant); v != nullptr && KernelGuestChosen()) {
    absl::StatusOr<GuestChoice> g = ChooseGuest(*v);
    if (!g.ok()) return g.status();
    o.guest = g->make;
    o.guest_record = g->Record();
    o.guest_description = g->description;
  }
  absl::StatusOr<std::size_t> buckets = hunt::RunHunt(o);
  if (!buckets.ok()) return WithPrefix("smpfuzz hunt: ", buckets.status());
  return *buckets > 0 ? ExitStatus::kViolation : ExitStatus::kClean;
}

}  // namespace

const Command kHuntCommand = {
    .name = "hunt",
    .synopsis = {"--time=DURATION --out=DIR [--variant=V] [--engine=libfuzzer,afl] [--jobs=N]\n"
                 "--libfuzzer_target=PATH --afl_target=PATH [--afl_mutator=PATH] [--dict=PATH]\n"
                 "[--merge_every=DURATION] [--noskip_known_buckets] [--sync_dir=DIR]\n"
                 "[--guest=kernel] (the default tree's build, as kernel_smp_<variant>_fuzzer links it)\n"
                 "(ci/hunt.sh builds the targets and fills in the paths)"},
    .flags = {Takes(FLAGS_time), Takes(FLAGS_out), Takes(FLAGS_variant), Takes(FLAGS_engine),
              Takes(FLAGS_jobs), Takes(FLAGS_libfuzzer_target), Takes(FLAGS_afl_target),
              Takes(FLAGS_afl_mutator), Takes(FLAGS_dict), Takes(FLAGS_merge_every),
              Takes(FLAGS_skip_known_buckets), Takes(FLAGS_sync_dir), Takes(FLAGS_guest)},
    .run = Hunt,
};

}  // namespace smpfuzz::cli
