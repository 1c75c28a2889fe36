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
#include <random>

namespace smpfuzz::fuzz {

// Mutates data[0..size) in place (capacity max_size); returns the new size.
// `generic` is the engine's own mutator (LLVMFuzzerMutate), used for a share
// of the mutations; may be null.
std::size_t MutateInput(std::uint8_t* data, std::size_t size, std::size_t max_size,
                        std::mt19937& rng,
                        std::size_t (*generic)(std::uint8_t*, std::size_t, std::size_t));

}  // namespace smpfuzz::fuzz

#endif  // SMPFUZZ_FUZZ_SMP_MUTATOR_H_
