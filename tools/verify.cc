// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz verify: every scenario of a scope (--cpus, --ops, --kinds,
// --csdlock_debug, --offline), up to renaming CPUs, explored to a preemption
// bound (lib/verify.h): the minimal counterexample as a reproducer, or
// "clean in scope", optionally as a certificate (--certificate=FILE) that
// `verify --check=CERT` re-runs and compares number by number.

#include "tools/verify.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/explorer.h"
#include "lib/report.h"
#include "lib/repro.h"
#include "lib/variant.h"
#include "lib/verify.h"
#include "tools/command.h"
#include "tools/explore.h"
#include "tools/flag_types.h"
#include "tools/guest_choice.h"
#include "tools/replay.h"
#include "tools/shared_flags.h"

namespace smpfuzz::cli {
using OfflineCount = WholeNumber<0, 7>;
}  // namespace smpfuzz::cli

ABSL_FLAG(std::string, kinds, "",
          "verify: operation kinds, comma-separated: single, async, async_reused, many, cond, "
          "function, any, flush, irqs_off, hotplug, irq_work, ttwu, or all (default "
          "single,async,async_reused,flush)");
ABSL_FLAG(smpfuzz::cli::OfflineCount, offline, smpfuzz::cli::OfflineCount("0"),
          "verify: also every offline set of up to this many CPUs");
ABSL_FLAG(std::string, tasks, "",
          "verify: also scenarios with up to this many extra tasks (0..2), each with 1..--ops "
          "operations, on any online CPU (preempted and migrated: lib/scenario.h)");
ABSL_FLAG(bool, symmetry, true, "verify: explore one scenario per class of CPU renamings");
ABSL_FLAG(std::string, certificate, "", "verify: write the certificate of a clean result here");
ABSL_FLAG(std::string, certificate_check, "",
          "verify: re-run this certificate and compare (spelled --check=CERT on the command line)");

namespace smpfuzz::cli {
namespace {

// The default variant: the claim people want proved is "the fix is correct".
constexpr char kVerifyDefaultVariant[] = "fixed";

absl::StatusOr<VerifyScope> ScopeFromFlags() {
  VerifyScope scope;
  const std::string cpus = absl::GetFlag(FLAGS_cpus);
  const std::string ops = absl::GetFlag(FLAGS_ops);
  const std::string kinds = absl::GetFlag(FLAGS_kinds);
  const std::string debug = absl::GetFlag(FLAGS_csdlock_debug);
  const std::string tasks = absl::GetFlag(FLAGS_tasks);
  absl::StatusOr<std::uint64_t> offline = Value(FLAGS_offline);
  if (!offline.ok()) return offline.status();
  scope.max_offline = static_cast<int>(*offline);
  // Each flag's text through the scope parser (a later field overrides an
  // earlier one), so that an error names the flag.
  auto field = [&](const char* flag, const std::string& text) -> absl::Status {
    absl::StatusOr<VerifyScope> s = ParseScope(scope.Describe() + " " + flag + "=" + text);
    if (!s.ok() || text.empty() || text.find(' ') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "smpfuzz: --", flag, ": bad value '", text, "'",
          s.ok() ? "" : absl::StrCat(" (", s.status().message(), ")")));
    }
    scope = *s;
    return absl::OkStatus();
  };
  if (!tasks.empty()) {
    if (absl::Status s = field("tasks", tasks); !s.ok()) return s;
  }
  if (!cpus.empty()) {
    if (absl::Status s = field("cpus", cpus); !s.ok()) return s;
  }
  if (!ops.empty()) {
    if (absl::Status s = field("ops", ops); !s.ok()) return s;
  }
  if (!kinds.empty()) {
    if (absl::StatusOr<std::uint32_t> k = ParseKinds(kinds); !k.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("smpfuzz: --kinds: ", k.status().message()));
    }
    if (absl::Status s = field("kinds", kinds); !s.ok()) return s;
  }
  if (!debug.empty()) {
    if (absl::Status s = field("csdlock_debug", debug); !s.ok()) return s;
  }
  return scope;
}

void PrintProgress(const VerifyProgress& p) {
  std::fprintf(stderr,
               "verify: %d CPUs, %d ops: %llu/%llu scenarios; %llu in all, %llu executions, %.0f s\n",
               p.nr_cpus, p.total_ops, static_cast<unsigned long long>(p.group_done),
               static_cast<unsigned long long>(p.group_size),
               static_cast<unsigned long long>(p.scenarios_done),
               static_cast<unsigned long long>(p.executions), p.seconds);
}

std::string Summary(const VerifyResult& r) {
  const double factor =
      r.after_symmetry == 0 ? 0 : static_cast<double>(r.before_symmetry) / r.after_symmetry;
  char buf[200];
  std::snprintf(buf, sizeof buf, "%.2fx", factor);
  return absl::StrCat(r.before_symmetry, " scenarios, ", r.after_symmetry,
                      " after symmetry (", buf, "); explored ", r.records.size(), ", ",
                      r.executions, " executions, ", absl::StrFormat("%.1f", r.seconds), " s");
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    return absl::InvalidArgumentError(
        absl::StrCat("smpfuzz: cannot read ", path, ": ", std::strerror(errno)));
  }
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The certificate's own variant unless --variant says otherwise; `o` has
// the guest for that variant and the jobs.
absl::StatusOr<ExitStatus> Check(const std::string& path, const Certificate* cert, VerifyOptions o) {
  VerifyOptions run = cert->options;
  run.variant = o.variant;
  run.guest = o.guest;
  run.guest_record = o.guest_record;
  run.jobs = o.jobs;
  std::fprintf(stderr, "verify: checking %s: scope %s, variant %s, preemptions <= %s, %zu scenarios\n",
               path.c_str(), run.scope.Describe().c_str(), run.variant->name,
               PreemptionBoundName(run.max_preemptions).c_str(), cert->scenarios.size());
  const std::vector<std::string> diff = CheckCertificate(*cert, path, run, PrintProgress);
  for (const std::string& d : diff) std::fprintf(stderr, "verify: %s\n", d.c_str());
  if (!diff.empty()) {
    std::fprintf(stderr, "verify: %s does NOT check: %zu difference(s)\n", path.c_str(), diff.size());
    return ExitStatus::kViolation;
  }
  std::fprintf(stderr, "verify: %s checks: every number reproduced (%zu scenarios, %llu executions)\n",
               path.c_str(), cert->scenarios.size(),
               static_cast<unsigned long long>(cert->executions));
  return ExitStatus::kClean;
}

absl::StatusOr<ExitStatus> VerifyCommand(const std::vector<std::string>& args) {
  if (!args.empty()) return UsageError("verify takes no FILE, only flags");
  absl::StatusOr<const Variant*> forced = ForcedVariant();
  if (!forced.ok()) return forced.status();
  VerifyOptions o;
  const std::string check = absl::GetFlag(FLAGS_certificate_check);
  if (absl::GetFlag(FLAGS_check) && check.empty()) {
    return UsageError("verify --check needs the certificate: --check=CERT");
  }
  o.variant = *forced != nullptr ? *forced : FindVariant(kVerifyDefaultVariant);
  absl::StatusOr<Certificate> cert;
  if (!check.empty()) {
    absl::StatusOr<std::string> text = ReadFile(check);
    if (!text.ok()) return text.status();
    cert = ParseCertificate(*text, check);
    if (!cert.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("smpfuzz: ", cert.status().message()));
    }
    if (*forced == nullptr) o.variant = cert->options.variant;
  }
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (!absl::GetFlag(FLAGS_jobs).empty()) {
    absl::StatusOr<std::uint64_t> j = Value(FLAGS_jobs);
    if (!j.ok()) return j.status();
    jobs = static_cast<int>(*j);
  }
  o.jobs = jobs;
  absl::StatusOr<GuestChoice> guest = ChooseGuest(*o.variant);
  if (!guest.ok()) return guest.status();
  o.guest = guest->make;
  o.guest_record = guest->Record();
  if (guest->kernel) std::fprintf(stderr, "verify: kernel guest %s\n", guest->description.c_str());
  if (!check.empty()) return Check(check, &*cert, o);

  absl::StatusOr<VerifyScope> scope = ScopeFromFlags();
  if (!scope.ok()) return scope.status();
  o.scope = *scope;
  absl::StatusOr<int> preemptions = PreemptionsFlag();
  if (!preemptions.ok()) return preemptions.status();
  o.max_preemptions = *preemptions;
  absl::StatusOr<std::uint64_t> max_steps = Value(FLAGS_max_steps);
  if (!max_steps.ok()) return max_steps.status();
  o.max_steps = *max_steps;
  if (const std::string sigs = absl::GetFlag(FLAGS_signatures); !sigs.empty()) {
    std::string bad;
    if (!ParseSignatureList(sigs, &o.violations, &bad)) {
      return absl::InvalidArgumentError("smpfuzz: --signatures: unknown signature '" + bad + "'");
    }
  }
  o.symmetry = absl::GetFlag(FLAGS_symmetry);
  std::fprintf(stderr, "verify: scope %s\n", o.scope.Describe().c_str());
  std::fprintf(stderr, "verify: variant %s, guest %s, preemptions <= %s, steps <= %llu, %d job(s)%s\n",
               o.variant->name, guest->description.c_str(),
               PreemptionBoundName(o.max_preemptions).c_str(),
               static_cast<unsigned long long>(o.max_steps), o.jobs,
               o.symmetry ? "" : ", no symmetry reduction");
  absl::StatusOr<VerifyResult> r = Verify(o, PrintProgress);
  if (!r.ok()) return absl::InvalidArgumentError(absl::StrCat("smpfuzz: ", r.status().message()));
  std::fprintf(stderr, "verify: %s\n", Summary(*r).c_str());
  if (r->found) {
    const Scenario& s = r->counterexample.scenario;
    std::vector<std::string> comment = {
        absl::StrCat("minimal counterexample of smpfuzz verify, scope ", o.scope.Describe()),
        absl::StrCat("fewest CPUs (", s.nr_cpus, "), then operations (", s.TotalOps(),
                     "), then preemptions (", r->preemptions, ") in the scope; variant ",
                     o.variant->name)};
    if (guest->kernel) comment.push_back("kernel guest: " + guest->description);
    if (absl::Status w = WriteOutput(FormatRepro(r->counterexample, comment)); !w.ok()) return w;
    std::fprintf(stderr, "verify: counterexample %s with %u preemption(s): %s\n",
                 SignatureName(r->signature), r->preemptions, DescribeScenario(s).c_str());
    return ExitStatus::kViolation;
  }
  if (r->not_covered != 0) {
    std::fprintf(stderr, "verify: NOT clean: %llu scenario(s) not covered\n",
                 static_cast<unsigned long long>(r->not_covered));
    return ExitStatus::kViolation;
  }
  std::fprintf(stderr, "verify: clean in scope%s\n",
               o.max_preemptions == ExploreOptions::kUnbounded ? ", for every interleaving" : "");
  if (const std::string cert = absl::GetFlag(FLAGS_certificate); !cert.empty()) {
    if (absl::Status s = WriteTextFile(cert, FormatCertificate(o, *r)); !s.ok()) return s;
    std::fprintf(stderr, "verify: certificate %s\n", cert.c_str());
  }
  return ExitStatus::kClean;
}

}  // namespace

void SpellVerifyCheck(int argc, char** argv) {
  bool verify = false;
  for (int i = 1; i < argc; ++i) verify = verify || std::strcmp(argv[i], "verify") == 0;
  if (!verify) return;
  for (int i = 1; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--check=", 0) == 0) {
      argv[i] = strdup(("--certificate_check=" + arg.substr(8)).c_str());  // lives until exit
    }
  }
}

const Command kVerifyCommand = {
    .name = "verify",
    .synopsis =
        {
            "[--cpus=N|N-M] [--ops=K]\n"
            "[--kinds=single,async,async_reused,many,cond,function,any,flush,irqs_off,hotplug,irq_work,ttwu]\n"
            "[--csdlock_debug=on,off] [--offline=K] [--tasks=K] [--variant=V] [--preemptions=N|unbounded]\n"
            "[--signatures=S,..] [--max_steps=N] [--jobs=N] [--nosymmetry] [--out=PATH]\n"
            "[--certificate=FILE] [--guest=kernel [--kernel=TREE] [--patch=FILE]...]",
            "--check=CERT [--variant=V] [--jobs=N] [--guest=kernel ...]",
        },
    .flags = {Takes(FLAGS_cpus), Takes(FLAGS_ops), Takes(FLAGS_kinds), Takes(FLAGS_csdlock_debug),
              Takes(FLAGS_offline), Takes(FLAGS_tasks), Takes(FLAGS_variant), Takes(FLAGS_preemptions),
              Takes(FLAGS_signatures), Takes(FLAGS_max_steps), Takes(FLAGS_jobs),
              Takes(FLAGS_symmetry), Takes(FLAGS_out), Takes(FLAGS_certificate),
              Takes(FLAGS_certificate_check), Takes(FLAGS_check), Takes(FLAGS_guest), Takes(FLAGS_kernel),
              Takes(FLAGS_patch)},
    .run = VerifyCommand,
};

}  // namespace smpfuzz::cli
