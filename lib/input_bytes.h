// SPDX-License-Identifier: GPL-2.0-only
//
// The fuzzers' raw input format: every byte string decodes to a valid
// scenario and schedule (structure-aware fuzzing: no input is wasted on a
// parse error). Layout:
//
//   byte 0        nr_cpus = 2 + b % 7                  (2..8)
//   byte 1        bit 0: csdlock_debug; bits 1..7: CPUs 1..7 offline
//   byte 2        number of operations = b % 9         (0..8)
//   3 bytes/op    [cpu = b % nr_cpus]
//                 [kind = (b & 7) % 7 (call_single, call_single_async, call_many,
//                  flush, irqs_off, call_function, call_any), except that
//                  (b & 0x77) == 0x77 is hotplug: offline, or online when bit 3
//                  is set, 0x57 irq_work_queue_on of work 0, or 1 when bit 3 is
//                  set, 0x37 ttwu_queue, and callbacks that act (Op::act):
//                  0x07 call_single wait=0 act=complete (SINGLE_RPC), 0x17
//                  call_single act=delay, 0x27 call_single_async
//                  act=rearm, 0x47 call_single_async act=nest (bit 3: free=1),
//                  0x67 call_single act=nest; bit 3 wait; bit 4
//                  local; bits 5-6 async: csd (0: a fresh csd, k: the caller's
//                  csd k-1), call_many with local: cond (0: none; on_each_cpu_cond_mask
//                  true on 1: even CPUs, 2: odd CPUs, 3: no CPU); bit 7: the op is
//                  an extra task's (lib/scenario.h), the CPU's second or third
//                  task as (cpu byte / nr_cpus) % 2 says, made in order of
//                  first appearance]
//                 [argument: target = b % (nr_cpus + 2), where nr_cpus means -1
//                  and nr_cpus + 1 means nr_cpus (impossible CPUs); call_many,
//                  call_any: mask = b; irqs_off: ms = 50 * b; hotplug: the CPU
//                  b % nr_cpus; irq_work_queue_on, ttwu_queue: target as above;
//                  an act's delay 1 + q % 8 or nested target q % (nr_cpus + 2)
//                  mapped as the target, q = b / (nr_cpus + 2)]
//   the rest      one schedule step per byte: task (b & 0x7f) % nr_tasks (without
//                 extra tasks: the CPU), bit 7 = IPI (extra task: migrate)
//
// Operations on an offline CPU are dropped; CPU 0 is always online. The
// variant is not in the bytes: each fuzz target fixes it.

#ifndef SMPFUZZ_LIB_INPUT_BYTES_H_
#define SMPFUZZ_LIB_INPUT_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "lib/repro.h"

namespace smpfuzz {

inline constexpr int kBytesMaxCpus = 8;
inline constexpr int kBytesMaxOps = 8;
inline constexpr std::size_t kBytesHeader = 3;
inline constexpr std::size_t kBytesPerOp = 3;
inline constexpr int kBytesExtraTasksPerCpu = 2;

// Decodes any byte string. The result has no expectations and `variant`.
Repro DecodeInputBytes(const std::uint8_t* data, std::size_t size, const Variant* variant);

// Encodes a reproducer's scenario and schedule; InvalidArgument, e.g. "the
// byte format holds 8 operations, not 9", when it does not fit the byte
// format. Run options (max_steps, ...) and expectations are not part of the
// bytes.
absl::StatusOr<std::string> EncodeInputBytes(const Repro& r);

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_INPUT_BYTES_H_
