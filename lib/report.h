// SPDX-License-Identifier: GPL-2.0-only
//
// Report: what a checker found, in the words triage buckets by.
//
// Signature names are stable (reproducers, crash buckets and CI logs use
// them). A report's dedup key is its signature plus its code sites.

#ifndef SMPFUZZ_LIB_REPORT_H_
#define SMPFUZZ_LIB_REPORT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lib/sites.h"

namespace smpfuzz {

// Ordered from most to least severe: a run's verdict is its most severe report.
enum class Signature : std::uint8_t {
  kLlistSelfLoop,       // a node added while already the head, or a walk finds a cycle
  kCpuStuck,            // no progress within the step budget, or every CPU blocked
  kCsdLockTimeout,      // a CSD-lock waiter exceeded csd_lock_timeout (virtual time)
  kCallbackCorrupted,   // a callback ran with another request's func/info, or on the wrong CPU
  kCallbackDuplicated,  // a callback ran more often than requested
  kCallbackLost,        // a requested callback never ran (by quiescence, or by a wait=1 return)
  kCsdDoubleLock,       // two owners hold one CSD lock at once
  kCsdUnlockUnlocked,   // csd_unlock() of a csd without CSD_FLAG_LOCK (the kernel's WARN)
  kPercpuOutOfRange,    // per_cpu_ptr() of a CPU number that is not a possible CPU
  kDataRace,            // a plain access conflicts with another access without happens-before
  // Appended, not ordered by severity (bit numbers stay): a WARN of a
  // guest's own code that no signature above names. Only the kernel guest
  // has one (the model's only WARN is csd_unlock's: csd-unlock-unlocked).
  kKernelWarn,
  // smp_call_function_single_async() returned -EBUSY for a csd that no call
  // holds: every earlier call on it has returned and its callback has started
  // (the flush releases an async csd before its callback, so that the
  // callback, or anyone it served, may queue the csd again).
  kCsdSpuriousBusy,
  // An access to an object after a callback that owned it freed it (a
  // request's kfree() in its handler; KASAN's slab-use-after-free).
  kUseAfterFree,
  // A CPU went offline at run time (its dying callback, smpcfd_dying_cpu(),
  // has run) with an entry on its call_single_queue, or one was queued
  // there after: no IPI and no flush will ever run it.
  kOfflineCpuEntry,
  kCount
};

inline constexpr int kSignatureCount = static_cast<int>(Signature::kCount);

const char* SignatureName(Signature s);  // "llist-self-loop", ...
bool SignatureFromName(std::string_view name, Signature* out);

constexpr std::uint32_t SignatureBit(Signature s) { return 1u << static_cast<int>(s); }

// "llist-self-loop,cpu-stuck" -> their SignatureBits. On an unknown name
// returns false and sets *bad to it.
bool ParseSignatureList(std::string_view list, std::uint32_t* mask, std::string* bad);
// The other way: "all" when every signature is in `mask`, "none" when none
// is, else the names joined by commas (what ParseSignatureList reads).
std::string FormatSignatureList(std::uint32_t mask);

struct Report {
  Signature signature = Signature::kDataRace;
  std::vector<int> cpus;     // the CPUs involved, the reporting one first
  std::string csd;           // the csd (or list head) involved, by name; may be empty
  std::uint64_t step = 0;    // trace step at which it fired
  std::vector<Site> sites;   // code sites involved
  // The guest's own source location, when it has one (the kernel guest:
  // "csd_unlock(kernel/smp.c:368)"): it replaces the sites in the dedup key,
  // so buckets are per location of the tree, not per Site::kernel_guest.
  std::string where;
  // The guest code address of the access that made it (Access::pc; 0 for
  // the model): the simulator turns it into `where` (Guest::CodePlace).
  std::uint64_t pc = 0;
  std::string message;       // one line, for people
  // The memory object involved (csd or list head), while the run's state is
  // alive; for tools that classify findings, never printed.
  const void* object = nullptr;

  // signature + sites, e.g. "data-race@csd_lock_store_flags,csd_lock_load_flags",
  // or signature + where: "csd-unlock-unlocked@csd_unlock(kernel/smp.c:368)".
  std::string DedupKey() const;
  // The key of a report of `signature` at `where`: "SIGNATURE@WHERE".
  static std::string KeyAt(Signature signature, std::string_view where);
};

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_REPORT_H_
