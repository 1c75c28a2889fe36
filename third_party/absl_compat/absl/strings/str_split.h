// SPDX-License-Identifier: GPL-2.0-only
// absl_compat (third_party/absl_compat/README.md): absl::StrSplit on one
// character, optionally with absl::SkipEmpty. The result iterates as
// string_views into the text and converts to a std::vector of them or of
// std::strings, as Abseil's does.
#ifndef SMPFUZZ_ABSL_COMPAT_STRINGS_STR_SPLIT_H_
#define SMPFUZZ_ABSL_COMPAT_STRINGS_STR_SPLIT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace absl {

struct AllowEmpty {
  bool operator()(absl::string_view) const { return true; }
};
struct SkipEmpty {
  bool operator()(absl::string_view sp) const { return !sp.empty(); }
};

namespace strings_internal {
class SplitPieces : public std::vector<absl::string_view> {
 public:
  using std::vector<absl::string_view>::vector;
  operator std::vector<std::string>() const { return {begin(), end()}; }  // NOLINT
};
}  // namespace strings_internal

// As Abseil: "" splits into one empty piece (which SkipEmpty drops), "a," into
// "a" and "". The text must outlive the pieces (no std::string&& overload).
template <typename Predicate = AllowEmpty>
strings_internal::SplitPieces StrSplit(absl::string_view text, char delimiter,
                                       Predicate keep = Predicate()) {
  strings_internal::SplitPieces out;
  for (;;) {
    const std::size_t at = text.find(delimiter);
    const absl::string_view piece = text.substr(0, at);
    if (keep(piece)) out.push_back(piece);
    if (at == absl::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return out;
}

}  // namespace absl

#endif  // SMPFUZZ_ABSL_COMPAT_STRINGS_STR_SPLIT_H_
