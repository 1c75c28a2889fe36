// SPDX-License-Identifier: GPL-2.0-only
//
// Known findings: reports that are real, reproduced in repro/ and explained
// in README, so the fuzzers keep searching for new ones instead of stopping
// on these every few milliseconds. The generator is never narrowed: inputs
// that trigger them still run, with every checker, and any other report on
// them is still a finding.

#include "fuzz/smp_harness.h"

namespace smpfuzz::fuzz {
namespace {

bool Involves(const Report& r, Site s) {
  for (Site x : r.sites) {
    if (x == s) return true;
  }
  return false;
}

// All the time the scenario asks CPUs to spend with interrupts off. An IPI
// may legally wait through several such windows (its delivery is the
// schedule's choice), and waits chain across CPUs, so the sum is the bound.
std::uint64_t TotalIrqsOffMs(const Scenario& s) {
  std::uint64_t total = 0;
  for (int t = 0; t < s.nr_tasks(); ++t) {  // the extra tasks' too
    for (const Op& op : s.TaskOpList(t)) {
      if (op.kind == OpKind::kIrqsOff) total += op.ms;
    }
  }
  return total;
}

// Whether the scenario's interrupts-off windows can explain a CSD-lock
// timeout: they, plus the virtual time of every step the run may take (the
// fuzzers' budget is 200k steps of 1 us: 200 ms), reach csd_lock_timeout.
// Without such windows a run cannot wait 5 s within its budget.
bool StallsExplainTimeout(const Scenario& s) {
  const std::uint64_t kStepTimeMs = SimOptions{}.max_steps * SimOptions{}.ns_per_step / 1000000;
  return TotalIrqsOffMs(s) > 0 && TotalIrqsOffMs(s) + kStepTimeMs >= s.csd_lock_timeout_ms;
}

// A report of the kernel guest's accesses: every one of them is
// Site::kernel_guest (the runtime knows addresses, not code sites), so the
// site rules below cannot tell its data races apart.
bool OnlyKernelGuestSites(const Report& r) {
  if (r.sites.empty()) return false;
  for (Site x : r.sites) {
    if (x != Site::kernel_guest) return false;
  }
  return true;
}

}  // namespace

bool IsKnownFinding(const Simulator& sim, const Report& r) {
  const Scenario& s = sim.scenario();
  switch (r.signature) {
    case Signature::kPercpuOutOfRange:
      // repro/percpu_out_of_range.repro: get_single_csd_data() (b0473dcd and
      // fixed) indexes csd_data with an unchecked CPU number.
      return true;
    case Signature::kDataRace:
      // repro/async_ebusy.repro: smp_call_function_single_async()'s plain
      // -EBUSY check (and the plain store that follows it) on a csd the
      // caller reuses while it is still in flight: the caller's race. Without
      // an acquire in that check, the caller's next llist_add is not ordered
      // after the target's last touch of the node either. Only csds shared
      // between calls (csd=K) can race so: a fresh csd starts a new life.
      if (Involves(r, Site::scfsa_read_flags) || Involves(r, Site::scfsa_set_flags)) return true;
      if (r.object != nullptr && sim.guest().IsSharedWorkloadCsd(r.object)) return true;
      // README "The irq_work re-queue race": the flush's plain accesses to an
      // irq_work's node (llist_reverse_order()'s store to next, the pass's
      // loads of next and type) are not ordered before irq_work_single()'s
      // atomic_set() that lets another CPU claim and llist_add() the work
      // again (no release, the smp_mb() comes after it): a data race under
      // LKMM's rules in every variant. Not the claim's own accesses (a plain
      // claim is a bug of its own); on the kernel guest, which names no
      // sites, any race on an irq_work.
      if (r.object != nullptr && sim.guest().IsIrqWork(r.object) &&
          !Involves(r, Site::irq_work_claim_read) && !Involves(r, Site::irq_work_claim_store)) {
        return true;
      }
      // The kernel guest's race reports name no sites: a race in a run whose
      // interrupts-off windows explain a CSD-lock timeout is taken for the
      // diagnostics' race below (coarser than the model's rule: it may hide
      // another race in such a run, never one in a run without the stall).
      if (OnlyKernelGuestSites(r)) return StallsExplainTimeout(s);
      // The timeout report (csd_lock_wait_toolong, csd_lock_wait_getcpu)
      // reads u_flags, dst, func and info with plain loads while other CPUs
      // may unlock, relock and refill the csd: a data race in the kernel's
      // diagnostics, on every variant, only after a CSD-lock timeout.
      return StallsExplainTimeout(s) &&
             (Involves(r, Site::csd_lock_wait_toolong_read_func) ||
              Involves(r, Site::csd_lock_wait_toolong_read_info) ||
              Involves(r, Site::csd_lock_wait_toolong_read_dst));
    case Signature::kCsdLockTimeout:
      // repro/irqs_off_timeout.repro: the debug diagnostics working, when
      // CPUs keep interrupts off for longer than csd_lock_timeout.
      return StallsExplainTimeout(s);
    default:
      return false;
  }
}

}  // namespace smpfuzz::fuzz
