// SPDX-License-Identifier: GPL-2.0-only
//
// ExploreSplit: one search shared by many workers: the processes of
// `explore --jobs=N` on one machine, or the shards of `explore --shard=I/N`
// on a batch engine, whose result files `explore --merge` checks and joins.
//
// The search is cut into units (ExploreOptions::Split in lib/explorer.h):
// every worker walks the top of the tree, the same in all of them, and
// searches only the units it takes. A shard takes the units whose number is
// I modulo N; the processes of --jobs claim units from a counter they share,
// so that a worker that finishes early takes the next unit (work sharing, one
// unit at a time). Either way each unit is searched by exactly one worker,
// so the units' counts add up to those of the serial search: exactly for the
// sleep sets and no reduction; with DPOR, to those of the split search that
// `--shard=1/1` runs (the nodes above the units try every action). The
// first violation is the serial search's: the one of the lowest bound and,
// within it, of the lowest unit.
//
// A shard result is a text file:
//
//   smpfuzz-explore-shard 1
//   search 9c1f...            what all shards of one search agree on (a hash)
//   options preemptions=3 iterative=off reduction=sleep ...
//   shard 3/16                (or `jobs 2`: units claimed from a counter)
//   bound 3 units=412 taken=26 executions=1234 abandoned=4 traces=1230 pruned=55
//         pruned_above=77 skipped=386 bound_limited=12 complete=1   (one line)
//   found signature=llist-self-loop preemptions=1 bound=1 unit=5
//   min_preemptions llist-self-loop=1
//   result complete=1 stopped=0 depth=88 seconds=12.5
//   counterexample            (the rest of the file: the reproducer)

#ifndef SMPFUZZ_LIB_EXPLORE_SPLIT_H_
#define SMPFUZZ_LIB_EXPLORE_SPLIT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/explorer.h"

namespace smpfuzz {

inline constexpr int kMaxExploreJobs = 64;
inline constexpr int kMaxShards = 1000000;

// What the workers of one search must agree on: the scenario, the options
// that shape the tree, the guest.
struct SearchKey {
  std::string options;  // one line, "preemptions=3 iterative=off ..."
  std::string search;   // 16 hex digits over the scenario, options and guest
};
SearchKey KeyOfSearch(const Scenario& s, const ExploreOptions& o, std::string_view guest);
// What of the options a key's line names again: the bound, the step limit,
// iterative, the reduction, the signatures (as far as the line tells).
ExploreOptions OptionsOfSearch(const SearchKey& key);

// One worker's result.
struct ShardResult {
  SearchKey key;
  int index = 0;   // shard I of N; for --jobs, the worker's number
  int count = 1;
  bool claimed = false;  // --jobs: units claimed from a shared counter, not I mod N
  ExploreResult result;
};

std::string FormatShard(const ShardResult& r);
// Errors are InvalidArgument, "FILE:LINE: message".
absl::StatusOr<ShardResult> ParseShard(std::string_view text, std::string_view filename);

// The search split into `count` shards; this one searches the units whose
// number is `index` modulo `count`.
ShardResult ExploreShard(const Scenario& s, ExploreOptions o, std::string_view guest, int index,
                         int count, const std::function<void(const ExploreStats&)>& progress = {});

// The joined result of shards that must together cover the search exactly
// once: the counts added up (pruned: the units' plus the top's, once), the
// first violation of the lowest (bound, unit). Fails (InvalidArgument,
// naming the shard file by `names`) when they are of different searches,
// when a shard is missing or given twice, or when they disagree on the top
// of the tree. A shard cut short by its budget makes the result incomplete.
struct MergedSearch {
  ExploreResult result;
  int shards = 0;
  std::uint64_t skipped = 0;  // runs cut at another worker's unit, all shards
  std::uint64_t units = 0;    // units of the bounds searched
  // Clean: every shard finished; a violation: every unit before its unit was
  // searched, so that it is the serial search's first. Else the first shard
  // that did not finish.
  bool established = false;
  std::string unfinished;
};
absl::StatusOr<MergedSearch> MergeShards(const std::vector<ShardResult>& shards,
                                         const std::vector<std::string>& names);

// The search on `jobs` processes (fork; each builds its own guest, so any
// guest works), units claimed from a shared counter; the same verdict and
// counts as ExploreShard(..., 0, 1). `progress` gets the workers' counts
// added up, about once a second. Errors: a worker that died.
absl::StatusOr<MergedSearch> ExploreJobs(const Scenario& s, const ExploreOptions& o,
                                         std::string_view guest, int jobs,
                                         const std::function<void(const ExploreStats&)>& progress = {});

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_EXPLORE_SPLIT_H_
