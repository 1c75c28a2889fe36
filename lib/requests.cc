// SPDX-License-Identifier: GPL-2.0-only
#include "lib/requests.h"

#include "lib/hex.h"

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

std::string CallbackName(std::uint64_t func, std::uint64_t info) {
  std::uint32_t tf = TokenOfFunc(func);
  std::uint32_t ti = TokenOfInfo(info);
  std::string f = tf ? "cb" + std::to_string(tf) : Hex(func);
  std::string i = ti ? "&req" + std::to_string(ti) : Hex(info);
  return f + "(" + i + ")";
}

}  // namespace smpfuzz
