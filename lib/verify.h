// SPDX-License-Identifier: GPL-2.0-only
//
// Verify: proofs that cover a scope, not one scenario. A scope (CPU counts,
// operations per CPU, operation kinds, csdlock_debug values, offline sets)
// is enumerated scenario by scenario; scenarios equal up to renaming CPUs
// are explored once (the canonical representative, see Canonical()); each
// is explored with the explorer (lib/explorer.h) to a preemption bound. The
// result is the first counterexample, minimal in the scope (fewest CPUs,
// then operations, then preemptions), or "clean in scope" with per scenario
// the execution count and a digest of the set of runs explored, which a
// certificate (FormatCertificate / CheckCertificate) records so that a
// reviewer can re-run the proof and compare every number.
//
// Symmetry. Renaming CPUs by a permutation p maps a scenario to another
// (ops of CPU c go to p(c), targets t < nr_cpus to p(t), masks and the
// offline set bit by bit; impossible targets >= nr_cpus and csd numbers,
// which are per CPU, stay). The model is equivariant under such a renaming
// except in one place: smp_call_function_many_cond() walks its target mask
// in increasing CPU order (csd_lock, fill, llist_add of one target after the
// other, then the waits in the same order), so a renaming that reverses two
// of those targets gives the sender a different program. Every other use of
// a CPU number is an identity (per-CPU arrays indexed by it, `cpu == this
// cpu`, `cpu >= nr_cpu_ids`, online tests, one IPI-mask send as one step);
// the explorer's choices, its preemption count (a switch away from an
// enabled CPU) and its reductions do not depend on the numbers either (its
// sleep sets only change how many runs it takes, lib/explorer_soundness_test.cc).
// So only renamings that keep the order of every call_many's remote target
// set (mask & online & ~self) are used: they form a groupoid (inverses and
// compositions of order-keeping renamings keep order), so "the least image
// under the allowed renamings" is one representative per class.
// lib/verify_test.cc checks on random scenarios that a scenario's verdict
// equals its representative's.

#ifndef SMPFUZZ_LIB_VERIFY_H_
#define SMPFUZZ_LIB_VERIFY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/guest.h"
#include "lib/report.h"
#include "lib/repro.h"
#include "lib/scenario.h"
#include "lib/variant.h"

namespace smpfuzz {

// What the certificates say made them (no git in the build: bump it when
// the certificate format or what a run means changes).
inline constexpr char kSmpfuzzVersion[] = "smpfuzz 0.17 (verify 1)";

// Operation kinds of a scope, as bits.
enum VerifyKind : std::uint32_t {
  kKindSingle = 1 << 0,       // call_single target=0..nr_cpus (nr_cpus: impossible) wait=0/1
  kKindAsync = 1 << 1,        // call_single_async target=0..nr_cpus, a fresh csd
  kKindAsyncReused = 1 << 2,  // call_single_async target=0..nr_cpus csd=0 (the CPU's one static csd)
  kKindMany = 1 << 3,         // call_many every non-empty mask, wait=0/1, local=0/1 if self in mask
  kKindFlush = 1 << 4,        // flush
  kKindIrqsOff = 1 << 5,      // irqs_off ms=VerifyScope::irqs_off_ms
  kKindFunction = 1 << 6,     // call_function wait=0/1
  kKindAny = 1 << 7,          // call_any every non-empty mask, wait=0/1
  kKindCond = 1 << 8,         // call_many local=1, every mask with self, cond its every proper subset
  kKindHotplug = 1 << 9,      // offline target=C and online target=C, every CPU C
  kKindIrqWork = 1 << 10,     // irq_work_queue_on target=0..nr_cpus work=0 (one work for all)
  kKindTtwu = 1 << 11,        // ttwu_queue target=0..nr_cpus
  kKindAll = (1 << 12) - 1,
};
// The default: every kind but call_many and irqs_off. call_many brings 22
// ops per CPU on 3 CPUs (46 on 4), and one call_many scenario can take
// minutes at bound 2 on its own; irqs_off only delays.
inline constexpr std::uint32_t kDefaultKinds = kKindSingle | kKindAsync | kKindAsyncReused | kKindFlush;

// "single,async,async_reused,many,flush,irqs_off,function,any,cond,hotplug,
// irq_work,ttwu" (or `all`) to bits; the
// error names the unknown kind.
absl::StatusOr<std::uint32_t> ParseKinds(std::string_view list);
std::string KindNames(std::uint32_t kinds);

inline constexpr int kMaxVerifyTasks = 2;

struct VerifyScope {
  int min_cpus = 2;
  int max_cpus = 3;
  int max_ops = 1;  // per CPU
  std::uint32_t kinds = kDefaultKinds;
  std::vector<bool> debug = {true, false};  // csdlock_debug values, in this order
  int max_offline = 0;                      // every offline set of up to this many CPUs
  std::uint32_t irqs_off_ms = 1;
  // Up to this many extra tasks (lib/scenario.h), each with 1..max_ops
  // operations, on any online CPU.
  int max_tasks = 0;

  // "cpus=2-3 ops=1 kinds=single,flush csdlock_debug=on,off offline=0 irqs_off_ms=1"
  // (and " tasks=N" when max_tasks is not 0)
  std::string Describe() const;
};
// The inverse of Describe(); errors name the field.
absl::StatusOr<VerifyScope> ParseScope(std::string_view text);

// The scenarios of `scope` with `nr_cpus` CPUs and `total_ops` operations
// in all, in enumeration order: offline sets (fewest CPUs first), then
// csdlock_debug in the scope's order, then the operation lists. Variant
// unset. Every one of them, before symmetry.
std::vector<Scenario> EnumerateScenarios(const VerifyScope& scope, int nr_cpus, int total_ops);

// `s` with CPU c renamed perm[c] (see the file comment); perm is a
// permutation of 0..nr_cpus-1.
Scenario RenameCpus(const Scenario& s, const std::vector<int>& perm);
// Whether renaming `s` by `perm` is a symmetry of the model: it keeps the
// order of every call_many's remote targets.
bool RenamingKeepsOrder(const Scenario& s, const std::vector<int>& perm);
// The representative of `s`'s class: the least image (by ScenarioKey) under
// the renamings RenamingKeepsOrder allows.
// Extra tasks are sorted (their numbers only name them in schedules); with
// extra tasks on three CPUs or more no renaming is applied (migration goes to
// the next CPU by number).
Scenario Canonical(const Scenario& s);
// A total order's key: the scenario's CPUs, offline set, debug and ops as
// words (not its variant).
std::vector<std::uint32_t> ScenarioKey(const Scenario& s);

// One line: "cpus=3 csdlock_debug=on offline=- ops=1: call_single target=0
// wait=0; 2: ..." (--ops syntax of smpfuzz explore).
std::string DescribeScenario(const Scenario& s);

struct VerifyOptions {
  VerifyScope scope;
  const Variant* variant = nullptr;  // required
  int max_preemptions = 2;          // ExploreOptions::kUnbounded: every interleaving
  std::uint64_t max_steps = 5000;
  std::uint32_t violations = ~0u;    // SignatureBit mask
  bool symmetry = true;
  int jobs = 1;                      // worker processes (fork) per group
  // Per scenario, 0: none. A scenario whose search runs out is not covered.
  std::uint64_t max_executions = 0;
  GuestFactory guest;                // empty: the model
  GuestRecord guest_record;          // what a counterexample records
  bool state_expectations = true;    // model only: add `expect` lines to the counterexample
};

// One explored (representative) scenario.
struct ScenarioRecord {
  Scenario scenario;
  std::uint64_t executions = 0;
  std::uint64_t distinct_traces = 0;
  // Order-independent hash of the set of runs the search made (each run:
  // its CPU, access kind, site and small values, IPI deliveries), including
  // runs the explorer cut short.
  std::uint64_t digest = 0;
  bool complete = false;
  // The search left no interleaving out (an unbounded search ended at a
  // bound that cut nothing off); what an unbounded scope needs of a clean one.
  bool every_interleaving = false;
  bool found = false;
  Signature signature = Signature::kCount;
  std::uint32_t preemptions = 0;
};

struct VerifyProgress {
  int nr_cpus = 0;
  int total_ops = 0;
  std::uint64_t group_done = 0;
  std::uint64_t group_size = 0;
  std::uint64_t scenarios_done = 0;
  std::uint64_t executions = 0;
  double seconds = 0;
};

struct VerifyResult {
  std::uint64_t before_symmetry = 0;  // every scenario of the scope
  std::uint64_t after_symmetry = 0;   // representatives
  std::uint64_t executions = 0;
  std::uint64_t not_covered = 0;
  double seconds = 0;
  std::vector<ScenarioRecord> records;  // the explored representatives, in order
  bool found = false;
  Repro counterexample;  // with its `minimal` line
  Signature signature = Signature::kCount;
  std::uint32_t preemptions = 0;
  bool clean() const { return !found && not_covered == 0; }
};

// Runs the scope. Stops after the first (CPUs, operations) group that has a
// counterexample. `progress`, if set, about once a second.
absl::StatusOr<VerifyResult> Verify(const VerifyOptions& options,
                                    const std::function<void(const VerifyProgress&)>& progress = {});

// The certificate of a clean result (text, one fact per line).
std::string FormatCertificate(const VerifyOptions& options, const VerifyResult& result);

// What a certificate claims: the options to re-run (variant, guest factory
// and jobs are the caller's) and its numbers.
struct Certificate {
  VerifyOptions options;
  std::string variant_name;
  std::string variant_flags;  // VariantFlags() of the variant that made it
  std::string guest;          // "model" or "kernel tree=H build=H patches=H,H"
  std::string version;
  std::uint64_t before_symmetry = 0;
  std::uint64_t after_symmetry = 0;
  std::uint64_t executions = 0;
  struct Line {
    std::string scenario;  // DescribeScenario
    std::uint64_t executions = 0;
    std::uint64_t distinct_traces = 0;
    std::uint64_t digest = 0;
    int line = 0;
  };
  std::vector<Line> scenarios;
};
// Errors are InvalidArgument "FILE:LINE: message".
absl::StatusOr<Certificate> ParseCertificate(std::string_view text, std::string_view filename);

// "model", or the kernel build's record.
std::string DescribeGuest(const GuestRecord& g);

// Re-runs `cert` with `options` (its own options with the caller's variant,
// guest and jobs) and compares: an empty vector when every number is
// reproduced, else one line per difference ("FILE:LINE: ...").
std::vector<std::string> CheckCertificate(const Certificate& cert, std::string_view filename,
                                          const VerifyOptions& options,
                                          const std::function<void(const VerifyProgress&)>& progress = {});

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_VERIFY_H_
