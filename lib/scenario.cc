// SPDX-License-Identifier: GPL-2.0-only
#include "lib/scenario.h"

namespace smpfuzz {

const char* OpKindName(OpKind k) {
  switch (k) {
    case OpKind::kCallSingle: return "call_single";
    case OpKind::kCallSingleAsync: return "call_single_async";
    case OpKind::kCallMany: return "call_many";
    case OpKind::kFlush: return "flush";
    case OpKind::kIrqsOff: return "irqs_off";
    case OpKind::kCallFunction: return "call_function";
    case OpKind::kCallAny: return "call_any";
    case OpKind::kCpuOffline: return "offline";
    case OpKind::kCpuOnline: return "online";
    case OpKind::kIrqWorkQueueOn: return "irq_work_queue_on";
    case OpKind::kTtwuQueue: return "ttwu_queue";
  }
  return "?";
}

const char* CallbackActName(CallbackAct a) {
  switch (a) {
    case CallbackAct::kNone: return "none";
    case CallbackAct::kDelay: return "delay";
    case CallbackAct::kRearm: return "rearm";
    case CallbackAct::kNest: return "nest";
    case CallbackAct::kComplete: return "complete";
  }
  return "?";
}

absl::Status Scenario::Validate() const {
  if (nr_cpus < kMinCpus || nr_cpus > kMaxScenarioCpus) {
    return absl::InvalidArgumentError("cpus must be between " + std::to_string(kMinCpus) +
                                      " and " + std::to_string(kMaxScenarioCpus) + ", got " +
                                      std::to_string(nr_cpus));
  }
  if (static_cast<int>(ops.size()) != nr_cpus) {
    return absl::InvalidArgumentError("operation lists for " + std::to_string(ops.size()) +
                                      " CPUs, expected " + std::to_string(nr_cpus));
  }
  const std::uint64_t all = AllCpusMask(nr_cpus);
  if ((offline_mask & all) == all) return absl::InvalidArgumentError("every CPU is offline");
  if (offline_mask & ~all) {
    return absl::InvalidArgumentError("offline CPU number past the last CPU");
  }
  if (nr_tasks() > kMaxTasks) {
    return absl::InvalidArgumentError("at most " + std::to_string(kMaxTasks) +
                                      " tasks (CPUs and extra tasks), got " +
                                      std::to_string(nr_tasks()));
  }
  for (int t = 0; t < nr_tasks(); ++t) {
    const int cpu = TaskHome(t);
    if (cpu < 0 || cpu >= nr_cpus) {
      return absl::InvalidArgumentError("task " + std::to_string(t) + " starts on cpu " +
                                        std::to_string(cpu) + ", past the last CPU");
    }
    if (((offline_mask >> cpu) & 1) && !TaskOpList(t).empty()) {
      return absl::InvalidArgumentError(
          (t < nr_cpus ? "cpu " + std::to_string(cpu)
                       : "task " + std::to_string(t) + "'s cpu " + std::to_string(cpu)) +
          " is offline but has operations");
    }
    for (const Op& op : TaskOpList(t)) {
      if (op.kind == OpKind::kCallSingleAsync && (op.csd < -1 || op.csd >= kMaxAsyncCsdSlots)) {
        return absl::InvalidArgumentError("csd number must be 0.." +
                                          std::to_string(kMaxAsyncCsdSlots - 1));
      }
      if (op.kind == OpKind::kIrqWorkQueueOn && (op.csd < 0 || op.csd >= kMaxIrqWorks)) {
        return absl::InvalidArgumentError("irq_work_queue_on needs a work number 0.." +
                                          std::to_string(kMaxIrqWorks - 1));
      }
      if (op.handler_frees && !(op.kind == OpKind::kCallSingleAsync && op.csd < 0)) {
        return absl::InvalidArgumentError(
            "free=1 is for call_single_async with a fresh csd (no csd=): a shared csd outlives "
            "its calls");
      }
      if (op.act != CallbackAct::kNone && op.kind != OpKind::kCallSingle &&
          op.kind != OpKind::kCallSingleAsync) {
        return absl::InvalidArgumentError(
            "act= is for call_single and call_single_async, not " +
            std::string(OpKindName(op.kind)));
      }
      if (op.act != CallbackAct::kNone && op.kind == OpKind::kCallSingleAsync && op.csd >= 0) {
        // Acts are per request, and every call on a shared csd is one
        // request (one token): each of its callbacks would act again.
        return absl::InvalidArgumentError(
            "act= on call_single_async needs a fresh csd (no csd=): every call on csd " +
            std::to_string(op.csd) + " is one request");
      }
      if ((op.act == CallbackAct::kRearm || op.act == CallbackAct::kComplete) && op.act_arg != 0) {
        return absl::InvalidArgumentError(std::string("act=") + CallbackActName(op.act) +
                                          " takes no argument");
      }
      if (op.act == CallbackAct::kDelay && (op.act_arg < 1 || op.act_arg > kMaxActDelay)) {
        return absl::InvalidArgumentError("act=delay takes 1.." + std::to_string(kMaxActDelay) +
                                          " steps, not " + std::to_string(op.act_arg));
      }
      if (op.act == CallbackAct::kRearm &&
          !(op.kind == OpKind::kCallSingleAsync && op.csd < 0 && !op.handler_frees)) {
        return absl::InvalidArgumentError(
            "act=rearm is for call_single_async with a fresh csd and free=0: the callback "
            "queues that csd again");
      }
      if (op.act == CallbackAct::kComplete && !(op.kind == OpKind::kCallSingle && !op.wait)) {
        return absl::InvalidArgumentError(
            "act=complete is scftorture's SINGLE_RPC: call_single with wait=0");
      }
      if (op.act == CallbackAct::kNest && (op.act_arg < -1000000 || op.act_arg > 1000000)) {
        return absl::InvalidArgumentError("act=nest target out of range");
      }
      if (op.act == CallbackAct::kNone && op.act_arg != 0) {
        return absl::InvalidArgumentError("act_arg without act");
      }
      if (op.cond != kNoCond && !(op.kind == OpKind::kCallMany && op.local)) {
        return absl::InvalidArgumentError(
            "cond= is on_each_cpu_cond_mask()'s: only call_many with local=1 takes it");
      }
      if (IsHotplugOp(op.kind) && (op.target < 0 || op.target >= nr_cpus)) {
        return absl::InvalidArgumentError(std::string(OpKindName(op.kind)) + " target=" +
                                          std::to_string(op.target) +
                                          ": hotplug takes a possible CPU, 0.." +
                                          std::to_string(nr_cpus - 1));
      }
      if (op.kind == OpKind::kIrqsOff && op.ms > 600000) {
        return absl::InvalidArgumentError("irqs_off longer than 600000 ms");
      }
    }
  }
  return absl::OkStatus();
}

int Scenario::TotalOps() const {
  int n = 0;
  for (const auto& list : ops) n += static_cast<int>(list.size());
  for (const TaskOps& t : tasks) n += static_cast<int>(t.ops.size());
  return n;
}

bool Scenario::HasHotplug() const {
  for (int t = 0; t < nr_tasks(); ++t) {
    for (const Op& op : TaskOpList(t)) {
      if (IsHotplugOp(op.kind)) return true;
    }
  }
  return false;
}

Scenario CanonicalScenario(const Variant* variant) {
  Scenario s;
  s.nr_cpus = 3;
  s.variant = variant;
  s.csdlock_debug = true;
  s.ops.resize(3);
  Op call;
  call.kind = OpKind::kCallSingle;
  call.target = 0;
  call.wait = false;
  s.ops[1].push_back(call);
  s.ops[2].push_back(call);
  return s;
}

Schedule CanonicalSelfLoopSchedule() {
  Schedule s;
  // CPU1: the READ_ONCE of csd_lock_wait_toolong sees the csd unlocked.
  s.push_back({1, false});
  // CPU2: lock-wait, load, store, func, info, src, dst, llist_add (3), IPI.
  for (int i = 0; i < 11; ++i) s.push_back({2, false});
  // CPU1: load, store (a second owner), func, info, src, dst, llist_add.
  for (int i = 0; i < 10; ++i) s.push_back({1, false});
  return s;
}

}  // namespace smpfuzz
