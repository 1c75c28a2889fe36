// SPDX-License-Identifier: GPL-2.0-only
//
// Simulator: runs a Scenario on simulated CPUs under a Schedule,
// deterministically, with every checker on.
//
// A machine: what runs is a Guest (lib/guest.h); the simulator knows
// nothing of smp.c. One OS thread runs all CPUs. Each CPU's task (the
// guest's CpuTask) is a coroutine that parks at every shared access; a step is "pick an enabled
// action, perform it, run model code up to the next access". Actions:
//  - step CPU c: perform its parked access (a spinning access is enabled only
//    once its condition holds or its deadline passed);
//  - deliver CPU c's pending IPI: allowed when c has interrupts enabled and is
//    not already in the handler; the guest's IPI entry (for smp.c,
//    generic_smp_call_function_single_interrupt()) then runs on c, on top of
//    whatever c was doing.
//  - with extra tasks (lib/scenario.h): step task t on its CPU, switching
//    the CPU to it when the task it runs is preemptible (or done); migrate
//    a preempted extra task to the next online CPU.
// CPU hotplug at run time (a task's `offline`/`online` op, AccessKind
// kCpuDown/kCpuUp) is the machine's: taking CPU c down is stop_machine().
// The op is enabled once every online CPU may be stopped (not in the
// handler, the task it runs preemptible or done); c then leaves the online
// mask (Guest::SetCpuOnline) and runs the guest's DyingEntry
// (smpcfd_dying_cpu()) with interrupts off while every other CPU stands
// still; then c is dead: its pending IPI is gone and it takes no other, its
// extra tasks move to the next online CPU, and its own task is parked until
// c comes back up (a per-CPU kthread). An entry on a dead CPU's queue, when
// it died or when it comes back up or at the end, is an offline-cpu-entry
// report. Taking down an offline CPU or the last online one does nothing.
// The Schedule names one action per step (a named action that is not enabled
// falls through to the next enabled one in CPU order, so any byte string is a
// schedule). When it runs out, a fair policy takes over: pending IPIs first,
// then the CPU that ran last for up to kFairQuantum steps in a row, then the
// next enabled CPU in round-robin order.
//
// Virtual time advances ns_per_step per step; when nothing is enabled but
// some CPU waits for a deadline (a CSD-lock timeout, an irqs_off delay) the
// clock jumps to it. Nothing enabled and no deadline is a deadlock
// (cpu-stuck); max_steps without quiescence is cpu-stuck too.
//
// Same scenario + schedule + options => same trace, bit for bit: the trace
// uses location ids (lib/locations.h), never raw addresses.

#ifndef SMPFUZZ_LIB_SIMULATOR_H_
#define SMPFUZZ_LIB_SIMULATOR_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "lib/checkers.h"
#include "lib/guest.h"
#include "lib/locations.h"
#include "lib/primitives.h"
#include "lib/report.h"
#include "lib/run_result.h"
#include "lib/scenario.h"
#include "lib/task.h"

namespace smpfuzz {

inline constexpr std::size_t kInterleavingMapSize =
    static_cast<std::size_t>(kSiteCount) * kSiteCount;

inline constexpr int kFairQuantum = 64;

// What one step did, as far as the explorer's dependence relation
// (lib/explorer.cc) needs to know: the memory access it performed, and what
// else in it a checker or the scheduler can see. A step is `observable` (seen
// by everything) when it delivers an IPI, reads the virtual clock, or ends a
// wait by its virtual-time deadline (mdelay; a debug CSD-lock wait that gave
// up, not one that saw the lock free).
// The rest of what the model code does up to the next access is recorded by
// what it is about: the csd objects its ghost events name and the request
// tokens that its callbacks and request ghosts account. An IPI send (a pending
// flag, a clock join: both commute), interrupt state, context switches into
// and out of the handler and the end of a task are seen before the run ends
// only by IPI deliveries, which are dependent on everything anyway.
struct StepEffects {
  struct Range {
    const void* addr = nullptr;
    std::uint32_t size = 0;
  };
  static constexpr int kMaxObjects = 3;
  static constexpr int kMaxTokens = 4;

  const void* addr = nullptr;  // the memory access's first byte (nullptr: none)
  std::uint8_t size = 0;
  AccessKind kind = AccessKind::kCount;  // the access performed (kCount: none)
  bool wrote = false;       // it stored (a failed cmpxchg only read)
  bool llist = false;       // a list head or a next pointer: checkers walk chains
  bool observable = false;  // see above (also set when objects or tokens overflow)
  bool continues = false;   // the task's next step was enabled right after it
  std::uint8_t on_cpu = 0;  // the CPU it ran on: steps of one CPU never commute
  std::uint8_t nr_objects = 0;
  std::uint8_t nr_tokens = 0;
  std::array<Range, kMaxObjects> objects{};  // csds its ghost events are about
  std::array<std::uint32_t, kMaxTokens> tokens{};  // request tokens it accounted

  void AddObject(const void* p, std::uint32_t bytes) {
    if (nr_objects == kMaxObjects) {
      observable = true;
      return;
    }
    objects[nr_objects++] = {p, bytes};
  }
  void AddToken(std::uint32_t t) {
    for (int i = 0; i < nr_tokens; ++i) {
      if (tokens[i] == t) return;
    }
    if (nr_tokens == kMaxTokens) {
      observable = true;
      return;
    }
    tokens[nr_tokens++] = t;
  }
};

struct SimOptions {
  std::uint64_t max_steps = 200000;
  std::uint64_t ns_per_step = 1000;
  // Signatures that end the run as soon as they fire. After a self-loop the
  // target CPU would walk the cycle until the budget runs out.
  std::uint32_t stop_on = SignatureBit(Signature::kLlistSelfLoop);
  bool record_trace = true;
  // Compute RunResult::trace_hash (always, when record_trace is on).
  bool hash_trace = true;
  bool detect_races = true;
  // Build report messages and names (off in fuzzers' hot loops).
  bool verbose = true;
  // Optional fuzzer feedback: counters indexed [previous site][site], bumped
  // when consecutive accesses come from different CPUs. kInterleavingMapSize.
  std::uint8_t* interleaving_map = nullptr;
  // Optional: one StepEffects per step, appended in step order (the explorer).
  std::vector<StepEffects>* step_effects = nullptr;
};

class Simulator;

// An action is 2 * task + (1 if it delivers that CPU's pending IPI, for the
// CPUs' own tasks; migrates the task, for extra tasks: lib/scenario.h).
inline bool IsMigration(int action, int nr_cpus) { return (action & 1) && action / 2 >= nr_cpus; }

// Chooses each step's action instead of a fixed Schedule (the explorer, PCT).
class ScheduleSource {
 public:
  virtual ~ScheduleSource() = default;
  // `enabled` lists the enabled actions in increasing order (never empty).
  // Return one of them, or -1 for the fair policy's choice.
  // kAbandon ends the run at once (RunResult::abandoned).
  virtual int Choose(const Simulator& sim, const std::vector<int>& enabled) = 0;
  static constexpr int kAbandon = -2;
};

class Simulator final : private Platform {
 public:
  // Runs `guest` (lib/guest.h), e.g. NewModelGuest() of lib/model_guest.h.
  explicit Simulator(std::unique_ptr<Guest> guest);
  ~Simulator() override;
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Prepares `s` for runs; InvalidArgument (Scenario::Validate) when it
  // cannot run.
  absl::Status Load(const Scenario& s);
  // Runs the loaded scenario. The result stays valid until the next Run/Load.
  const RunResult& Run(const Schedule& schedule, const SimOptions& options = {});
  // Runs the loaded scenario with `source` choosing every step.
  const RunResult& Run(ScheduleSource& source, const SimOptions& options = {});
  // Load + Run; an invalid scenario yields an empty, clean result (check Load).
  const RunResult& Run(const Scenario& s, const Schedule& schedule,
                       const SimOptions& options = {});

  const Scenario& scenario() const { return scenario_; }
  // During a run (for a ScheduleSource): the access `cpu` is parked at,
  // enabled or not (nullptr when it is not parked: its task ended, or it has
  // none), the CPU that took the last step (-1 before the first) and the step
  // count.
  // (Tasks: Scenario::nr_tasks; without extra tasks, task c is CPU c.)
  const Access* ParkedAccess(int task) const {
    return tasks_[task].cpu.parked_at ? &tasks_[task].cpu.parked : nullptr;
  }
  int nr_tasks() const { return static_cast<int>(tasks_.size()); }
  // The task that took the last step (-1 before the first).
  int last_cpu() const { return last_cpu_; }
  std::uint64_t step() const { return step_; }
  const Locations& locations() const { return locations_; }
  const Guest& guest() const { return *guest_; }
  // Where `r`'s trace entries are in the guest's source (Guest::Symbolize),
  // for TraceContext::source; empty for the model.
  SourceMap SourceLines(const RunResult& r) const;
  // `r`'s bucket key (Report::DedupKey), with the guest's place of its pc
  // (Guest::CodePlace) when the run was not verbose and so left `where`
  // empty: the fuzz harness's hot loop pays for the place only for keys it
  // compares.
  std::string DedupKey(const Report& r) const;

 private:
  // A task: its execution context (cpu.id: the CPU it is on) and its root
  // coroutine. Task c < nr_cpus is CPU c's own (bound to it); the rest are
  // the scenario's extra tasks.
  struct SimTask {
    Cpu cpu;
    Task<void> task;
    bool task_done = true;
  };
  struct SimCpu {
    int current = 0;  // the task it runs (its own until another is stepped)
    Task<void> irq;   // the IPI handler, run in the current task's context
    bool online = false;
    bool in_irq = false;
    bool ipi_pending = false;
    Access saved_parked;
    std::coroutine_handle<> saved_at;
    bool saved_irqs_disabled = false;
    // Its own task while it is dead (parked, as smpboot parks a per-CPU
    // kthread): restored when it comes back up.
    Access down_parked;
    std::coroutine_handle<> down_at;
  };

  // Platform.
  std::uint64_t Perform(Cpu& cpu, const Access& a) override;
  void Fence(Cpu& cpu, FenceKind kind) override;
  void Ghost(Cpu& cpu, const GhostEvent& e) override;
  std::uint64_t Clock(Cpu& cpu) override;
  void IrqsEnabled(Cpu& cpu) override;

  const RunResult& RunWith(const Schedule& schedule, ScheduleSource* source,
                          const SimOptions& options);
  void ResetRun(const SimOptions& options);
  // Whether task t's parked access may be performed now (its condition
  // holds, and its CPU runs it or may switch to it).
  bool StepEnabled(int t) const;
  bool ParkedReady(const SimTask& t) const;
  bool Preemptible(const SimCpu& c) const;
  bool MigrateEnabled(int t) const;
  int MigrationTarget(int t) const;
  const Cpu& CurrentContext(const SimCpu& c) const { return tasks_[c.current].cpu; }
  bool IpiEnabled(const SimCpu& c) const {
    return c.online && c.ipi_pending && !c.in_irq && !CurrentContext(c).irqs_disabled &&
           dying_cpu_ < 0;
  }
  // Hotplug (see the file comment).
  bool StopMachineReady(int cpu) const;
  // CPU `cpu` is online and not the last online one.
  bool CanTakeDown(int cpu) const;
  std::uint64_t CpuDown(int target);
  std::uint64_t CpuUp(int target);
  void StartDying();
  void FinishDying();
  // Runs CPU id's IPI handler (kIpiDelivered) or dying callback (kCpuDying)
  // on top of what it was doing, interrupts off; LeaveIrq when it returned.
  void EnterIrq(int id, TraceEvent event);
  // Leaves c's handler (IPI or dying) once it has returned.
  void LeaveIrq(SimCpu& c);
  // Moves extra task t to CPU `to`, with a trace entry.
  void MoveTask(int t, int to);
  // An offline-cpu-entry report when dead CPU c's queue is not empty.
  void CheckDeadQueue(int c, const char* when);
  bool ActionEnabled(int action) const;
  int ChooseFair() const;
  void Execute(int action);
  void Migrate(int t);  // Execute() of a migration
  bool AllQuiescent() const;
  void ReportStuck(bool budget);
  void Record(const TraceEntry& e);
  // A scheduler's trace entry (no access) of this step on `cpu` (-1: none).
  TraceEntry EventEntry(TraceEvent event, int cpu) const;
  std::uint64_t Normalize(std::uint32_t loc, std::uint64_t value);

  Scenario scenario_;
  bool loaded_ = false;
  std::unique_ptr<Guest> guest_;  // outlives cpus_: their frames point into its memory
  Locations locations_;
  Checkers checkers_;
  std::vector<SimCpu> cpus_;
  std::vector<SimTask> tasks_;
  bool extra_tasks_ = false;  // the scenario has extra tasks
  SimOptions options_;
  RunResult result_;
  std::vector<int> enabled_;
  std::uint64_t clock_ = 0;
  std::uint64_t step_ = 0;
  int last_cpu_ = -1;   // the last task stepped
  int run_length_ = 0;  // consecutive steps of last_cpu_
  int last_access_cpu_ = -1;
  Site last_access_site_ = Site::fence;
  StepEffects effects_;  // of the step being executed (when options_.step_effects)
  int start_dying_ = -1;  // a CPU just taken down, to run its DyingEntry after this step
  int dying_cpu_ = -1;    // the CPU running its DyingEntry: nothing else moves
  std::uint64_t taken_down_ = 0;  // CPUs taken down during this run
};

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_SIMULATOR_H_
