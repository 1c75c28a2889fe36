// SPDX-License-Identifier: GPL-2.0-only
//
// ScfTorture: workloads in the manner of kernel/scftorture.c, named by its
// module parameters. The 2026 bug was found by `scftorture nthreads=1024
// onoff_holdoff=50 onoff_interval=100`; a kernel developer who has such a
// command line can give it to smpfuzz (`scftorture.` prefixes allowed, but
// a scenario holds at most 64 tasks and 500 operations, so nthreads=1024
// becomes a small number of invokers per CPU) and get scenarios with the
// same mix: the weights pick each operation (scftorture_invoke_one()'s
// primitives), `nthreads` invokers start on the CPUs as scftorture_invoker()
// binds them (invoker i on CPU i % nr_cpus; those past the CPUs are extra
// tasks, which may be preempted and migrate), and `onoff_interval` adds
// torture_onoff()'s task that takes a random CPU down and brings it back.
//
// What cannot carry over is said, not dropped silently: weight_resched
// (resched_cpu(): no csd) and weight_single_rpc (a handler that completes a
// waiter: not modelled yet) are errors when given a non-zero weight and left
// out of the default mix (noted in ScfParams::notes); time-only parameters
// (holdoff, stutter, ...) are accepted and noted as having no meaning in a
// run without wall-clock time. There is no time: `onoff_interval` counts
// invoker operations per hotplug cycle, not seconds.
//
// Differences from the kernel's run, by design or not yet modelled:
// scftorture_invoke_one() holds preempt_disable() around every call; here
// smp_call_function_single() and _async() are called preemptibly (as most
// kernel callers do; the model's many/all/any/cond ops do disable preemption),
// so a task can be preempted where scftorture's cannot. torture_onoff() toggles
// one random CPU per interval (CPUs stay down a while, several may be down);
// here each cycle takes one CPU down and at once up again, and a CPU's own
// invoker waits while its CPU is down instead of being moved.

#ifndef SMPFUZZ_LIB_SCFTORTURE_H_
#define SMPFUZZ_LIB_SCFTORTURE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/scenario.h"
#include "lib/variant.h"

namespace smpfuzz {

// The most operations of a scenario: below both guests' request limits (the
// kernel guest's 511), and a run of PCT schedules over it stays short.
inline constexpr int kMaxScfOps = 500;

// The primitives a weight picks, in scftorture's order, then smpfuzz's own
// (the rest of the API the model has; scftorture does not call them).
enum class ScfPrim : std::uint8_t {
  kSingle,       // weight_single: smp_call_function_single(random CPU, wait=0)
  kSingleWait,   // weight_single_wait: the same, wait=1
  kMany,         // weight_many: smp_call_function_many(cpu_online_mask, wait=0)
  kManyWait,     // weight_many_wait
  kAll,          // weight_all: smp_call_function(wait=0)
  kAllWait,      // weight_all_wait
  kAsync,        // weight_async: smp_call_function_single_async(), a fresh csd (its handler frees it half the time)
  kAny,          // weight_any: smp_call_function_any(random non-empty mask), wait 0 or 1
  kCond,         // weight_cond: on_each_cpu_cond_mask(every CPU), a random condition, wait 0 or 1
  kIrqsOff,      // weight_irqs_off: local_irq_save(); mdelay(1..3 ms)
  kIrqWork,      // weight_irq_work: irq_work_queue_on(one of two static works, random CPU)
  kTtwu,         // weight_ttwu: a remote wakeup onto a random CPU (ttwu_queue)
  kCount,
};
const char* ScfPrimParam(ScfPrim p);  // "weight_single", ...

struct ScfParams {
  int nr_cpus = 4;             // the boot parameter nr_cpus=
  bool csdlock_debug = true;   // the boot parameter csdlock_debug=
  int nthreads = -1;           // invokers; -1: one per CPU
  int ops_per_thread = 4;      // smpfuzz's: scftorture runs for a time instead
  int onoff_interval = 0;      // invoker operations per hotplug cycle; 0: none
  // After defaults (scftorture_init()'s rule): a weight per primitive.
  std::uint32_t weight[static_cast<int>(ScfPrim::kCount)] = {};
  // Parameters accepted with nothing to do here, and primitives left out of
  // the default mix: one line each, for the user.
  std::vector<std::string> notes;

  int invokers() const { return nthreads < 0 ? nr_cpus : nthreads; }
  // The parameters as a command line: `nr_cpus=4 nthreads=8 weight_single=8 ...`.
  std::string CommandLine() const;
};

// Parses `PARAM=VALUE` words (an optional `scftorture.` prefix; numbers in
// decimal). An unknown parameter, a bad value or a primitive that cannot be
// modelled is InvalidArgument naming the word, e.g. "scftorture:
// weight_single_rpc=2: a handler that completes a waiter is not modelled";
// so is a mix past a scenario's limits (64 tasks, kMaxScfOps operations).
absl::StatusOr<ScfParams> ParseScfParams(const std::vector<std::string>& words);

// One scenario of the mix, deterministic in `seed`: invoker i runs
// ops_per_thread operations, each primitive drawn with probability weight /
// total, targets drawn from every CPU (scftorture's `% nr_cpu_ids`); with
// onoff_interval, one more task (homed on CPU0, free to migrate) takes a
// random CPU other than CPU0 down and back up, ceil(ops_per_thread /
// onoff_interval) times. Valid (Scenario::Validate) for every ParseScfParams
// result; a mix with no weight at all gives a scenario without operations.
Scenario ScfTortureScenario(const ScfParams& p, const Variant* variant, std::uint64_t seed);

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_SCFTORTURE_H_
