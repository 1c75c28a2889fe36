// SPDX-License-Identifier: GPL-2.0-only
//
// Hash: the project's one 64-bit FNV hash, for names and trace fingerprints
// that must be the same on every build and run (std::hash and absl::Hash are
// not: they may change between versions, and absl::Hash is salted per process).
//
// Contract: the values are pinned. Every repro/ file, test and bucket file
// name records them; changing a constant or the mixing changes them all.

#ifndef SMPFUZZ_LIB_HASH_H_
#define SMPFUZZ_LIB_HASH_H_

#include <cstdint>
#include <string_view>

namespace smpfuzz {

inline constexpr std::uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ULL;
inline constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;

// FNV-1a of a byte string (bucket key and crash file names).
inline std::uint64_t Fnv1a(std::string_view bytes) {
  std::uint64_t h = kFnvOffsetBasis;
  for (unsigned char c : bytes) h = (h ^ c) * kFnvPrime;
  return h;
}

// One 64-bit word mixed into `h` (start from kFnvOffsetBasis): FNV-1a style
// with a shift, so that whole words, not bytes, are mixed (the trace hash,
// RunResult::trace_hash).
inline std::uint64_t FnvMixWord(std::uint64_t h, std::uint64_t v) {
  h ^= v;
  h *= kFnvPrime;
  h ^= h >> 29;
  return h;
}

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_HASH_H_
