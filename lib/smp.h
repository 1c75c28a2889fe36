// SPDX-License-Identifier: GPL-2.0-only
//
// The model of kernel/smp.c: cross-CPU function calls through per-CPU
// call_single_queue llists and call_single_data_t ("csd") locks.
//
// Each function here mirrors the kernel function of the same name, in the
// same order of shared accesses and with the same access kinds (see
// lib/primitives.h). Differences between kernel versions come from the
// Variant (lib/variant.h). The current CPU is the explicit `cur` argument
// (what smp_processor_id() returns); everything per-CPU lives in Kernel.
//
// Modelled: CONFIG_CSD_LOCK_WAIT_DEBUG=y with csdlock_debug= chosen at boot,
// every entry type of call_single_queue (SYNC and ASYNC csds here, IRQ_WORK
// entries of lib/irq_work.h, TTWU wake entries of lib/sched_ttwu.h);
// cpumask_of_node() of the one node is every CPU (as in the kernel guest's
// shim). Not modelled: TIF_POLLING idle wakeups (an IPI is
// always sent), csd_lock_record()/cur_csd bookkeeping (so a timeout always
// re-sends the IPI), tracepoints, and task migration after put_cpu().

#ifndef SMPFUZZ_LIB_SMP_H_
#define SMPFUZZ_LIB_SMP_H_

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <vector>

#include "lib/csd_flags.h"
#include "lib/llist.h"
#include "lib/primitives.h"
#include "lib/task.h"
#include "lib/variant.h"

namespace smpfuzz {

// CSD_FLAG_* and CSD_TYPE_* (include/linux/smp_types.h) are in lib/csd_flags.h.

// SCF_* flags of smp_call_function_many_cond().
enum : unsigned int {
  SCF_WAIT = 1u << 0,
  SCF_RUN_LOCAL = 1u << 1,
};

// ENXIO and EBUSY come from <cerrno>: Linux values, as in the kernel.

// A callback's identity. The model never calls through it: csd_do_func()
// hands (func, info) to the platform, which records who ran what.
using smp_call_func_t = std::uint64_t;

// A cond_func of on_each_cpu_cond_mask(): whether `func` is wanted on a
// CPU. The workload's conditions name a fixed set of CPUs; a condition that
// read shared memory would be steps of its own, and none here does.
struct smp_cond_func {
  std::uint64_t cpus = 0;
  bool operator()(int cpu, void* /*info*/) const { return ((cpus >> cpu) & 1) != 0; }
};
using smp_cond_func_t = const smp_cond_func*;  // nullptr: no condition

struct __call_single_node {
  llist_node llist;
  unsigned int u_flags = 0;
  std::uint16_t src = 0, dst = 0;
};

struct call_single_data_t {
  __call_single_node node;
  smp_call_func_t func = 0;
  void* info = nullptr;
};

inline call_single_data_t* csd_of(llist_node* n) {
  // llist is the first member of node, node the first member of the csd.
  return reinterpret_cast<call_single_data_t*>(n);
}

inline constexpr int kMaxCpus = 64;

// What a callback does besides being called: the workload's side of
// func(info), which csd_do_func() runs right after the call's step. A body
// that makes no accesses (a kfree(), announced as a ghost) needs no steps;
// one that acts (delays, calls another CPU: Scenario's CallbackAct) is a
// task of its own, awaited before Ran() only when Acts() says so (most
// callbacks do not act, and a task costs a frame).
class CallbackBody {
 public:
  virtual ~CallbackBody() = default;
  virtual bool Acts(smp_call_func_t func) const = 0;
  virtual Task<void> Act(Cpu& cur, smp_call_func_t func) = 0;
  virtual void Ran(Cpu& cur, smp_call_func_t func, void* info) = 0;
};

// All shared state of the modelled kernel: the per-CPU variables of smp.c.
struct Kernel {
  const Variant* variant = nullptr;
  bool csdlock_debug = false;
  int nr_cpu_ids = 0;
  std::uint64_t cpu_online_mask = 0;
  std::uint64_t csd_lock_timeout_ms = 5000;  // module_param csd_lock_timeout

  std::vector<llist_head> call_single_queue;  // DEFINE_PER_CPU call_single_queue
  std::vector<call_single_data_t> csd_data;   // DEFINE_PER_CPU csd_data
  std::vector<call_single_data_t> cfd_csd;    // per_cpu_ptr(cfd_data[sender].csd, target)
  // Whatever lies where per_cpu_ptr() of an impossible CPU number points.
  call_single_data_t wild_csd;
  std::atomic<int> csd_bug_count{0};
  // The callbacks' bodies; null: callbacks only record that they ran.
  CallbackBody* callback_body = nullptr;

  // Sets every per-CPU variable to its boot value.
  void Reset(const Variant* v, bool debug, int nr_cpus, std::uint64_t online_mask,
             std::uint64_t timeout_ms);

  bool cpu_online(int cpu) const {
    return cpu >= 0 && cpu < nr_cpu_ids && ((cpu_online_mask >> cpu) & 1) != 0;
  }
  call_single_data_t* cfd_csd_of(int sender, int target) {
    return &cfd_csd[static_cast<std::size_t>(sender) * nr_cpu_ids + target];
  }
};

// ---- kernel/smp.c -------------------------------------------------------------

// csd_do_func(): the callback runs here (tracepoints not modelled).
Task<void> csd_do_func(Cpu& cur, smp_call_func_t func, void* info, Site site);
Task<void> csd_lock_wait(Cpu& cur, call_single_data_t* csd);
Task<void> csd_lock(Cpu& cur, call_single_data_t* csd);
Task<void> csd_unlock(Cpu& cur, call_single_data_t* csd);
call_single_data_t* get_single_csd_data(Cpu& cur, int cpu);
Task<void> send_call_function_single_ipi(Cpu& cur, int cpu);
Task<void> __smp_call_single_queue(Cpu& cur, int cpu, llist_node* node);
Task<int> generic_exec_single(Cpu& cur, int cpu, call_single_data_t* csd);
// The IPI handler: what the simulator or thread platform runs on delivery.
Task<void> generic_smp_call_function_single_interrupt(Cpu& cur);
Task<void> __flush_smp_call_function_queue(Cpu& cur, bool warn_cpu_offline);
// The CPUHP_AP_SMPCFD_DYING teardown, on the dying CPU inside stop_machine().
Task<void> smpcfd_dying_cpu(Cpu& cur);
Task<void> flush_smp_call_function_queue(Cpu& cur);
Task<int> smp_call_function_single(Cpu& cur, int cpu, smp_call_func_t func, void* info,
                                   bool wait);
Task<int> smp_call_function_single_async(Cpu& cur, int cpu, call_single_data_t* csd);
// cond_func: nullptr, or on which CPUs func is wanted (smp_cond_func_t).
Task<void> smp_call_function_many_cond(Cpu& cur, std::uint64_t mask, smp_call_func_t func,
                                       void* info, unsigned int scf_flags,
                                       smp_cond_func_t cond_func);
Task<void> smp_call_function_many(Cpu& cur, std::uint64_t mask, smp_call_func_t func, void* info,
                                  bool wait);
Task<void> smp_call_function(Cpu& cur, smp_call_func_t func, void* info, bool wait);
Task<int> smp_call_function_any(Cpu& cur, std::uint64_t mask, smp_call_func_t func, void* info,
                                bool wait);
Task<void> on_each_cpu_cond_mask(Cpu& cur, smp_cond_func_t cond_func, smp_call_func_t func,
                                 void* info, bool wait, std::uint64_t mask);

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_SMP_H_
