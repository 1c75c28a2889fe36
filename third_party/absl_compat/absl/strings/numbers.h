// SPDX-License-Identifier: GPL-2.0-only
// absl_compat (third_party/absl_compat/README.md): absl::SimpleAtoi and
// absl::SimpleHexAtoi, with Abseil's rules: ASCII whitespace around the number
// is ignored, one sign is allowed (a '-' only for signed types), hex may
// start with 0x or 0X; anything else, an empty text or an overflow gives
// false (on overflow *out is the limit, as Abseil leaves it).
#ifndef SMPFUZZ_ABSL_COMPAT_STRINGS_NUMBERS_H_
#define SMPFUZZ_ABSL_COMPAT_STRINGS_NUMBERS_H_

#include <limits>
#include <type_traits>

#include "absl/strings/string_view.h"

namespace absl {
namespace numbers_internal {

inline bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

inline int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

template <typename Int>
bool SafeStrtoi(absl::string_view text, Int* out, int base) {
  static_assert(std::is_integral_v<Int> && !std::is_same_v<Int, bool>);
  *out = 0;
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  if (text.empty()) return false;
  const bool negative = text.front() == '-';
  if (negative || text.front() == '+') {
    text.remove_prefix(1);
    if (text.empty()) return false;
  }
  if (base == 16 && text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    if (text.empty()) return false;
  }
  if (negative && !std::is_signed_v<Int>) return false;
  Int v = 0;
  for (char c : text) {
    const int d = DigitValue(c);
    if (d >= base) {
      *out = v;
      return false;
    }
    if (!negative) {
      if (v > (std::numeric_limits<Int>::max() - d) / base) {
        *out = std::numeric_limits<Int>::max();
        return false;
      }
      v = static_cast<Int>(v * base + d);
    } else {
      if (v < (std::numeric_limits<Int>::min() + d) / base) {
        *out = std::numeric_limits<Int>::min();
        return false;
      }
      v = static_cast<Int>(v * base - d);
    }
  }
  *out = v;
  return true;
}

}  // namespace numbers_internal

template <typename Int>
[[nodiscard]] bool SimpleAtoi(absl::string_view text, Int* out) {
  return numbers_internal::SafeStrtoi(text, out, 10);
}

template <typename Int>
[[nodiscard]] bool SimpleHexAtoi(absl::string_view text, Int* out) {
  return numbers_internal::SafeStrtoi(text, out, 16);
}

}  // namespace absl

#endif  // SMPFUZZ_ABSL_COMPAT_STRINGS_NUMBERS_H_
