// SPDX-License-Identifier: GPL-2.0-only
//
// Flag types: the typed values of smpfuzz's number and duration flags, whose
// errors are smpfuzz's own.
//
// Abseil refuses a bad value of a typed flag while it parses the command
// line, with a message of its own and exit status 1. smpfuzz's contract is
// one line of its own and status 2, from the command that takes the flag, at
// the point where that command checks it (so which error shows first when
// several are wrong, and that a command ignores a flag it does not take, stay
// as they were). So Abseil's parse of these types accepts any text and keeps
// it, and the command reads the value with Value(FLAGS_x): the number, or the
// error, a whole line naming the flag ("smpfuzz: --NAME: expected ...").
// An empty text (a flag without default, or given as `--x=`) is empty().

#ifndef SMPFUZZ_TOOLS_FLAG_TYPES_H_
#define SMPFUZZ_TOOLS_FLAG_TYPES_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace smpfuzz::cli {

// What was written for the flag, parsed when the command asks for it.
class FlagText {
 public:
  FlagText() = default;
  explicit FlagText(std::string text) : text_(std::move(text)) {}
  const std::string& text() const { return text_; }
  bool empty() const { return text_.empty(); }

 private:
  std::string text_;
};

// A whole number from kMin to kMax, in decimal digits only (no sign, no
// exponent, no fraction).
template <std::uint64_t kMin, std::uint64_t kMax>
class WholeNumber : public FlagText {
 public:
  using FlagText::FlagText;
};

// A number of seconds from 0 to kMaxSeconds, in strtod's syntax (2.5, 1e3).
class Seconds : public FlagText {
 public:
  using FlagText::FlagText;
};
inline constexpr double kMaxSeconds = 1e7;

// A duration longer than zero, in absl::ParseDuration's syntax (90s, 2m, 8h).
class PositiveDuration : public FlagText {
 public:
  using FlagText::FlagText;
};

// Abseil's parse and unparse: the text as it is (see above).
bool AbslParseFlag(absl::string_view text, FlagText* out, std::string* error);
std::string AbslUnparseFlag(const FlagText& value);

// The checks, by the flag's name (without dashes).
absl::StatusOr<std::uint64_t> ParseWholeNumber(absl::string_view name, const std::string& text,
                                               std::uint64_t min, std::uint64_t max);
absl::StatusOr<double> ParseSeconds(absl::string_view name, const std::string& text);
absl::StatusOr<double> ParseDurationSeconds(absl::string_view name, const std::string& text);

template <std::uint64_t kMin, std::uint64_t kMax>
absl::StatusOr<std::uint64_t> Value(const absl::Flag<WholeNumber<kMin, kMax>>& flag) {
  return ParseWholeNumber(absl::GetFlagReflectionHandle(flag).Name(), absl::GetFlag(flag).text(),
                          kMin, kMax);
}

// `if_empty` when the flag is empty.
inline absl::StatusOr<double> Value(const absl::Flag<Seconds>& flag, double if_empty) {
  const Seconds s = absl::GetFlag(flag);
  if (s.empty()) return if_empty;
  return ParseSeconds(absl::GetFlagReflectionHandle(flag).Name(), s.text());
}

// In seconds.
inline absl::StatusOr<double> Value(const absl::Flag<PositiveDuration>& flag) {
  return ParseDurationSeconds(absl::GetFlagReflectionHandle(flag).Name(),
                              absl::GetFlag(flag).text());
}

}  // namespace smpfuzz::cli

#endif  // SMPFUZZ_TOOLS_FLAG_TYPES_H_
