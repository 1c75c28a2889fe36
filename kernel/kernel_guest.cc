// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/kernel_guest.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include "kernel/runtime/kernel_api.h"
#include "kernel/runtime/runtime.h"
#include "kernel/guest_image.h"
#include "kernel/symbolize.h"
#include "lib/csd_flags.h"
#include "lib/request_plan.h"

extern "C" {
// cpu_online_mask and cpu_possible_mask of the shim.
struct SmpfuzzCpumask {
  unsigned long bits[1];
};
SmpfuzzCpumask smpfuzz_cpu_online_mask;
SmpfuzzCpumask smpfuzz_cpu_possible_mask;
}

namespace smpfuzz {
namespace {

using smp_call_func_t = GuestImage::Func;

// One real function per request token: the kernel calls func(info) for real.
constexpr std::size_t kMaxTokens = 512;

// The running guest's table, by token, of the csd a callback kfree()s
// (free=1) or null, and the csd's size (Reset points them at the guest's
// own: one guest runs at a time).
unsigned char* const* g_freed_csd = nullptr;
std::size_t g_csd_size = 0;
// The running guest's acts (Reset points these at its own): by token,
// whether the callback acts, and what runs it.
const CallbackAct* g_acts = nullptr;
void (*g_act)(void* guest, std::uint32_t token) = nullptr;
void* g_act_guest = nullptr;

void RunCallback(std::uint32_t token, void* info) {
  Access a;
  a.kind = AccessKind::kCall;
  a.site = Site::kernel_guest;
  a.value = CallbackFuncBits(token);
  a.expected = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(info));
  kernel_rt::Yield(a);
  if (g_acts != nullptr && g_acts[token] != CallbackAct::kNone) g_act(g_act_guest, token);
  if (g_freed_csd != nullptr && g_freed_csd[token] != nullptr) {
    GhostEvent freed{GhostKind::kObjectFreed, Site::callback_kfree, g_freed_csd[token]};
    freed.a = g_csd_size;
    ghost(*kernel_rt::CurrentCpu(), freed);
  }
}
template <std::size_t I>
void Callback(void* info) {
  RunCallback(static_cast<std::uint32_t>(I), info);
}
template <std::size_t... I>
constexpr std::array<smp_call_func_t, sizeof...(I)> MakeCallbacks(std::index_sequence<I...>) {
  return {&Callback<I>...};
}
constexpr std::array<smp_call_func_t, kMaxTokens> kCallbacks =
    MakeCallbacks(std::make_index_sequence<kMaxTokens>());

smp_call_func_t Func(std::uint32_t token) { return kCallbacks[token]; }

// The running guest's irq_works and sleeping tasks (Reset points these at
// its own): where they lie, how big each is, and each one's token.
struct EntryTable {
  const unsigned char* base = nullptr;
  std::size_t size = 0;
  std::size_t count = 0;
  const std::uint32_t* tokens = nullptr;
  // The token of the entry `p` points at (0 if none).
  std::uint32_t TokenOf(const void* p) const {
    const int i = ArrayIndex(base, size, count, p);
    return i < 0 ? 0 : tokens[i];
  }
};
EntryTable g_irq_works;
EntryTable g_wakees;
// A task as far as the wakeup path sees it: wake_entry (a csd's node) first,
// then state where a csd's func and info would be (zero), as in the model's
// lib/sched_ttwu.h.
constexpr std::size_t kWakeeSize = 48;


// on_each_cpu_cond_mask()'s cond_func for every request: the running
// guest's table, by token, of the CPUs where the condition holds (Reset
// points it at the guest's own: one guest runs at a time).
const std::uint64_t* g_cond_cpus = nullptr;
bool CondFunc(int cpu, void* info) {
  const std::uint32_t token = TokenOfInfo(reinterpret_cast<std::uintptr_t>(info));
  return ((g_cond_cpus[token] >> cpu) & 1) != 0;
}
void* Info(std::uint32_t token) {
  return reinterpret_cast<void*>(static_cast<std::uintptr_t>(CallbackInfoBits(token)));
}

// Every irq_work's func: the kernel passes the work, which names the request.
void IrqWorkFunc(void* work) {
  const std::uint32_t token = g_irq_works.TokenOf(work);
  RunCallback(token, Info(token));
}

CsdLayout KernelCsdLayout(const GuestImage& image) {
  unsigned long v[7];
  image.csd_layout(v);
  CsdLayout l;
  l.size = v[0];
  l.next = v[1];
  l.flags = v[2];
  l.src = v[3];
  l.dst = v[4];
  l.func = v[5];
  l.info = v[6];
  return l;
}

}  // namespace
}  // namespace smpfuzz

// sched_ttwu_pending() of smp_glue.inc: the task runs again here.
extern "C" void smpfuzz_ttwu_activate(void* wake_entry) {
  using namespace smpfuzz;
  const std::uint32_t token = g_wakees.TokenOf(wake_entry);
  RunCallback(token, Info(token));
}

namespace smpfuzz {
namespace {

class KernelGuest final : public Guest {
 public:
  explicit KernelGuest(const GuestImage& image) : k_(image), layout_(KernelCsdLayout(image)) {}

  void Load(const Scenario& s) override {
    scenario_ = s;
    const int n = s.nr_cpus;
    boot_online_ = AllCpusMask(n) & ~s.offline_mask;
    plan_ = PlanRequests(s);
    if (plan_.requests.count() >= kMaxTokens) {
      std::fprintf(stderr, "kernel guest: more than %zu requests\n", kMaxTokens - 1);
      std::abort();
    }
    // The workload's csds, laid out as the tree's call_single_data_t; a
    // shared one is INIT_CSD'd with its token at boot.
    async_initial_.assign(plan_.csd_shared.size() * layout_.size, 0);
    // DEFINE_IRQ_WORK at boot; each sleeping task's wake_entry typed at fork.
    // An irq_work is a csd's node and a func: one csd's size each.
    if (k_.irq_work_func_offset() + sizeof(void*) > layout_.size) {
      std::fprintf(stderr, "kernel guest: irq_work's func at %lu does not fit a csd of %zu bytes\n",
                   static_cast<unsigned long>(k_.irq_work_func_offset()), layout_.size);
      std::abort();
    }
    works_initial_.assign((plan_.irq_work_token.size() * layout_.size + 7) / 8, 0);
    unsigned char* works = reinterpret_cast<unsigned char*>(works_initial_.data());
    for (std::size_t i = 0; i < plan_.irq_work_token.size(); ++i) {
      void (*func)(void*) = &IrqWorkFunc;
      std::memcpy(works + i * layout_.size + k_.irq_work_func_offset(), &func, sizeof(func));
    }
    wakees_initial_.assign(plan_.wakee_token.size() * kWakeeSize / 8, 0);
    unsigned char* wakees = reinterpret_cast<unsigned char*>(wakees_initial_.data());
    for (std::size_t i = 0; i < plan_.wakee_token.size(); ++i) {
      const unsigned int ttwu = CSD_TYPE_TTWU;
      std::memcpy(wakees + i * kWakeeSize + layout_.flags, &ttwu, sizeof(ttwu));
    }
    for (std::size_t i = 0; i < plan_.csd_shared.size(); ++i) {
      if (plan_.csd_shared[i]) InitCsd(async_initial_.data() + i * layout_.size, plan_.csd_token[i]);
    }
    cond_cpus_.assign(plan_.requests.count() + 1, kNoCond);
    for (const std::vector<PlannedOp>& ops : plan_.ops) {
      for (const PlannedOp& p : ops) {
        if (p.op.kind == OpKind::kCallMany) cond_cpus_[p.token] = p.op.cond;
      }
    }
    async_.clear();
    async_ptr_ = nullptr;
    freed_csd_.assign(plan_.freed_csd.size(), nullptr);
    for (std::size_t t = 0; t < plan_.freed_csd.size(); ++t) {
      if (plan_.freed_csd[t] >= 0) freed_csd_[t] = AsyncBase() + plan_.freed_csd[t] * layout_.size;
    }
    entries_.assign(s.nr_tasks(), {});
    char* sections[6];
    k_.sections(sections);
    kernel_rt::SetSections(sections);
    kernel_rt::Setup(n, s.nr_tasks());
  }

  void Reset(Locations* names) override {
    const int n = scenario_.nr_cpus;
    smpfuzz_cpu_possible_mask.bits[0] = AllCpusMask(n);
    smpfuzz_cpu_online_mask.bits[0] = boot_online_;
    g_cond_cpus = cond_cpus_.data();
    g_freed_csd = freed_csd_.data();
    g_csd_size = layout_.size;
    g_acts = plan_.act.data();
    g_act = &ActOf;
    g_act_guest = this;
    // The boot is a function of the scenario (Load calls Setup, which
    // forgets the last one): run it once per Load and put its result back
    // on later runs.
    if (!kernel_rt::RestoreBooted(this)) {
      kernel_rt::ResetMemory();
      k_.set_nr_cpu_ids(static_cast<unsigned int>(n));
      k_.set_csd_lock_timeout(scenario_.csd_lock_timeout_ms);
      k_.boot(scenario_.csdlock_debug, static_cast<unsigned int>(n));
      kernel_rt::SaveBooted(this);
    }
    // No workload csds: data() may be null, and memcpy from null is UB (UBSan).
    if (!async_initial_.empty()) {
      std::memcpy(AsyncBase(), async_initial_.data(), async_initial_.size());
    }
    works_ = works_initial_;
    wakees_ = wakees_initial_;
    if (plan_.has_completions) {
      completion_.assign(plan_.requests.count() + 1, 1);
    } else {
      completion_.clear();
    }
    unsigned char* works = reinterpret_cast<unsigned char*>(works_.data());
    unsigned char* wakees = reinterpret_cast<unsigned char*>(wakees_.data());
    g_irq_works = {works, layout_.size, plan_.irq_work_token.size(), plan_.irq_work_token.data()};
    g_wakees = {wakees, kWakeeSize, plan_.wakee_token.size(), plan_.wakee_token.data()};
    kernel_rt::WatchCsds(names, layout_);
    if (names == nullptr) return;
    const std::size_t csd = layout_.size;
    // Each CPU's copy of a per-CPU object is one per-CPU area further on:
    // one strided range per object (fewer ranges for every lookup to walk).
    auto per_cpu = [](void* p, int cpu) { return static_cast<char*>(kernel_rt::PerCpu(p, cpu)); };
    const std::size_t stride =
        n > 1 ? static_cast<std::size_t>(per_cpu(k_.csd_data(), 1) - per_cpu(k_.csd_data(), 0)) : 0;
    names->AddArray(Area::kCallSingleQueue, per_cpu(k_.call_single_queue(), 0),
                    k_.llist_head_size(), n, 0, stride);
    names->AddArray(Area::kCsdData, per_cpu(k_.csd_data(), 0), csd, n, 0, stride);
    for (int s = 0; s < n; ++s) {
      names->AddArray(Area::kCfdCsd, per_cpu(k_.cfd_csd(s), 0), csd, n,
                      static_cast<std::uint32_t>(s * n), stride);
    }
    names->AddArray(Area::kAsyncCsd, AsyncBase(), csd, plan_.csd_shared.size());
    names->AddArray(Area::kWildCsd, kernel_rt::WildPerCpu(), csd, 1);
    names->AddArray(Area::kIrqWork, works_.data(), csd, plan_.irq_work_token.size());
    names->AddArray(Area::kWakee, wakees_.data(), kWakeeSize, plan_.wakee_token.size());
    names->AddArray(Area::kCompletion, completion_.data(), sizeof(std::uint32_t), completion_.size());
  }

  void BindCpu(Cpu& cpu) override { kernel_rt::BindCpu(cpu); }

  bool CpuOnline(int cpu) const override { return (smpfuzz_cpu_online_mask.bits[0] >> cpu) & 1; }
  // Every task, extra ones too: one fiber each, whose context's CPU the
  // machine changes when it migrates the task (smp_processor_id() reads it).
  bool HasTask(int task) const override { return !plan_.ops[task].empty(); }
  Task<void> RunTask(Cpu& cpu, int task) override {
    entries_[task] = {this, task};
    return kernel_rt::RunTask(cpu, &TaskEntry, &entries_[task]);
  }
  bool RunsExtraTasks() const override { return true; }
  Task<void> IpiEntry(Cpu& cpu) override { return kernel_rt::RunIrq(cpu, &IpiHandler, this); }
  // The tree's own smpcfd_dying_cpu() on the dying CPU, and the shim's
  // cpu_online_mask as the machine says.
  bool RunsHotplug() const override { return true; }
  void SetCpuOnline(int cpu, bool online) override {
    const unsigned long bit = 1ul << cpu;
    smpfuzz_cpu_online_mask.bits[0] =
        online ? smpfuzz_cpu_online_mask.bits[0] | bit : smpfuzz_cpu_online_mask.bits[0] & ~bit;
  }
  Task<void> DyingEntry(Cpu& cpu) override {
    return kernel_rt::RunIrq(cpu, &DyingHandler, this);
  }

  const RequestOrigins& requests() const override { return plan_.requests; }
  CsdLayout csd_layout() const override { return layout_; }
  std::size_t static_csd_count() const override {
    const std::size_t n = static_cast<std::size_t>(scenario_.nr_cpus);
    return n + n * n + plan_.csd_shared.size() + 1;
  }
  bool IsWorkloadCsd(const void* p) const override { return AsyncCsdIndex(p) >= 0; }
  std::vector<SourceLine> Symbolize(const std::vector<std::uint64_t>& pcs) const override {
    return SymbolizeGuestCode(pcs);
  }
  std::string CodePlace(std::uint64_t pc) const override { return GuestCodePlace(pc); }
  bool IsIrqWork(const void* p) const override {
    return ArrayIndex(works_.data(), layout_.size, plan_.irq_work_token.size(), p) >= 0;
  }
  bool IsSharedWorkloadCsd(const void* p) const override {
    const int i = AsyncCsdIndex(p);
    return i >= 0 && plan_.csd_shared[i];
  }

 private:
  int AsyncCsdIndex(const void* p) const {
    return async_ptr_ == nullptr ? -1 : plan_.CsdIndex(async_ptr_, layout_.size, p);
  }

  struct Entry {
    KernelGuest* guest = nullptr;
    int task = 0;
  };

  static void TaskEntry(void* arg) {
    Entry* e = static_cast<Entry*>(arg);
    e->guest->RunOps(e->task);
  }
  static void IpiHandler(void* arg) {
    static_cast<KernelGuest*>(arg)->k_.generic_smp_call_function_single_interrupt();
  }
  static void DyingHandler(void* arg) {
    static_cast<KernelGuest*>(arg)->k_.smpcfd_dying_cpu(static_cast<unsigned int>(smpfuzz_cpu_id()));
  }

  void InitCsd(unsigned char* csd, std::uint32_t token) const {
    std::memset(csd, 0, layout_.size);
    SetCsdCall(csd, token);
  }
  // csd->func and csd->info of request `token`.
  void SetCsdCall(unsigned char* csd, std::uint32_t token) const {
    smp_call_func_t f = Func(token);
    void* info = Info(token);
    std::memcpy(csd + layout_.func, &f, sizeof(f));
    std::memcpy(csd + layout_.info, &info, sizeof(info));
  }
  unsigned char* AsyncBase() {
    // Aligned as call_single_data_t (its size).
    if (async_ptr_ == nullptr) {
      async_.assign(async_initial_.size() + layout_.size, 0);
      std::uintptr_t p = reinterpret_cast<std::uintptr_t>(async_.data());
      p = (p + layout_.size - 1) / layout_.size * layout_.size;
      async_ptr_ = reinterpret_cast<unsigned char*>(p);
    }
    return async_ptr_;
  }

  // smp_call_function_single_async() of a fresh csd, INIT_CSD'd with p's
  // token here, or of one already set up.
  void CallAsync(const PlannedOp& p, bool fresh) {
    Cpu& cur = *kernel_rt::CurrentCpu();
    unsigned char* csd = AsyncBase() + p.csd_index * layout_.size;
    if (fresh) {
      GhostEvent born{GhostKind::kObjectBorn, Site::kernel_guest, csd};
      born.a = layout_.size;
      ghost(cur, born);
      InitCsd(csd, p.token);
    }
    const GhostEvent issued =
        RequestIssuedGhost(p, cur.id, scenario_.nr_cpus, smpfuzz_cpu_online_mask.bits[0]);
    ghost(cur, issued);
    int err = k_.smp_call_function_single_async(p.op.target, csd);
    ghost(cur, RequestReturnedGhost(p, issued, err));
  }

  // What an act= callback does after its call, as the model's workload:
  // udelay()'s cpu_relax() steps, or the async call it makes.
  static void ActOf(void* guest, std::uint32_t t) { static_cast<KernelGuest*>(guest)->Act(t); }
  void Act(std::uint32_t t) {
    if (plan_.act[t] == CallbackAct::kComplete) {
      kernel_rt::Yield(MakeAccess(AccessKind::kStoreRelease, &completion_[t], Site::rpc_complete));
      return;
    }
    if (plan_.act[t] == CallbackAct::kDelay) {
      for (int i = 0; i < plan_.act_arg[t]; ++i) {
        Access a;
        a.kind = AccessKind::kDelay;
        a.site = Site::callback_udelay;
        a.deadline = 0;
        kernel_rt::Yield(a);
      }
      return;
    }
    const PlannedOp& call = plan_.acts[plan_.act_call[t]];
    if (plan_.act[t] == CallbackAct::kRearm) {
      // The csd is the callback's own again: it points it at its second
      // request and queues it once more.
      SetCsdCall(AsyncBase() + call.csd_index * layout_.size, call.token);
    }
    CallAsync(call, plan_.act[t] == CallbackAct::kNest);
  }

  void RunOps(int task) {
    Cpu& cur = *kernel_rt::CurrentCpu();
    const int n = scenario_.nr_cpus;
    for (const PlannedOp& p : plan_.ops[task]) {
      const Op& op = p.op;
      switch (op.kind) {
        case OpKind::kCallSingle: {
          const GhostEvent issued = RequestIssuedGhost(p, cur.id, n, smpfuzz_cpu_online_mask.bits[0]);
          ghost(cur, issued);
          int err = k_.smp_call_function_single(op.target, Func(p.token), Info(p.token), op.wait);
          if (err == 0 && op.act == CallbackAct::kComplete) {
            // wait_for_completion(), as the model's workload.
            kernel_rt::Yield(MakeAccess(AccessKind::kCondLoadAcquire, &completion_[p.token],
                                        Site::rpc_wait_for_completion, 0, 1));
          }
          ghost(cur, RequestReturnedGhost(p, issued, err));
          break;
        }
        case OpKind::kCallSingleAsync:
          CallAsync(p, op.csd < 0);
          break;
        case OpKind::kCallMany: {
          // Preemption off around the whole call, as in the model's workload
          // (the tree's functions nest their own), so the CPUs it expects
          // are those of the CPU it runs on.
          smpfuzz_preempt_disable();
          const GhostEvent issued = RequestIssuedGhost(p, cur.id, n, smpfuzz_cpu_online_mask.bits[0]);
          ghost(cur, issued);
          const unsigned long mask = op.mask & AllCpusMask(n);
          if (!op.local) {
            k_.call_function_many(mask, Func(p.token), Info(p.token), op.wait);
          } else {
            k_.on_each_cpu_cond_mask(op.cond == kNoCond ? nullptr : &CondFunc, Func(p.token),
                                     Info(p.token), op.wait, mask);
          }
          ghost(cur, RequestReturnedGhost(p, issued, 0));
          smpfuzz_preempt_enable();
          break;
        }
        case OpKind::kCallFunction:
        case OpKind::kCallAny: {
          smpfuzz_preempt_disable();  // as the model's workload: the ghost's CPU
          const GhostEvent issued = RequestIssuedGhost(p, cur.id, n, smpfuzz_cpu_online_mask.bits[0]);
          ghost(cur, issued);
          int err = 0;
          if (op.kind == OpKind::kCallFunction) {
            k_.smp_call_function(Func(p.token), Info(p.token), op.wait);
          } else {
            err = k_.call_function_any(op.mask & AllCpusMask(n), Func(p.token), Info(p.token),
                                       op.wait);
          }
          ghost(cur, RequestReturnedGhost(p, issued, err));
          smpfuzz_preempt_enable();
          break;
        }
        case OpKind::kIrqWorkQueueOn: {
          // As the model's workload: the target checked online with
          // preemption off, so that it stays online while queued to.
          smpfuzz_preempt_disable();
          const GhostEvent issued = RequestIssuedGhost(p, cur.id, n, smpfuzz_cpu_online_mask.bits[0]);
          ghost(cur, issued);
          int err = -ENXIO;
          if (op.target >= 0 && op.target < n && CpuOnline(op.target)) {
            unsigned char* work = reinterpret_cast<unsigned char*>(works_.data()) + p.csd_index * layout_.size;
            err = k_.irq_work_queue_on(work, op.target) ? 0 : -EBUSY;
          }
          ghost(cur, RequestReturnedGhost(p, issued, err));
          smpfuzz_preempt_enable();
          break;
        }
        case OpKind::kTtwuQueue: {
          unsigned long flags = smpfuzz_irq_save();  // p->pi_lock
          const GhostEvent issued = RequestIssuedGhost(p, cur.id, n, smpfuzz_cpu_online_mask.bits[0]);
          ghost(cur, issued);
          unsigned char* wakee = reinterpret_cast<unsigned char*>(wakees_.data()) + p.csd_index * kWakeeSize;
          int err = 0;
          if (op.target == cur.id) {
            smpfuzz_ttwu_activate(wakee);  // ttwu_queue(): the wakee's CPU is this one
          } else if (op.target >= 0 && op.target < n && CpuOnline(op.target)) {
            k_.ttwu_queue(op.target, wakee);
          } else {
            err = -ENXIO;
          }
          ghost(cur, RequestReturnedGhost(p, issued, err));
          smpfuzz_irq_restore(flags);
          break;
        }
        case OpKind::kFlush:
          k_.flush_smp_call_function_queue();
          break;
        case OpKind::kIrqsOff: {
          unsigned long flags = smpfuzz_irq_save();
          Access a;
          a.kind = AccessKind::kDelay;
          a.site = Site::workload_mdelay;
          a.deadline = cur.platform->Clock(cur) + std::uint64_t{op.ms} * 1000000;
          kernel_rt::Yield(a);
          smpfuzz_irq_restore(flags);
          break;
        }
        case OpKind::kCpuOffline:
        case OpKind::kCpuOnline:
          kernel_rt::Yield(CpuHotplugAccess(op.target, op.kind == OpKind::kCpuOnline));
          if (OfflinedOwnCpu(op.kind == OpKind::kCpuOffline, op.target, cur.id, smpfuzz_cpu_online_mask.bits[0])) kernel_rt::Yield(CpuDownReturnAccess());
          break;
      }
    }
  }

  const GuestImage& k_;
  Scenario scenario_;
  CsdLayout layout_;
  std::uint64_t boot_online_ = 0;  // the scenario's online CPUs at boot
  RequestPlan plan_;
  std::vector<std::uint64_t> cond_cpus_;  // by token: Op::cond of a call_many
  std::vector<unsigned char*> freed_csd_;  // by token: the csd its callback frees, or null
  std::vector<unsigned char> async_initial_;
  // The scenario's irq_works (a csd's size each) and sleeping tasks
  // (kWakeeSize each), in words for their alignment, and both as at boot.
  std::vector<std::uint64_t> works_;
  std::vector<std::uint64_t> wakees_;
  std::vector<std::uint64_t> works_initial_;
  // By token: an RPC's completion word, as the model's workload keeps it.
  std::vector<std::uint32_t> completion_;
  std::vector<std::uint64_t> wakees_initial_;
  std::vector<unsigned char> async_;
  unsigned char* async_ptr_ = nullptr;
  std::vector<Entry> entries_;
};

}  // namespace

std::unique_ptr<Guest> NewKernelGuest(const GuestImage& image) {
  return std::make_unique<KernelGuest>(image);
}

}  // namespace smpfuzz
