// SPDX-License-Identifier: GPL-2.0-only
#include "lib/model_guest.h"

#include <cstddef>

#include "lib/smp.h"
#include "lib/workload.h"

namespace smpfuzz {
namespace {

class ModelGuest final : public Guest {
 public:
  void Load(const Scenario& s) override {
    scenario_ = s;
    workload_.Prepare(scenario_);
  }

  void Reset(Locations* names) override {
    const int n = scenario_.nr_cpus;
    kernel_.Reset(scenario_.variant, scenario_.csdlock_debug, n,
                  AllCpusMask(n) & ~scenario_.offline_mask, scenario_.csd_lock_timeout_ms);
    workload_.ResetCsds();
    kernel_.callback_body = &workload_;
    if (names == nullptr) return;
    names->AddArray(Area::kCallSingleQueue, kernel_.call_single_queue.data(),
                    sizeof(llist_head), kernel_.call_single_queue.size());
    names->AddArray(Area::kCsdData, kernel_.csd_data.data(), sizeof(call_single_data_t),
                    kernel_.csd_data.size());
    names->AddArray(Area::kCfdCsd, kernel_.cfd_csd.data(), sizeof(call_single_data_t),
                    kernel_.cfd_csd.size());
    names->AddArray(Area::kAsyncCsd, workload_.async_csd().data(), sizeof(call_single_data_t),
                    workload_.async_csd().size());
    names->AddArray(Area::kWildCsd, &kernel_.wild_csd, sizeof(call_single_data_t), 1);
    names->AddArray(Area::kIrqWork, workload_.irq_works().data(), sizeof(irq_work),
                    workload_.irq_works().size());
    names->AddArray(Area::kWakee, workload_.wakees().data(), sizeof(task_struct),
                    workload_.wakees().size());
    names->AddArray(Area::kCompletion, workload_.completions().data(), sizeof(std::uint32_t),
                    workload_.completions().size());
  }

  void BindCpu(Cpu& cpu) override { cpu.kernel = &kernel_; }

  bool CpuOnline(int cpu) const override { return kernel_.cpu_online(cpu); }
  bool HasTask(int task) const override { return !workload_.plan(task).empty(); }
  Task<void> RunTask(Cpu& cpu, int task) override { return workload_.RunTask(cpu, task); }
  bool RunsExtraTasks() const override { return true; }
  Task<void> IpiEntry(Cpu& cpu) override {
    return generic_smp_call_function_single_interrupt(cpu);
  }
  bool RunsHotplug() const override { return true; }
  void SetCpuOnline(int cpu, bool online) override {
    if (online) {
      kernel_.cpu_online_mask |= std::uint64_t{1} << cpu;
    } else {
      kernel_.cpu_online_mask &= ~(std::uint64_t{1} << cpu);
    }
  }
  Task<void> DyingEntry(Cpu& cpu) override { return smpcfd_dying_cpu(cpu); }

  const RequestOrigins& requests() const override { return workload_.requests(); }

  CsdLayout csd_layout() const override { return ModelCsdLayout(); }
  std::size_t static_csd_count() const override {
    const std::size_t n = static_cast<std::size_t>(scenario_.nr_cpus);
    return n + n * n + workload_.async_csd().size() + 1;
  }

  bool IsWorkloadCsd(const void* p) const override { return workload_.AsyncCsdIndex(p) >= 0; }
  bool IsIrqWork(const void* p) const override { return workload_.IrqWorkIndex(p) >= 0; }
  bool IsSharedWorkloadCsd(const void* p) const override {
    return workload_.InSharedAsyncCsd(p);
  }

 private:
  Scenario scenario_;
  Kernel kernel_;
  Workload workload_;
};

}  // namespace

std::unique_ptr<Guest> NewModelGuest() { return std::make_unique<ModelGuest>(); }

CsdLayout ModelCsdLayout() {
  CsdLayout l;
  l.size = sizeof(call_single_data_t);
  l.next = offsetof(call_single_data_t, node.llist.next);
  l.flags = offsetof(call_single_data_t, node.u_flags);
  l.src = offsetof(call_single_data_t, node.src);
  l.dst = offsetof(call_single_data_t, node.dst);
  l.func = offsetof(call_single_data_t, func);
  l.info = offsetof(call_single_data_t, info);
  return l;
}

}  // namespace smpfuzz
