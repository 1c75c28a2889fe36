// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz check-patch: what a patch to kernel/smp.c does to the verdicts, the
// command a reviewer runs on a patch posted to the list. It builds the kernel
// guest of the tree (--kernel, default Debian's 6.12) without and with the
// patches, explores the standard suite (every op kind, 2 to 4 CPUs,
// csdlock_debug on and off) on both to the same preemption bound, and
// prints per scenario the signatures the patch introduces and removes. Each
// introduced one gets a reproducer with the fewest preemptions that show it.
// Exit 1 when the patch introduces a violation; a scenario whose search ran
// out of budget on either side is said to be not covered, never clean.

#include "tools/check_patch.h"

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "lib/explorer.h"
#include "lib/report.h"
#include "lib/repro.h"
#include "lib/variant.h"
#include "tools/command.h"
#include "tools/explore.h"
#include "tools/guest_choice.h"
#include "tools/shared_flags.h"

namespace smpfuzz::cli {
namespace {

constexpr std::uint64_t kCheckPatchPreemptions = 1;

// The standard suite: each op kind and call API, 2 to 4 CPUs, two tasks on one CPU,
// csdlock_debug on and off.
// Small enough that the whole bound-1 search of both builds takes seconds
// (three senders on one csd, on four CPUs, is minutes on a buggy build).
struct SuiteScenario {
  const char* name;
  const char* body;  // reproducer lines after the header
};
constexpr SuiteScenario kSuite[] = {
    {"two-senders-wait0", "cpus 3\ncpu 1: call_single target=0 wait=0\n"
                          "cpu 2: call_single target=0 wait=0\n"},
    {"wait1-both-ways", "cpus 2\ncpu 0: call_single target=1 wait=1\n"
                        "cpu 1: call_single target=0 wait=1\n"},
    {"wait0-then-wait1", "cpus 3\ncpu 0: call_single target=1 wait=0\ncpu 0: flush\n"
                         "cpu 1: call_single target=0 wait=0\ncpu 1: call_single target=0 wait=1\n"
                         "cpu 2: call_single target=0 wait=0\n"},
    {"async-reuse", "cpus 2\ncpu 1: call_single_async target=0 csd=0\n"
                    "cpu 1: call_single_async target=0 csd=0\ncpu 0: flush\n"},
    {"async-two-senders", "cpus 3\ncpu 1: call_single_async target=0\n"
                          "cpu 2: call_single_async target=0\n"},
    {"many-wait1", "cpus 3\ncpu 0: call_many mask=0b110 wait=1\n"
                   "cpu 1: call_single target=2 wait=0\n"},
    {"many-local-nowait", "cpus 3\ncpu 1: call_many mask=0b111 wait=0 local=1\n"
                          "cpu 2: call_single target=1 wait=1\n"},
    {"irqs-off-target", "cpus 2\ncpu 0: irqs_off ms=1\ncpu 1: call_single target=0 wait=1\n"},
    {"four-cpus", "cpus 4\ncpu 1: call_single target=0 wait=0\n"
                  "cpu 2: call_single target=0 wait=0\n"
                  "cpu 3: call_single target=1 wait=1\n"},
    // The rest of the call API: smp_call_function(), smp_call_function_any()
    // (with an offline CPU in its mask), on_each_cpu_cond_mask().
    {"call-function-wait1", "cpus 3\ncpu 1: call_function wait=1\n"
                            "cpu 2: call_single target=0 wait=0\n"},
    {"call-any-offline", "cpus 3\noffline 1\ncpu 0: call_any mask=0b110 wait=0\n"
                         "cpu 2: call_any mask=0b011 wait=1\n"},
    {"cond-mask-wait1", "cpus 3\ncpu 1: call_many mask=0b111 wait=1 local=1 cond=0b011\n"
                        "cpu 2: call_single target=0 wait=0\n"},
    // Callbacks that kfree() their csd (free=1), remote and in place: the
    // kernel must not touch a csd once its callback has it.
    {"async-handler-frees", "cpus 2\ncpu 1: call_single_async target=0 free=1\n"
                            "cpu 1: call_single_async target=1 free=1\n"},
    // Two invokers on one CPU (an extra task, lib/scenario.h): preemption
    // between them where the code allows it, and a waiter migrated.
    {"two-tasks-one-cpu", "cpus 2\ncpu 1: call_single target=0 wait=0\n"
                          "task 2 on 1: call_single target=0 wait=0\n"},
    {"tasks-wait1-migrated", "cpus 3\ncpu 1: call_single target=0 wait=0\n"
                             "task 3 on 1: call_single target=0 wait=1\n"},
    // CPU hotplug at run time: CPU 2 taken down while a call to it is in
    // flight (smpcfd_dying_cpu() must run it) and while an invoker runs on
    // it (migrated), then brought back up.
    {"hotplug", "cpus 3\ncpu 1: call_single target=2 wait=0\ncpu 0: offline target=2\n"
                "cpu 0: online target=2\ntask 3 on 2: call_single target=1 wait=1\n"},
    // The other entries of call_single_queue: one irq_work claimed by two
    // CPUs for CPU 0 (the flush's second pass, irq_work_single()), and a
    // remote wakeup behind a synchronous call (the third pass).
    {"irq-work-and-ttwu", "cpus 3\ncpu 1: irq_work_queue_on target=0 work=0\n"
                          "cpu 2: irq_work_queue_on target=0 work=0\n"
                          "cpu 2: ttwu_queue target=0\ncpu 1: call_single target=0 wait=1\n"},
    // Callbacks that act: one queues its own csd again (the flush released
    // it first), one calls CPU 1 from its interrupt while CPU 1 waits.
    {"callbacks-that-act", "cpus 3\ncpu 1: call_single_async target=0 act=rearm\n"
                           "cpu 2: call_single target=0 wait=1 act=nest:1\n"},
};

// What a build's search of one scenario saw.
struct Verdict {
  ExploreResult result;
  std::uint32_t signatures = 0;  // SignatureBit of each that showed up
};

Verdict Search(const Scenario& s, const GuestChoice& guest, int bound, double seconds) {
  ExploreOptions o;
  o.max_preemptions = bound;
  o.stop_at_first = false;
  // The whole bound at once: an iterative search would stop at the first
  // bound with a violation and miss what needs more preemptions.
  o.iterative = false;
  o.max_seconds = seconds;
  o.guest = guest.make;
  Verdict v;
  v.result = Explore(s, o);
  for (int i = 0; i < kSignatureCount; ++i) {
    if (v.result.min_preemptions[i] != ExploreResult::kNever) v.signatures |= 1u << i;
  }
  return v;
}

std::string Names(std::uint32_t bits) {
  std::vector<std::string> out;
  for (int i = 0; i < kSignatureCount; ++i) {
    if (bits & (1u << i)) out.push_back(SignatureName(static_cast<Signature>(i)));
  }
  return absl::StrJoin(out, ", ");
}

absl::StatusOr<ExitStatus> CheckPatch(const std::vector<std::string>& args) {
  std::vector<std::string> patches = args;
  for (const std::string& p : PatchFlags()) patches.push_back(p);
  if (patches.empty()) return UsageError("check-patch needs at least one PATCH");
  // Its own default bound, 1: b0473dcd's self-loop needs one, and bound 2 on
  // four CPUs is a proof of minutes (ci/ scripts run those).
  absl::StatusOr<std::uint64_t> bound =
      FlagGiven("preemptions")
          ? Value(FLAGS_preemptions)
          : absl::StatusOr<std::uint64_t>(kCheckPatchPreemptions);
  if (!bound.ok()) return bound.status();
  absl::StatusOr<double> max_seconds = Value(FLAGS_max_seconds, 0);
  if (!max_seconds.ok()) return max_seconds.status();
  const std::string tree = absl::GetFlag(FLAGS_kernel);
  const Variant& baseline = *FindVariant("baseline");
  absl::StatusOr<GuestChoice> base = KernelGuest(tree, baseline, {});
  if (!base.ok()) return base.status();
  absl::StatusOr<GuestChoice> patched = KernelGuest(tree, baseline, patches);
  if (!patched.ok()) return patched.status();
  std::printf("check-patch: base    %s\ncheck-patch: patched %s\n", base->description.c_str(),
              patched->description.c_str());
  std::printf("check-patch: %zu scenarios, csdlock_debug on and off, preemptions <= %d, sleep sets\n",
              std::size(kSuite), static_cast<int>(*bound));
  const std::string out_dir = absl::GetFlag(FLAGS_out);
  if (!out_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("smpfuzz: --out: cannot create ", out_dir, ": ", ec.message()));
    }
  }
  // Per search; a whole suite's budget split evenly would starve the big ones.
  const double seconds = *max_seconds > 0 ? *max_seconds : 0;
  std::uint32_t introduced_any = 0;
  int not_covered = 0;
  for (const SuiteScenario& sc : kSuite) {
    for (bool debug : {true, false}) {
      const std::string name = absl::StrCat(sc.name, debug ? "/debug-on" : "/debug-off");
      const std::string text = absl::StrCat("smpfuzz-repro 1\nvariant baseline\ncsdlock_debug ",
                                            debug ? "on" : "off", "\n", sc.body);
      absl::StatusOr<Repro> r = ParseRepro(text, name);
      if (!r.ok()) return absl::InternalError(std::string(r.status().message()));
      const Verdict before = Search(r->scenario, *base, static_cast<int>(*bound), seconds);
      const Verdict after = Search(r->scenario, *patched, static_cast<int>(*bound), seconds);
      const std::uint32_t added = after.signatures & ~before.signatures;
      const std::uint32_t removed = before.signatures & ~after.signatures;
      std::string line = absl::StrCat("  ", name, " (", r->scenario.nr_cpus, " CPUs): ");
      if (!before.result.complete || !after.result.complete) {
        ++not_covered;
        absl::StrAppend(&line, "NOT COVERED (the search ran out of budget on the ",
                        !before.result.complete ? "base" : "patched", " build)");
      }
      if (added == 0 && removed == 0 && before.result.complete && after.result.complete) {
        absl::StrAppend(&line, "no change (",
                        before.signatures ? Names(before.signatures) : std::string("clean"),
                        " on both; ", before.result.stats.executions, " and ",
                        after.result.stats.executions, " executions)");
      }
      if (added != 0) absl::StrAppend(&line, "INTRODUCES ", Names(added));
      if (added != 0 && removed != 0) absl::StrAppend(&line, "; ");
      if (removed != 0) absl::StrAppend(&line, "removes ", Names(removed));
      absl::StrAppend(&line, absl::StrFormat(" [%.1f s]", before.result.stats.seconds +
                                                            after.result.stats.seconds));
      std::printf("%s\n", line.c_str());
      introduced_any |= added;
      for (int i = 0; i < kSignatureCount; ++i) {
        if (!(added & (1u << i))) continue;
        // The fewest preemptions that show it: an iterative search for it alone.
        ExploreOptions o;
        o.max_preemptions = static_cast<int>(*bound);
        o.violations = 1u << i;
        o.guest = patched->make;
        const ExploreResult cex = Explore(r->scenario, o);
        if (!cex.found) continue;
        const std::string sig = SignatureName(static_cast<Signature>(i));
        Repro found = cex.counterexample;
        found.guest = patched->Record();
        std::string repro = FormatRepro(
            found,
            {absl::StrCat(sig, " introduced by ", absl::StrJoin(patches, " "), ", scenario ", name,
                          ", ", cex.preemptions, " preemption(s)"),
             absl::StrCat("kernel guest: ", patched->description),
             absl::StrCat("replay: smpfuzz replay FILE --guest=kernel",
                          tree.empty() ? "" : " --kernel=" + tree,
                          absl::StrJoin(patches, "", [](std::string* o, const std::string& p) {
                            absl::StrAppend(o, " --patch=", p);
                          }))});
        if (out_dir.empty()) {
          std::printf("    %s with %u preemption(s); reproducer:\n%s", sig.c_str(), cex.preemptions,
                      repro.c_str());
          continue;
        }
        std::string file = absl::StrCat(out_dir, "/", sc.name, debug ? "-debug-on-" : "-debug-off-",
                                        sig, ".repro");
        if (absl::Status s = WriteTextFile(file, repro); !s.ok()) return s;
        std::printf("    %s with %u preemption(s): %s\n", sig.c_str(), cex.preemptions, file.c_str());
      }
      std::fflush(stdout);
    }
  }
  if (introduced_any != 0) {
    std::printf("check-patch: the patch INTRODUCES %s\n", Names(introduced_any).c_str());
    return ExitStatus::kViolation;
  }
  std::printf("check-patch: the patch introduces nothing within preemptions <= %d%s\n",
              static_cast<int>(*bound),
              not_covered ? absl::StrCat(" (", not_covered, " scenario(s) not covered)").c_str()
                          : "");
  return ExitStatus::kClean;
}

}  // namespace

const Command kCheckPatchCommand = {
    .name = "check-patch",
    .synopsis = {"PATCH... [--kernel=TREE] [--preemptions=N (default 1)] [--max_seconds=S]\n"
                 "[--out=DIR]"},
    .flags = {Takes(FLAGS_kernel), Takes(FLAGS_patch), Takes(FLAGS_preemptions),
              Takes(FLAGS_max_seconds), Takes(FLAGS_out)},
    .run = CheckPatch,
};

}  // namespace smpfuzz::cli
