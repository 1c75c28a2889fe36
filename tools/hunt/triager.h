// SPDX-License-Identifier: GPL-2.0-only
//
// Triager: the crash files of a hunt, bucketed and minimized while the
// engines run. It replays each file added (Add) on a thread of its own, so
// the progress line and the engines' restarts never wait for a
// minimization, and keeps the buckets (Snapshot):
//
// - a new bucket's key goes into OUT/bucket-keys at once (the engines skip
//   it from then on; the file only grows), and its minimized reproducer
//   into OUT/buckets/BucketReproName(b);
// - the buckets an earlier run on OUT found are loaded at the start, with
//   their reproducers, and a reproducer on disk is reused, not minimized
//   again;
// - minimizations end by the deadline given at construction; a bucket left
//   "not minimized yet" is minimized by the next run on OUT.

#ifndef SMPFUZZ_TOOLS_HUNT_TRIAGER_H_
#define SMPFUZZ_TOOLS_HUNT_TRIAGER_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "lib/guest.h"
#include "lib/repro.h"
#include "lib/simulator.h"
#include "lib/triage.h"
#include "lib/variant.h"
#include "tools/hunt/log.h"

namespace smpfuzz::hunt {

// Where a bucket's reproducer goes in OUT/buckets: its signature and a hash
// of its key, so the name is stable across restarts of the hunt.
std::string BucketReproName(const Bucket& b);

class Triager {
 public:
  // Crash files replay as `variant` when raw, on `guest` (empty: the
  // model), whose build their reproducers record as `guest_record`;
  // minimizations end by `deadline` (Now()). Loads the buckets of an
  // earlier run on `out`.
  Triager(const std::string& out, const Variant* variant, GuestFactory guest,
          GuestRecord guest_record, Log* log, double deadline);
  ~Triager();

  // Queues a crash file (already in OUT/crashes).
  void Add(const std::string& path);
  // Waits until every file added so far is triaged, or until `deadline`
  // (Now()); false: some are left.
  bool DrainUntil(double deadline);
  // Ends the thread after the file it is on; what is still queued is left
  // (for the next run). Returns how many files that is.
  std::size_t Finish();
  // A copy, consistent at one moment.
  TriageResult Snapshot();
  // Files queued or being triaged.
  std::size_t pending();
  // After the engines stop, the machine is free: buckets the explorer could
  // not shrink during the run get another try, within `budget_seconds` in
  // all. Not cpu-stuck: every execution the explorer tries for it runs to its
  // step limit, and it rarely shrinks.
  void MinimizeAgain(double budget_seconds);

 private:
  void Loop();
  // OUT/bucket-keys, for the harness's SMPFUZZ_SKIP_BUCKETS: the keys on
  // disk (from every run on OUT) and this run's, never fewer than before.
  void WriteKeys();
  std::vector<std::string> ReadKeys() const;
  // The buckets an earlier run on OUT found: each key in OUT/bucket-keys
  // whose reproducer is in OUT/buckets, minimized as it was then. Their
  // crash files, triaged again, count into them.
  void LoadFromBefore();
  // The bucket's reproducer: kept from an earlier run of this hunt when
  // there is one, else minimized now.
  void Minimize(std::size_t index, Simulator* sim);
  // Minimizes within `seconds` of wall time, into b->minimized, and writes
  // the reproducer; nothing (nothing written, the bucket stays "not
  // minimized yet" for the next run) when that is too short to try.
  std::optional<absl::StatusOr<MinimizeResult>> MinimizeAndWrite(Bucket* b,
                                                                 const std::string& path,
                                                                 double seconds);

  const std::string out_;
  const Variant* variant_;
  const GuestFactory guest_;
  const GuestRecord guest_record_;
  Log* log_;
  const double deadline_;
  std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  std::deque<std::string> queue_;
  bool busy_ = false;
  bool done_ = false;
  TriageResult result_;
  std::thread thread_;  // started last, in the constructor
};

}  // namespace smpfuzz::hunt

#endif  // SMPFUZZ_TOOLS_HUNT_TRIAGER_H_
