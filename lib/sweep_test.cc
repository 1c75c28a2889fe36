// SPDX-License-Identifier: GPL-2.0-only
//
// Random-schedule sweeps: 100k random scenarios and schedules (3 to 4 CPUs,
// mixed single / single-wait / async / many calls, csdlock_debug on and off)
// must find nothing on `fixed` and must find the self-loop on `b0473dcd`.

#include <cstdio>
#include <random>

#include "gtest/gtest.h"
#include "lib/model_guest.h"
#include "lib/simulator.h"

namespace smpfuzz {
namespace {

constexpr int kRuns = 100000;

Scenario RandomScenario(std::mt19937_64& rng, const Variant* v) {
  Scenario s;
  s.nr_cpus = 3 + static_cast<int>(rng() % 2);
  s.variant = v;
  s.csdlock_debug = rng() % 4 != 0;
  s.ops.resize(s.nr_cpus);
  for (int cpu = 0; cpu < s.nr_cpus; ++cpu) {
    int nops = static_cast<int>(rng() % 3);
    for (int i = 0; i < nops; ++i) {
      Op op;
      switch (rng() % 4) {
        case 0:
        case 1:
          op.kind = OpKind::kCallSingle;
          op.target = static_cast<int>(rng() % s.nr_cpus);
          op.wait = rng() % 3 == 0;
          break;
        case 2:
          op.kind = OpKind::kCallSingleAsync;
          op.target = static_cast<int>(rng() % s.nr_cpus);
          break;
        default:
          op.kind = OpKind::kCallMany;
          op.mask = rng() & ((1u << s.nr_cpus) - 1);
          op.wait = rng() % 2 == 0;
          break;
      }
      s.ops[cpu].push_back(op);
    }
  }
  return s;
}

Schedule RandomSchedule(std::mt19937_64& rng, int nr_cpus) {
  Schedule sched(20 + rng() % 60);
  for (Choice& c : sched) {
    c.cpu = static_cast<std::uint8_t>(rng() % nr_cpus);
    c.ipi = rng() % 5 == 0;
  }
  return sched;
}

struct SweepCounts {
  int violating = 0;
  int per_signature[kSignatureCount] = {};
  std::string first;
};

SweepCounts Sweep(const char* variant, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Simulator sim(NewModelGuest());
  SimOptions opt;
  opt.record_trace = false;
  opt.verbose = false;
  SweepCounts counts;
  for (int i = 0; i < kRuns; ++i) {
    Scenario s = RandomScenario(rng, FindVariant(variant));
    Schedule sched = RandomSchedule(rng, s.nr_cpus);
    const RunResult& r = sim.Run(s, sched, opt);
    if (r.clean()) continue;
    ++counts.violating;
    for (int k = 0; k < kSignatureCount; ++k) {
      counts.per_signature[k] += r.Has(static_cast<Signature>(k));
    }
    if (counts.first.empty()) {
      SimOptions verbose;
      const RunResult& again = sim.Run(s, sched, verbose);
      counts.first = "run " + std::to_string(i) + ": " +
                     std::string(SignatureName(again.Primary()->signature)) + ": " +
                     again.Primary()->message;
    }
  }
  return counts;
}

TEST(Sweep, FixedIsCleanOverRandomSchedules) {
  SweepCounts c = Sweep("fixed", 1);
  EXPECT_EQ(c.violating, 0) << c.first;
}

TEST(Sweep, B0473dcdSelfLoopsOverRandomSchedules) {
  SweepCounts c = Sweep("b0473dcd", 1);
  std::printf("b0473dcd: %d of %d runs violate; llist-self-loop in %d\n", c.violating, kRuns,
              c.per_signature[static_cast<int>(Signature::kLlistSelfLoop)]);
  EXPECT_GT(c.per_signature[static_cast<int>(Signature::kLlistSelfLoop)], 0) << c.first;
}

TEST(Sweep, BaselineIsCleanOverRandomSchedules) {
  SweepCounts c = Sweep("baseline", 2);
  EXPECT_EQ(c.violating, 0) << c.first;
}

}  // namespace
}  // namespace smpfuzz
