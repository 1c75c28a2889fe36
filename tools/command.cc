// SPDX-License-Identifier: GPL-2.0-only
#include "tools/command.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace smpfuzz::cli {
namespace {

// Marks a usage error; the payload itself is empty.
constexpr char kUsagePayload[] = "smpfuzz/usage";

}  // namespace

absl::Status UsageError(absl::string_view why) {
  absl::Status s = absl::InvalidArgumentError(absl::StrCat("smpfuzz: ", why));
  s.SetPayload(kUsagePayload, absl::Cord());
  return s;
}

bool IsUsageError(const absl::Status& status) {
  return status.GetPayload(kUsagePayload).has_value();
}

absl::Status WithPrefix(absl::string_view prefix, const absl::Status& status) {
  if (status.ok()) return status;
  absl::Status s(status.code(), absl::StrCat(prefix, status.message()));
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    s.SetPayload(url, payload);
  });
  return s;
}

namespace {
std::vector<std::string>& GivenFlags() {
  static auto* given = new std::vector<std::string>();
  return *given;
}
}  // namespace

void NoteFlagGiven(std::string_view name) { GivenFlags().emplace_back(name); }

bool FlagGiven(std::string_view name) {
  for (const std::string& g : GivenFlags()) {
    if (g == name) return true;
  }
  return false;
}

}  // namespace smpfuzz::cli
