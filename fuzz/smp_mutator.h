// SPDX-License-Identifier: GPL-2.0-only
//
// The structure-aware mutator for the byte format of lib/input_bytes.h.
// Where a generic mutator flips bits, this one makes the moves that matter
// for interleavings: stretch or shorten one CPU's run in the schedule, move a
// preemption point, deliver an IPI earlier, retarget a call, add a sender.

#ifndef SMPFUZZ_FUZZ_SMP_MUTATOR_H_
#define SMPFUZZ_FUZZ_SMP_MUTATOR_H_

#include <cstddef>
#include <cstdint>
#include <limits>

namespace smpfuzz::fuzz {

// The mutator's random numbers (SplitMix64). libFuzzer hands the mutator a
// fresh seed on every call, and seeding std::mt19937 (624 words) cost more
// than the mutation itself.
class MutatorRng {
 public:
  using result_type = std::uint32_t;
  explicit MutatorRng(std::uint64_t seed) : state_(seed) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  result_type operator()() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return static_cast<result_type>((z ^ (z >> 31)) >> 32);
  }

 private:
  std::uint64_t state_;
};

enum class MutateParts {
  kAll,           // scenario and schedule
  kScheduleOnly,  // the schedule only: the seed's scenario stays as it is
};

// From SMPFUZZ_MUTATE: `all` (or unset) or `schedule`, to fuzz the
// interleavings of the seeds' own scenarios. Any other value exits with
// status 2.
MutateParts MutatePartsFromEnvironment();

// Mutates data[0..size) in place (capacity max_size); returns the new size.
// `generic` is the engine's own mutator (LLVMFuzzerMutate), used for a share
// of the mutations when all parts may change; may be null.
std::size_t MutateInput(std::uint8_t* data, std::size_t size, std::size_t max_size,
                        MutatorRng& rng,
                        std::size_t (*generic)(std::uint8_t*, std::size_t, std::size_t),
                        MutateParts parts = MutateParts::kAll);

}  // namespace smpfuzz::fuzz

#endif  // SMPFUZZ_FUZZ_SMP_MUTATOR_H_
