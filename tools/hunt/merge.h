// SPDX-License-Identifier: GPL-2.0-only
//
// Merge: how the engines of `smpfuzz hunt` share their inputs through
// OUT/corpus, libFuzzer's corpus.
//
// CorpusMerge brings AFL++'s finds in: libFuzzer's -merge=1 adds to
// OUT/corpus only the AFL++ queue entries that bring new coverage. It runs
// beside the engines on a snapshot of OUT/corpus (hard links in
// OUT/merge/base): the libFuzzer processes delete inputs they have replaced
// by smaller ones, and a merge whose first directory loses a file fails over
// and over. What it adds to the snapshot is then linked into OUT/corpus,
// where the libFuzzer processes pick it up within a second. One merge runs at
// a time; what happens is logged.
//
// CorpusMirror takes libFuzzer's finds out: AFL++ imports other fuzzers'
// inputs from <sync dir>/<name>/queue/id:N...; OUT/afl/libfuzzer/queue is
// that for OUT/corpus, hard links named after the corpus entries (with a
// shared sync directory, SYNC/NODE_libfuzzer/queue: every hunt's AFL++
// imports it, and every other hunt's merge).

#ifndef SMPFUZZ_TOOLS_HUNT_MERGE_H_
#define SMPFUZZ_TOOLS_HUNT_MERGE_H_

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tools/hunt/log.h"
#include "tools/hunt/process.h"

namespace smpfuzz::hunt {

struct MergeConfig {
  std::string out;               // hunt's output directory (absolute)
  std::string libfuzzer_target;  // runs the merge; none: no merge
  std::string variant;           // SMPFUZZ_VARIANT
  bool skip_known_buckets = true;
};

// Where hunt mirrors OUT/corpus for AFL++ (above): OUT/afl/libfuzzer/queue,
// or with a sync directory SYNC/NODE_libfuzzer/queue.
std::string MirrorDir(const std::string& out, const std::string& sync_dir, const std::string& node);

// The queues of other hunts in a sync directory: SYNC/*/queue except this
// node's own (NODE_*).
std::vector<std::string> ForeignQueues(const std::string& sync_dir, const std::string& node);

class CorpusMerge {
 public:
  CorpusMerge(MergeConfig config, Log* log) : config_(std::move(config)), log_(log) {}
  // Starts a merge of those of `queues` and `foreign` (other hunts' queues)
  // that exist, unless one runs. Finish logs how many of the inputs it adds
  // came from `foreign`.
  void Start(const std::vector<std::string>& queues, const std::vector<std::string>& foreign = {});
  // Collects a merge that has ended; one that runs past `wait_until` (when
  // waiting, else its time limit) is stopped.
  void Finish(bool wait, double wait_until = 0);

 private:
  const MergeConfig config_;
  Log* log_;
  std::unique_ptr<Process> process_;  // the merge running, if any
  std::string log_path_;
  std::set<std::string> base_;  // OUT/corpus at the start of the merge
  std::vector<std::string> foreign_;  // other hunts' queues in this merge
  double started_ = 0;
};

class CorpusMirror {
 public:
  // Mirrors OUT/corpus into `dir` (MirrorDir).
  CorpusMirror(std::string out, std::string dir) : out_(std::move(out)), dir_(std::move(dir)) {}
  // Links the corpus entries not mirrored yet (once AFL++ has made the
  // directory).
  void Update();

 private:
  const std::string out_;
  const std::string dir_;
  std::set<std::string> mirrored_;  // names of corpus entries
  int next_id_ = 0;                 // 0: the directory not read yet
};

}  // namespace smpfuzz::hunt

#endif  // SMPFUZZ_TOOLS_HUNT_MERGE_H_
