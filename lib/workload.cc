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

int Workload::AsyncCsdIndex(const void* p) const {
  return plan_.CsdIndex(async_csd_.data(), sizeof(call_single_data_t), p);
}

bool Workload::InSharedAsyncCsd(const void* p) const {
  const int i = AsyncCsdIndex(p);
  return i >= 0 && plan_.csd_shared[i];
}

void Workload::ResetCsds() { async_csd_ = async_csd_initial_; }

Task<void> Workload::RunTask(Cpu& cur, int task) {
  for (const PlannedOp& p : plan_.ops[task]) {
    const Op& op = p.op;
    switch (op.kind) {
      case OpKind::kCallSingle: {
        const GhostEvent issued = RequestIssuedGhost(p, cur.id, nr_cpus_, cur.kernel->cpu_online_mask);
        ghost(cur, issued);
        int err = co_await smp_call_function_single(cur, op.target, CallbackFunc(p.token),
                                                    CallbackInfo(p.token), op.wait);
        ghost(cur, RequestReturnedGhost(p, issued, err));
        break;
      }
      case OpKind::kCallSingleAsync: {
        call_single_data_t* csd = &async_csd_[p.csd_index];
        if (op.csd < 0) {
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
        int err = co_await smp_call_function_single_async(cur, op.target, csd);
        ghost(cur, RequestReturnedGhost(p, issued, err));
        break;
      }
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
