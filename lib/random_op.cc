// SPDX-License-Identifier: GPL-2.0-only
#include "lib/random_op.h"

#include <cstdint>

namespace smpfuzz {

Op RandomOp(std::mt19937_64& rng, int nr_cpus) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  Op op;
  switch (pick(13)) {
    case 0:
    case 1:
    case 2:
      op.kind = OpKind::kCallSingle;
      op.wait = pick(2) == 1;
      break;
    case 3:
    case 4:
      op.kind = OpKind::kCallSingleAsync;
      op.csd = pick(3) - 1;  // fresh, or one of two shared slots
      if (op.csd < 0) op.handler_frees = pick(2) == 1;  // the callback frees a fresh one
      break;
    case 5:
    case 6:
      op.kind = OpKind::kCallMany;
      op.mask = 1 + rng() % AllCpusMask(nr_cpus);
      op.wait = pick(2) == 1;
      op.local = pick(2) == 1;
      // on_each_cpu_cond_mask() with a condition, a third of the time.
      if (op.local && pick(3) == 0) op.cond = rng() % (AllCpusMask(nr_cpus) + 1);
      break;
    case 7:
      op.kind = OpKind::kCallFunction;
      op.wait = pick(2) == 1;
      break;
    case 8:
      op.kind = OpKind::kCallAny;
      op.mask = 1 + rng() % AllCpusMask(nr_cpus);
      op.wait = pick(2) == 1;
      break;
    case 9:
      op.kind = OpKind::kFlush;
      break;
    case 11:
      op.kind = OpKind::kIrqWorkQueueOn;
      op.csd = pick(2);  // one of two works, shared by every op naming it
      break;
    case 12:
      op.kind = OpKind::kTtwuQueue;
      break;
    case 10:
      op.kind = OpKind::kIrqsOff;
      op.ms = static_cast<std::uint32_t>(pick(3));
      break;
  }
  // Mostly CPU0, the usual target; sometimes any CPU, itself, or a CPU
  // number past the last one.
  const int t = pick(8);
  op.target = t < 4 ? 0 : t < 7 ? pick(nr_cpus) : nr_cpus + pick(2);
  // A callback that acts, one call in six: delays, queues its own fresh
  // csd again, calls another CPU, or completes its waiter.
  // (What the byte format holds: no act on a shared csd.)
  if ((op.kind == OpKind::kCallSingle || (op.kind == OpKind::kCallSingleAsync && op.csd < 0)) &&
      pick(6) == 0) {
    const int what = pick(3);
    if (op.kind == OpKind::kCallSingle && what == 0) {
      op.act = CallbackAct::kDelay;
      op.act_arg = 1 + pick(4);
    } else if (op.kind == OpKind::kCallSingle && what == 2 && !op.wait) {
      op.act = CallbackAct::kComplete;  // scftorture's SINGLE_RPC
    } else if (op.kind == OpKind::kCallSingleAsync && what == 0) {
      op.act = CallbackAct::kRearm;
      op.handler_frees = false;  // its csd is queued again, not freed
    } else {
      op.act = CallbackAct::kNest;
      op.act_arg = pick(nr_cpus + 1);  // sometimes a CPU past the last one
    }
  }
  return op;
}

Op RandomHotplugOp(std::mt19937_64& rng, int nr_cpus) {
  Op op;
  op.kind = rng() % 3 == 2 ? OpKind::kCpuOnline : OpKind::kCpuOffline;
  op.target = static_cast<int>(rng() % static_cast<std::uint64_t>(nr_cpus));
  return op;
}

std::vector<Op> RandomHotplugOps(std::mt19937_64& rng, int nr_cpus, bool may_come_back) {
  std::vector<Op> ops = {RandomHotplugOp(rng, nr_cpus)};
  if (ops[0].kind == OpKind::kCpuOffline && may_come_back && rng() % 2 == 0) {
    ops.push_back(ops[0]);
    ops.back().kind = OpKind::kCpuOnline;
  }
  return ops;
}

}  // namespace smpfuzz
