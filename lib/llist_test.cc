// SPDX-License-Identifier: GPL-2.0-only
//
// lib/llist.c semantics, run on a platform that performs every access at once
// (no interleaving), with the checkers watching the same accesses.

#include "lib/llist.h"

#include <vector>

#include "gtest/gtest.h"
#include "lib/checkers.h"
#include "lib/locations.h"
#include "lib/model_guest.h"
#include "lib/smp.h"
#include "lib/workload.h"

namespace smpfuzz {
namespace {

// Performs accesses immediately and shows them to a Checkers instance.
class ImmediatePlatform final : public Platform {
 public:
  ImmediatePlatform() : Platform(/*interleaves=*/false) {
    scenario_.nr_cpus = 2;
    scenario_.ops.resize(2);
    workload_.Prepare(scenario_);
    locations_.Clear(2, ModelCsdLayout());
    locations_.AddArray(Area::kCsdData, nodes_.data(), sizeof(call_single_data_t), nodes_.size());
    locations_.AddArray(Area::kCallSingleQueue, &head_, sizeof(head_), 1);
    checkers_.Reset(2, &workload_.requests(), &locations_, /*detect_races=*/true, /*verbose=*/true);
    kernel_.Reset(FindVariant("fixed"), /*debug=*/true, 2, 0b11, 0);  // llist's variant flags
    cpu_.id = 0;
    cpu_.platform = this;
    cpu_.kernel = &kernel_;
  }

  std::uint64_t Perform(Cpu& cpu, const Access& a) override {
    std::uint64_t read = RawLoad(a.addr, a.size);
    bool wrote = false;
    if (a.kind == AccessKind::kPlainStore || a.kind == AccessKind::kWriteOnce ||
        a.kind == AccessKind::kXchg ||
        (a.kind == AccessKind::kCmpxchg && read == a.expected)) {
      RawStore(a.addr, a.size, a.value);
      wrote = true;
    }
    checkers_.OnAccess(cpu.id, a, locations_.Id(a.addr), read, wrote, steps_++);
    return read;
  }
  void Fence(Cpu&, FenceKind) override {}
  void Ghost(Cpu&, const GhostEvent&) override {}
  std::uint64_t Clock(Cpu&) override { return 0; }
  void IrqsEnabled(Cpu&) override {}

  template <class T>
  T Run(Task<T> t) {
    t.start();
    EXPECT_TRUE(t.done());
    return t.result();
  }

  Cpu& cpu() { return cpu_; }
  llist_head* head() { return &head_; }
  llist_node* node(int i) { return &nodes_[i].node.llist; }
  const Checkers& checkers() const { return checkers_; }

 private:
  Scenario scenario_;
  Workload workload_;
  Locations locations_;
  Checkers checkers_;
  Kernel kernel_;
  Cpu cpu_;
  llist_head head_;
  std::vector<call_single_data_t> nodes_ = std::vector<call_single_data_t>(4);
  std::uint64_t steps_ = 0;
};

TEST(LlistTest, AddReportsWhetherTheListWasEmpty) {
  ImmediatePlatform p;
  EXPECT_TRUE(p.Run(llist_empty(p.cpu(), p.head())));
  EXPECT_TRUE(p.Run(llist_add(p.cpu(), p.node(0), p.head())));
  EXPECT_FALSE(p.Run(llist_add(p.cpu(), p.node(1), p.head())));
  EXPECT_FALSE(p.Run(llist_empty(p.cpu(), p.head())));
  EXPECT_EQ(p.head()->first, p.node(1));
  EXPECT_EQ(p.node(1)->next, p.node(0));
  EXPECT_EQ(p.node(0)->next, nullptr);
  EXPECT_TRUE(p.checkers().reports().empty());
}

TEST(LlistTest, AddBatchLinksTheWholeChain) {
  ImmediatePlatform p;
  ASSERT_TRUE(p.Run(llist_add(p.cpu(), p.node(0), p.head())));
  p.node(2)->next = p.node(3);  // a private chain 2 -> 3
  EXPECT_FALSE(p.Run(llist_add_batch(p.cpu(), p.node(2), p.node(3), p.head())));
  EXPECT_EQ(p.head()->first, p.node(2));
  EXPECT_EQ(p.node(3)->next, p.node(0));
}

TEST(LlistTest, DelAllTakesEverythingNewestFirst) {
  ImmediatePlatform p;
  for (int i = 0; i < 3; ++i) (void)p.Run(llist_add(p.cpu(), p.node(i), p.head()));
  auto del = llist_del_all(p.cpu(), p.head());
  ASSERT_TRUE(del.await_ready());
  llist_node* entry = del.await_resume();
  EXPECT_EQ(p.head()->first, nullptr);
  ASSERT_EQ(entry, p.node(2));
  EXPECT_EQ(entry->next, p.node(1));
  EXPECT_EQ(entry->next->next, p.node(0));
  EXPECT_EQ(entry->next->next->next, nullptr);
}

TEST(LlistTest, ReverseOrderGivesOldestFirst) {
  ImmediatePlatform p;
  for (int i = 0; i < 3; ++i) (void)p.Run(llist_add(p.cpu(), p.node(i), p.head()));
  llist_node* entry = p.head()->first;
  p.head()->first = nullptr;
  llist_node* reversed = p.Run(llist_reverse_order(p.cpu(), entry));
  ASSERT_EQ(reversed, p.node(0));
  EXPECT_EQ(reversed->next, p.node(1));
  EXPECT_EQ(reversed->next->next, p.node(2));
  EXPECT_EQ(reversed->next->next->next, nullptr);
  EXPECT_EQ(p.Run(llist_reverse_order(p.cpu(), nullptr)), nullptr);
  EXPECT_TRUE(p.checkers().reports().empty());
}

TEST(LlistTest, AddingTheCurrentHeadMakesASelfLoopAndTheOracleFires) {
  ImmediatePlatform p;
  ASSERT_TRUE(p.Run(llist_add(p.cpu(), p.node(0), p.head())));
  EXPECT_TRUE(p.checkers().reports().empty());
  EXPECT_FALSE(p.Run(llist_add(p.cpu(), p.node(0), p.head())));
  EXPECT_EQ(p.node(0)->next, p.node(0));
  ASSERT_FALSE(p.checkers().reports().empty());
  const Report& r = p.checkers().reports()[0];
  EXPECT_EQ(r.signature, Signature::kLlistSelfLoop);
  EXPECT_EQ(r.csd, "csd_data[0]");
  EXPECT_EQ(r.sites, std::vector<Site>{Site::llist_add_batch_set_next});
}

TEST(LlistTest, ReAddingAnEarlierNodeMakesACycleThatTheHeadCheckFinds) {
  ImmediatePlatform p;
  (void)p.Run(llist_add(p.cpu(), p.node(0), p.head()));
  (void)p.Run(llist_add(p.cpu(), p.node(1), p.head()));
  EXPECT_TRUE(p.checkers().reports().empty());
  // node 0 is already on the list (not the head): 0 -> 1 -> 0.
  (void)p.Run(llist_add(p.cpu(), p.node(0), p.head()));
  ASSERT_EQ(p.checkers().reports().size(), 1u);
  EXPECT_EQ(p.checkers().reports()[0].signature, Signature::kLlistSelfLoop);
  EXPECT_NE(p.checkers().reports()[0].message.find("cycle of 2"), std::string::npos)
      << p.checkers().reports()[0].message;
}

}  // namespace
}  // namespace smpfuzz
