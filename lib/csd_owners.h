// SPDX-License-Identifier: GPL-2.0-only
//
// CsdOwners: who holds each csd's CSD lock, by csd address (the checkers'
// csd-double-lock bookkeeping).
//
// The methods are out of line on purpose, in a file the coverage-guided
// fuzzers do not instrument (.bazelrc): a hash map keyed by addresses probes
// differently whenever the addresses differ, so its inlined branches would
// be edges that change between two runs of the same input in one process
// (AFL++ "stability"), telling the fuzzer nothing about the kernel.

#ifndef SMPFUZZ_LIB_CSD_OWNERS_H_
#define SMPFUZZ_LIB_CSD_OWNERS_H_

#include "absl/container/flat_hash_map.h"

namespace smpfuzz {

class CsdOwners {
 public:
  void Clear();
  // Records `owner` (> 0) as the holder of `csd`'s lock; returns the
  // previous holder, or 0 when there was none.
  int Exchange(const void* csd, int owner);
  void Erase(const void* csd);

 private:
  absl::flat_hash_map<const void*, int> owner_;
};

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_CSD_OWNERS_H_
