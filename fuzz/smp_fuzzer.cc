// SPDX-License-Identifier: GPL-2.0-only
//
// The smp fuzz target: LLVMFuzzerTestOneInput over fuzz/smp_harness.h, for
// libFuzzer and AFL++ from one source. The variant is the binary's
// (SMPFUZZ_DEFAULT_VARIANT, set per target in fuzz/BUILD) unless
// SMPFUZZ_VARIANT names another; SMPFUZZ_PLAIN=1 turns off the custom mutator
// and the interleaving feedback. The guest is the model's, or with
// SMPFUZZ_KERNEL_GUEST the kernel's build linked into the binary
// (fuzz/kernel_harness_guest.h: its one variant), with the same bytes.
//
// Interleaving feedback: the simulator counts pairs of code sites that ran
// back to back on different CPUs. Under libFuzzer those counters live in the
// __libfuzzer_extra_counters section, which libFuzzer treats as coverage;
// under AFL++ each pair calls a function of its own (see Hit below), which
// AFL's instrumentation counts as an edge.

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "fuzz/exec_counter.h"
#include "fuzz/smp_harness.h"
#include "fuzz/smp_mutator.h"
#include "lib/task.h"

#if defined(SMPFUZZ_KERNEL_GUEST)
#include "fuzz/kernel_harness_guest.h"
#endif

#ifndef SMPFUZZ_DEFAULT_VARIANT
#define SMPFUZZ_DEFAULT_VARIANT ::smpfuzz::kDefaultRawVariant
#endif

namespace {

#if defined(SMPFUZZ_LIBFUZZER)
__attribute__((section("__libfuzzer_extra_counters")))
#endif
std::uint8_t interleaving_counters[smpfuzz::kInterleavingMapSize];

#if defined(SMPFUZZ_AFL)
// AFL++ sees only its compiler's instrumentation, so each interleaving pair
// gets a function of its own, Hit<pair>, whose entry AFL instruments; calling
// it once per occurrence (up to 16) turns the pair and its count into AFL
// edge coverage, with no access to AFL's private map.
template <std::size_t I>
__attribute__((noinline)) void Hit() {
  asm volatile("");
}
template <std::size_t... I>
constexpr std::array<void (*)(), sizeof...(I)> MakeHits(std::index_sequence<I...>) {
  return {&Hit<I>...};
}
constexpr auto kHits = MakeHits(std::make_index_sequence<smpfuzz::kInterleavingMapSize>());

void FoldIntoAflCoverage() {
  for (std::size_t i = 0; i < smpfuzz::kInterleavingMapSize; ++i) {
    for (int k = 0; k < interleaving_counters[i] && k < 16; ++k) kHits[i]();
    interleaving_counters[i] = 0;
  }
}
#endif

void Init() {
#if defined(SMPFUZZ_KERNEL_GUEST)
  smpfuzz::fuzz::Config().guest = smpfuzz::fuzz::KernelHarnessGuest();
#endif
  smpfuzz::fuzz::InitConfigFromEnvironment(SMPFUZZ_DEFAULT_VARIANT);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Init();
  smpfuzz::fuzz::OpenExecCounterFromEnvironment();
#if defined(SMPFUZZ_AFL)
  // The first frame a thread allocates sets up the guard that frees its
  // frame lists at exit, once per process: do it here, so that no input's
  // run is the one that takes that path (an AFL++ variable edge).
  smpfuzz::FrameAllocator::Release(smpfuzz::FrameAllocator::Allocate(1), 1);
  smpfuzz::FrameAllocator::ReleaseFreeFrames();
#endif
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace smpfuzz::fuzz;
  if (Config().variant == nullptr) {
    Init();
    OpenExecCounterFromEnvironment();
  }
  CountExecution();
  const bool feedback = Config().feedback;
#if !defined(SMPFUZZ_LIBFUZZER)
  if (feedback) std::memset(interleaving_counters, 0, sizeof interleaving_counters);
#endif
  Outcome out = RunInput(data, size, feedback ? interleaving_counters : nullptr);
#if defined(SMPFUZZ_AFL)
  if (feedback) FoldIntoAflCoverage();
#endif
  if (out.finding) {
    std::string text = DescribeInput(data, size);
    std::fprintf(stderr, "\n==smpfuzz== finding on %s: %s\n%s\n", Config().variant->name,
                 smpfuzz::SignatureName(out.signature), text.c_str());
    std::abort();
  }
  return 0;
}

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size)
    __attribute__((weak));

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,
                                               std::size_t max_size, unsigned int seed) {
  using namespace smpfuzz::fuzz;
  if (Config().variant == nullptr) Init();
  if (!Config().feedback && LLVMFuzzerMutate != nullptr) {
    return LLVMFuzzerMutate(data, size, max_size);
  }
  static const MutateParts parts = MutatePartsFromEnvironment();
  MutatorRng rng(seed);
  return MutateInput(data, size, max_size, rng, LLVMFuzzerMutate, parts);
}
