// SPDX-License-Identifier: GPL-2.0-only
//
// Repro: a reproducer, in the plain-text form people review and keep in
// repro/, and in the raw byte form the fuzzers mutate.
//
// Text form: one fact per line, `#` starts a comment, blank lines ignored.
// The file begins with its header line: its first bytes are `smpfuzz-repro`
// (no blank line, comment, space or UTF-8 byte order mark before it). That
// is the rule that tells a reproducer from raw fuzzer bytes (lib/inputs.h).
//
//   smpfuzz-repro 1                      the header: the first line
//   # where it came from                 comments only after the header
//   cpus 3                               2..64
//   variant b0473dcd                     the variant `replay` runs by default
//   csdlock_debug on                     on | off
//   csd_lock_timeout_ms 5000             optional
//   offline 3 4                          optional: CPUs that are offline
//   max_steps 200000                     optional: the cpu-stuck budget
//   ns_per_step 1000                     optional: virtual time per step
//   stop_on llist-self-loop              optional: signatures that end a run, or `none`
//   guest kernel tree=H build=H patches=H,H   optional: recorded on a kernel guest build
//   cpu 1: call_single target=0 wait=0   one operation, appended to CPU 1's list
//   cpu 2: call_single_async target=0 csd=1
//   cpu 1: call_many mask=0x5 wait=1 local=0
//   cpu 0: flush
//   cpu 0: irqs_off ms=6000
//   cpu 1: irq_work_queue_on target=0 work=0   the scenario's irq_work 0 (shared
//                                        by every op naming it) onto CPU 0
//   cpu 2: ttwu_queue target=0           wake a sleeping task onto CPU 0's queue
//   task 3 on 1: call_single target=0 wait=0   an extra task (numbered from `cpus` on)
//                                        that starts on CPU 1: one more invoker
//   schedule 1 2*11 1*10 0i              steps: CPU, CPU*count, `i` = deliver its IPI;
//                                        a task number steps that task (preempting
//                                        its CPU's), `3i` migrates task 3
//   expect b0473dcd llist-self-loop csd-double-lock
//   expect fixed clean
//   minimal b0473dcd llist-self-loop preemptions=1
//
// Several `schedule` lines concatenate. `expect V S...` means: replayed as
// variant V, the run reports every signature S (and `clean`: reports nothing).
// `minimal V S preemptions=P` is a claim about the scenario: as variant V,
// some schedule with P preemptions reports S and none with fewer does
// (lib/minimality.h proves it with the explorer).
// This file is the grammar and the printer; running the expectations is
// lib/expectations.h.
//
// Parse errors are "FILE:LINE:COL: message"; nothing here ever aborts on bad
// input.

#ifndef SMPFUZZ_LIB_REPRO_H_
#define SMPFUZZ_LIB_REPRO_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/report.h"
#include "lib/scenario.h"
#include "lib/variant.h"

namespace smpfuzz {

struct Expectation {
  const Variant* variant = nullptr;
  bool clean = false;                // `expect V clean`
  std::vector<Signature> signatures;  // otherwise: each must be reported
  int line = 0;                      // where it was written (0: not from text)
  bool operator==(const Expectation& o) const {
    return variant == o.variant && clean == o.clean && signatures == o.signatures;
  }
};

// A `minimal` line: the fewest preemptions with which the scenario, run as
// `variant`, reports `signature`.
struct MinimalClaim {
  const Variant* variant = nullptr;
  Signature signature = Signature::kCount;
  std::uint32_t preemptions = 0;
  int line = 0;  // where it was written (0: not from text)
  bool operator==(const MinimalClaim& o) const {
    return variant == o.variant && signature == o.signature && preemptions == o.preemptions;
  }
};

// The guest a reproducer was recorded on: the model (no `guest` line), or a
// kernel guest build (`guest kernel tree=H build=H patches=H,H`), named by
// content hashes (kernel/guest_build.h): the tree's files, each patch, the
// whole build. A schedule is valid for one build; replay compares.
struct GuestRecord {
  bool kernel = false;
  std::uint64_t tree_hash = 0;
  std::uint64_t build_hash = 0;
  std::vector<std::uint64_t> patch_hashes;
  bool operator==(const GuestRecord& o) const {
    return kernel == o.kernel && tree_hash == o.tree_hash && build_hash == o.build_hash &&
           patch_hashes == o.patch_hashes;
  }
};

// A reproducer as data. The run options default to the simulator's
// (SimOptions; lib/expectations.cc checks that they agree), and a default is
// not written out. RunOptions (lib/expectations.h) turns them into SimOptions.
struct Repro {
  Scenario scenario;
  Schedule schedule;
  std::vector<Expectation> expectations;
  std::vector<MinimalClaim> minimal;
  static constexpr std::uint64_t kDefaultMaxSteps = 200000;
  static constexpr std::uint64_t kDefaultNsPerStep = 1000;
  static constexpr std::uint32_t kDefaultStopOn = SignatureBit(Signature::kLlistSelfLoop);
  std::uint64_t max_steps = kDefaultMaxSteps;
  std::uint64_t ns_per_step = kDefaultNsPerStep;
  std::uint32_t stop_on = kDefaultStopOn;
  GuestRecord guest;

  bool operator==(const Repro& o) const;
};

// Parses the text form. Errors are InvalidArgument, "FILE:LINE:COL: message".
absl::StatusOr<Repro> ParseRepro(std::string_view text, std::string_view filename);

// The canonical text form (ParseRepro(FormatRepro(r)) == r). `comment` lines
// follow the header line, each prefixed with "# ".
std::string FormatRepro(const Repro& r, const std::vector<std::string>& comment = {});

// "1 2*11 1*10 0i"
std::string FormatSchedule(const Schedule& s);

// What a reproducer's first bytes are.
inline constexpr std::string_view kReproHeader = "smpfuzz-repro";

// Whether `data` begins with the header: a reproducer, not raw fuzzer bytes.
bool HasReproHeader(std::string_view data);

// For `data` without the header: why it is no reproducer, one line, e.g.
// "'smpfuzz-repro 1' must begin the file, found it at line 3, column 1".
std::string MissingHeaderMessage(std::string_view data);

// Whether `data`, which lacks the header, looks like a reproducer anyway:
// a UTF-8 byte order mark, or text whose first fact is a comment or a
// reproducer keyword. Such a file is refused where a user names it, rather
// than run as raw bytes.
bool LooksLikeHeaderlessRepro(std::string_view data);

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_REPRO_H_
