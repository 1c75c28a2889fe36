// SPDX-License-Identifier: GPL-2.0-only
//
// ScfTorture: workloads in the manner of kernel/scftorture.c, named by its
// module parameters. The 2026 bug was found by `scftorture nthreads=1024
// onoff_holdoff=50 onoff_interval=100`; a kernel developer who has such a
// command line can give it to smpfuzz as it is (`scftorture.` prefixes
// allowed) and get scenarios with the same mix: the weights pick each
// operation (scftorture_invoke_one()'s primitives), `nthreads` invokers are
// spread over the CPUs as scftorture_invoker() binds them (invoker i starts
// on CPU i % nr_cpus), and `onoff_interval` adds torture_onoff()'s task that
// takes a random CPU down and brings it back.
//
// What cannot carry over is said, not dropped silently: weight_resched
// (resched_cpu(): no csd) and weight_single_rpc (a handler that completes a
// waiter: not modelled yet) are errors when given a non-zero weight and left
// out of the default mix (noted in ScfParams::notes); time-only parameters
// (holdoff, stutter, ...) are accepted and noted as having no meaning in a
// run without wall-clock time. There is no time: `onoff_interval` counts
// invoker operations per hotplug cycle, not seconds.

#ifndef SMPFUZZ_LIB_SCFTORTURE_H_
#define SMPFUZZ_LIB_SCFTORTURE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/scenario.h"
#include "lib/variant.h"

namespace smpfuzz {

// The primitives a weight picks, in scftorture's order, then smpfuzz's own
// (the rest of the API the model has; scftorture does not call them).
enum class ScfPrim : std::uint8_t {
  kSingle,       // weight_single: smp_call_function_single(random CPU, wait=0)
  kSingleWait,   // weight_single_wait: the same, wait=1
  kMany,         // weight_many: smp_call_function_many(cpu_online_mask, wait=0)
  kManyWait,     // weight_many_wait
  kAll,          // weight_all: smp_call_function(wait=0)
  kAllWait,      // weight_all_wait
  kAsync,        // weight_async: smp_call_function_single_async(), a fresh csd
  kAny,          // weight_any: smp_call_function_any(random mask), wait=1
  kCond,         // weight_cond: on_each_cpu_cond_mask(), a random condition
  kIrqsOff,      // weight_irqs_off: local_irq_save(); mdelay(1..3 ms)
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
// weight_single_rpc=2: a handler that completes a waiter is not modelled".
absl::StatusOr<ScfParams> ParseScfParams(const std::vector<std::string>& words);

// One scenario of the mix, deterministic in `seed`: invoker i runs
// ops_per_thread operations, each primitive drawn with probability weight /
// total, targets drawn from every CPU (scftorture's `% nr_cpu_ids`); with
// onoff_interval, one more task (homed on CPU0, free to migrate) takes a
// random CPU other than CPU0 down and back up, ceil(ops_per_thread /
// onoff_interval) times. Always valid (Scenario::Validate).
Scenario ScfTortureScenario(const ScfParams& p, const Variant* variant, std::uint64_t seed);

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_SCFTORTURE_H_
