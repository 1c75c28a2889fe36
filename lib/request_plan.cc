// SPDX-License-Identifier: GPL-2.0-only
#include "lib/request_plan.h"

#include <map>
#include <utility>

namespace smpfuzz {
namespace {

std::uint64_t Bit(int cpu) { return std::uint64_t{1} << cpu; }

std::uint64_t TargetMask(int target, int nr_cpus) {
  return (target >= 0 && target < nr_cpus) ? Bit(target) : 0;
}

}  // namespace

RequestPlan PlanRequests(const Scenario& s) {
  RequestPlan plan;
  plan.ops.assign(s.nr_tasks(), {});
  plan.requests.Clear();
  std::map<int, int> works;  // irq_work number -> index, over the whole scenario
  for (int cpu = 0; cpu < s.nr_tasks(); ++cpu) {  // the CPUs' tasks, then the extra ones
    std::map<int, std::pair<int, std::uint32_t>> slots;  // csd number -> (index, token)
    const std::vector<Op>& list = s.TaskOpList(cpu);
    for (int i = 0; i < static_cast<int>(list.size()); ++i) {
      const Op& op = list[i];
      PlannedOp p;
      p.op = op;
      if (op.kind == OpKind::kCallSingleAsync && op.csd >= 0) {
        auto it = slots.find(op.csd);
        if (it == slots.end()) {
          std::uint32_t token = plan.requests.Add(cpu, i);
          int index = static_cast<int>(plan.csd_shared.size());
          plan.csd_shared.push_back(true);
          plan.csd_token.push_back(token);
          it = slots.emplace(op.csd, std::make_pair(index, token)).first;
        }
        p.csd_index = it->second.first;
        p.token = it->second.second;
      } else if (op.kind == OpKind::kIrqWorkQueueOn) {
        auto it = works.find(op.csd);
        if (it == works.end()) {
          it = works.emplace(op.csd, static_cast<int>(plan.irq_work_token.size())).first;
          plan.irq_work_token.push_back(plan.requests.Add(cpu, i));
        }
        p.csd_index = it->second;
        p.token = plan.irq_work_token[it->second];
      } else if (op.kind == OpKind::kTtwuQueue) {
        p.token = plan.requests.Add(cpu, i);
        p.csd_index = static_cast<int>(plan.wakee_token.size());
        plan.wakee_token.push_back(p.token);
      } else if (op.kind != OpKind::kFlush && op.kind != OpKind::kIrqsOff &&
                 !IsHotplugOp(op.kind)) {
        p.token = plan.requests.Add(cpu, i);
        if (op.kind == OpKind::kCallSingleAsync) {
          p.csd_index = static_cast<int>(plan.csd_shared.size());
          plan.csd_shared.push_back(false);
          plan.csd_token.push_back(0);
        }
      }
      plan.ops[cpu].push_back(p);
    }
  }
  // The calls callbacks make (tokens after every op's).
  for (int task = 0; task < s.nr_tasks(); ++task) {
    for (int i = 0; i < static_cast<int>(plan.ops[task].size()); ++i) {
      const PlannedOp& parent = plan.ops[task][i];
      if (parent.op.act != CallbackAct::kRearm && parent.op.act != CallbackAct::kNest) continue;
      PlannedOp c;
      c.op.kind = OpKind::kCallSingleAsync;
      c.token = plan.requests.Add(task, i);
      if (parent.op.act == CallbackAct::kRearm) {
        c.op.target = parent.op.target;
        c.csd_index = parent.csd_index;
      } else {
        c.op.target = parent.op.act_arg;
        c.csd_index = static_cast<int>(plan.csd_shared.size());
        plan.csd_shared.push_back(false);
        plan.csd_token.push_back(0);
      }
      plan.acts.push_back(c);
    }
  }
  const std::size_t tokens = plan.requests.count() + 1;
  plan.freed_csd.assign(tokens, -1);
  plan.act_call.assign(tokens, -1);
  plan.act.assign(tokens, CallbackAct::kNone);
  plan.act_arg.assign(tokens, 0);
  int next_act = 0;
  for (const std::vector<PlannedOp>& ops : plan.ops) {
    for (const PlannedOp& p : ops) {
      if (p.op.handler_frees) plan.freed_csd[p.token] = p.csd_index;
      if (p.op.act == CallbackAct::kNone) continue;
      plan.act[p.token] = p.op.act;
      plan.has_completions |= p.op.act == CallbackAct::kComplete;
      plan.act_arg[p.token] = p.op.act_arg;
      if (p.op.act == CallbackAct::kRearm || p.op.act == CallbackAct::kNest) {
        plan.act_call[p.token] = next_act++;
      }
    }
  }
  return plan;
}

GhostEvent RequestIssuedGhost(const PlannedOp& p, int cpu, int nr_cpus,
                              std::uint64_t online_mask) {
  GhostEvent e{GhostKind::kRequestIssued};
  e.a = p.token;
  e.d = online_mask & AllCpusMask(nr_cpus);  // -ENXIO may refuse none of these
  const Op& op = p.op;
  switch (op.kind) {
    case OpKind::kCallSingle:
      e.b = TargetMask(op.target, nr_cpus);
      e.c = op.wait;
      break;
    case OpKind::kCallSingleAsync:
      e.b = TargetMask(op.target, nr_cpus);
      break;
    case OpKind::kCallMany: {
      const std::uint64_t cond = op.local ? op.cond : kNoCond;
      std::uint64_t expect = op.mask & AllCpusMask(nr_cpus) & online_mask & ~Bit(cpu);
      if (op.local && ((op.mask >> cpu) & 1)) expect |= Bit(cpu);
      e.b = expect & cond;
      e.c = op.wait;
      break;
    }
    case OpKind::kCallFunction:
      e.b = AllCpusMask(nr_cpus) & online_mask & ~Bit(cpu);
      e.c = op.wait;
      break;
    case OpKind::kCallAny: {
      // This CPU when in the mask, else the first online one of the mask;
      // none: -ENXIO.
      const std::uint64_t mask = op.mask & AllCpusMask(nr_cpus);
      const std::uint64_t online = mask & online_mask;
      e.b = ((mask >> cpu) & 1) ? Bit(cpu) : online & (~online + 1);
      e.c = op.wait;
      break;
    }
    case OpKind::kIrqWorkQueueOn:
    case OpKind::kTtwuQueue:
      // Queued only to an online CPU (the caller checks; else -ENXIO).
      e.b = TargetMask(op.target, nr_cpus) & online_mask;
      break;
    case OpKind::kFlush:
    case OpKind::kIrqsOff:
    case OpKind::kCpuOffline:
    case OpKind::kCpuOnline:
      break;
  }
  return e;
}

GhostEvent RequestReturnedGhost(const PlannedOp& p, const GhostEvent& issued, int err) {
  GhostEvent e{GhostKind::kRequestReturned};
  e.a = p.token;
  e.b = static_cast<std::uint64_t>(static_cast<std::int64_t>(err));
  e.c = issued.b;
  // An RPC (act=complete) returns once wait_for_completion() has: as a
  // wait=1 call, after its callback.
  e.d = p.op.kind == OpKind::kCallSingleAsync ? 0 : p.op.wait || p.op.act == CallbackAct::kComplete;
  if (p.op.kind == OpKind::kIrqWorkQueueOn) e.d = kReturnedIrqWork;
  return e;
}

}  // namespace smpfuzz
