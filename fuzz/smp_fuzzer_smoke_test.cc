// SPDX-License-Identifier: GPL-2.0-only
//
// Deterministic smoke runs of the smp harness and its mutator, in
// `bazel test`: a small coverage-guided loop (the interleaving pairs are the
// coverage) with a fixed seed and run budget. `fixed` must stay clean;
// `b0473dcd` must yield llist-self-loop, starting from an empty input.
//
// With SMPFUZZ_KERNEL_GUEST (fuzz/BUILD: kernel_smp_<variant>_fuzzer_smoke_test)
// the same loops run on the kernel guest linked in: only the tests of its
// variant, with budgets for its speed (a run takes longer than the model's).

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/smp_harness.h"
#include "fuzz/smp_mutator.h"
#include "gtest/gtest.h"
#include "lib/explorer.h"
#include "lib/input_bytes.h"
#include "lib/model_guest.h"
#include "lib/repro.h"
#include "lib/triage.h"

#if defined(SMPFUZZ_KERNEL_GUEST)
#include "fuzz/kernel_harness_guest.h"
#endif

namespace smpfuzz::fuzz {
namespace {

#if defined(SMPFUZZ_KERNEL_GUEST)
constexpr int kCleanRuns = 40000;
constexpr int kRunsPerSeed = 30000;
constexpr int kSelfLoopBudget = 240000;
#else
constexpr int kCleanRuns = 40000;
constexpr int kRunsPerSeed = 30000;
constexpr int kSelfLoopBudget = 240000;
#endif

// The guest of this binary; whether it runs `variant`.
bool UseGuest(const char* variant) {
#if defined(SMPFUZZ_KERNEL_GUEST)
  Config().guest = KernelHarnessGuest();
#endif
  const char* only = Config().guest.only_variant;
  return only == nullptr || std::string(only) == variant;
}

#define SKIP_UNLESS_GUEST_RUNS(variant) \
  if (!UseGuest(variant)) GTEST_SKIP() << "this binary's guest does not run " << variant

struct LoopResult {
  int runs = 0;
  bool found = false;
  Signature signature = Signature::kCount;
  std::vector<std::uint8_t> input;
  std::size_t corpus = 0;
  int runs_to_self_loop = -1;
};

// The inputs the loop starts from: the empty one, and for the kernel guest
// the canonical scenario (corpus/smp/two_senders_one_target). This loop's
// only feedback is the interleaving pairs, and every access of the kernel
// guest has the one site Site::kernel_guest: from nothing it stays blind to
// the kernel's code (libFuzzer sees its edges: ci/bench-kernel-fuzz.sh
// measures that from an empty corpus).
std::vector<std::vector<std::uint8_t>> Seeds() {
  std::vector<std::vector<std::uint8_t>> seeds = {{}};
#if defined(SMPFUZZ_KERNEL_GUEST)
  std::ifstream in("corpus/smp/two_senders_one_target", std::ios::binary);
  EXPECT_TRUE(in) << "corpus/smp/two_senders_one_target";
  seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
#endif
  return seeds;
}

LoopResult FuzzLoop(const char* variant, int max_runs, unsigned seed, bool stop_at_finding) {
  Config().variant = FindVariant(variant);
  Config().feedback = true;
  std::vector<std::vector<std::uint8_t>> corpus = Seeds();
  std::vector<std::uint8_t> seen(kInterleavingMapSize, 0);
  std::vector<std::uint8_t> map(kInterleavingMapSize);
  MutatorRng rng(seed);
  LoopResult res;
  for (res.runs = 0; res.runs < max_runs; ++res.runs) {
    std::vector<std::uint8_t> input = corpus[rng() % corpus.size()];
    std::size_t size = input.size();
    input.resize(600);
    size = MutateInput(input.data(), size, input.size(), rng, nullptr);
    input.resize(size);
    std::fill(map.begin(), map.end(), 0);
    Outcome out = RunInput(input.data(), input.size(), map.data());
    if (out.finding) {
      if (!res.found) {
        res.found = true;
        res.signature = out.signature;
        res.input = input;
      }
      if (out.signature == Signature::kLlistSelfLoop && res.runs_to_self_loop < 0) {
        res.runs_to_self_loop = res.runs + 1;
        break;
      }
      if (stop_at_finding) break;
      continue;
    }
    bool fresh = false;
    for (std::size_t i = 0; i < map.size(); ++i) {
      if (map[i] != 0 && !seen[i]) {
        seen[i] = 1;
        fresh = true;
      }
    }
    if (fresh) corpus.push_back(input);
  }
  res.corpus = corpus.size();
  return res;
}

TEST(SmpFuzzerSmoke, FixedStaysClean) {
  SKIP_UNLESS_GUEST_RUNS("fixed");
  LoopResult r = FuzzLoop("fixed", kCleanRuns, 1, /*stop_at_finding=*/true);
  std::printf("fixed: %d runs, corpus %zu, finding: %s\n", r.runs, r.corpus,
              r.found ? SignatureName(r.signature) : "none");
  EXPECT_FALSE(r.found) << DescribeInput(r.input.data(), r.input.size());
}

TEST(SmpFuzzerSmoke, B0473dcdYieldsTheSelfLoopFromAnEmptyCorpus) {
  // Runs on past other findings (a double lock without a self-loop, ...)
  // until the self-loop itself turns up.
  // Like a fuzzing campaign, it starts over with the next seed every
  // kRunsPerSeed runs: this loop has no corpus scheduling, and a seed whose
  // early corpus goes astray can run a long time. Seeds 1.. are fixed:
  // deterministic.
  SKIP_UNLESS_GUEST_RUNS("b0473dcd");
  constexpr int kBudget = kSelfLoopBudget;
  int total = 0;
  LoopResult r;
  for (unsigned seed = 1; total < kBudget; ++seed) {
    r = FuzzLoop("b0473dcd", kRunsPerSeed, seed, /*stop_at_finding=*/false);
    std::printf("b0473dcd seed %u: first finding %s; llist-self-loop after %d runs (corpus %zu)\n",
                seed, r.found ? SignatureName(r.signature) : "none", r.runs_to_self_loop, r.corpus);
    if (r.runs_to_self_loop > 0) {
      total += r.runs_to_self_loop;
      break;
    }
    total += r.runs;
  }
  std::printf("b0473dcd: llist-self-loop after %d runs in all\n", total);
  EXPECT_TRUE(r.found);
  EXPECT_GT(r.runs_to_self_loop, 0);
  EXPECT_LE(total, kBudget);
}

// SMPFUZZ_SKIP_BUCKETS: a listed bucket is not a crash, any other still is,
// and the list is read again when the file changes.
TEST(SmpHarness, SkipsListedBucketsOnly) {
#if defined(SMPFUZZ_KERNEL_GUEST)
  // The harness's, whatever the guest (and the canonical self-loop schedule
  // is the model's: the kernel guest's runs take other steps).
  GTEST_SKIP() << "model guest only (//fuzz:smp_fuzzer_smoke_test)";
#endif
  const std::string dir = std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp";
  const std::string input_path = dir + "/self_loop.bytes";
  const std::string keys_path = dir + "/bucket-keys";
  Repro r;
  r.scenario = CanonicalScenario(FindVariant("b0473dcd"));
  r.schedule = CanonicalSelfLoopSchedule();
  absl::StatusOr<std::string> encoded = EncodeInputBytes(r);
  ASSERT_TRUE(encoded.ok()) << encoded.status().message();
  const std::string bytes = *encoded;
  std::ofstream(input_path, std::ios::binary) << bytes;
  Simulator sim(NewModelGuest());
  Classified c = Classify(input_path, FindVariant("b0473dcd"), &sim, IsKnownFinding);
  ASSERT_EQ(c.kind, Classified::kFinding);
  const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());

  auto write_keys = [&](const std::string& text) { std::ofstream(keys_path, std::ios::trunc) << text; };
  write_keys("csd-double-lock@somewhere\n");
  setenv("SMPFUZZ_SKIP_BUCKETS", keys_path.c_str(), 1);
  InitConfigFromEnvironment("b0473dcd");
  Outcome other = RunInput(data, bytes.size(), nullptr);
  EXPECT_TRUE(other.finding) << "a bucket that is not listed must still crash";
  EXPECT_FALSE(other.skipped);

  write_keys("csd-double-lock@somewhere\n" + c.key + "\n");
  bool skipped = false;
  for (int i = 0; i < 5000 && !skipped; ++i) {  // the harness looks at the file every 4096 runs
    Outcome o = RunInput(data, bytes.size(), nullptr);
    skipped = o.skipped && !o.finding;
  }
  EXPECT_TRUE(skipped) << "bucket " << c.key << " is listed but still crashes";
  unsetenv("SMPFUZZ_SKIP_BUCKETS");
  InitConfigFromEnvironment("b0473dcd");
  EXPECT_TRUE(RunInput(data, bytes.size(), nullptr).finding);
}

// README "The irq_work re-queue race": on every variant, a work claimed
// again while its flush runs races on its node; the fuzzers take that race
// for known. A plain claim (mutant-irq-work-claim-plain) races on the flags
// word at the claim's own sites: not known, a finding.
TEST(KnownFindings, TheIrqWorkRequeueRaceIsKnownAPlainClaimsRaceIsNot) {
  SKIP_UNLESS_GUEST_RUNS("fixed");
  const std::string body =
      "smpfuzz-repro 1\ncpus 2\nvariant fixed\ncsdlock_debug on\n"
      "cpu 0: irq_work_queue_on target=1 work=0\ncpu 1: irq_work_queue_on target=0 work=0\n"
      "cpu 1: irq_work_queue_on target=0 work=0\n";
  for (const char* variant : {"fixed", "mutant-irq-work-claim-plain"}) {
    const char* only = Config().guest.only_variant;
    if (only != nullptr && std::string(only) != variant) continue;  // a linked kernel build
    absl::StatusOr<Repro> r = ParseRepro(body, "requeue");
    ASSERT_TRUE(r.ok()) << r.status();
    r->scenario.variant = FindVariant(variant);
    ExploreOptions o;
    o.max_preemptions = 2;
    o.violations = SignatureBit(Signature::kDataRace);
    o.guest = Config().guest.make;
    const ExploreResult found = Explore(r->scenario, o);
    ASSERT_TRUE(found.found) << variant << ": no data race within 2 preemptions";
    Simulator sim(Config().guest.make != nullptr ? Config().guest.make() : NewModelGuest());
    ASSERT_TRUE(sim.Load(found.counterexample.scenario).ok());
    const RunResult& run = sim.Run(found.counterexample.schedule);
    bool raced = false;
    for (const Report& rep : run.reports) {
      if (rep.signature != Signature::kDataRace) continue;
      raced = true;
      EXPECT_EQ(IsKnownFinding(sim, rep), std::string(variant) == "fixed") << variant;
    }
    EXPECT_TRUE(raced) << variant << ": the counterexample does not race again";
  }
}

}  // namespace
}  // namespace smpfuzz::fuzz
