// SPDX-License-Identifier: GPL-2.0-only
//
// Workers: a task shared out to forked processes (explore --jobs, verify
// --jobs), each writing its results to a pipe that the parent reads. A
// process of its own per worker, not a thread: every worker builds its own
// guest, and the kernel guest's globals are one per process.
//
// Contract: `work(w, write)` runs in worker w (0 <= w < n) after fork; it
// sends its results with `write` (false: the pipe broke) and returns; the
// worker then exits 0. The parent gets the bytes as they come through
// `on_output(w, chunk)` (may be empty), calls `every_second()` about once a
// second while it waits (may be empty), and returns every worker's whole
// output in order. A worker that dies or exits non-zero makes the others be
// killed and the call fail with InternalError "WHO: worker W died of signal
// S (name)" or "... exited with status N". Workers die with the parent
// (PR_SET_PDEATHSIG): killing the parent never leaves a search running.

#ifndef SMPFUZZ_LIB_WORKERS_H_
#define SMPFUZZ_LIB_WORKERS_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace smpfuzz {

using WorkerWrite = std::function<bool(std::string_view)>;

absl::StatusOr<std::vector<std::string>> RunWorkers(
    int n, std::string_view who, const std::function<void(int w, const WorkerWrite& write)>& work,
    const std::function<void(int w, std::string_view chunk)>& on_output = {},
    const std::function<void()>& every_second = {});

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_WORKERS_H_
