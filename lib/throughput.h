// SPDX-License-Identifier: GPL-2.0-only
//
// MeasureThroughput: a guest's simulator throughput on one scenario, for the
// benchmarks (lib/sim_benchmark, kernel/guest_benchmark): complete executions
// and steps per second with every checker on, over a fixed pool of random
// schedules (the same for every guest: seeded).

#ifndef SMPFUZZ_LIB_THROUGHPUT_H_
#define SMPFUZZ_LIB_THROUGHPUT_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "lib/guest.h"
#include "lib/scenario.h"

namespace smpfuzz {

struct Throughput {
  double execs_per_s = 0;  // per second of wall time
  double steps_per_s = 0;
  // Per second of this thread's CPU time: on a shared machine, what the
  // work costs without the time spent waiting for a core.
  double execs_per_cpu_s = 0;
  double steps_per_cpu_s = 0;
  double steps_per_exec = 0;
  std::uint64_t violations = 0;  // executions with a report
  // A hash of what each run of the first pass over the schedules did (steps,
  // preemptions, quiescence, the signatures fired): two builds that run the
  // guest the same way print the same value (raw pointers, which differ per
  // process, are left out), so a speed-up can be checked for changing nothing.
  std::uint64_t outcomes = 0;
};

// Runs `s` on a fresh simulator of `guest` for `seconds` (wall time); `trace`: record
// the trace and full report messages (replay's mode), else the fuzzers'.
Throughput MeasureThroughput(const std::function<std::unique_ptr<Guest>()>& guest, const Scenario& s,
                             bool trace, double seconds);

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_THROUGHPUT_H_
