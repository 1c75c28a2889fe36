// SPDX-License-Identifier: GPL-2.0-only
#include "tools/flag_types.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace smpfuzz::cli {

bool AbslParseFlag(absl::string_view text, FlagText* out, std::string* /*error*/) {
  *out = FlagText(std::string(text));
  return true;
}

std::string AbslUnparseFlag(const FlagText& value) { return value.text(); }

absl::StatusOr<std::uint64_t> ParseWholeNumber(absl::string_view name, const std::string& text,
                                               std::uint64_t min, std::uint64_t max) {
  std::uint64_t v = 0;
  bool ok = !text.empty() && text.size() <= 20;
  for (char c : text) {
    if (!ok) break;
    ok = c >= '0' && c <= '9' && v <= (UINT64_MAX - static_cast<std::uint64_t>(c - '0')) / 10;
    if (ok) v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (!ok || v < min || v > max) {
    return absl::InvalidArgumentError(absl::StrCat("smpfuzz: --", name,
                                                   ": expected a whole number from ", min, " to ",
                                                   max, ", got '", text, "'"));
  }
  return v;
}

absl::StatusOr<double> ParseSeconds(absl::string_view name, const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v >= 0) || v > kMaxSeconds) {
    char max[32];
    std::snprintf(max, sizeof max, "%.0f", kMaxSeconds);
    return absl::InvalidArgumentError(absl::StrCat("smpfuzz: --", name,
                                                   ": expected a number from 0 to ", max,
                                                   ", got '", text, "'"));
  }
  return v;
}

absl::StatusOr<double> ParseDurationSeconds(absl::string_view name, const std::string& text) {
  absl::Duration d;
  if (!absl::ParseDuration(text, &d) || d <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "smpfuzz: --", name, ": expected a duration such as 90s, 2m or 8h, got '", text, "'"));
  }
  return absl::ToDoubleSeconds(d);
}

}  // namespace smpfuzz::cli
