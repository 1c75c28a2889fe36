// SPDX-License-Identifier: GPL-2.0-only
#include "lib/csd_owners.h"

namespace smpfuzz {

void CsdOwners::Clear() { owner_.clear(); }

int CsdOwners::Exchange(const void* csd, int owner) {
  auto [it, inserted] = owner_.try_emplace(csd, owner);
  if (inserted) return 0;
  int prev = it->second;
  it->second = owner;
  return prev;
}

void CsdOwners::Erase(const void* csd) { owner_.erase(csd); }

}  // namespace smpfuzz
