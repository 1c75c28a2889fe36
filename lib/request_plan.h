// SPDX-License-Identifier: GPL-2.0-only
//
// RequestPlan: what every guest's workload does with a scenario's operations
// before and around running them, whatever code it calls (the model's
// lib/workload.h, the kernel guest's kernel/kernel_guest.cc).
//
// Tokens are 1..requests.count(), numbered task by task (the CPUs' own, then
// the extra tasks), op by op (lib/requests.h);
// an async op names the caller's csd: a shared one (csd=K, one token for all
// its calls, INIT_CSD'd with that token at boot) or a fresh one per call. The
// workload announces each request (kRequestIssued) and its return
// (kRequestReturned) as ghost events; checkers do the bookkeeping.

#ifndef SMPFUZZ_LIB_REQUEST_PLAN_H_
#define SMPFUZZ_LIB_REQUEST_PLAN_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "lib/primitives.h"
#include "lib/requests.h"
#include "lib/scenario.h"

namespace smpfuzz {

// Which of `count` objects of `size` bytes from `base` `p` points into; -1
// when none. One unsigned comparison: its outcome says whether p is in the
// array, never whether p lies below or above it (which depends on the heap's
// layout and would make a fuzzer's coverage of the caller vary between
// identical runs).
inline int ArrayIndex(const void* base, std::size_t size, std::size_t count, const void* p) {
  const std::uintptr_t offset =
      reinterpret_cast<std::uintptr_t>(p) - reinterpret_cast<std::uintptr_t>(base);
  if (size == 0 || offset >= count * size) return -1;
  return static_cast<int>(offset / size);
}

struct PlannedOp {
  Op op;
  std::uint32_t token = 0;  // 0 for ops that make no request (flush, irqs_off, hotplug)
  int csd_index = -1;       // async: which of the plan's csds; irq_work: which work;
                            // ttwu: which sleeping task
};

struct RequestPlan {
  std::vector<std::vector<PlannedOp>> ops;  // per task (Scenario::nr_tasks)
  // Per csd of the workload: whether several calls share it (and its token,
  // which its INIT_CSD names), or it is fresh for one call (token 0).
  std::vector<bool> csd_shared;
  std::vector<std::uint32_t> csd_token;
  RequestOrigins requests;
  // By token (size requests.count() + 1): the csd a free=1 call's callback
  // kfree()s, or -1.
  std::vector<int> freed_csd;
  // The scenario's irq_works by number (Op::csd) in order of first use, each
  // with one token for all its queueings; and one sleeping task per ttwu op.
  std::vector<std::uint32_t> irq_work_token;
  std::vector<std::uint32_t> wakee_token;
  // By token (size requests.count() + 1): the call an act=rearm or act=nest
  // callback makes, an index into `acts`, or -1. Each is an async call with
  // a token of its own, planned like the task's ops (a rearm's csd is its
  // parent's; a nest's is a fresh one of the plan's csds), that acts no more.
  std::vector<int> act_call;
  std::vector<PlannedOp> acts;
  // By token: what its callback does (Op::act, Op::act_arg).
  std::vector<CallbackAct> act;
  std::vector<int> act_arg;
  // Whether some request is an RPC (act=complete): then each guest keeps a
  // struct completion per token, initialised "not done".
  bool has_completions = false;

  // Which of the plan's csds `p` points into, when the workload keeps them in
  // one array at `base`, `csd_size` bytes each; -1 when none.
  int CsdIndex(const void* base, std::size_t csd_size, const void* p) const {
    return ArrayIndex(base, csd_size, csd_shared.size(), p);
  }
};

// `s` must be valid.
RequestPlan PlanRequests(const Scenario& s);

// The kRequestIssued ghost of `p`, run by `cpu` with `online_mask` online.
GhostEvent RequestIssuedGhost(const PlannedOp& p, int cpu, int nr_cpus,
                              std::uint64_t online_mask);
// The kRequestReturned ghost of `p` (issued as `issued`) that returned `err`.
GhostEvent RequestReturnedGhost(const PlannedOp& p, const GhostEvent& issued, int err);

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_REQUEST_PLAN_H_
