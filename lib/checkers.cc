// SPDX-License-Identifier: GPL-2.0-only
#include "lib/checkers.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <functional>
#include <string>

namespace smpfuzz {
namespace {

constexpr int kChainLimit = 1 << 16;

// A printk line without its newline.
std::string TrimNewline(const char* s) {
  std::string out(s);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace

bool Checkers::FirstTime(Signature sig, std::uint64_t a, std::uint64_t b) {
  std::uint64_t key = (static_cast<std::uint64_t>(sig) << 56) ^ (a * 0x9e3779b97f4a7c15ULL) ^
                      (b * 0xc2b2ae3d27d4eb4fULL);
  for (std::uint64_t k : seen_) {
    if (k == key) return false;
  }
  seen_.push_back(key);
  return true;
}

void Checkers::Reset(int nr_cpus, const RequestOrigins* requests, Locations* locations,
                     bool detect_races, bool verbose) {
  verbose_ = verbose;
  n_ = nr_cpus;
  requests_ = requests;
  locations_ = locations;
  detect_races_ = detect_races;
  if (detect_races_) races_.Reset(nr_cpus);
  reports_.clear();
  fired_ = 0;
  std::size_t tokens = requests->count() + 1;
  expected_.assign(tokens * n_, 0);
  ran_.assign(tokens * n_, 0);
  request_mask_.assign(tokens, 0);
  in_flight_.assign(tokens, 0);
  due_online_.assign(tokens, 0);
  hotplug_epoch_ = 0;
  issued_epoch_.assign(tokens, 0);
  loose_.assign(tokens, 0);
  issues_.assign(tokens, 0);
  owner_.Clear();
  seen_.clear();
  freed_.clear();
}

Report& Checkers::Begin(Signature sig, std::vector<int> cpus, std::uint64_t step,
                        std::vector<Site> sites) {
  fired_ |= 1u << static_cast<int>(sig);
  Report& r = reports_.emplace_back();
  r.signature = sig;
  r.cpus = std::move(cpus);
  r.step = step;
  r.sites = std::move(sites);
  return r;
}

void Checkers::CheckChain(int cpu, const void* head_addr, const void* first, Site site,
                          std::uint64_t step) {
  // Brent's cycle detection over the raw next pointers. Every guest's list
  // node (struct llist_node) is one `next` pointer.
  struct ChainNode {
    const ChainNode* next;
  };
  const ChainNode* tortoise = static_cast<const ChainNode*>(first);
  const ChainNode* hare = tortoise;
  int power = 1, lambda = 1;
  if (hare == nullptr) return;
  for (int i = 0; i < kChainLimit; ++i) {
    hare = hare->next;
    if (hare == nullptr) return;
    if (hare == tortoise) break;
    if (power == lambda) {
      tortoise = hare;
      power *= 2;
      lambda = 0;
    }
    ++lambda;
    if (i == kChainLimit - 1) return;  // absurdly long but not proven cyclic
  }
  if (!FirstTime(Signature::kLlistSelfLoop, Key(hare))) return;
  Report& r = Begin(Signature::kLlistSelfLoop, {cpu}, step, {site});
  if (verbose_) {
    r.csd = locations_->ObjectName(hare);
    r.message = "the chain on " + locations_->ObjectName(head_addr) + " has a cycle of " +
                std::to_string(lambda) + " node(s) through " + r.csd;
  }
}

void Checkers::OnAccess(int cpu, const Access& a, std::uint32_t loc, std::uint64_t read,
                        bool wrote, std::uint64_t step) {
  if (!freed_.empty()) CheckFreed(cpu, a, wrote, step);
  const Locations::Loc& l = locations_->Get(loc);
  if (wrote && l.field == Field::kNext && a.value == reinterpret_cast<std::uintptr_t>(a.addr)) {
    if (FirstTime(Signature::kLlistSelfLoop, Key(a.addr))) {
      Report& r = Begin(Signature::kLlistSelfLoop, {cpu}, step, {a.site});
      if (verbose_) {
        r.csd = locations_->ObjectName(a.addr);
        r.message = "CPU" + std::to_string(cpu) + " set " + r.csd +
                    ".node.llist.next to itself: the node was already the head of the list";
      }
    }
  }
  if (l.field == Field::kFirst) {
    if (wrote && a.kind != AccessKind::kXchg) {
      CheckChain(cpu, a.addr, reinterpret_cast<const void*>(a.value), a.site, step);
    } else if (a.kind == AccessKind::kXchg) {
      CheckChain(cpu, a.addr, reinterpret_cast<const void*>(read), a.site, step);
    }
  }
  if (detect_races_) {
    RaceDetector::Conflict c;
    // A successful cmpxchg that stores the value it found (irq_work_claim()'s
    // fetch-or on a work already pending) changes nothing a plain reader
    // could see: KCSAN's default (CONFIG_KCSAN_REPORT_VALUE_CHANGE_ONLY=y)
    // keeps quiet about it, and so does this checker.
    const bool changed = wrote && !((a.kind == AccessKind::kCmpxchg ||
                                     a.kind == AccessKind::kCmpxchgAcquire) &&
                                    read == a.value);
    if (races_.OnAccess(cpu, loc, a.kind, changed, a.site, &c)) {
      Site s1 = a.site, s2 = c.other_site;
      if (FirstTime(Signature::kDataRace, static_cast<std::uint64_t>(s1),
                    static_cast<std::uint64_t>(s2))) {
        Report& r = Begin(Signature::kDataRace, {cpu, c.other_cpu}, step, {s1, s2});
        r.object = a.addr;
        if (verbose_) r.csd = locations_->ObjectName(a.addr);
        if (verbose_) r.message = std::string(AccessKindName(a.kind)) + " by CPU" + std::to_string(cpu) +
                    " at " + SiteName(s1) + " races with " +
                    (c.other_plain ? "plain " : "marked ") + (c.other_write ? "write" : "read") +
                    " by CPU" + std::to_string(c.other_cpu) + " at " + SiteName(s2) + " on " +
                    locations_->Name(loc);
      }
    }
  }
}

void Checkers::OnFence(int cpu, FenceKind kind) {
  if (detect_races_) races_.OnFence(cpu, kind);
}
void Checkers::CheckFreed(int cpu, const Access& a, bool wrote, std::uint64_t step) {
  if (a.addr == nullptr) return;  // a call, an IPI, a delay: no memory
  const char* p = static_cast<const char*>(a.addr);
  const std::size_t size = a.size == 0 ? 1 : a.size;
  for (const Freed& f : freed_) {
    if (!(f.begin < p + size && p < f.end)) continue;
    if (!FirstTime(Signature::kUseAfterFree, Key(f.begin))) return;
    Report& r = Begin(Signature::kUseAfterFree, {cpu, f.cpu}, step, {a.site});
    if (verbose_) {
      r.csd = locations_->ObjectName(f.begin);
      r.message = "CPU" + std::to_string(cpu) + " " +
(wrote ? "wrote " : "read ") +
                  r.csd + " at offset " + std::to_string(p - f.begin) + ", which CPU" +
                  std::to_string(f.cpu) + "'s callback freed at step " + std::to_string(f.step);
    }
    return;
  }
}

void Checkers::OnIpiSend(int cpu, int target) {
  if (detect_races_) races_.OnIpiSend(cpu, target);
}
void Checkers::OnIpiDeliver(int target) {
  if (detect_races_) races_.OnIpiDeliver(target);
}
void Checkers::OnMigrate(int from, int to) {
  if (detect_races_) races_.OnMigrate(from, to);
}

void Checkers::OnGhost(int cpu, const GhostEvent& e, std::uint64_t step) {
  switch (e.kind) {
    case GhostKind::kObjectBorn: {
      const char* begin = static_cast<const char*>(e.obj);
      std::erase_if(freed_, [&](const Freed& f) { return f.begin < begin + e.a && begin < f.end; });
      owner_.Erase(e.obj);
      if (detect_races_) {
        // Fresh memory: forget every access to its fields (a stack csd gets
        // new ids from the simulator; a reused async csd keeps its ids).
        const char* b = static_cast<const char*>(e.obj);
        for (std::uint64_t off = 0; off < e.a; off += 2) {
          std::uint32_t id;
          if (locations_->Find(b + off, &id)) races_.Forget(id);
        }
      }
      break;
    }
    case GhostKind::kObjectFreed: {
      const char* begin = static_cast<const char*>(e.obj);
      freed_.push_back({begin, begin + e.a, cpu, step});
      break;
    }
    case GhostKind::kCsdLocked: {
      int prev = owner_.Exchange(e.obj, cpu + 1) - 1;
      if (prev >= 0) {
        if (FirstTime(Signature::kCsdDoubleLock, Key(e.obj))) {
          Report& r = Begin(Signature::kCsdDoubleLock, {cpu, prev}, step, {e.site});
          if (verbose_) {
            r.csd = locations_->ObjectName(e.obj);
            r.message = "CPU" + std::to_string(cpu) + " took the CSD lock of " + r.csd +
                        " while CPU" + std::to_string(prev) + " still holds it";
          }
        }
      }
      break;
    }
    case GhostKind::kCsdUnlocked:
      owner_.Erase(e.obj);
      break;
    case GhostKind::kWarnUnlockUnlocked: {
      if (FirstTime(Signature::kCsdUnlockUnlocked, Key(e.obj))) {
        Report& r = Begin(Signature::kCsdUnlockUnlocked, {cpu}, step, {e.site});
        if (e.where != nullptr) r.where = e.where;
        if (verbose_) {
          r.csd = locations_->ObjectName(e.obj);
          r.message = "WARNING: CPU" + std::to_string(cpu) + " at " +
                      (e.where != nullptr ? e.where : "csd_unlock") + ": " + r.csd +
                      " has no CSD_FLAG_LOCK (WARN_ON(!(csd->node.u_flags & CSD_FLAG_LOCK)))";
        }
      }
      break;
    }
    case GhostKind::kKernelWarn: {
      // One report per location: the kernel's WARN_ONCE()s, and a WARN_ON()
      // that fires every lap of a loop, say one thing each.
      const std::string where = e.where != nullptr ? e.where : "?";
      if (!FirstTime(Signature::kKernelWarn, std::hash<std::string>()(where))) break;
      Report& r = Begin(Signature::kKernelWarn, {cpu}, step, {e.site});
      r.where = where;
      if (verbose_) {
        r.message = "WARNING: CPU" + std::to_string(cpu) + " at " + where;
        if (e.text != nullptr && *e.text != '\0') r.message += ": " + TrimNewline(e.text);
      }
      break;
    }
    case GhostKind::kCsdLockTimeout: {
      bool firsttime = (e.d >> 63) == 0;
      if (!firsttime) break;
      if (!FirstTime(Signature::kCsdLockTimeout, Key(e.obj), static_cast<std::uint64_t>(cpu))) {
        break;
      }
      std::string csd = locations_->ObjectName(e.obj);
      int dst = static_cast<int>(static_cast<std::int64_t>(e.b));
      char buf[256];
      std::snprintf(buf, sizeof buf,
                    "csd: Detected non-responsive CSD lock (#%d) on CPU#%d, waiting %" PRIu64
                    " ns for CPU#%02d %s (%s)",
                    static_cast<int>(e.d & 0xffffffff), cpu, e.a, dst,
                    CallbackName(e.c, 0).c_str(), csd.c_str());
      Report& r = Begin(Signature::kCsdLockTimeout, {cpu}, step, {e.site});
      if (dst >= 0) r.cpus.push_back(dst);
      r.csd = csd;
      // The kernel guest's own pr_alert, when it printed one.
      r.message = e.text != nullptr ? TrimNewline(e.text) : buf;
      break;
    }
    case GhostKind::kCsdLockUnstuck:
      break;
    case GhostKind::kPerCpuOutOfRange: {
      int bad = static_cast<int>(static_cast<std::int64_t>(e.a));
      if (!FirstTime(Signature::kPercpuOutOfRange, e.a)) break;
      Report& r = Begin(Signature::kPercpuOutOfRange, {cpu}, step, {e.site});
      r.csd = "csd_data[" + std::to_string(bad) + "]";
      r.message = "CPU" + std::to_string(cpu) + " took per_cpu_ptr(&csd_data, " +
                  std::to_string(bad) + ") with nr_cpu_ids=" + std::to_string(n_) +
                  " (get_single_csd_data() does not check the CPU number)";
      break;
    }
    case GhostKind::kRequestIssued: {
      std::uint32_t t = static_cast<std::uint32_t>(e.a);
      if (t == 0 || t >= request_mask_.size()) break;
      request_mask_[t] |= e.b;
      ++in_flight_[t];
      due_online_[t] = e.b & e.d;
      issued_epoch_[t] = hotplug_epoch_;
      ++issues_[t];
      for (int c = 0; c < n_; ++c) {
        if ((e.b >> c) & 1) ++expected_[static_cast<std::size_t>(t) * n_ + c];
      }
      break;
    }
    case GhostKind::kRequestReturned: {
      std::uint32_t t = static_cast<std::uint32_t>(e.a);
      if (t == 0 || t >= request_mask_.size()) break;
      // c: the CPUs this call asked for; d: whether it waited for them.
      std::int64_t err = static_cast<std::int64_t>(e.b);
      const std::uint64_t mask = e.c;
      const bool waited = e.d == 1;
      const bool irq_work = e.d == kReturnedIrqWork;
      if (issued_epoch_[t] != hotplug_epoch_) loose_[t] = 1;
      if (in_flight_[t] > 0) --in_flight_[t];
      if (err == -EBUSY) CheckBusy(cpu, t, mask, irq_work, step);
      if (err == -ENXIO && !loose_[t]) CheckNoSuchCpu(cpu, t, mask, step);
      if (err != 0) {
        for (int c = 0; c < n_; ++c) {
          std::size_t i = static_cast<std::size_t>(t) * n_ + c;
          if (((mask >> c) & 1) && expected_[i] > 0) --expected_[i];
        }
        break;
      }
      if (!waited || loose_[t]) break;
      for (int c = 0; c < n_; ++c) {
        std::size_t i = static_cast<std::size_t>(t) * n_ + c;
        if (((mask >> c) & 1) && ran_[i] < expected_[i]) {
          if (!FirstTime(Signature::kCallbackLost, t, static_cast<std::uint64_t>(c))) continue;
          std::string name = CallbackName(CallbackFuncBits(t), CallbackInfoBits(t));
          Report& r = Begin(Signature::kCallbackLost, {cpu, c}, step, {});
          r.message = "CPU" + std::to_string(cpu) + "'s wait=1 call returned but " + name +
                      " has not run on CPU" + std::to_string(c);
        }
      }
      break;
    }
  }
}

void Checkers::CheckBusy(int cpu, std::uint32_t t, std::uint64_t mask, bool irq_work,
                         std::uint64_t step) {
  // Token t names the csd (a shared async csd has one token for all its
  // calls). The lock can only be held by a call on it that is still in
  // flight, or by one whose callback has not started yet.
  if (in_flight_[t] > 0) return;
  int pending = -std::popcount(mask);  // this call's own, which never got queued
  for (int c = 0; c < n_; ++c) {
    std::size_t i = static_cast<std::size_t>(t) * n_ + c;
    pending += static_cast<int>(expected_[i]) - static_cast<int>(ran_[i]);
  }
  if (pending > 0 || !FirstTime(Signature::kCsdSpuriousBusy, t)) return;
  std::string name = CallbackName(CallbackFuncBits(t), CallbackInfoBits(t));
  Report& r = Begin(Signature::kCsdSpuriousBusy, {cpu}, step, {});
  // For an irq_work the same count is its promise: a claim that finds the
  // work pending relies on a run that has not started yet.
  r.message = irq_work ? "CPU" + std::to_string(cpu) + "'s irq_work_queue_on() found the work of " +
                             name + " pending although every run of it has started: no run " +
                             "will see what this caller did, its work is lost"
                       : "CPU" + std::to_string(cpu) +
                             "'s smp_call_function_single_async() got -EBUSY for the csd of " +
                             name + " although every earlier call on it is done";
}

void Checkers::CheckNoSuchCpu(int cpu, std::uint32_t t, std::uint64_t mask, std::uint64_t step) {
  // -ENXIO promises that the CPU asked for is offline or impossible
  // (smp_call_function_single(); smp_call_function_any(): "if no cpus were
  // online"): its callback will not run, and the caller was told so.
  const std::uint64_t refused = due_online_[t] & mask;
  if (refused == 0) return;
  const int c = std::countr_zero(refused);
  if (!FirstTime(Signature::kCallbackLost, t, static_cast<std::uint64_t>(c))) return;
  std::string name = CallbackName(CallbackFuncBits(t), CallbackInfoBits(t));
  Report& r = Begin(Signature::kCallbackLost, {cpu, c}, step, {});
  r.message = "CPU" + std::to_string(cpu) + "'s call of " + name + " returned -ENXIO, but CPU" +
              std::to_string(c) + ", which it was due on, is online";
}

void Checkers::OnCallback(int cpu, std::uint64_t func, std::uint64_t info, Site site,
                          std::uint64_t step) {
  std::uint32_t tf = TokenOfFunc(func);
  std::uint32_t ti = TokenOfInfo(info);
  const bool known = tf != 0 && tf == ti && tf < request_mask_.size();
  const bool loose = known && Loose(tf);
  if (!known || (!((request_mask_[tf] >> cpu) & 1) && !loose)) {
    if (!FirstTime(Signature::kCallbackCorrupted, func ^ (info << 20),
                   static_cast<std::uint64_t>(cpu))) {
      return;
    }
    std::string name = CallbackName(func, info);
    Report& r = Begin(Signature::kCallbackCorrupted, {cpu}, step, {site});
    r.message = "CPU" + std::to_string(cpu) + " ran " + name +
                (tf != ti ? ": func and info belong to different requests"
                          : ": no request asked for it on this CPU");
    return;
  }
  std::size_t i = static_cast<std::size_t>(tf) * n_ + cpu;
  ++ran_[i];
  if (ran_[i] > (loose ? std::max(expected_[i], issues_[tf]) : expected_[i])) {
    if (!FirstTime(Signature::kCallbackDuplicated, tf, static_cast<std::uint64_t>(cpu))) return;
    std::string name = CallbackName(func, info);
    Report& r = Begin(Signature::kCallbackDuplicated, {cpu}, step, {site});
    r.message = "CPU" + std::to_string(cpu) + " ran " + name + " " + std::to_string(ran_[i]) +
                " times; it was requested " + std::to_string(expected_[i]) + " time(s)";
  }
}

void Checkers::OnHotplug(int cpu, bool online) {
  (void)cpu;
  (void)online;
  ++hotplug_epoch_;
}

void Checkers::ReportOfflineEntry(int cpu, const void* head, const void* first, const char* when,
                                  std::uint64_t step) {
  if (!FirstTime(Signature::kOfflineCpuEntry, static_cast<std::uint64_t>(cpu), Key(first))) return;
  Report& r = Begin(Signature::kOfflineCpuEntry, {cpu}, step, {Site::cpu_down});
  if (verbose_) {
    r.csd = locations_->ObjectName(first);
    r.message = r.csd + " is on " + locations_->ObjectName(head) + " of CPU" +
                std::to_string(cpu) + " " + when +
                ": a dead CPU takes no IPI and runs no flush, so nothing runs it";
  }
}

void Checkers::OnQuiescent(std::uint64_t step) {
  for (std::size_t t = 1; t < request_mask_.size(); ++t) {
    // A call across a hotplug (see OnHotplug), or one whose caller never
    // returned: a dead CPU's own task, parked until the CPU comes back.
    if (loose_[t] || in_flight_[t] > 0) continue;
    for (int c = 0; c < n_; ++c) {
      std::size_t i = t * n_ + c;
      if (ran_[i] >= expected_[i]) continue;
      if (!FirstTime(Signature::kCallbackLost, t, static_cast<std::uint64_t>(c))) continue;
      std::string name = CallbackName(CallbackFuncBits(static_cast<std::uint32_t>(t)),
                                      CallbackInfoBits(static_cast<std::uint32_t>(t)));
      auto [ocpu, oop] = requests_->Origin(static_cast<std::uint32_t>(t));
      Report& r = Begin(Signature::kCallbackLost, {c}, step, {});
      // An extra task's token names the task (lib/scenario.h), not a CPU.
      if (ocpu >= 0 && ocpu < n_) r.cpus.push_back(ocpu);
      r.message = name + " requested by " + (ocpu < n_ ? "CPU" : "task ") + std::to_string(ocpu) + " (op " +
                  std::to_string(oop + 1) + ") ran " + std::to_string(ran_[i]) + " of " +
                  std::to_string(expected_[i]) + " time(s) on CPU" + std::to_string(c) +
                  " by quiescence";
    }
  }
}

void Checkers::ReportStuck(std::vector<int> cpus, std::vector<Site> sites, std::string message,
                           std::uint64_t step) {
  Report& r = Begin(Signature::kCpuStuck, std::move(cpus), step, std::move(sites));
  r.message = std::move(message);
}

}  // namespace smpfuzz
