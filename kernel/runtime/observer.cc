// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/runtime/observer.h"

#include <algorithm>
#include <cstring>

#include "lib/csd_flags.h"

namespace smpfuzz::kernel_rt {
namespace {

constexpr int kMaxArgs = 12;

// The arguments of printk(fmt, ...), one 64-bit word each, in order
// (integers sign- or zero-extended as their conversion says; %s and %p,
// including the kernel's %pS/%ps, as pointers). Returns how many.
int ScanArgs(const char* fmt, va_list ap, std::uint64_t out[kMaxArgs]) {
  va_list aq;
  va_copy(aq, ap);
  int n = 0;
  for (const char* p = fmt; *p != '\0' && n < kMaxArgs; ++p) {
    if (*p != '%') continue;
    ++p;
    if (*p == '%') continue;
    while (*p != '\0' && std::strchr("-+ #0", *p) != nullptr) ++p;
    auto skip_number = [&] {
      if (*p == '*') {
        if (n < kMaxArgs) out[n++] = static_cast<std::uint64_t>(va_arg(aq, int));
        ++p;
      }
      while (*p >= '0' && *p <= '9') ++p;
    };
    skip_number();
    if (*p == '.') {
      ++p;
      skip_number();
    }
    int longs = 0;
    while (*p != '\0' && std::strchr("hlzjt", *p) != nullptr) longs += *p++ != 'h';
    if (n >= kMaxArgs || *p == '\0') break;
    switch (*p) {
      case 'd':
      case 'i':
        out[n++] = longs > 0 ? static_cast<std::uint64_t>(va_arg(aq, long long))
                             : static_cast<std::uint64_t>(static_cast<std::int64_t>(va_arg(aq, int)));
        break;
      case 'u':
      case 'x':
      case 'X':
      case 'o':
      case 'c':
        out[n++] = longs > 0 ? va_arg(aq, unsigned long long) : va_arg(aq, unsigned int);
        break;
      case 's':
      case 'p':
        out[n++] = reinterpret_cast<std::uintptr_t>(va_arg(aq, const void*));
        break;
      default:
        break;
    }
  }
  va_end(aq);
  return n;
}

}  // namespace

Observer g_observer;

void Observer::Reset(int nr_tasks) {
  tasks_.assign(nr_tasks, PerTask{});
  holders_.clear();
}

void Observer::Watch(Locations* names, const CsdLayout& layout) {
  names_ = names;
  layout_ = layout;
}

bool Observer::IsCsdFlags(const void* addr, int size) const {
  std::uint32_t id;
  if (names_ == nullptr || size != 4 || !names_->Find(addr, &id)) return false;
  const auto& loc = names_->Get(id);
  // An irq_work's flags word is a csd's (its node), but its bit 0 is
  // IRQ_WORK_PENDING, which every irq_work_claim()'s fetch-or writes again:
  // a claim, not a lock anyone owns. The model shadows csds only too.
  return loc.field == Field::kFlags && loc.area != Area::kIrqWork;
}

const void* Observer::CsdOf(const void* flags_word) const {
  return static_cast<const char*>(flags_word) - layout_.flags;
}

void Observer::OnLoad4(Cpu& cpu, const void* addr) {
  if (IsCsdFlags(addr, 4)) tasks_[cpu.task].last_flags_read = addr;
}

void Observer::OnPlainStore4(Cpu& cpu, void* addr) {
  if (!IsCsdFlags(addr, 4)) return;
  PerTask& c = tasks_[cpu.task];
  c.pending = addr;
  c.pending_old = RawLoad(addr, 4);
}

void Observer::SettleStore(Cpu& cpu) {
  PerTask& c = tasks_[cpu.task];
  void* addr = c.pending;
  c.pending = nullptr;
  Transition(cpu, addr, true, c.pending_old, RawLoad(addr, 4));
}

void Observer::OnAtomicWrite(Cpu& cpu, const void* addr, int size, std::uint64_t old,
                             std::uint64_t now) {
  if (IsCsdFlags(addr, size)) Transition(cpu, addr, true, old, now);
}

void Observer::OnAtomicStore(Cpu& cpu, const void* addr, int size, std::uint64_t now) {
  if (IsCsdFlags(addr, size)) Transition(cpu, addr, false, 0, now);
}

void Observer::Transition(Cpu& cpu, const void* addr, bool old_known, std::uint64_t old,
                          std::uint64_t now) {
  auto held = std::find_if(holders_.begin(), holders_.end(),
                           [&](const Holder& h) { return h.word == addr; });
  GhostKind kind;
  if (now & CSD_FLAG_LOCK) {
    // The holder's own update of a word that still says locked takes nothing.
    const bool was_locked = !old_known || (old & CSD_FLAG_LOCK);
    if (held != holders_.end() && held->task == cpu.task && was_locked) return;
    if (held == holders_.end()) {
      holders_.push_back({addr, cpu.task});
    } else {
      held->task = cpu.task;
    }
    kind = GhostKind::kCsdLocked;
  } else {
    if (held == holders_.end() && old_known && !(old & CSD_FLAG_LOCK)) return;
    if (held != holders_.end()) holders_.erase(held);
    kind = GhostKind::kCsdUnlocked;
  }
  cpu.platform->Ghost(cpu, GhostEvent{kind, Site::kernel_guest, CsdOf(addr)});
}

const char* Observer::Where(const char* file, int line, const char* func) {
  auto [it, fresh] = where_.try_emplace({file, line});
  if (fresh) it->second = std::string(func) + "(" + file + ":" + std::to_string(line) + ")";
  return it->second.c_str();
}

void Observer::OnWarn(Cpu& cpu, const char* file, int line, const char* func,
                      const void* last_load) {
  GhostEvent e{GhostKind::kKernelWarn, Site::kernel_guest};
  e.where = Where(file, line, func);
  if (std::strcmp(func, "csd_unlock") == 0) {
    // WARN_ON(!(csd->node.u_flags & CSD_FLAG_LOCK)): the csd whose flags
    // this CPU read last (the compiler may have reused an earlier load of
    // them, so not necessarily the fiber's last load: that is the fallback,
    // for csds the guest does not name).
    const void* flags = tasks_[cpu.task].last_flags_read;
    e.kind = GhostKind::kWarnUnlockUnlocked;
    e.obj = CsdOf(flags != nullptr ? flags : last_load);
  }
  cpu.platform->Ghost(cpu, e);
}

void Observer::OnPrintk(Cpu& cpu, const char* fmt, va_list ap, const void* pass_first,
                        const char* text) {
  GhostEvent e{GhostKind::kCsdLockTimeout, Site::kernel_guest};
  std::uint64_t arg[kMaxArgs] = {};
  // The tree's pr_fmt may prefix them ("smp: ").
  if (std::strstr(fmt, "csd: %s non-responsive CSD lock (#%d) on CPU#%d, waiting %") != nullptr) {
    // ("Detected"/"Continued", bug id, this CPU, ns waited, dst, func, info)
    if (ScanArgs(fmt, ap, arg) < 6) return;
    const bool firsttime = std::strcmp(reinterpret_cast<const char*>(arg[0]), "Detected") == 0;
    e.a = arg[3];
    e.b = arg[4];
    e.c = arg[5];
    e.d = (arg[1] & 0xffffffff) | (firsttime ? 0 : std::uint64_t{1} << 63);
  } else if (std::strstr(fmt, "csd: CSD lock (#%d) got unstuck") != nullptr) {
    if (ScanArgs(fmt, ap, arg) < 1) return;
    e.kind = GhostKind::kCsdLockUnstuck;
    e.d = arg[0] & 0xffffffff;
  } else {
    return;
  }
  e.obj = pass_first != nullptr ? CsdOf(pass_first) : nullptr;
  e.text = text;
  cpu.platform->Ghost(cpu, e);
}

}  // namespace smpfuzz::kernel_rt
