// SPDX-License-Identifier: GPL-2.0-only
// absl_compat (third_party/absl_compat/README.md): absl::StrCat, absl::StrAppend,
// absl::Hex. Only what the fuzz targets use: strings and integers (no floating
// point, no absl::Dec): anything else does not compile, on purpose.
#ifndef SMPFUZZ_ABSL_COMPAT_STRINGS_STR_CAT_H_
#define SMPFUZZ_ABSL_COMPAT_STRINGS_STR_CAT_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <type_traits>

#include "absl/strings/string_view.h"

namespace absl {

enum PadSpec : uint8_t {
  kNoPad = 1,
  kZeroPad2, kZeroPad3, kZeroPad4, kZeroPad5, kZeroPad6, kZeroPad7, kZeroPad8, kZeroPad9,
  kZeroPad10, kZeroPad11, kZeroPad12, kZeroPad13, kZeroPad14, kZeroPad15, kZeroPad16,
  kZeroPad17, kZeroPad18, kZeroPad19, kZeroPad20,
  kSpacePad2, kSpacePad3, kSpacePad4, kSpacePad5, kSpacePad6, kSpacePad7, kSpacePad8,
  kSpacePad9, kSpacePad10, kSpacePad11, kSpacePad12, kSpacePad13, kSpacePad14, kSpacePad15,
  kSpacePad16, kSpacePad17, kSpacePad18, kSpacePad19, kSpacePad20,
};

// Lowercase hex digits of the value's bits (a signed value as its unsigned
// type of the same size), padded to the PadSpec's width.
struct Hex {
  uint64_t value;
  uint8_t width;
  char fill;

  template <typename Int, typename = std::enable_if_t<std::is_integral_v<Int>>>
  explicit Hex(Int v, PadSpec spec = kNoPad)
      : value(static_cast<uint64_t>(static_cast<std::make_unsigned_t<Int>>(v))),
        width(spec == kNoPad ? 1 : spec >= kSpacePad2 ? spec - kSpacePad2 + 2 : spec - kZeroPad2 + 2),
        fill(spec >= kSpacePad2 ? ' ' : '0') {}
  template <typename T>
  explicit Hex(T* v, PadSpec spec = kNoPad) : Hex(reinterpret_cast<uintptr_t>(v), spec) {}
};

class AlphaNum {
 public:
  AlphaNum(const char* s) : piece_(s == nullptr ? "" : s) {}  // NOLINT: implicit, as Abseil
  AlphaNum(absl::string_view s) : piece_(s) {}              // NOLINT
  template <typename Allocator>
  AlphaNum(const std::basic_string<char, std::char_traits<char>, Allocator>& s)  // NOLINT
      : piece_(s) {}
  AlphaNum(int v) : AlphaNum(std::to_string(v), 0) {}                 // NOLINT
  AlphaNum(unsigned v) : AlphaNum(std::to_string(v), 0) {}            // NOLINT
  AlphaNum(long v) : AlphaNum(std::to_string(v), 0) {}                // NOLINT
  AlphaNum(unsigned long v) : AlphaNum(std::to_string(v), 0) {}       // NOLINT
  AlphaNum(long long v) : AlphaNum(std::to_string(v), 0) {}           // NOLINT
  AlphaNum(unsigned long long v) : AlphaNum(std::to_string(v), 0) {}  // NOLINT
  AlphaNum(Hex h) : AlphaNum(HexDigits(h), 0) {}                      // NOLINT
  AlphaNum(char) = delete;  // as Abseil: a char is not a string of one
  AlphaNum(const AlphaNum&) = delete;
  AlphaNum& operator=(const AlphaNum&) = delete;

  absl::string_view Piece() const { return piece_; }

 private:
  AlphaNum(std::string owned, int) : owned_(std::move(owned)), piece_(owned_) {}
  static std::string HexDigits(Hex h) {
    std::string out;
    uint64_t v = h.value;
    do {
      out.insert(out.begin(), "0123456789abcdef"[v & 15]);
      v >>= 4;
    } while (v != 0);
    if (out.size() < h.width) out.insert(0, h.width - out.size(), h.fill);
    return out;
  }

  std::string owned_;
  absl::string_view piece_;
};

namespace strings_internal {
inline std::string CatPieces(std::initializer_list<absl::string_view> pieces) {
  std::string out;
  std::size_t n = 0;
  for (absl::string_view p : pieces) n += p.size();
  out.reserve(n);
  for (absl::string_view p : pieces) out.append(p.data(), p.size());
  return out;
}
}  // namespace strings_internal

template <typename... AV>
std::string StrCat(const AV&... args) {
  return strings_internal::CatPieces({static_cast<const AlphaNum&>(args).Piece()...});
}
inline void StrAppend(std::string* dest) { (void)dest; }
template <typename... AV>
void StrAppend(std::string* dest, const AlphaNum& a, const AV&... rest) {
  dest->append(StrCat(a, rest...));
}

}  // namespace absl

#endif  // SMPFUZZ_ABSL_COMPAT_STRINGS_STR_CAT_H_
