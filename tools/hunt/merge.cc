// SPDX-License-Identifier: GPL-2.0-only
#include "tools/hunt/merge.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <system_error>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tools/hunt/files.h"

namespace smpfuzz::hunt {
namespace {

namespace fs = std::filesystem;

// A corpus merge that runs longer than this is stopped.
constexpr double kMergeSeconds = 300;

std::vector<std::string> Existing(const std::vector<std::string>& dirs) {
  std::vector<std::string> out;
  for (const std::string& d : dirs) {
    std::error_code ec;
    if (fs::is_directory(d, ec)) out.push_back(d);
  }
  return out;
}

}  // namespace

std::string MirrorDir(const std::string& out, const std::string& sync_dir, const std::string& node) {
  return sync_dir.empty() ? out + "/afl/libfuzzer/queue" : sync_dir + "/" + node + "_libfuzzer/queue";
}

std::vector<std::string> ForeignQueues(const std::string& sync_dir, const std::string& node) {
  std::vector<std::string> out;
  if (sync_dir.empty()) return out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(sync_dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(node + "_", 0) == 0) continue;
    out.push_back(it->path().string() + "/queue");
  }
  std::sort(out.begin(), out.end());
  return Existing(out);
}

void CorpusMerge::Start(const std::vector<std::string>& all_queues,
                        const std::vector<std::string>& foreign) {
  if (process_ || config_.libfuzzer_target.empty()) return;
  std::vector<std::string> queues = Existing(all_queues);
  foreign_ = Existing(foreign);
  queues.insert(queues.end(), foreign_.begin(), foreign_.end());
  if (queues.empty()) return;
  const std::string dir = config_.out + "/merge";
  const std::string base = dir + "/base";
  std::error_code ec;
  fs::remove_all(base, ec);
  fs::remove(dir + "/control", ec);  // a fresh merge, never the rest of an old one
  fs::create_directories(base, ec);
  base_.clear();
  for (const std::string& path : ListFiles(config_.out + "/corpus")) {
    const std::string name = fs::path(path).filename().string();
    if (LinkOrCopy(path, base + "/" + name)) base_.insert(name);
  }
  log_path_ = dir + "/merge.log";
  fs::remove(log_path_, ec);
  Command c;
  c.argv = {config_.libfuzzer_target, "-merge=1", "-max_len=512",
            "-merge_control_file=" + dir + "/control", "-artifact_prefix=" + dir + "/", base};
  c.argv.insert(c.argv.end(), queues.begin(), queues.end());
  c.env = {{"SMPFUZZ_VARIANT", config_.variant}, {"TMPDIR", dir}};
  if (config_.skip_known_buckets) {
    c.env.emplace_back("SMPFUZZ_SKIP_BUCKETS", config_.out + "/bucket-keys");
  }
  c.log = log_path_;
  c.cwd = dir;
  process_ = std::make_unique<Process>();
  started_ = Now();
  if (absl::Status s = process_->Start(c); !s.ok()) {
    log_->Event("merge: " + std::string(s.message()));
    process_.reset();
  }
}

void CorpusMerge::Finish(bool wait, double wait_until) {
  if (!process_) return;
  // At the end hunt waits for a running merge, but not for ever; during the
  // run a merge that takes longer than kMergeSeconds is stopped.
  const double deadline = wait ? wait_until : started_ + kMergeSeconds;
  std::optional<Process::Exit> exit;
  while (!(exit = process_->Exited())) {
    if (Now() >= deadline) {
      process_->Stop(/*grace_seconds=*/2);
      process_.reset();
      log_->Event("merge: stopped after " + std::to_string(static_cast<int>(Now() - started_)) +
                  " s; see " + log_path_);
      return;
    }
    if (!wait) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  process_.reset();
  const std::string base = config_.out + "/merge/base";
  // The contents of the other hunts' queues: which of the inputs added came
  // from there (the merge names them after their content, not their source).
  std::set<std::string> foreign;
  for (const std::string& q : foreign_) {
    for (const std::string& f : ListFiles(q, {"id:"})) {
      if (absl::StatusOr<std::string> bytes = ReadFile(f); bytes.ok()) foreign.insert(HashHex(*bytes));
    }
  }
  int added = 0, from_foreign = 0;
  for (const std::string& path : ListFiles(base)) {
    const std::string name = fs::path(path).filename().string();
    if (base_.count(name) != 0) continue;
    const std::string dest = config_.out + "/corpus/" + name;
    std::error_code ec;
    if (IsEmptyNamedAfterContent(path)) continue;  // a write that failed
    if (!fs::exists(dest, ec) && LinkOrCopy(path, dest)) {
      ++added;
      if (!foreign.empty()) {
        absl::StatusOr<std::string> bytes = ReadFile(path);
        if (bytes.ok() && foreign.count(HashHex(*bytes)) != 0) ++from_foreign;
      }
    }
  }
  std::error_code ec;
  fs::remove_all(base, ec);
  if (exit->how.find("status 0") == std::string::npos) {
    log_->Event("merge: " + exit->how + "; see " + log_path_);
  }
  log_->Event("merge: " + std::to_string(added) + " AFL++ input(s) with new coverage added to corpus/" +
              (foreign_.empty() ? "" : " (" + std::to_string(from_foreign) + " of them from " +
                                           std::to_string(foreign_.size()) + " queue(s) of other hunts in the sync dir)"));
}

void CorpusMirror::Update() {
  const std::string& dir = dir_;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  if (next_id_ == 0) {
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
      std::string name = it->path().filename().string();
      std::size_t comma = name.find(",src:");
      if (name.rfind("id:", 0) != 0 || comma == std::string::npos) continue;
      mirrored_.insert(name.substr(comma + 5));
      next_id_ = std::max(next_id_, std::atoi(name.c_str() + 3) + 1);
    }
    next_id_ = std::max(next_id_, 1);
  }
  for (const std::string& path : ListFiles(out_ + "/corpus")) {
    std::string name = fs::path(path).filename().string();
    if (mirrored_.count(name) != 0) continue;
    char id[16];
    std::snprintf(id, sizeof id, "id:%06d", next_id_++);
    // A hard link: no space, and an entry libFuzzer is still writing gets
    // its content in the mirror too (a copy could be empty).
    if (!LinkOrCopy(path, dir + "/" + id + ",src:" + name)) continue;
    mirrored_.insert(name);
  }
}

}  // namespace smpfuzz::hunt
