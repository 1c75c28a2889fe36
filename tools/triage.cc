// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz triage: replays crash files (directories of libFuzzer crash-*,
// AFL++ id:* and *.repro files, or files), buckets them by signature and
// code sites, minimizes one reproducer per bucket into --out, and prints the
// table of buckets.

#include "tools/triage.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "fuzz/smp_harness.h"
#include "lib/inputs.h"
#include "lib/json.h"
#include "lib/report.h"
#include "lib/repro.h"
#include "lib/triage.h"
#include "tools/command.h"
#include "tools/flag_types.h"
#include "tools/guest_choice.h"
#include "tools/shared_flags.h"

namespace smpfuzz::cli {
namespace {

absl::StatusOr<ExitStatus> Triage(const std::vector<std::string>& args) {
  if (args.empty()) return UsageError("triage needs at least one DIR or FILE");
  const std::string out_dir = absl::GetFlag(FLAGS_out);
  if (out_dir.empty()) return UsageError("triage needs --out=DIR");
  absl::StatusOr<const Variant*> forced = ForcedVariant();
  if (!forced.ok()) return forced.status();
  absl::StatusOr<double> max_seconds = Value(FLAGS_max_seconds, kMinimizeSeconds);
  if (!max_seconds.ok()) return max_seconds.status();
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("smpfuzz: --out: cannot create ", out_dir, ": ", ec.message()));
  }
  std::vector<std::string> files;
  for (const std::string& a : args) {
    for (std::string& f : InputFiles(a)) files.push_back(std::move(f));
  }
  // With the kernel guest's flags every input runs on that build (of the
  // variant --variant names, else the raw inputs' default).
  GuestFactory guest;
  GuestRecord record;
  if (KernelGuestChosen()) {
    absl::StatusOr<GuestChoice> g = ChooseGuest(*RawInputVariant(*forced));
    if (!g.ok()) return g.status();
    guest = g->make;
    record = g->Record();
  }
  // Crash files come from the fuzz harness: bucket them by its rule.
  TriageResult t = smpfuzz::Triage(files, RawInputVariant(*forced), true, fuzz::IsKnownFinding,
                                   *max_seconds, guest, record);
  for (const std::string& e : t.errors) std::fprintf(stderr, "%s\n", e.c_str());
  for (const Bucket& b : t.buckets) {
    if (b.minimized.ok() && b.minimized->out_of_time) {
      std::fprintf(stderr, "triage: %s: minimizing stopped at --max_seconds=%g with the best so far: %s\n",
                   b.key.c_str(), *max_seconds, MinimizeUndone(*b.minimized).c_str());
    }
  }
  const bool json = absl::GetFlag(FLAGS_json);
  JsonWriter table_json;
  table_json.BeginObject()
      .Field("files", t.files)
      .Field("clean", t.clean)
      .Field("known", t.known)
      .Field("bad", t.bad)
      .Key("buckets")
      .BeginArray();
  std::string table;
  if (!json) {
    char head[256];
    std::snprintf(head, sizeof head, "%-20s %6s %6s %11s  %-28s %s\n", "signature", "count", "steps",
                  "preemptions", "reproducer", "first file");
    table += head;
  }
  int n = 0;
  for (const Bucket& b : t.buckets) {
    std::string name = std::string(SignatureName(b.signature)) + "-" + std::to_string(++n) + ".repro";
    std::string path = out_dir + "/" + name;
    const Repro& r = b.minimized.ok() ? b.minimized->repro : b.smallest;
    const std::uint32_t preemptions = b.minimized.ok() ? b.minimized->preemptions : 0;
    std::string text = BucketReproText(b);
    if (absl::Status s = WriteTextFile(path, text); !s.ok()) return s;
    if (json) {
      table_json.BeginObject()
          .Field("signature", SignatureName(b.signature))
          .Field("key", b.key)
          .Field("count", b.count)
          .Field("steps", r.schedule.size())
          .Field("preemptions", preemptions)
          .Field("reproducer", path)
          .Field("first_file", b.first_file)
          .EndObject();
    } else {
      char row[1024];
      std::snprintf(row, sizeof row, "%-20s %6d %6zu %11u  %-28s %s\n", SignatureName(b.signature),
                    b.count, r.schedule.size(), preemptions, name.c_str(),
                    b.first_file.c_str());
      table += row;
    }
  }
  if (json) {
    table = table_json.EndArray().EndObject().str() + "\n";
  } else {
    table += std::to_string(t.files) + " file(s): " + std::to_string(t.buckets.size()) +
             " bucket(s), " + std::to_string(t.clean) + " replay clean, " + std::to_string(t.known) +
             " with known findings only, " + std::to_string(t.bad) +
             " unreadable; reproducers in " + out_dir + "\n";
  }
  std::fwrite(table.data(), 1, table.size(), stdout);
  if (t.bad > 0) return ExitStatus::kBadInput;
  return t.buckets.empty() ? ExitStatus::kClean : ExitStatus::kViolation;
}

}  // namespace

const Command kTriageCommand = {
    .name = "triage",
    .synopsis = {"DIR_OR_FILE... --out=DIR [--variant=V] [--json] [--max_seconds=S]\n"
                 "[--guest=kernel [--kernel=TREE] [--patch=FILE]...]"},
    .flags = {Takes(FLAGS_out), Takes(FLAGS_variant), Takes(FLAGS_json), Takes(FLAGS_max_seconds),
              Takes(FLAGS_guest), Takes(FLAGS_kernel), Takes(FLAGS_patch)},
    .run = Triage,
};

}  // namespace smpfuzz::cli
