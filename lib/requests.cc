// SPDX-License-Identifier: GPL-2.0-only
#include "lib/requests.h"

namespace smpfuzz {
namespace {

constexpr std::uint64_t kTokenSpan = 0x00100000;

}  // namespace

std::uint32_t TokenOfFunc(std::uint64_t func) {
  if (func <= kCallbackFuncBase || func >= kCallbackFuncBase + kTokenSpan) return 0;
  return static_cast<std::uint32_t>(func - kCallbackFuncBase);
}
std::uint32_t TokenOfInfo(std::uint64_t info) {
  if (info <= kCallbackInfoBase || info >= kCallbackInfoBase + kTokenSpan) return 0;
  return static_cast<std::uint32_t>(info - kCallbackInfoBase);
}

}  // namespace smpfuzz
