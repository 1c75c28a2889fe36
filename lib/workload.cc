// SPDX-License-Identifier: GPL-2.0-only
#include "lib/workload.h"

#include <cstdint>
#include <map>

namespace smpfuzz {
namespace {

std::uint64_t Bit(int cpu) { return std::uint64_t{1} << cpu; }

std::uint64_t TargetMask(int target, int nr_cpus) {
  return (target >= 0 && target < nr_cpus) ? Bit(target) : 0;
}

}  // namespace

void Workload::Prepare(const Scenario& s) {
  nr_cpus_ = s.nr_cpus;
  online_mask_ = AllCpusMask(s.nr_cpus) & ~s.offline_mask;
  plan_.assign(s.nr_cpus, {});
  async_csd_initial_.clear();
  async_csd_shared_.clear();
  requests_.Clear();
  for (int cpu = 0; cpu < s.nr_cpus; ++cpu) {
    std::map<int, std::pair<int, std::uint32_t>> slots;  // csd number -> (index, token)
    for (int i = 0; i < static_cast<int>(s.ops[cpu].size()); ++i) {
      const Op& op = s.ops[cpu][i];
      PlannedOp p;
      p.op = op;
      if (op.kind == OpKind::kCallSingleAsync && op.csd >= 0) {
        auto it = slots.find(op.csd);
        if (it == slots.end()) {
          std::uint32_t token = requests_.Add(cpu, i);
          int index = static_cast<int>(async_csd_initial_.size());
          call_single_data_t csd;  // INIT_CSD(csd, func, info) at boot
          csd.func = CallbackFunc(token);
          csd.info = CallbackInfo(token);
          async_csd_initial_.push_back(csd);
          async_csd_shared_.push_back(true);
          it = slots.emplace(op.csd, std::make_pair(index, token)).first;
        }
        p.csd_index = it->second.first;
        p.token = it->second.second;
      } else if (op.kind != OpKind::kFlush && op.kind != OpKind::kIrqsOff) {
        p.token = requests_.Add(cpu, i);
        if (op.kind == OpKind::kCallSingleAsync) {
          p.csd_index = static_cast<int>(async_csd_initial_.size());
          async_csd_initial_.push_back(call_single_data_t{});
          async_csd_shared_.push_back(false);
        }
      }
      plan_[cpu].push_back(p);
    }
  }
  ResetCsds();
}

bool Workload::InSharedAsyncCsd(const void* p) const {
  // One unsigned comparison: its outcome says whether p is in the array, never
  // whether p lies below or above it (which depends on the heap's layout and
  // would make a fuzzer's coverage of this line vary between identical runs).
  const std::uintptr_t offset =
      reinterpret_cast<std::uintptr_t>(p) - reinterpret_cast<std::uintptr_t>(async_csd_.data());
  if (offset >= async_csd_.size() * sizeof(call_single_data_t)) return false;
  return async_csd_shared_[offset / sizeof(call_single_data_t)];
}

void Workload::ResetCsds() { async_csd_ = async_csd_initial_; }

Task<void> Workload::RunCpu(Cpu& cur) {
  for (const PlannedOp& p : plan_[cur.id]) {
    const Op& op = p.op;
    GhostEvent issued{GhostKind::kRequestIssued};
    issued.a = p.token;
    GhostEvent returned{GhostKind::kRequestReturned};
    returned.a = p.token;
    switch (op.kind) {
      case OpKind::kCallSingle: {
        issued.b = TargetMask(op.target, nr_cpus_);
        issued.c = op.wait;
        ghost(cur, issued);
        int err = co_await smp_call_function_single(cur, op.target, CallbackFunc(p.token),
                                                    CallbackInfo(p.token), op.wait);
        returned.b = static_cast<std::uint64_t>(static_cast<std::int64_t>(err));
        returned.c = issued.b;
        returned.d = op.wait;
        ghost(cur, returned);
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
        issued.b = TargetMask(op.target, nr_cpus_);
        ghost(cur, issued);
        int err = co_await smp_call_function_single_async(cur, op.target, csd);
        returned.b = static_cast<std::uint64_t>(static_cast<std::int64_t>(err));
        returned.c = issued.b;
        ghost(cur, returned);
        break;
      }
      case OpKind::kCallMany: {
        const std::uint64_t all = AllCpusMask(nr_cpus_);
        std::uint64_t expect = op.mask & all & online_mask_ & ~Bit(cur.id);
        if (op.local && ((op.mask >> cur.id) & 1)) expect |= Bit(cur.id);
        issued.b = expect;
        issued.c = op.wait;
        ghost(cur, issued);
        unsigned int flags = (op.wait ? SCF_WAIT : 0u) | (op.local ? SCF_RUN_LOCAL : 0u);
        co_await smp_call_function_many_cond(cur, op.mask & all, CallbackFunc(p.token),
                                             CallbackInfo(p.token), flags);
        returned.c = expect;
        returned.d = op.wait;
        ghost(cur, returned);
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
    }
  }
}

}  // namespace smpfuzz
