// SPDX-License-Identifier: GPL-2.0-only
//
// Checkers: the oracles. They watch what the simulator performs (accesses,
// fences, IPIs, ghost events, quiescence) and turn violations into Reports
// with the stable signatures of lib/report.h.
//
//   llist-self-loop      a store makes a node's next point at itself, or a
//                        list head gains (llist_add) or yields (llist_del_all)
//                        a chain with a cycle
//   csd-double-lock      a csd is locked while another owner holds it
//   callback-*           per-request accounting of who ran which callback
//   csd-unlock-unlocked  the model's WARN_ON in csd_unlock
//   csd-lock-timeout     the model's "csd: Detected non-responsive CSD lock"
//   percpu-out-of-range  per_cpu_ptr() of an impossible CPU number
//   kernel-warn          any other WARN of the guest's own code (kernel guest)
//   use-after-free       an access to an object after a callback freed it
//   csd-spurious-busy    -EBUSY from smp_call_function_single_async() for a
//                        csd whose every earlier call is done, or an
//                        irq_work_queue_on() that found its work pending
//                        when every run of it had started
//   offline-cpu-entry    an entry on the queue of a CPU taken down at run time
//                        (the machine looks: ReportOfflineEntry)
//   data-race            RaceDetector
// cpu-stuck belongs to the scheduler (it knows about budgets and blocking);
// it reports through ReportStuck().
//
// Each distinct finding is reported once per run.

#ifndef SMPFUZZ_LIB_CHECKERS_H_
#define SMPFUZZ_LIB_CHECKERS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "lib/csd_owners.h"
#include "lib/locations.h"
#include "lib/primitives.h"
#include "lib/race_detector.h"
#include "lib/report.h"
#include "lib/requests.h"

namespace smpfuzz {

class Checkers {
 public:
  // verbose=false leaves Report::message and Report::csd empty (the fuzzers'
  // hot loop; a finding is re-run verbosely to be printed).
  void Reset(int nr_cpus, const RequestOrigins* requests, Locations* locations,
             bool detect_races, bool verbose);

  void OnAccess(int cpu, const Access& a, std::uint32_t loc, std::uint64_t read, bool wrote,
                std::uint64_t step);
  void OnFence(int cpu, FenceKind kind);
  void OnIpiSend(int cpu, int target);
  void OnIpiDeliver(int target);
  void OnMigrate(int from, int to);
  // The machine took `cpu` down or brought it up. A call that was in flight
  // across a hotplug may legitimately have asked for more or fewer CPUs than
  // its issue ghost said (its kernel code read cpu_online() after), so its
  // lost/-ENXIO/wrong-CPU accounting is relaxed to "at most once per CPU
  // per call"; the offline-cpu-entry report is what watches hotplug.
  void OnHotplug(int cpu, bool online);
  // Dead CPU `cpu`'s call_single_queue at `head` holds `first` `when` (a
  // phrase: "as it dies", ...).
  void ReportOfflineEntry(int cpu, const void* head, const void* first, const char* when,
                          std::uint64_t step);
  void OnGhost(int cpu, const GhostEvent& e, std::uint64_t step);
  // csd_do_func(func, info) ran on `cpu`.
  void OnCallback(int cpu, std::uint64_t func, std::uint64_t info, Site site, std::uint64_t step);
  // Every CPU finished and nothing is pending: evaluate lost callbacks.
  void OnQuiescent(std::uint64_t step);
  void ReportStuck(std::vector<int> cpus, std::vector<Site> sites, std::string message,
                   std::uint64_t step);

  const std::vector<Report>& reports() const { return reports_; }
  // Reports from index `from` on that have no pc get `pc` (the access that
  // made them: the simulator knows it, the checkers are not told).
  void StampPc(std::size_t from, std::uint64_t pc) {
    for (std::size_t i = from; i < reports_.size(); ++i) {
      if (reports_[i].pc == 0) reports_[i].pc = pc;
    }
  }
  // Bit i set when Signature i fired.
  std::uint32_t fired() const { return fired_; }

 private:
  // Appends a report and returns it for the caller to describe.
  Report& Begin(Signature sig, std::vector<int> cpus, std::uint64_t step, std::vector<Site> sites);
  // False when this finding (signature + identifying values) was reported already.
  bool FirstTime(Signature sig, std::uint64_t a, std::uint64_t b = 0);
  static std::uint64_t Key(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }
  void CheckChain(int cpu, const void* head_addr, const void* first, Site site, std::uint64_t step);
  // An -EBUSY return of the call of token t that asked for `mask`.
  // (or a false irq_work_queue_on(): `irq_work`)
  void CheckBusy(int cpu, std::uint32_t t, std::uint64_t mask, bool irq_work, std::uint64_t step);
  void CheckNoSuchCpu(int cpu, std::uint32_t t, std::uint64_t mask, std::uint64_t step);
  // An access to [addr, addr + size) that overlaps a freed object.
  void CheckFreed(int cpu, const Access& a, bool wrote, std::uint64_t step);

  int n_ = 0;
  bool detect_races_ = true;
  const RequestOrigins* requests_ = nullptr;
  Locations* locations_ = nullptr;
  RaceDetector races_;
  std::vector<Report> reports_;
  std::uint32_t fired_ = 0;
  // Request accounting, index token * n + cpu.
  std::vector<std::uint16_t> expected_;
  std::vector<std::uint16_t> ran_;
  std::vector<std::uint64_t> request_mask_;  // index token
  std::vector<std::uint16_t> in_flight_;     // index token: issued, not yet returned
  // index token: the online CPUs its latest call was due on (kRequestIssued's
  // d), which an -ENXIO return must not refuse.
  std::vector<std::uint64_t> due_online_;
  // Hotplug: transitions so far; per token the count at its latest issue,
  // whether a call of it was in flight across one, and how often it was
  // issued.
  std::uint32_t hotplug_epoch_ = 0;
  std::vector<std::uint32_t> issued_epoch_;
  std::vector<std::uint8_t> loose_;
  std::vector<std::uint16_t> issues_;
  bool Loose(std::uint32_t t) const {
    return loose_[t] != 0 || (in_flight_[t] > 0 && issued_epoch_[t] != hotplug_epoch_);
  }
  // Objects freed and not born again (a callback's kfree(); few per run).
  struct Freed {
    const char* begin;
    const char* end;
    int cpu;
    std::uint64_t step;
  };
  std::vector<Freed> freed_;
  // CSD lock owners (cpu + 1), by csd address.
  CsdOwners owner_;
  bool verbose_ = true;
  // Dedup of findings within one run (few per run: a vector beats a set).
  std::vector<std::uint64_t> seen_;
};

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_CHECKERS_H_
