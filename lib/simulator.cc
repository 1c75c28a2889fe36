// SPDX-License-Identifier: GPL-2.0-only
#include "lib/simulator.h"

#include <algorithm>
#include <unordered_set>
#include <utility>

#include "lib/hash.h"

namespace smpfuzz {

Simulator::Simulator(std::unique_ptr<Guest> guest)
    : Platform(/*interleaves=*/true), guest_(std::move(guest)) {}

Simulator::~Simulator() {
  // Tasks must die before the guest memory their frames point into.
  cpus_.clear();
  tasks_.clear();
}

absl::Status Simulator::Load(const Scenario& s) {
  absl::Status valid = s.Validate();
  if (valid.ok() && !s.tasks.empty() && !guest_->RunsExtraTasks()) {
    valid = absl::InvalidArgumentError("this guest runs one task per CPU: the scenario has " +
                                       std::to_string(s.tasks.size()) + " extra task(s)");
  }
  if (valid.ok() && s.HasHotplug() && !guest_->RunsHotplug()) {
    valid = absl::InvalidArgumentError("this guest has a fixed online set: the scenario takes "
                                       "CPUs offline or online");
  }
  loaded_ = valid.ok();
  if (!loaded_) return valid;
  cpus_.clear();  // destroys any suspended coroutines of the last run
  tasks_.clear();
  scenario_ = s;
  if (scenario_.variant == nullptr) scenario_.variant = FindVariant("baseline");
  guest_->Load(scenario_);
  cpus_.resize(scenario_.nr_cpus);
  tasks_.resize(scenario_.nr_tasks());
  extra_tasks_ = !scenario_.tasks.empty();
  return absl::OkStatus();
}

const RunResult& Simulator::Run(const Scenario& s, const Schedule& schedule,
                                const SimOptions& options) {
  if (!Load(s).ok()) {
    result_ = RunResult{};
    return result_;
  }
  return Run(schedule, options);
}

void Simulator::ResetRun(const SimOptions& options) {
  options_ = options;
  const int n = scenario_.nr_cpus;
  for (SimCpu& c : cpus_) c.irq = Task<void>();
  for (SimTask& t : tasks_) t.task = Task<void>();
  // The explorer compares the addresses steps touch across runs: give this
  // run's coroutine frames (a wait=1 caller's csd is in one) the addresses
  // the same schedule prefix got in every earlier run.
  if (options.step_effects != nullptr) FrameAllocator::Rewind();
  locations_.Clear(n, guest_->csd_layout());
  guest_->Reset(&locations_);
  checkers_.Reset(n, &guest_->requests(), &locations_, options.detect_races, options.verbose);

  result_.reports.clear();
  result_.trace.clear();
  result_.trace_hash = kFnvOffsetBasis;
  result_.steps = 0;
  result_.clock_ns = 0;
  result_.preemptions = 0;
  result_.choices_used = 0;
  result_.quiescent = false;
  result_.fired = 0;
  result_.abandoned = false;
  clock_ = 0;
  step_ = 0;
  last_cpu_ = -1;
  run_length_ = 0;
  last_access_cpu_ = -1;
  last_access_site_ = Site::fence;
  start_dying_ = -1;
  dying_cpu_ = -1;
  taken_down_ = 0;
  if (options.step_effects != nullptr) options.step_effects->clear();

  for (int i = 0; i < n; ++i) {
    SimCpu& c = cpus_[i];
    c.current = i;
    c.online = guest_->CpuOnline(i);
    c.in_irq = false;
    c.ipi_pending = false;
    c.saved_at = nullptr;
    c.down_at = nullptr;
  }
  const int nr_tasks = static_cast<int>(tasks_.size());
  for (int i = 0; i < nr_tasks; ++i) {
    SimTask& t = tasks_[i];
    t.cpu.id = scenario_.TaskHome(i);
    t.cpu.task = i;
    t.cpu.platform = this;
    guest_->BindCpu(t.cpu);
    t.cpu.irqs_disabled = false;
    t.cpu.preempt_count = 0;
    t.cpu.parked_at = nullptr;
    t.task_done = true;
  }
  // Every task runs up to its first access now, the extra ones too: what
  // comes before it (preempt_disable(), ghost events) touches no shared
  // memory, and a task that stopped there inside a non-preemptible region
  // runs only when its CPU may switch to it, so nothing sees the difference.
  for (int i = 0; i < nr_tasks; ++i) {
    SimTask& t = tasks_[i];
    if (!cpus_[t.cpu.id].online || !guest_->HasTask(i)) continue;
    t.task = guest_->RunTask(t.cpu, i);
    t.task_done = false;
    t.task.start();
    if (t.task.done()) t.task_done = true;
  }
}

[[gnu::always_inline]] inline bool Simulator::ParkedReady(const SimTask& t) const {
  if (!t.cpu.parked_at) return false;
  const Access& a = t.cpu.parked;
  switch (a.kind) {
    case AccessKind::kCondLoadAcquire:
      return (RawLoad(a.addr, a.size) & a.expected) == 0;
    case AccessKind::kSpinReadOnce:
      return (RawLoad(a.addr, a.size) & a.expected) == 0 || clock_ >= a.deadline;
    case AccessKind::kSpinUntilChanged:
      return RawLoad(a.addr, a.size) != a.expected || clock_ >= a.deadline;
    case AccessKind::kDelay:
      return clock_ >= a.deadline;
    case AccessKind::kCpuDown:
      return StopMachineReady(static_cast<int>(a.value));
    default:
      return true;
  }
}

[[gnu::always_inline]] inline bool Simulator::StepEnabled(int t) const {
  const SimTask& task = tasks_[t];
  if (!ParkedReady(task)) return false;
  // stop_machine(): while a CPU runs its dying callback nothing else moves.
  if (dying_cpu_ >= 0) [[unlikely]] return t == cpus_[dying_cpu_].current;
  if (!extra_tasks_) return true;  // one task per CPU: it is always the current one
  const SimCpu& c = cpus_[task.cpu.id];
  return c.current == t || Preemptible(c);
}

// The rare actions out of line, so that the hot checks above inline.
[[gnu::noinline]] bool Simulator::Preemptible(const SimCpu& c) const {
  const SimTask& t = tasks_[c.current];
  return !c.in_irq && (t.task_done || (t.cpu.preempt_count == 0 && !t.cpu.irqs_disabled));
}

int Simulator::MigrationTarget(int t) const {
  const int n = static_cast<int>(cpus_.size());
  const int from = tasks_[t].cpu.id;
  for (int k = 1; k < n; ++k) {
    const int to = (from + k) % n;
    if (cpus_[to].online) return to;
  }
  return -1;
}

[[gnu::noinline]] bool Simulator::MigrateEnabled(int t) const {
  if (t < scenario_.nr_cpus || dying_cpu_ >= 0) return false;  // the CPUs' own tasks are bound
  const SimTask& task = tasks_[t];
  if (task.task_done || !task.cpu.parked_at || task.cpu.preempt_count != 0 ||
      task.cpu.irqs_disabled) {
    return false;
  }
  const SimCpu& c = cpus_[task.cpu.id];
  if (c.current == t && c.in_irq) return false;
  return MigrationTarget(t) >= 0;
}

[[gnu::always_inline]] inline bool Simulator::ActionEnabled(int action) const {
  const int t = action >> 1;
  if (!(action & 1)) return StepEnabled(t);
  return t < scenario_.nr_cpus ? IpiEnabled(cpus_[t]) : MigrateEnabled(t);
}

int Simulator::ChooseFair() const {
  if (dying_cpu_ >= 0) {
    const int t = cpus_[dying_cpu_].current;
    return StepEnabled(t) ? 2 * t : -1;
  }
  const int n = static_cast<int>(cpus_.size());
  for (int i = 0; i < n; ++i) {
    if (IpiEnabled(cpus_[i])) return 2 * i + 1;
  }
  if (last_cpu_ >= 0 && run_length_ < kFairQuantum && StepEnabled(last_cpu_)) {
    return 2 * last_cpu_;
  }
  // Round robin from the task after the last one, so a task that never
  // blocks (a livelock) cannot starve the others. It never migrates one.
  const int nr_tasks = static_cast<int>(tasks_.size());
  const int start = last_cpu_ < 0 ? 0 : last_cpu_ + 1;
  for (int k = 0; k < nr_tasks; ++k) {
    int i = (start + k) % nr_tasks;
    if (StepEnabled(i)) return 2 * i;
  }
  return -1;
}

bool Simulator::AllQuiescent() const {
  for (const SimCpu& c : cpus_) {
    if (!c.online) continue;
    if (c.in_irq || c.ipi_pending) return false;
  }
  for (const SimTask& t : tasks_) {
    // A dead CPU's own task stays parked (the run can end with it there).
    if (!t.task_done && cpus_[t.cpu.id].online) return false;
  }
  return true;
}

// ---- CPU hotplug -------------------------------------------------------------

[[gnu::noinline]] bool Simulator::StopMachineReady(int cpu) const {
  if (!CanTakeDown(cpu)) return true;  // nothing to wait for
  for (const SimCpu& c : cpus_) {
    // The stopper runs on every online CPU only where it may preempt.
    if (c.online && !Preemptible(c)) return false;
  }
  // A task that is not running is preemptible where it was preempted, but
  // one that has not run yet went up to its first access at the start of the
  // run, maybe into a non-preemptible region (ResetRun): it has read
  // cpu_online() there, so it counts as running.
  for (const SimTask& t : tasks_) {
    if (!t.task_done && cpus_[t.cpu.id].online && (t.cpu.preempt_count != 0 || t.cpu.irqs_disabled)) {
      return false;
    }
  }
  return true;
}

bool Simulator::CanTakeDown(int cpu) const {
  // Not offline already, and not the last online CPU (-EBUSY).
  if (cpu < 0 || cpu >= static_cast<int>(cpus_.size()) || !cpus_[cpu].online) return false;
  for (int c = 0; c < static_cast<int>(cpus_.size()); ++c) {
    if (c != cpu && cpus_[c].online) return true;
  }
  return false;
}

TraceEntry Simulator::EventEntry(TraceEvent event, int cpu) const {
  TraceEntry e;
  e.step = step_;
  e.clock_ns = clock_;
  e.cpu = static_cast<std::int16_t>(cpu);
  e.event = event;
  return e;
}

std::uint64_t Simulator::CpuDown(int target) {
  if (!CanTakeDown(target)) return 0;  // nothing to do
  cpus_[target].online = false;
  guest_->SetCpuOnline(target, false);
  checkers_.OnHotplug(target, false);
  start_dying_ = target;  // after this step's code has parked (Execute)
  return 1;
}

std::uint64_t Simulator::CpuUp(int target) {
  if (target < 0 || target >= static_cast<int>(cpus_.size()) || cpus_[target].online) return 0;
  SimCpu& c = cpus_[target];
  if ((taken_down_ >> target) & 1) CheckDeadQueue(target, "as it comes back up, queued while it was offline");
  c.online = true;
  c.ipi_pending = false;
  c.current = target;
  guest_->SetCpuOnline(target, true);
  checkers_.OnHotplug(target, true);
  if (c.down_at) {
    Cpu& own = tasks_[target].cpu;
    own.parked = c.down_parked;
    own.parked_at = c.down_at;
    c.down_at = nullptr;
  }
  return 1;
}

[[gnu::noinline]] void Simulator::StartDying() {
  const int d = start_dying_;
  start_dying_ = -1;
  dying_cpu_ = d;
  // Like an interrupt, on top of whatever the CPU was doing.
  EnterIrq(d, TraceEvent::kCpuDying);
  if (cpus_[d].irq.done()) LeaveIrq(cpus_[d]);
}

void Simulator::EnterIrq(int id, TraceEvent event) {
  SimCpu& c = cpus_[id];
  Cpu& ctx = tasks_[c.current].cpu;
  TraceEntry e = EventEntry(event, id);
  e.in_irq = true;
  Record(e);
  c.saved_parked = ctx.parked;
  c.saved_at = ctx.parked_at;
  c.saved_irqs_disabled = ctx.irqs_disabled;
  ctx.parked_at = nullptr;
  c.in_irq = true;
  ctx.irqs_disabled = true;
  c.irq = event == TraceEvent::kCpuDying ? guest_->DyingEntry(ctx) : guest_->IpiEntry(ctx);
  c.irq.start();
}

void Simulator::LeaveIrq(SimCpu& c) {
  SimTask& cur = tasks_[c.current];
  c.irq = Task<void>();
  c.in_irq = false;
  cur.cpu.parked = c.saved_parked;
  cur.cpu.parked_at = c.saved_at;
  cur.cpu.irqs_disabled = c.saved_irqs_disabled;
  c.saved_at = nullptr;
  if (dying_cpu_ >= 0 && &c == &cpus_[dying_cpu_]) FinishDying();
}

void Simulator::FinishDying() {
  const int d = dying_cpu_;
  dying_cpu_ = -1;
  SimCpu& c = cpus_[d];
  c.ipi_pending = false;  // a dead CPU takes no interrupt
  taken_down_ |= std::uint64_t{1} << d;
  CheckDeadQueue(d, "as it dies, after smpcfd_dying_cpu()");
  // Its extra tasks move on (the scheduler's migrate_tasks()); its own task
  // is parked until it comes back.
  for (int t = 0; t < static_cast<int>(tasks_.size()); ++t) {
    SimTask& task = tasks_[t];
    if (task.cpu.id != d) continue;
    if (!task.task_done && task.task.done()) task.task_done = true;
    if (t >= scenario_.nr_cpus && !task.task_done) MoveTask(t, MigrationTarget(t));
  }
  c.current = d;
  SimTask& own = tasks_[d];
  c.down_parked = own.cpu.parked;
  c.down_at = own.cpu.parked_at;
  own.cpu.parked_at = nullptr;
  Record(EventEntry(TraceEvent::kCpuDead, d));
}

void Simulator::CheckDeadQueue(int c, const char* when) {
  const void* head = locations_.ElementAddress(Area::kCallSingleQueue, static_cast<std::uint32_t>(c));
  if (head == nullptr) return;
  const void* first = reinterpret_cast<const void*>(RawLoad(head, sizeof(void*)));
  if (first != nullptr) checkers_.ReportOfflineEntry(c, head, first, when, step_);
}

std::string Simulator::DedupKey(const Report& r) const {
  if (!r.where.empty() || r.pc == 0) return r.DedupKey();
  const std::string place = guest_->CodePlace(r.pc);  // no copy of the report
  return place.empty() ? r.DedupKey() : Report::KeyAt(r.signature, place);
}

SourceMap Simulator::SourceLines(const RunResult& r) const {
  std::vector<std::uint64_t> pcs;
  std::unordered_set<std::uint64_t> seen;
  for (const TraceEntry& e : r.trace) {
    if (e.pc != 0 && seen.insert(e.pc).second) pcs.push_back(e.pc);
  }
  SourceMap out;
  if (pcs.empty()) return out;
  std::vector<SourceLine> lines = guest_->Symbolize(pcs);
  for (std::size_t i = 0; i < pcs.size() && i < lines.size(); ++i) {
    if (!lines[i].file.empty()) out[pcs[i]] = std::move(lines[i]);
  }
  return out;
}

void Simulator::Record(const TraceEntry& e) {
  if (!options_.hash_trace && !options_.record_trace) return;
  std::uint64_t h = result_.trace_hash;
  h = FnvMixWord(h, e.step);
  h = FnvMixWord(h, static_cast<std::uint64_t>(e.cpu) | (std::uint64_t{e.in_irq} << 16) |
                        (static_cast<std::uint64_t>(e.event) << 24) |
                        (static_cast<std::uint64_t>(e.kind) << 32) |
                        (static_cast<std::uint64_t>(e.site) << 40) |
                        (std::uint64_t{e.wrote} << 56));
  h = FnvMixWord(h, e.loc);
  h = FnvMixWord(h, Normalize(e.loc, e.read));
  h = FnvMixWord(h, Normalize(e.loc, e.written));
  h = FnvMixWord(h, Normalize(e.loc, e.aux));
  h = FnvMixWord(h, e.clock_ns);
  if (e.task >= 0) h = FnvMixWord(h, 0x7a5c000000000000ULL | static_cast<std::uint64_t>(e.task));
  result_.trace_hash = h;
  if (options_.record_trace) result_.trace.push_back(e);
}

std::uint64_t Simulator::Normalize(std::uint32_t loc, std::uint64_t value) {
  if (loc == TraceEntry::kNoLoc || value == 0) return value;
  Field f = locations_.Get(loc).field;
  if (f != Field::kNext && f != Field::kFirst) return value;
  // A node pointer: name it by its location, not its address.
  return 0x8000000000000000ULL | locations_.Id(reinterpret_cast<const void*>(value));
}

std::uint64_t Simulator::Perform(Cpu& cpu, const Access& a) {
  SimCpu& sc = cpus_[cpu.id];
  std::uint64_t read = 0;
  bool wrote = false;
  const std::uint64_t size_mask =
      a.size >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * a.size)) - 1;
  switch (a.kind) {
    case AccessKind::kPlainLoad:
    case AccessKind::kReadOnce:
    case AccessKind::kLoadAcquire:
    case AccessKind::kCondLoadAcquire:
    case AccessKind::kSpinReadOnce:
    case AccessKind::kSpinUntilChanged:
      read = RawLoad(a.addr, a.size);
      break;
    case AccessKind::kPlainStore:
    case AccessKind::kWriteOnce:
    case AccessKind::kStoreRelease:
      RawStore(a.addr, a.size, a.value);
      wrote = true;
      break;
    case AccessKind::kXchg:
      read = RawLoad(a.addr, a.size);
      RawStore(a.addr, a.size, a.value);
      wrote = true;
      break;
    case AccessKind::kCmpxchg:
    case AccessKind::kCmpxchgAcquire:
      read = RawLoad(a.addr, a.size);
      if (read == (a.expected & size_mask)) {
        RawStore(a.addr, a.size, a.value);
        wrote = true;
      }
      break;
    case AccessKind::kCall:
      checkers_.OnCallback(cpu.id, a.value, a.expected, a.site, step_);
      break;
    case AccessKind::kSendIpi: {
      int target = static_cast<int>(a.value);
      if (target >= 0 && target < static_cast<int>(cpus_.size())) {
        cpus_[target].ipi_pending = true;
        checkers_.OnIpiSend(cpu.id, target);
      }
      break;
    }
    case AccessKind::kSendIpiMask:
      for (int t = 0; t < static_cast<int>(cpus_.size()); ++t) {
        if ((a.value >> t) & 1) {
          cpus_[t].ipi_pending = true;
          checkers_.OnIpiSend(cpu.id, t);
        }
      }
      break;
    case AccessKind::kCpuDown:
      read = CpuDown(static_cast<int>(a.value));
      break;
    case AccessKind::kCpuUp:
      read = CpuUp(static_cast<int>(a.value));
      break;
    case AccessKind::kDelay:
    case AccessKind::kIrqRestore:
    case AccessKind::kCount:
      break;
  }

  TraceEntry e;
  e.step = step_;
  e.clock_ns = clock_;
  e.read = read;
  // Non-memory kinds carry their operand in value (func, IPI target or mask).
  e.written = (wrote || !AccessTouchesMemory(a.kind)) ? a.value : 0;
  e.aux = (a.kind == AccessKind::kCall || a.kind == AccessKind::kCmpxchg ||
           a.kind == AccessKind::kCmpxchgAcquire)
              ? a.expected
              : 0;
  e.cpu = static_cast<std::int16_t>(cpu.id);
  if (cpu.task >= scenario_.nr_cpus) e.task = static_cast<std::int16_t>(cpu.task);
  e.kind = a.kind;
  e.pc = a.pc;
  e.site = a.site;
  e.in_irq = sc.in_irq;
  e.wrote = wrote;
  if (AccessTouchesMemory(a.kind)) {
    e.loc = locations_.Id(a.addr);
    const std::size_t reports_before = checkers_.reports().size();
    checkers_.OnAccess(cpu.id, a, e.loc, read, wrote, step_);
    if (a.pc != 0) checkers_.StampPc(reports_before, a.pc);
  }
  if (options_.step_effects != nullptr) {
    effects_.kind = a.kind;
    if (AccessTouchesMemory(a.kind)) {
      const Field f = locations_.Get(e.loc).field;
      effects_.addr = a.addr;
      effects_.size = a.size;
      effects_.wrote = wrote;
      effects_.llist = f == Field::kNext || f == Field::kFirst;
    }
    // A deadline matters only to a wait that ended by it: a spin that saw its
    // bits clear ended by the value, which its step's position cannot change.
    if (a.kind == AccessKind::kDelay ||
        (a.deadline != kNoDeadline &&
         (a.kind == AccessKind::kSpinUntilChanged ? read == a.expected
                                                  : (read & a.expected) != 0))) {
      effects_.observable = true;
    }
    if (a.kind == AccessKind::kCall) {
      effects_.AddToken(TokenOfFunc(a.value));
      effects_.AddToken(TokenOfInfo(a.expected));
    }
    // Hotplug changes what every CPU may do and what cpu_online() says
    // (which the model reads without an access).
    if (a.kind == AccessKind::kCpuDown || a.kind == AccessKind::kCpuUp) effects_.observable = true;
  }
  if (options_.interleaving_map != nullptr) {
    if (last_access_cpu_ >= 0 && last_access_cpu_ != cpu.id) {
      std::uint8_t& counter =
          options_.interleaving_map[static_cast<std::size_t>(last_access_site_) * kSiteCount +
                                    static_cast<std::size_t>(a.site)];
      if (counter != 0xff) ++counter;
    }
    last_access_cpu_ = cpu.id;
    last_access_site_ = a.site;
  }
  Record(e);
  return read;
}

void Simulator::Fence(Cpu& cpu, FenceKind kind) { checkers_.OnFence(cpu.id, kind); }

void Simulator::Ghost(Cpu& cpu, const GhostEvent& e) {
  if (e.kind == GhostKind::kObjectBorn) {
    if (!guest_->IsWorkloadCsd(e.obj)) locations_.AddStackCsd(e.obj, cpu.id);
  }
  checkers_.OnGhost(cpu.id, e, step_);
  if (options_.step_effects != nullptr) {
    switch (e.kind) {
      case GhostKind::kRequestIssued:
        effects_.AddToken(static_cast<std::uint32_t>(e.a));
        break;
      case GhostKind::kRequestReturned:
        // A successful wait=0 return changes no checker state (Checkers::OnGhost).
        if (e.b != 0 || e.d != 0) effects_.AddToken(static_cast<std::uint32_t>(e.a));
        break;
      case GhostKind::kObjectBorn:
        effects_.AddObject(e.obj, static_cast<std::uint32_t>(e.a));
        break;
      default:  // about one csd
        effects_.AddObject(e.obj, static_cast<std::uint32_t>(locations_.csd_size()));
        break;
    }
  }
}

std::uint64_t Simulator::Clock(Cpu&) {
  effects_.observable = true;
  return clock_;
}

void Simulator::IrqsEnabled(Cpu&) {}

void Simulator::MoveTask(int t, int to) {
  SimTask& task = tasks_[t];
  const int from = task.cpu.id;
  if (cpus_[from].current == t) cpus_[from].current = from;
  task.cpu.id = to;
  checkers_.OnMigrate(from, to);
  TraceEntry e = EventEntry(TraceEvent::kMigrated, to);
  e.task = static_cast<std::int16_t>(t);
  e.aux = static_cast<std::uint64_t>(from);
  Record(e);
}

[[gnu::noinline]] void Simulator::Migrate(int t) {
  // Migrate extra task t, preempted, to the next online CPU.
  const int from = tasks_[t].cpu.id;
  MoveTask(t, MigrationTarget(t));
  if (options_.step_effects != nullptr) {
    effects_.observable = true;
    effects_.on_cpu = static_cast<std::uint8_t>(from);
    effects_.continues = StepEnabled(t);
    options_.step_effects->push_back(effects_);
  }
}

void Simulator::Execute(int action) {
  const int t = action / 2;
  if (options_.step_effects != nullptr) effects_ = StepEffects{};
  clock_ += options_.ns_per_step;
  if (IsMigration(action, scenario_.nr_cpus)) {
    Migrate(t);
    return;
  }
  const int id = (action & 1) ? t : tasks_[t].cpu.id;
  SimCpu& c = cpus_[id];
  if (action & 1) {
    c.ipi_pending = false;
    checkers_.OnIpiDeliver(id);
    EnterIrq(id, TraceEvent::kIpiDelivered);
  } else {
    if (extra_tasks_ && c.current != t) {
      // The CPU preempts (or, its task done, leaves) the task it ran.
      TraceEntry e = EventEntry(TraceEvent::kTaskSwitch, id);
      if (t >= scenario_.nr_cpus) e.task = static_cast<std::int16_t>(t);
      e.aux = static_cast<std::uint64_t>(c.current);
      Record(e);
      c.current = t;
    }
    Cpu& ctx = tasks_[t].cpu;
    std::coroutine_handle<> h = ctx.parked_at;
    ctx.parked_at = nullptr;
    h.resume();
  }
  const bool hotplug = dying_cpu_ >= 0 || start_dying_ >= 0;
  if (start_dying_ >= 0) [[unlikely]] StartDying();
  if (c.in_irq && c.irq.done()) LeaveIrq(c);
  SimTask& cur = tasks_[c.current];
  if (!c.in_irq && !cur.task_done && cur.task.done()) cur.task_done = true;
  if (options_.step_effects != nullptr) {
    if ((action & 1) || hotplug) effects_.observable = true;
    effects_.on_cpu = static_cast<std::uint8_t>(id);
    effects_.continues = StepEnabled(c.current);
    options_.step_effects->push_back(effects_);
  }
}

void Simulator::ReportStuck(bool budget) {
  std::vector<int> stuck;
  std::vector<Site> sites;
  std::string msg = budget ? "no quiescence within " + std::to_string(options_.max_steps) +
                                 " steps:"
                           : "every CPU is blocked and no deadline is pending:";
  const int n = static_cast<int>(cpus_.size());
  for (int id = 0; id < n; ++id) {
    const SimCpu& c = cpus_[id];
    const SimTask& cur = tasks_[c.current];
    std::vector<int> preempted;  // its other unfinished tasks
    for (int t = 0; t < static_cast<int>(tasks_.size()); ++t) {
      if (t != c.current && !tasks_[t].task_done && tasks_[t].cpu.id == id) preempted.push_back(t);
    }
    if (!c.online || (cur.task_done && !c.in_irq && !c.ipi_pending && preempted.empty())) continue;
    stuck.push_back(id);
    msg += " CPU" + std::to_string(id);
    auto at = [&](const Cpu& ctx) {
      sites.push_back(ctx.parked.site);
      msg += std::string(" at ") + SiteFunction(ctx.parked.site);
      if (AccessTouchesMemory(ctx.parked.kind)) msg += " on " + locations_.ObjectName(ctx.parked.addr);
    };
    if (cur.cpu.parked_at) {
      if (c.in_irq) msg += " (in IPI handler)";
      at(cur.cpu);
    } else if (c.ipi_pending) {
      msg += " with an undeliverable IPI";
    }
    for (int t : preempted) {
      msg += ", task " + std::to_string(t) + " preempted";
      if (tasks_[t].cpu.parked_at) at(tasks_[t].cpu);
    }
    msg += ";";
  }
  if (!msg.empty() && msg.back() == ';') msg.pop_back();
  checkers_.ReportStuck(std::move(stuck), std::move(sites), std::move(msg), step_);
}

const RunResult& Simulator::Run(const Schedule& schedule, const SimOptions& options) {
  return RunWith(schedule, nullptr, options);
}

const RunResult& Simulator::Run(ScheduleSource& source, const SimOptions& options) {
  return RunWith({}, &source, options);
}

const RunResult& Simulator::RunWith(const Schedule& schedule, ScheduleSource* source,
                                    const SimOptions& options) {
  if (!loaded_) {
    result_ = RunResult{};
    return result_;
  }
  ResetRun(options);
  const int actions = 2 * static_cast<int>(tasks_.size());
  std::size_t next_choice = 0;
  for (;;) {
    if (checkers_.fired() & options_.stop_on) break;
    if (step_ >= options_.max_steps) {
      ReportStuck(/*budget=*/true);
      break;
    }
    int action = -1;
    if (source != nullptr) {
      enabled_.clear();
      for (int a = 0; a < actions; ++a) {
        if (ActionEnabled(a)) enabled_.push_back(a);
      }
      if (!enabled_.empty()) {
        action = source->Choose(*this, enabled_);
        if (action == ScheduleSource::kAbandon) {
          result_.abandoned = true;
          break;
        }
        if (action < 0) action = ChooseFair();
      }
    } else if (next_choice < schedule.size()) {
      const Choice& ch = schedule[next_choice];
      int want = (ch.cpu % tasks_.size()) * 2 + (ch.ipi ? 1 : 0);
      for (int k = 0; k < actions; ++k) {
        int candidate = (want + k) % actions;
        if (ActionEnabled(candidate)) {
          action = candidate;
          break;
        }
      }
      if (action >= 0) ++next_choice;
    } else {
      action = ChooseFair();
    }
    if (action < 0) {
      if (AllQuiescent()) {
        result_.quiescent = true;
        for (int c = 0; c < scenario_.nr_cpus; ++c) {
          if (((taken_down_ >> c) & 1) && !cpus_[c].online) CheckDeadQueue(c, "at the end of the run, with the CPU offline");
        }
        checkers_.OnQuiescent(step_);
        break;
      }
      std::uint64_t deadline = kNoDeadline;
      for (const SimTask& t : tasks_) {
        if (!t.cpu.parked_at) continue;
        const Access& a = t.cpu.parked;
        if ((a.kind == AccessKind::kSpinReadOnce || a.kind == AccessKind::kDelay ||
             a.kind == AccessKind::kSpinUntilChanged) &&
            a.deadline > clock_) {
          deadline = std::min(deadline, a.deadline);
        }
      }
      if (deadline == kNoDeadline) {
        ReportStuck(/*budget=*/false);
        break;
      }
      clock_ = deadline;
      Record(EventEntry(TraceEvent::kClockJump, -1));
      continue;
    }
    const int id = action / 2;
    if (IsMigration(action, scenario_.nr_cpus)) {
      // A migration is the scheduler's move, as a preemption is: it always
      // counts as one (so a bounded search cannot migrate without end), and
      // the task that ran goes on as before.
      ++result_.preemptions;
      Execute(action);
      ++step_;
      continue;
    }
    if (last_cpu_ >= 0 && id != last_cpu_ && StepEnabled(last_cpu_)) {
      ++result_.preemptions;
    }
    // The dying callback's steps are stop_machine()'s, not the scheduler's:
    // the task that took the CPU down stays the one that ran last.
    const bool frozen = dying_cpu_ >= 0;
    Execute(action);
    if (!frozen) {
      run_length_ = id == last_cpu_ ? run_length_ + 1 : 1;
      last_cpu_ = id;
    }
    ++step_;
  }
  result_.reports = checkers_.reports();
  // A guest with code addresses names the place of the tree in the key
  // (looking it up can take a process: verbose runs only, else DedupKey).
  if (options_.verbose) {
    for (Report& r : result_.reports) {
      if (r.where.empty() && r.pc != 0) r.where = guest_->CodePlace(r.pc);
    }
  }
  result_.fired = checkers_.fired();
  result_.steps = step_;
  result_.clock_ns = clock_;
  result_.choices_used = next_choice;
  return result_;
}

}  // namespace smpfuzz
