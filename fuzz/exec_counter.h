// SPDX-License-Identifier: GPL-2.0-only
//
// ExecCounter: a fuzz target's executions, counted into a file that other
// processes can read while it runs. `smpfuzz hunt` names the file in
// SMPFUZZ_EXEC_COUNTER and derives each engine's exec/s from it, the same
// way for libFuzzer's fork-mode jobs and for AFL++'s forked children, which
// all add to one shared counter.

#ifndef SMPFUZZ_FUZZ_EXEC_COUNTER_H_
#define SMPFUZZ_FUZZ_EXEC_COUNTER_H_

#include <cstdint>

namespace smpfuzz::fuzz {

// Maps the file named by SMPFUZZ_EXEC_COUNTER (created when missing) once;
// without the variable, or when the file cannot be mapped, counting is off.
// Safe to call more than once.
void OpenExecCounterFromEnvironment();

// Adds one execution (a relaxed atomic add on shared memory; nothing when off).
void CountExecution();

// Reads a counter file written by CountExecution; 0 when it is missing or short.
std::uint64_t ReadExecCounter(const char* path);

}  // namespace smpfuzz::fuzz

#endif  // SMPFUZZ_FUZZ_EXEC_COUNTER_H_
