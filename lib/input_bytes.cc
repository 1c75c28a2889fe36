// SPDX-License-Identifier: GPL-2.0-only
#include "lib/input_bytes.h"

#include <map>

#include "absl/status/status.h"

namespace smpfuzz {
namespace {

// call_many's cond bits (local=1): no cond_func, or one true on the even
// CPUs, on the odd ones, on none.
std::uint64_t CondOfBits(int bits) {
  constexpr std::uint64_t kConds[4] = {kNoCond, 0x5555555555555555, 0xaaaaaaaaaaaaaaaa, 0};
  return kConds[bits & 3];
}

// A target byte's CPU: 0..n-1, n for -1 (none), n+1 for n (impossible).
int TargetOfCode(int code, int n) {
  return code == n ? -1 : code == n + 1 ? n : code;
}
// The other way; -1 when the byte format holds no such target.
int CodeOfTarget(int target, int n) {
  if (target < -1 || target > n) return -1;
  return target == -1 ? n : target == n ? n + 1 : target;
}

}  // namespace

Repro DecodeInputBytes(const std::uint8_t* data, std::size_t size, const Variant* variant) {
  Repro r;
  Scenario& s = r.scenario;
  auto byte = [&](std::size_t i) -> std::uint8_t { return i < size ? data[i] : 0; };
  s.nr_cpus = 2 + byte(0) % 7;
  s.variant = variant;
  s.csdlock_debug = (byte(1) & 1) != 0;
  const std::uint64_t all = (std::uint64_t{1} << s.nr_cpus) - 1;
  s.offline_mask = (static_cast<std::uint64_t>(byte(1)) & 0xfe) & all;
  s.ops.assign(s.nr_cpus, {});
  const int nops = byte(2) % (kBytesMaxOps + 1);
  std::size_t pos = kBytesHeader;
  std::map<int, int> extra_task;  // CPU * 2 + slot - 1 -> index in s.tasks
  for (int i = 0; i < nops && pos + kBytesPerOp <= size; ++i, pos += kBytesPerOp) {
    const int cpu = data[pos] % s.nr_cpus;
    const std::uint8_t kb = data[pos + 1];
    const std::uint8_t arg = data[pos + 2];
    Op op;
    // Kinds 0-6 as OpKind; kind 7 by bits 4-6 (one op in 64 each, and the
    // other kinds' odds stay): 111 hotplug, its wait bit saying online; 101
    // irq_work_queue_on (the wait bit: work 0 or 1); 011 ttwu_queue; and
    // callbacks that act: 000 call_single wait=0 act=complete, 001
    // call_single act=delay, 010 call_single_async act=rearm, 100
    // call_single_async act=nest (the wait bit: free=1), 110 call_single
    // act=nest. The delay's steps and the nested call's target are the
    // target byte's quotient (its remainder is the target).
    const int codes = s.nr_cpus + 2;
    const int quotient = arg / codes;
    switch (kb & 0x77) {
      case 0x77: op.kind = ((kb >> 3) & 1) ? OpKind::kCpuOnline : OpKind::kCpuOffline; break;
      case 0x57: op.kind = OpKind::kIrqWorkQueueOn; break;
      case 0x37: op.kind = OpKind::kTtwuQueue; break;
      case 0x17:
        op.kind = OpKind::kCallSingle;
        op.act = CallbackAct::kDelay;
        op.act_arg = 1 + quotient % kMaxActDelay;
        break;
      case 0x27:
        op.kind = OpKind::kCallSingleAsync;
        op.act = CallbackAct::kRearm;
        break;
      case 0x07:
        op.kind = OpKind::kCallSingle;
        op.act = CallbackAct::kComplete;
        break;
      case 0x47:
      case 0x67:
        op.kind = (kb & 0x20) ? OpKind::kCallSingle : OpKind::kCallSingleAsync;
        op.act = CallbackAct::kNest;
        op.act_arg = TargetOfCode(quotient % codes, s.nr_cpus);
        break;
      default: op.kind = static_cast<OpKind>((kb & 7) % 7); break;
    }
    const bool acts = op.act != CallbackAct::kNone;
    op.wait = (kb >> 3) & 1;
    op.local = (kb >> 4) & 1;
    const int target = TargetOfCode(arg % codes, s.nr_cpus);
    switch (op.kind) {
      case OpKind::kCallSingle:
        op.target = target;
        op.local = false;
        if (op.act == CallbackAct::kComplete) op.wait = false;  // SINGLE_RPC waits itself
        break;
      case OpKind::kCallSingleAsync:
        op.target = target;
        op.wait = op.local = false;
        op.csd = acts ? -1 : ((kb >> 5) & 3) - 1;
        // The wait bit: async has no wait; a rearm's csd is never freed.
        op.handler_frees = op.csd < 0 && op.act != CallbackAct::kRearm && ((kb >> 3) & 1);
        break;
      case OpKind::kCallMany:
        op.mask = arg;
        if (op.local && ((kb >> 5) & 3) != 0) op.cond = CondOfBits((kb >> 5) & 3) & all;
        break;
      case OpKind::kCallFunction:
        op.local = false;
        break;
      case OpKind::kCallAny:
        op.mask = arg;
        op.local = false;
        break;
      case OpKind::kFlush:
        op.wait = op.local = false;
        break;
      case OpKind::kIrqsOff:
        op.wait = op.local = false;
        op.ms = 50u * arg;
        break;
      case OpKind::kCpuOffline:
      case OpKind::kCpuOnline:
        op.wait = op.local = false;
        op.target = arg % s.nr_cpus;
        break;
      case OpKind::kIrqWorkQueueOn:
        op.csd = op.wait ? 1 : 0;
        op.wait = op.local = false;
        op.target = target;
        break;
      case OpKind::kTtwuQueue:
        op.wait = op.local = false;
        op.target = target;
        break;
    }
    if ((s.offline_mask >> cpu) & 1) continue;
    if (!(kb & 0x80)) {
      s.ops[cpu].push_back(op);
      continue;
    }
    const int slot = 1 + (data[pos] / s.nr_cpus) % kBytesExtraTasksPerCpu;
    auto [it, fresh] = extra_task.try_emplace(cpu * kBytesExtraTasksPerCpu + slot - 1,
                                              static_cast<int>(s.tasks.size()));
    if (fresh) s.tasks.push_back({cpu, {}});
    s.tasks[it->second].ops.push_back(op);
  }
  if (pos > size) pos = size;
  const int nr_tasks = s.nr_tasks();
  for (; pos < size; ++pos) {
    r.schedule.push_back({static_cast<std::uint8_t>((data[pos] & 0x7f) % nr_tasks),
                          (data[pos] & 0x80) != 0});
  }
  return r;
}

absl::StatusOr<std::string> EncodeInputBytes(const Repro& r) {
  const Scenario& s = r.scenario;
  const int n = s.nr_cpus;
  if (n < 2 || n > kBytesMaxCpus) {
    return absl::InvalidArgumentError("the byte format holds 2.." + std::to_string(kBytesMaxCpus) +
                                      " CPUs, not " + std::to_string(n));
  }
  if (s.offline_mask & 1) {
    return absl::InvalidArgumentError("the byte format cannot make CPU 0 offline");
  }
  if (s.csd_lock_timeout_ms != Scenario{}.csd_lock_timeout_ms) {
    return absl::InvalidArgumentError("the byte format has no csd_lock_timeout_ms");
  }
  std::string bytes;
  bytes.push_back(static_cast<char>(n - 2));
  bytes.push_back(static_cast<char>((s.csdlock_debug ? 1 : 0) | (s.offline_mask & 0xfe)));
  int nops = s.TotalOps();
  if (nops > kBytesMaxOps) {
    return absl::InvalidArgumentError("the byte format holds " + std::to_string(kBytesMaxOps) +
                                      " operations, not " + std::to_string(nops));
  }
  bytes.push_back(static_cast<char>(nops));
  // Order: CPU by CPU, then extra task by extra task, so decoding appends
  // each task's ops in their order and makes the extra tasks in theirs.
  std::vector<int> slots_used(n, 0);
  for (int task = 0; task < s.nr_tasks(); ++task) {
    const int cpu = s.TaskHome(task);
    int cpu_byte = cpu;
    std::uint8_t extra = 0;
    if (task >= n) {
      if (s.TaskOpList(task).empty()) {
        return absl::InvalidArgumentError("the byte format has no extra task without operations (task " +
                                          std::to_string(task) + ")");
      }
      if (slots_used[cpu] == kBytesExtraTasksPerCpu) {
        return absl::InvalidArgumentError("the byte format holds " + std::to_string(kBytesExtraTasksPerCpu) +
                                          " extra tasks per CPU, not more on cpu " + std::to_string(cpu));
      }
      cpu_byte = cpu + n * slots_used[cpu]++;
      extra = 0x80;
    }
    for (const Op& op : s.TaskOpList(task)) {
      std::uint8_t kb = static_cast<std::uint8_t>(op.kind);
      std::uint8_t arg = 0;
      if (IsHotplugOp(op.kind)) {
        kb = 0x77 | (op.kind == OpKind::kCpuOnline ? 8 : 0);
        arg = static_cast<std::uint8_t>(op.target);
      }
      if (op.kind == OpKind::kIrqWorkQueueOn || op.kind == OpKind::kTtwuQueue) {
        if (op.kind == OpKind::kIrqWorkQueueOn && (op.csd < 0 || op.csd > 1)) {
          return absl::InvalidArgumentError("the byte format holds irq_work numbers 0..1, not " +
                                            std::to_string(op.csd));
        }
        kb = op.kind == OpKind::kTtwuQueue ? 0x37 : 0x57 | (op.csd == 1 ? 8 : 0);
      }
      if (op.kind == OpKind::kCallSingle || op.kind == OpKind::kCallSingleAsync ||
          op.kind == OpKind::kIrqWorkQueueOn || op.kind == OpKind::kTtwuQueue) {
        const int code = CodeOfTarget(op.target, n);
        if (code < 0) {
          return absl::InvalidArgumentError("the byte format holds targets -1.." +
                                            std::to_string(n) + ", not " +
                                            std::to_string(op.target));
        }
        arg = static_cast<std::uint8_t>(code);
      }
      if (op.act != CallbackAct::kNone) {
        const bool single = op.kind == OpKind::kCallSingle;
        int quotient = 0;
        switch (op.act) {
          case CallbackAct::kDelay:
            if (!single) {
              return absl::InvalidArgumentError(
                  "the byte format holds act=delay on call_single only");
            }
            kb = 0x17;
            quotient = op.act_arg - 1;
            break;
          case CallbackAct::kRearm:
            kb = 0x27;
            break;
          case CallbackAct::kComplete:
            kb = 0x07;
            break;
          case CallbackAct::kNest:
            if (!single && op.csd >= 0) {
              return absl::InvalidArgumentError(
                  "the byte format holds act=nest on call_single_async with a fresh csd only");
            }
            quotient = CodeOfTarget(op.act_arg, n);
            if (quotient < 0) {
              return absl::InvalidArgumentError("the byte format holds nested targets -1.." +
                                                std::to_string(n) + ", not " +
                                                std::to_string(op.act_arg));
            }
            kb = single ? 0x67 : 0x47;
            break;
          case CallbackAct::kNone:
            break;
        }
        arg = static_cast<std::uint8_t>(arg + (n + 2) * quotient);
      }
      if (op.kind != OpKind::kCallSingleAsync && !IsHotplugOp(op.kind) &&
          op.kind != OpKind::kIrqWorkQueueOn && op.kind != OpKind::kTtwuQueue) {
        kb |= op.wait ? 8 : 0;
      }
      if (op.kind == OpKind::kCallMany || op.kind == OpKind::kCallAny) {
        if (op.mask > 0xff) {
          return absl::InvalidArgumentError("the byte format holds 8-bit masks, not " +
                                            std::to_string(op.mask));
        }
        arg = static_cast<std::uint8_t>(op.mask);
      }
      if (op.kind == OpKind::kCallMany) {
        kb |= op.local ? 16 : 0;
        int bits = 0;
        while (bits < 4 && (CondOfBits(bits) & AllCpusMask(n)) != (op.cond & AllCpusMask(n))) ++bits;
        if (bits == 4) {
          return absl::InvalidArgumentError(
              "the byte format holds cond masks of every CPU, the even ones, the odd ones or "
              "none, not " + std::to_string(op.cond));
        }
        kb |= static_cast<std::uint8_t>(bits << 5);
      }
      if (op.kind == OpKind::kCallSingleAsync && op.act != CallbackAct::kNone) {
        kb |= op.handler_frees ? 8 : 0;
      } else if (op.kind == OpKind::kCallSingleAsync) {
        if (op.csd > 2) {
          return absl::InvalidArgumentError("the byte format holds csd numbers 0..2, not " +
                                            std::to_string(op.csd));
        }
        kb |= static_cast<std::uint8_t>((op.csd + 1) << 5);
        kb |= op.handler_frees ? 8 : 0;
      }
      if (op.kind == OpKind::kIrqsOff) {
        if (op.ms % 50 != 0 || op.ms / 50 > 255) {
          return absl::InvalidArgumentError(
              "the byte format holds irqs_off ms in steps of 50 up to 12750, not " +
              std::to_string(op.ms));
        }
        arg = static_cast<std::uint8_t>(op.ms / 50);
      }
      bytes.push_back(static_cast<char>(cpu_byte));
      bytes.push_back(static_cast<char>(kb | extra));
      bytes.push_back(static_cast<char>(arg));
    }
  }
  for (const Choice& c : r.schedule) {
    if (c.cpu >= s.nr_tasks()) {
      return absl::InvalidArgumentError("schedule names cpu " + std::to_string(c.cpu));
    }
    bytes.push_back(static_cast<char>(c.cpu | (c.ipi ? 0x80 : 0)));
  }
  return bytes;
}

}  // namespace smpfuzz
