// SPDX-License-Identifier: GPL-2.0-only
#include "lib/workload.h"

#include <cstdint>

namespace smpfuzz {

void Workload::Prepare(const Scenario& s) {
  nr_cpus_ = s.nr_cpus;
  plan_ = PlanRequests(s);
  async_csd_initial_.assign(plan_.csd_shared.size(), call_single_data_t{});
  for (std::size_t i = 0; i < async_csd_initial_.size(); ++i) {
    if (!plan_.csd_shared[i]) continue;
    call_single_data_t& csd = async_csd_initial_[i];  // INIT_CSD(csd, func, info) at boot
    csd.func = CallbackFunc(plan_.csd_token[i]);
    csd.info = CallbackInfo(plan_.csd_token[i]);
  }
  // DEFINE_IRQ_WORK(work, func) at boot; each sleeping task's wake_entry got
  // its type at fork.
  irq_work_initial_.assign(plan_.irq_work_token.size(), irq_work{});
  for (std::size_t i = 0; i < irq_work_initial_.size(); ++i) {
    irq_work_initial_[i].func = CallbackFunc(plan_.irq_work_token[i]);
    irq_work_initial_[i].info = CallbackInfo(plan_.irq_work_token[i]);
  }
  wakee_initial_.assign(plan_.wakee_token.size(), task_struct{});
  for (std::size_t i = 0; i < wakee_initial_.size(); ++i) {
    wakee_initial_[i].wake_entry.u_flags = CSD_TYPE_TTWU;
    wakee_initial_[i].wakee = CallbackFunc(plan_.wakee_token[i]);
    wakee_initial_[i].wakee_info = CallbackInfo(plan_.wakee_token[i]);
  }
  ResetCsds();
}

void Workload::Ran(Cpu& cur, smp_call_func_t func, void* /*info*/) {
  const std::uint32_t t = TokenOfFunc(func);
  if (t == 0 || t >= plan_.freed_csd.size() || plan_.freed_csd[t] < 0) return;
  GhostEvent freed{GhostKind::kObjectFreed, Site::callback_kfree,
                   &async_csd_[plan_.freed_csd[t]]};
  freed.a = sizeof(call_single_data_t);
  ghost(cur, freed);
}

bool Workload::Acts(smp_call_func_t func) const {
  const std::uint32_t t = TokenOfFunc(func);
  return t != 0 && t < plan_.act.size() && plan_.act[t] != CallbackAct::kNone;
}

Task<void> Workload::Act(Cpu& cur, smp_call_func_t func) {
  const std::uint32_t t = TokenOfFunc(func);
  if (plan_.act[t] == CallbackAct::kDelay) {
    // udelay(): cpu_relax() steps that touch no memory (a deadline already
    // reached: each is one step).
    for (int i = 0; i < plan_.act_arg[t]; ++i) co_await mdelay_until(cur, 0, Site::callback_udelay);
    co_return;
  }
  if (plan_.act[t] == CallbackAct::kComplete) {
    co_await smp_store_release(cur, &completion_[t], 0u, Site::rpc_complete);  // complete()
    co_return;
  }
  const PlannedOp& call = plan_.acts[plan_.act_call[t]];
  if (plan_.act[t] == CallbackAct::kRearm) {
    // The csd is the callback's own again (the flush released it first):
    // it points the csd at its second request and queues it once more.
    call_single_data_t* csd = &async_csd_[call.csd_index];
    csd->func = CallbackFunc(call.token);
    csd->info = CallbackInfo(call.token);
  }
  co_await CallAsync(cur, call, plan_.act[t] == CallbackAct::kNest);
}

Task<int> Workload::CallAsync(Cpu& cur, const PlannedOp& p, bool fresh) {
  call_single_data_t* csd = &async_csd_[p.csd_index];
  if (fresh) {
    // A fresh csd (scftorture kmalloc()s one per call): INIT_CSD.
    GhostEvent born{GhostKind::kObjectBorn, Site::scfsa_read_flags, csd};
    born.a = sizeof(*csd);
    ghost(cur, born);
    *csd = call_single_data_t{};
    csd->func = CallbackFunc(p.token);
    csd->info = CallbackInfo(p.token);
  }
  const GhostEvent issued = RequestIssuedGhost(p, cur.id, nr_cpus_, cur.kernel->cpu_online_mask);
  ghost(cur, issued);
  int err = co_await smp_call_function_single_async(cur, p.op.target, csd);
  ghost(cur, RequestReturnedGhost(p, issued, err));
  co_return err;
}

int Workload::AsyncCsdIndex(const void* p) const {
  return plan_.CsdIndex(async_csd_.data(), sizeof(call_single_data_t), p);
}

bool Workload::InSharedAsyncCsd(const void* p) const {
  const int i = AsyncCsdIndex(p);
  return i >= 0 && plan_.csd_shared[i];
}

int Workload::IrqWorkIndex(const void* p) const {
  return ArrayIndex(irq_work_.data(), sizeof(irq_work), irq_work_.size(), p);
}

void Workload::ResetCsds() {
  async_csd_ = async_csd_initial_;
  irq_work_ = irq_work_initial_;
  wakee_ = wakee_initial_;
  if (plan_.has_completions) {
    completion_.assign(plan_.requests.count() + 1, 1);
  } else {
    completion_.clear();
  }
}

Task<void> Workload::RunTask(Cpu& cur, int task) {
  for (const PlannedOp& p : plan_.ops[task]) {
    const Op& op = p.op;
    switch (op.kind) {
      case OpKind::kCallSingle: {
        const GhostEvent issued = RequestIssuedGhost(p, cur.id, nr_cpus_, cur.kernel->cpu_online_mask);
        ghost(cur, issued);
        int err = co_await smp_call_function_single(cur, op.target, CallbackFunc(p.token),
                                                    CallbackInfo(p.token), op.wait);
        if (err == 0 && op.act == CallbackAct::kComplete) {
          // scftorture's SINGLE_RPC: wait_for_completion() (sleeping: the
          // task is preemptible here).
          co_await smp_cond_load_acquire_clear(cur, &completion_[p.token], 1,
                                               Site::rpc_wait_for_completion);
        }
        ghost(cur, RequestReturnedGhost(p, issued, err));
        break;
      }
      case OpKind::kCallSingleAsync:
        co_await CallAsync(cur, p, op.csd < 0);
        break;
      case OpKind::kCallMany: {
        // Its caller disables preemption (scftorture; on_each_cpu_cond_mask()
        // nests its own): the CPUs it expects are those of the CPU it runs on.
        preempt_disable(cur);
        const GhostEvent issued = RequestIssuedGhost(p, cur.id, nr_cpus_, cur.kernel->cpu_online_mask);
        ghost(cur, issued);
        const std::uint64_t mask = op.mask & AllCpusMask(nr_cpus_);
        if (!op.local) {
          co_await smp_call_function_many(cur, mask, CallbackFunc(p.token), CallbackInfo(p.token),
                                          op.wait);
        } else {
          const smp_cond_func cond{op.cond};
          co_await on_each_cpu_cond_mask(cur, op.cond == kNoCond ? nullptr : &cond,
                                         CallbackFunc(p.token), CallbackInfo(p.token), op.wait,
                                         mask);
        }
        ghost(cur, RequestReturnedGhost(p, issued, 0));
        preempt_enable(cur);
        break;
      }
      case OpKind::kCallFunction:
      case OpKind::kCallAny: {
        // Both take the CPU first thing (preempt_disable(), get_cpu()); the
        // workload's own section only pins the CPU the ghost names.
        preempt_disable(cur);
        const GhostEvent issued = RequestIssuedGhost(p, cur.id, nr_cpus_, cur.kernel->cpu_online_mask);
        ghost(cur, issued);
        int err = 0;
        if (op.kind == OpKind::kCallFunction) {
          co_await smp_call_function(cur, CallbackFunc(p.token), CallbackInfo(p.token), op.wait);
        } else {
          err = co_await smp_call_function_any(cur, op.mask & AllCpusMask(nr_cpus_),
                                               CallbackFunc(p.token), CallbackInfo(p.token),
                                               op.wait);
        }
        ghost(cur, RequestReturnedGhost(p, issued, err));
        preempt_enable(cur);
        break;
      }
      case OpKind::kIrqWorkQueueOn: {
        // A caller that keeps its target online: preemption off around the
        // cpu_online() check and the queueing (no stop_machine() can run).
        preempt_disable(cur);
        const GhostEvent issued = RequestIssuedGhost(p, cur.id, nr_cpus_, cur.kernel->cpu_online_mask);
        ghost(cur, issued);
        int err = -ENXIO;
        if (cur.kernel->cpu_online(op.target)) {
          err = co_await irq_work_queue_on(cur, &irq_work_[p.csd_index], op.target) ? 0 : -EBUSY;
        }
        ghost(cur, RequestReturnedGhost(p, issued, err));
        preempt_enable(cur);
        break;
      }
      case OpKind::kTtwuQueue: {
        // try_to_wake_up() holds p->pi_lock, interrupts off; the wakee's CPU
        // is the op's (select_task_rq() is not modelled) when it is online.
        bool flags = local_irq_save(cur);
        const GhostEvent issued = RequestIssuedGhost(p, cur.id, nr_cpus_, cur.kernel->cpu_online_mask);
        ghost(cur, issued);
        task_struct* wakee = &wakee_[p.csd_index];
        int err = 0;
        if (op.target == cur.id) {
          co_await ttwu_do_activate(cur, wakee, Site::ttwu_local);
        } else if (cur.kernel->cpu_online(op.target)) {
          co_await __ttwu_queue_wakelist(cur, wakee, op.target);
        } else {
          err = -ENXIO;
        }
        ghost(cur, RequestReturnedGhost(p, issued, err));
        co_await local_irq_restore(cur, flags);
        break;
      }
      case OpKind::kFlush:
        co_await flush_smp_call_function_queue(cur);
        break;
      case OpKind::kIrqsOff: {
        bool flags = local_irq_save(cur);
        std::uint64_t until = cur.platform->Clock(cur) + std::uint64_t{op.ms} * 1000000;
        co_await mdelay_until(cur, until, Site::workload_mdelay);
        co_await local_irq_restore(cur, flags);
        break;
      }
      case OpKind::kCpuOffline:
      case OpKind::kCpuOnline:
        co_await cpu_hotplug(cur, op.target, op.kind == OpKind::kCpuOnline);
        if (OfflinedOwnCpu(op.kind == OpKind::kCpuOffline, op.target, cur.id, cur.kernel->cpu_online_mask)) co_await AccessOp<void>{cur, CpuDownReturnAccess()};
        break;
    }
  }
}

}  // namespace smpfuzz
