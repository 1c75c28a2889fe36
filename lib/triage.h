// SPDX-License-Identifier: GPL-2.0-only
//
// Triage: what to do with a night's crash files. Minimize shrinks one
// violating reproducer; Triage buckets many by signature and code sites.

#ifndef SMPFUZZ_LIB_TRIAGE_H_
#define SMPFUZZ_LIB_TRIAGE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/repro.h"
#include "lib/simulator.h"

namespace smpfuzz {

// What Minimize made of a reproducer.
struct MinimizeResult {
  Repro repro;  // minimized, with expectations for the three real variants
  Signature signature = Signature::kCount;
  std::uint32_t preemptions = 0;
  int ops_removed = 0;
  // Whether the explorer gave the schedule; false: the input's own schedule
  // was kept (too deep for the explorer within its time, which a loaded
  // machine shortens).
  bool explored = false;
  int cuts_made = 0;
  // total_seconds ran out before every cut was tried: what was cut so far is
  // kept, and `cuts_left` cuts of the pass under way were not tried (nor any
  // pass after it).
  bool out_of_time = false;
  std::uint64_t cuts_left = 0;
};

// The smaller scenarios Minimize tries, biggest cuts first: a CPU's whole
// list of operations, one operation, one CPU of a call_many mask, a CPU
// nobody uses (from the top). Made one at a time, so a scenario of 20000
// operations costs one copy, not a million.
class Cuts {
 public:
  explicit Cuts(const Scenario& s);  // `s` must outlive this
  // The next cut into *out (overwritten); false when there is none left.
  bool Next(Scenario* out);
  // Cuts not made yet (counted, not built).
  std::uint64_t Remaining() const { return total_ - made_; }

 private:
  // Extra tasks first (a whole task, then one op of a task with several),
  // then the CPUs' own lists.
  enum Phase { kDropTask, kDropTaskOp, kClearCpu, kDropOp, kMaskBit, kDropCpu, kDone };
  const Scenario& s_;
  Phase phase_ = kDropTask;
  int cpu_ = 0;
  std::size_t i_ = 0;
  int bit_ = 0;
  std::uint64_t total_ = 0, made_ = 0;
};

// The preemption bound of the explorer inside Minimize, and the executions
// one check may take (a count, so that the same input minimizes the same way
// on a loaded machine or under a sanitizer; the seconds are a wall-clock guard).
inline constexpr std::uint32_t kMinimizePreemptions = 3;
inline constexpr std::uint64_t kMinimizeExecutionsPerCheck = 100000;

// Keeps the reproducer's most severe signature (or `signature`, when given)
// while removing operations and trailing idle CPUs one at a time, then lets
// the explorer find the schedule with the fewest preemptions (and, among
// those, the first one in its order: non-preemptive steps first).
// `total_seconds` (0: no limit) stops the cuts early; what was cut so far is
// kept (out_of_time, cuts_left say what was not tried). Each check gets
// kMinimizeExecutionsPerCheck executions and `seconds_per_check` (0: no limit)
// or what is left of `total_seconds`, if less.
// Errors: FailedPrecondition "the input replays clean" (no signature given),
// or the scenario's own load error.
// `guest` runs it (empty: the model); a reproducer from the kernel guest
// minimizes on the build it was found on.
absl::StatusOr<MinimizeResult> Minimize(const Repro& in, Signature signature = Signature::kCount,
                                        double seconds_per_check = 2.0, double total_seconds = 0,
                                        const GuestFactory& guest = {});

struct Bucket {
  std::string key;  // Report::DedupKey() of the primary report
  Signature signature = Signature::kCount;
  int count = 0;
  std::string first_file;
  std::string smallest_file;
  Repro smallest;
  // Minimize's result, or why it failed; before it ran, the default (an
  // Unknown error with no message: "not minimized yet").
  absl::StatusOr<MinimizeResult> minimized;
};

// One crash file replayed: the bucket it belongs to, or why it has none.
struct Classified {
  enum Kind { kFinding, kKnown, kClean, kBad } kind = kBad;
  std::string key;  // Report::DedupKey() of the primary report (kFinding)
  Signature signature = Signature::kCount;
  Repro repro;
  std::string error;  // kBad: "PATH: why", one line
};

// Whether a report is a known finding, not worth a bucket (the fuzz
// harness's rule: fuzz/known_findings.cc).
using KnownFinding = std::function<bool(const Simulator&, const Report&)>;

// Reads `path` by CrashDirOrigin(path) (reproducer text, or raw bytes run
// as `raw_variant`) and
// replays it on `sim`, which it reloads. Its bucket is that of its most
// severe report that is not `known` (kKnown: it has only known ones). Raw
// bytes carry no guest; their reproducer records `raw_guest`, the build
// `sim` runs (a reproducer's own record is kept).
Classified Classify(const std::string& path, const Variant* raw_variant, Simulator* sim,
                    const KnownFinding& known = nullptr, const GuestRecord& raw_guest = {});

struct TriageResult {
  std::vector<Bucket> buckets;  // in order of first appearance
  int files = 0;
  int clean = 0;     // inputs that replay clean (not a finding any more)
  int known = 0;     // inputs with known findings only
  int bad = 0;       // unreadable or malformed inputs
  std::vector<std::string> errors;

  // Counts one classified file; returns its bucket (new or existing), or
  // null when the file has none. Keeps the smallest input per bucket.
  Bucket* Add(const std::string& path, Classified c);
};

// What a Minimize that ran out of time left undone, e.g. "3 cut(s) made,
// 18897 cut(s) not tried" (of the pass under way); "" when it did not run out.
std::string MinimizeUndone(const MinimizeResult& m);

// The reproducer to keep for a bucket: minimized when that worked, with
// comments that say where it came from.
std::string BucketReproText(const Bucket& b);

// Replays every file (read by CrashDirOrigin: a *.repro must be a
// reproducer, any other file is one when it begins with the header, else
// raw bytes run as `raw_variant`); minimizes each bucket in at most
// `minimize_seconds` (0: no limit).
// Every input runs on `guest` (empty: the model), whose build raw inputs'
// reproducers record as `raw_guest` (Classify).
TriageResult Triage(const std::vector<std::string>& files, const Variant* raw_variant,
                    bool minimize, const KnownFinding& known = nullptr,
                    double minimize_seconds = 0, const GuestFactory& guest = {},
                    const GuestRecord& raw_guest = {});

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_TRIAGE_H_
