// SPDX-License-Identifier: GPL-2.0-only
//
// RunResult's accessors.

#include "lib/run_result.h"

namespace smpfuzz {

const Report* RunResult::Primary() const {
  const Report* best = nullptr;
  for (const Report& r : reports) {
    if (best == nullptr || r.signature < best->signature) best = &r;
  }
  return best;
}

}  // namespace smpfuzz
