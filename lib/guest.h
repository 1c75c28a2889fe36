// SPDX-License-Identifier: GPL-2.0-only
//
// Guest: the code under test, as a machine runs it.
//
// A machine (the deterministic simulator, lib/simulator.h; the real-thread
// platform, lib/threads/thread_platform.h) owns the CPUs, the scheduler,
// interrupts, time and the checkers' event stream; it knows nothing of
// smp.c. What the CPUs run comes from a Guest: the coroutine model of
// kernel/smp.c (lib/model_guest.h) today, the kernel's own source next.
// A guest's code reaches the machine only through the Cpu it runs on (its
// Platform: accesses, fences, ghost events, the clock); checkers see it only
// through those events and the names it gives its memory.
//
// Contract, in the order a machine calls it:
//  - Load(s) once per scenario (s is valid: Scenario::Validate passed);
//  - per run: Reset() restores the guest's memory to its initial state and,
//    when `names` is given (already cleared with csd_layout()), registers the
//    guest's static memory in it; then BindCpu() for every CPU, before any
//    task or handler runs on it;
//  - RunTask(cpu, t) for each task t (Scenario::nr_tasks: the CPUs' own,
//    then the extra ones) with HasTask(t) whose CPU is online: the root task
//    that runs from the start of the run, in context `cpu` (its id the CPU
//    the task is on, which changes when the machine migrates it);
//    IpiEntry(cpu) each time an IPI is delivered: the handler, run on top
//    of whatever the CPU was doing. A guest that cannot run extra tasks
//    says so (RunsExtraTasks) and a machine refuses such scenarios;
//  - with CPU hotplug at run time (Scenario::HasHotplug; RunsHotplug says
//    whether the guest can), SetCpuOnline(c, false) when the machine takes
//    CPU c down, then DyingEntry on c (its teardown inside stop_machine(),
//    interrupts off, every other CPU stopped), and SetCpuOnline(c, true)
//    when it brings c back.
// Tasks and handlers must only be resumed on the machine's terms (a Task
// starts suspended; the guest never resumes one itself).

#ifndef SMPFUZZ_LIB_GUEST_H_
#define SMPFUZZ_LIB_GUEST_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lib/locations.h"
#include "lib/primitives.h"
#include "lib/requests.h"
#include "lib/run_result.h"
#include "lib/scenario.h"
#include "lib/task.h"

namespace smpfuzz {

class Guest {
 public:
  virtual ~Guest() = default;

  virtual void Load(const Scenario& s) = 0;
  virtual void Reset(Locations* names) = 0;
  virtual void BindCpu(Cpu& cpu) = 0;

  // Whether `cpu` is online at the start of a run.
  virtual bool CpuOnline(int cpu) const = 0;
  virtual bool HasTask(int task) const = 0;
  virtual Task<void> RunTask(Cpu& cpu, int task) = 0;
  virtual bool RunsExtraTasks() const { return false; }
  virtual Task<void> IpiEntry(Cpu& cpu) = 0;
  virtual bool RunsHotplug() const { return false; }
  // From now on the guest's cpu_online(cpu) says `online` (the machine's
  // hotplug; Reset goes back to the scenario's boot state).
  virtual void SetCpuOnline(int cpu, bool online) = 0;
  // The dying CPU's teardown: kernel/smp.c's smpcfd_dying_cpu(), which
  // flushes its queue without the offline warning.
  virtual Task<void> DyingEntry(Cpu& cpu) = 0;

  // The loaded scenario's requests (token origins, for the checkers).
  virtual const RequestOrigins& requests() const = 0;
  // How the guest lays out a csd, and how many csds its static memory holds
  // (per-CPU data and the workload's own; not on-stack ones).
  virtual CsdLayout csd_layout() const = 0;
  virtual std::size_t static_csd_count() const = 0;
  // Whether `p` points into a csd the workload owns (not one on a stack),
  // and into one that several of its calls share.
  virtual bool IsWorkloadCsd(const void* p) const = 0;
  virtual bool IsSharedWorkloadCsd(const void* p) const = 0;
  // Whether `p` points into one of the scenario's irq_works.
  virtual bool IsIrqWork(const void* p) const { (void)p; return false; }

  // Where each of `pcs` (Access::pc of its accesses) is in its source, in
  // order; an empty SourceLine where unknown. The model has no pcs: its
  // Sites say where it is, and this returns nothing.
  virtual std::vector<SourceLine> Symbolize(const std::vector<std::uint64_t>& pcs) const {
    (void)pcs;
    return {};
  }
  // Where one pc is, for a report's bucket key (Report::where), e.g.
  // "llist_add_batch(lib/llist.c:33)"; "" where unknown (the model: its
  // Sites name the place). Called for every report the guest's accesses
  // make, so it must be cheap once a pc has been seen.
  virtual std::string CodePlace(std::uint64_t pc) const {
    (void)pc;
    return "";
  }
};

// Makes a fresh guest: how engines that run many simulators (the explorer,
// minimize, triage) are told which guest to run; empty means the model.
using GuestFactory = std::function<std::unique_ptr<Guest>()>;

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_GUEST_H_
