// SPDX-License-Identifier: GPL-2.0-only
//
// The structure-aware mutator of fuzz/smp_mutator.h as an AFL++ custom
// mutator: AFL_CUSTOM_MUTATOR_LIBRARY=libsmp_afl_mutator.so. AFL++ then calls
// afl_custom_fuzz for a share of its mutations, next to its own havoc stage.
//
// The library is loaded into afl-fuzz itself, so it is built without AFL's
// instrumentation: `bazel build -c opt //fuzz:libsmp_afl_mutator.so`, not
// with --config=afl.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "fuzz/smp_mutator.h"

namespace {

// Inputs past this size add nothing: the byte format reads at most 8 CPUs,
// 8 operations and a 512-step schedule (the libFuzzer runs use -max_len=512).
constexpr std::size_t kMaxInput = 600;

// Custom mutations per queue entry (see afl_custom_fuzz_count). Overridden
// by SMPFUZZ_AFL_CUSTOM_COUNT for experiments.
std::uint32_t kCustomMutationsPerEntry = 32;

struct MutatorState {
  smpfuzz::fuzz::MutatorRng rng;
  smpfuzz::fuzz::MutateParts parts;
  std::vector<std::uint8_t> buffer;
};

}  // namespace

extern "C" {

void* afl_custom_init(void* /*afl*/, unsigned int seed) {
  if (const char* n = std::getenv("SMPFUZZ_AFL_CUSTOM_COUNT"); n != nullptr && *n != '\0') {
    kCustomMutationsPerEntry = static_cast<std::uint32_t>(std::strtoul(n, nullptr, 10));
  }
  return new MutatorState{smpfuzz::fuzz::MutatorRng(seed), smpfuzz::fuzz::MutatePartsFromEnvironment(),
                          std::vector<std::uint8_t>(kMaxInput)};
}

std::size_t afl_custom_fuzz(void* data, std::uint8_t* buf, std::size_t buf_size,
                            std::uint8_t** out_buf, std::uint8_t* /*add_buf*/,
                            std::size_t /*add_buf_size*/, std::size_t max_size) {
  auto* state = static_cast<MutatorState*>(data);
  const std::size_t capacity = std::min(max_size, kMaxInput);
  const std::size_t size = std::min(buf_size, capacity);
  std::copy(buf, buf + size, state->buffer.begin());
  *out_buf = state->buffer.data();
  return smpfuzz::fuzz::MutateInput(state->buffer.data(), size, capacity, state->rng, nullptr,
                                        state->parts);
}

// How many custom mutations AFL++ makes of each queue entry before its own
// havoc stage. Left to AFL++, the custom stage is as long as havoc and
// crowds it out; a share of one in eight measured better (BENCHMARKS.md).
std::uint32_t afl_custom_fuzz_count(void* /*data*/, const std::uint8_t* /*buf*/,
                                    std::size_t /*buf_size*/) {
  return kCustomMutationsPerEntry;
}

void afl_custom_deinit(void* data) { delete static_cast<MutatorState*>(data); }

}  // extern "C"
