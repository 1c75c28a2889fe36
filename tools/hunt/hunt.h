// SPDX-License-Identifier: GPL-2.0-only
//
// Hunt: the overnight run behind `smpfuzz hunt`. Runs the engines side by
// side on one variant, copies every crash they write into OUT/crashes,
// buckets and minimizes each new one as it appears, merges the engines'
// inputs into OUT/corpus, shows a progress line, and ends with
// OUT/summary.md. Everything lives in OUT, so running it again on the same
// OUT continues the hunt: the corpus, the crashes and the buckets are kept.
//
// OUT/
//   corpus/             the merged corpus (libFuzzer's main corpus)
//   crashes/            every distinct crash file, <engine>-<kind>-<content hash>
//   buckets/            one minimized reproducer per bucket, <signature>-<key hash>.repro
//   bucket-keys         the buckets' keys, one a line: the engines skip these; it
//                       only grows, and is loaded (with buckets/) at the start
//   summary.md          what was found; rewritten on every new bucket and at the end
//   hunt.log            what hunt did: starts, restarts, merges, new buckets
//   hunt.lock           held (flock) by the hunt running here, with its pid
//   places              the kernel guest's code places the engines looked up
//                       (kernel/symbolize.h), shared so each is looked up once
//   libfuzzer/, afl/    the engines' own directories and logs
//
// With --sync_dir=SYNC (a directory other hunts share: other OUTs on this
// machine, other machines through NFS or rsync), AFL++'s instances are
// secondaries (-S) in SYNC, named NODE_0, NODE_1, ... where NODE is this
// hunt's (host and OUT); OUT/corpus is mirrored to SYNC/NODE_libfuzzer/queue
// for everyone's AFL++ to import, and the corpus merges also take in every
// other queue in SYNC, so libFuzzer gets the other hunts' inputs too.

#ifndef SMPFUZZ_TOOLS_HUNT_HUNT_H_
#define SMPFUZZ_TOOLS_HUNT_HUNT_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/guest.h"
#include "lib/repro.h"

namespace smpfuzz::hunt {

struct HuntOptions {
  double seconds = 0;                // how long the whole run takes
  std::vector<std::string> engines;  // "libfuzzer", "afl"
  int jobs = 1;                      // processes per engine
  std::string variant;
  std::string out;
  std::string sync_dir;          // optional: shared with other hunts (above)
  std::string libfuzzer_target;  // the fuzz target built with --config=libfuzzer-opt
  std::string afl_target;        // the same target built with --config=afl
  std::string afl_mutator;       // optional: libsmp_afl_mutator.so, AFL++'s custom mutator
  std::string dict;              // optional, for both engines
  double merge_every = 300;      // seconds between corpus merges
  // The engines stop crashing on buckets already found (the harness reads
  // OUT/bucket-keys), so they go on looking for others.
  bool skip_known_buckets = true;
  // The guest the targets run, for triage and minimization: empty, the
  // model; else the kernel guest build the targets link (ci/hunt.sh
  // --guest=kernel: //fuzz:kernel_smp_<variant>_fuzzer), which the buckets'
  // reproducers record.
  GuestFactory guest;
  GuestRecord guest_record;
  std::string guest_description = "model";  // for hunt.log and summary.md
};

// Runs a hunt, within `seconds` of wall time. Returns the number of buckets
// at the end, or an error on bad options or when the hunt could not go on
// (another hunt in OUT, an engine that keeps dying, a full disk): the
// reason, one line (`smpfuzz hunt` prints it after "smpfuzz hunt: ").
absl::StatusOr<std::size_t> RunHunt(const HuntOptions& options);

}  // namespace smpfuzz::hunt

#endif  // SMPFUZZ_TOOLS_HUNT_HUNT_H_
