// SPDX-License-Identifier: GPL-2.0-only
//
// Workload: what each simulated CPU's task does, in the manner of
// kernel/scftorture.c: it walks its operation list and calls the smp.c model.
//
// Every request gets a token (lib/requests.h); its callback is
// func = CallbackFunc(token) with info = CallbackInfo(token). The
// workload announces each request (kRequestIssued) and its return value
// (kRequestReturned) as ghost events; checkers do the bookkeeping.

#ifndef SMPFUZZ_LIB_WORKLOAD_H_
#define SMPFUZZ_LIB_WORKLOAD_H_

#include <cstdint>
#include <vector>

#include "lib/irq_work.h"
#include "lib/request_plan.h"
#include "lib/requests.h"
#include "lib/scenario.h"
#include "lib/sched_ttwu.h"
#include "lib/smp.h"
#include "lib/task.h"

namespace smpfuzz {

inline smp_call_func_t CallbackFunc(std::uint32_t token) { return CallbackFuncBits(token); }
inline void* CallbackInfo(std::uint32_t token) {
  return reinterpret_cast<void*>(static_cast<std::uintptr_t>(CallbackInfoBits(token)));
}

class Workload final : public CallbackBody {
 public:
  using PlannedOp = smpfuzz::PlannedOp;

  // Plans tokens and async csds for `s` (which must be valid). Tokens are
  // 1..requests().count(), numbered task by task, op by op; a shared async csd has
  // one token for all its calls.
  void Prepare(const Scenario& s);
  // Restores every async csd, irq_work and sleeping task to its initial
  // state (between runs).
  void ResetCsds();

  // Task `task` (Scenario::nr_tasks), in context `cur`: runs its planned
  // operations in order.
  Task<void> RunTask(Cpu& cur, int task);
  // A callback of this workload ran on `cur`: one whose op says free=1
  // kfree()s its csd (kObjectFreed).
  void Ran(Cpu& cur, smp_call_func_t func, void* info) override;
  // An act= callback: udelay()'s steps, or the async call it makes.
  bool Acts(smp_call_func_t func) const override;
  Task<void> Act(Cpu& cur, smp_call_func_t func) override;

  const RequestOrigins& requests() const { return plan_.requests; }
  const std::vector<PlannedOp>& plan(int task) const { return plan_.ops[task]; }
  std::vector<call_single_data_t>& async_csd() { return async_csd_; }
  std::vector<irq_work>& irq_works() { return irq_work_; }
  std::vector<task_struct>& wakees() { return wakee_; }
  std::vector<std::uint32_t>& completions() { return completion_; }
  const std::vector<call_single_data_t>& async_csd() const { return async_csd_; }
  // Which async csd `p` points into, or -1; whether it is one that several
  // calls share (csd=K).
  int AsyncCsdIndex(const void* p) const;
  bool InSharedAsyncCsd(const void* p) const;
  // Which irq_work `p` points into, or -1.
  int IrqWorkIndex(const void* p) const;

 private:
  // smp_call_function_single_async() of a fresh csd, INIT_CSD'd with p's
  // token here, or of a csd the workload already set up.
  Task<int> CallAsync(Cpu& cur, const PlannedOp& p, bool fresh);

  RequestPlan plan_;
  std::vector<call_single_data_t> async_csd_;
  std::vector<call_single_data_t> async_csd_initial_;
  std::vector<irq_work> irq_work_;      // by PlannedOp::csd_index of an irq_work op
  std::vector<task_struct> wakee_;      // by PlannedOp::csd_index of a ttwu op
  // By token: an RPC's struct completion, its done word 1 until complete()
  // stores 0 (the waiter's smp_cond_load_acquire() waits for the bit to
  // clear); empty without RPCs.
  std::vector<std::uint32_t> completion_;
  std::vector<irq_work> irq_work_initial_;   // both as at boot
  std::vector<task_struct> wakee_initial_;
  int nr_cpus_ = 0;
};

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_WORKLOAD_H_
