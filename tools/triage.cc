// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz triage: replays crash files (directories of libFuzzer crash-*,
// AFL++ id:* and *.repro files, or files), buckets them by signature and
// code sites, minimizes one reproducer per bucket into --out, and prints the
// table of buckets.

#include "tools/triage.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "fuzz/smp_harness.h"
#include "lib/report.h"
#include "lib/repro.h"
#include "lib/trace_format.h"
#include "lib/triage.h"
#include "tools/command.h"
#include "tools/flag_types.h"
#include "tools/shared_flags.h"

namespace smpfuzz::cli {
namespace {

// Crash files under a directory: libFuzzer crash-*, AFL++ id:*, reproducers.
void CollectInputs(const std::string& arg, std::vector<std::string>* out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(arg, ec)) {
    out->push_back(arg);
    return;
  }
  std::vector<std::string> found;
  for (auto it = fs::recursive_directory_iterator(arg, ec); !ec && it != fs::end(it); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string name = it->path().filename().string();
    if (name.rfind("crash-", 0) == 0 || name.rfind("id:", 0) == 0 ||
        (name.size() > 6 && name.substr(name.size() - 6) == ".repro")) {
      found.push_back(it->path().string());
    }
  }
  std::sort(found.begin(), found.end());
  out->insert(out->end(), found.begin(), found.end());
}

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
  for (const std::string& a : args) CollectInputs(a, &files);
  // Crash files come from the fuzz harness: bucket them by its rule.
  TriageResult t = smpfuzz::Triage(files, RawInputVariant(*forced), true, fuzz::IsKnownFinding,
                                   *max_seconds);
  for (const std::string& e : t.errors) std::fprintf(stderr, "%s\n", e.c_str());
  for (const Bucket& b : t.buckets) {
    if (b.minimized.out_of_time) {
      std::fprintf(stderr, "triage: %s: minimizing stopped at --max_seconds=%g with the best so far: %s\n",
                   b.key.c_str(), *max_seconds, MinimizeUndone(b.minimized).c_str());
    }
  }
  const bool json = absl::GetFlag(FLAGS_json);
  std::string table = json ? "{\"files\":" + std::to_string(t.files) + ",\"clean\":" +
                                 std::to_string(t.clean) + ",\"known\":" + std::to_string(t.known) + ",\"bad\":" + std::to_string(t.bad) +
                                 ",\"buckets\":["
                           : "";
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
    const Repro& r = b.minimized.ok ? b.minimized.repro : b.smallest;
    std::string text = BucketReproText(b);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) return absl::UnavailableError(absl::StrCat("smpfuzz: ", path, ": cannot write"));
    if (json) {
      table += std::string(n > 1 ? "," : "") + "{\"signature\":" + JsonString(SignatureName(b.signature)) +
               ",\"key\":" + JsonString(b.key) + ",\"count\":" + std::to_string(b.count) +
               ",\"steps\":" + std::to_string(r.schedule.size()) + ",\"preemptions\":" +
               std::to_string(b.minimized.preemptions) + ",\"reproducer\":" + JsonString(path) +
               ",\"first_file\":" + JsonString(b.first_file) + "}";
    } else {
      char row[1024];
      std::snprintf(row, sizeof row, "%-20s %6d %6zu %11u  %-28s %s\n", SignatureName(b.signature),
                    b.count, r.schedule.size(), b.minimized.preemptions, name.c_str(),
                    b.first_file.c_str());
      table += row;
    }
  }
  if (json) {
    table += "]}\n";
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
    .synopsis = {"DIR_OR_FILE... --out=DIR [--variant=V] [--json] [--max_seconds=S]"},
    .flags = {Takes(FLAGS_out), Takes(FLAGS_variant), Takes(FLAGS_json), Takes(FLAGS_max_seconds)},
    .run = Triage,
};

}  // namespace smpfuzz::cli
