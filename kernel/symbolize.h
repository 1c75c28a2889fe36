// SPDX-License-Identifier: GPL-2.0-only
//
// SymbolizeGuestCode: where code addresses of a compiled kernel guest (the
// pcs its accesses carry, Access::pc) are in the tree's source, for traces
// "smp.c:356 style". Each address is looked up in the object that holds it
// (dladdr: the binary for a linked build, the shared object for a loaded
// one) with llvm-symbolizer, one process per object per call; the innermost
// inline frame with a line in the tree's own files wins over the shim's.
// Needs the guest compiled with -g (kernel/defs.bzl GUEST_FLAGS).

#ifndef SMPFUZZ_KERNEL_SYMBOLIZE_H_
#define SMPFUZZ_KERNEL_SYMBOLIZE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "lib/run_result.h"

namespace smpfuzz {

// One SourceLine per pc, in order; empty where llvm-symbolizer cannot say.
std::vector<SourceLine> SymbolizeGuestCode(const std::vector<std::uint64_t>& pcs);

// Where one pc is, as bucket keys name a place of the tree:
// "llist_add_batch(lib/llist.c:33)", the form of the kernel's own WARNs
// (kernel/runtime/observer.cc); "" when unknown. Looked up once per pc per
// process (thread-safe): reports of the same place cost a map lookup, so the
// fuzz harness may key every run's reports by it. A lookup runs
// llvm-symbolizer (~0.1 s); AFL++ starts a fresh process every 1000 inputs,
// so with $SMPFUZZ_PLACE_CACHE set (hunt sets it to OUT/places) every place
// found is also appended to that file and read back by the next process:
// each place is looked up once per hunt, not once per process.
std::string GuestCodePlace(std::uint64_t pc);

// The file behind $SMPFUZZ_PLACE_CACHE: lines "OBJECT SIZE MTIME OFFSET
// PLACE" (one object file, the pc's offset in it), appended whole with one
// write(2), so processes may share it. A line for another build of the same
// path (size or mtime differ) is ignored.
class PlaceFile {
 public:
  explicit PlaceFile(std::string path);
  // The place of `offset` in `object` from the file, else `lookup()`, which
  // is then appended ("" is not kept: it may be known later).
  std::string Find(const std::string& object, std::uint64_t offset,
                   const std::function<std::string()>& lookup);

 private:
  std::string path_;
  std::map<std::string, std::string> known_;  // "OBJECT SIZE MTIME OFFSET" -> place
};

}  // namespace smpfuzz

#endif  // SMPFUZZ_KERNEL_SYMBOLIZE_H_
