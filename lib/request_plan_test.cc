// SPDX-License-Identifier: GPL-2.0-only
//
// PlanRequests: the tokens and csds of a scenario's requests, and of the
// calls its acting callbacks make.
#include "lib/request_plan.h"

#include "gtest/gtest.h"

namespace smpfuzz {
namespace {

Op Acting(OpKind kind, int target, CallbackAct act, int arg = 0) {
  Op op;
  op.kind = kind;
  op.target = target;
  op.act = act;
  op.act_arg = arg;
  return op;
}

// Every act that calls (rearm, nest) has its own call with a token after
// every op's; the acts that do not (delay, complete) have none, whatever
// their order among the others.
TEST(RequestPlan, EachCallingActHasItsOwnCall) {
  Scenario s;
  s.nr_cpus = 3;
  s.ops = {{Acting(OpKind::kCallSingle, 1, CallbackAct::kComplete)},
           {Acting(OpKind::kCallSingleAsync, 0, CallbackAct::kNest, 2),
            Acting(OpKind::kCallSingle, 0, CallbackAct::kDelay, 2),
            Acting(OpKind::kCallSingleAsync, 2, CallbackAct::kRearm)},
           {Acting(OpKind::kCallSingle, 0, CallbackAct::kComplete),
            Acting(OpKind::kCallSingle, 1, CallbackAct::kNest, 0)}};
  ASSERT_TRUE(s.Validate().ok()) << s.Validate().message();
  const RequestPlan p = PlanRequests(s);
  ASSERT_EQ(p.requests.count(), 9u);  // six ops, three calls of acts
  ASSERT_EQ(p.acts.size(), 3u);
  EXPECT_TRUE(p.has_completions);
  const PlannedOp& nest = p.ops[1][0];
  const PlannedOp& rearm = p.ops[1][2];
  const PlannedOp& nest2 = p.ops[2][1];
  for (const PlannedOp* op : {&p.ops[0][0], &p.ops[1][1], &p.ops[2][0]}) {
    EXPECT_EQ(p.act_call[op->token], -1) << op->token;
  }
  ASSERT_EQ(p.act_call[nest.token], 0);
  ASSERT_EQ(p.act_call[rearm.token], 1);
  ASSERT_EQ(p.act_call[nest2.token], 2);
  // The nest's call: CPU 2, a fresh csd of its own; the rearm's: its own
  // target and csd; both async, tokens 7..9.
  EXPECT_EQ(p.acts[0].op.kind, OpKind::kCallSingleAsync);
  EXPECT_EQ(p.acts[0].op.target, 2);
  EXPECT_NE(p.acts[0].csd_index, nest.csd_index);
  EXPECT_FALSE(p.csd_shared[p.acts[0].csd_index]);
  EXPECT_EQ(p.acts[1].op.target, 2);
  EXPECT_EQ(p.acts[1].csd_index, rearm.csd_index);
  EXPECT_EQ(p.acts[2].op.target, 0);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(p.acts[i].token, 7u + i);
    EXPECT_EQ(p.acts[i].op.act, CallbackAct::kNone);  // calls of acts act no more
    EXPECT_EQ(p.act[p.acts[i].token], CallbackAct::kNone);
  }
  EXPECT_EQ(p.act[p.ops[1][1].token], CallbackAct::kDelay);
  EXPECT_EQ(p.act_arg[p.ops[1][1].token], 2);
  // Without acts: no tables' entries, no completions.
  Scenario plain;
  plain.nr_cpus = 2;
  plain.ops = {{}, {Op{}}};
  const RequestPlan q = PlanRequests(plain);
  EXPECT_TRUE(q.acts.empty());
  EXPECT_FALSE(q.has_completions);
}

}  // namespace
}  // namespace smpfuzz
