// SPDX-License-Identifier: GPL-2.0-only
//
// RaceDetector: the simulator's deterministic happens-before data-race
// detector over the model's accesses (the `data-race` oracle).
//
// A data race is two accesses to one location, at least one a write and at
// least one plain (unmarked), from different CPUs, with neither ordered
// before the other. Ordering comes from vector clocks carried by the
// kernel's synchronization:
//  - smp_store_release -> smp_load_acquire / smp_cond_load_acquire that reads it;
//  - fully ordered RMWs (xchg, cmpxchg, try_cmpxchg success) are acquire + release,
//    and extend the release sequence of the location; try_cmpxchg_acquire success
//    is acquire; a failed cmpxchg is a relaxed read;
//  - fences, C11-style: smp_wmb and smp_mb make later marked stores carry the
//    fence's clock; smp_acquire__after_ctrl_dep, smp_rmb and smp_mb make
//    earlier marked reads acquire;
//  - an IPI orders its sender's past before the handler on the target.
// Accesses of one CPU, in task or IRQ context, are in program order.
// Marked-versus-marked conflicts are never races (as in the LKMM and KCSAN).

#ifndef SMPFUZZ_LIB_RACE_DETECTOR_H_
#define SMPFUZZ_LIB_RACE_DETECTOR_H_

#include <cstdint>
#include <vector>

#include "lib/primitives.h"
#include "lib/sites.h"

namespace smpfuzz {

class RaceDetector {
 public:
  struct Conflict {
    int other_cpu = -1;
    Site other_site = Site::fence;
    bool other_write = false;
    bool other_plain = false;
  };

  void Reset(int nr_cpus);
  // Records an access by `cpu` to location `loc`; `wrote` says whether a
  // cmpxchg succeeded (ignored for other kinds). Returns true and fills
  // `out` when the access races with an earlier one.
  bool OnAccess(int cpu, std::uint32_t loc, AccessKind kind, bool wrote, Site site,
                Conflict* out);
  // Forgets everything known about `loc` (its object was just born).
  void Forget(std::uint32_t loc);
  void OnFence(int cpu, FenceKind kind);
  void OnIpiSend(int cpu, int target);
  void OnIpiDeliver(int target);
  // A task moved from CPU `from` to `to`: what ran on `from` happens before
  // what the task does next on `to` (the runqueue locks of a migration).
  void OnMigrate(int from, int to);

 private:
  struct Shadow {
    std::int32_t w_cpu = -1;
    std::uint32_t w_clock = 0;
    Site w_site = Site::fence;
    bool w_plain = false;
    bool has_sync = false;
  };
  std::uint32_t* Vc(int cpu) { return &vc_[static_cast<std::size_t>(cpu) * n_]; }
  void Grow(std::uint32_t loc);
  void Join(std::uint32_t* dst, const std::uint32_t* src) {
    for (int i = 0; i < n_; ++i) dst[i] = dst[i] < src[i] ? src[i] : dst[i];
  }
  void Tick(int cpu) { ++Vc(cpu)[cpu]; }

  int n_ = 0;
  std::vector<std::uint32_t> vc_;           // n*n: each CPU's vector clock
  std::vector<std::uint32_t> fence_rel_;    // n*n: clock at the last release fence
  std::vector<std::uint8_t> fence_rel_valid_;
  std::vector<std::uint32_t> acq_pending_;  // n*n: clocks read by relaxed loads
  std::vector<std::uint32_t> ipi_clock_;    // n*n: released by IPIs to each CPU
  std::vector<Shadow> shadow_;              // per location
  std::vector<std::uint32_t> read_clock_;   // loc*n: last read by each CPU (0: none)
  std::vector<std::uint8_t> read_plain_;    // loc*n
  std::vector<Site> read_site_;             // loc*n
  std::vector<std::uint32_t> sync_;         // loc*n: release clock stored with the value
  std::uint32_t used_ = 0;                  // locations touched since Reset
};

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_RACE_DETECTOR_H_
