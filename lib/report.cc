// SPDX-License-Identifier: GPL-2.0-only
#include "lib/report.h"

namespace smpfuzz {
namespace {

constexpr const char* kNames[] = {
    "llist-self-loop",     "cpu-stuck",     "csd-lock-timeout",    "callback-corrupted",
    "callback-duplicated", "callback-lost", "csd-double-lock",     "csd-unlock-unlocked",
    "percpu-out-of-range", "data-race",           "kernel-warn",
    "csd-spurious-busy",
    "use-after-free",
    "offline-cpu-entry",
};
static_assert(sizeof(kNames) / sizeof(kNames[0]) == kSignatureCount);

}  // namespace

const char* SignatureName(Signature s) {
  int i = static_cast<int>(s);
  return i >= 0 && i < kSignatureCount ? kNames[i] : "?";
}

bool SignatureFromName(std::string_view name, Signature* out) {
  for (int i = 0; i < kSignatureCount; ++i) {
    if (name == kNames[i]) {
      *out = static_cast<Signature>(i);
      return true;
    }
  }
  return false;
}

bool ParseSignatureList(std::string_view list, std::uint32_t* mask, std::string* bad) {
  *mask = 0;
  for (;;) {
    std::size_t comma = list.find(',');
    std::string_view name = list.substr(0, comma);
    Signature sig;
    if (!SignatureFromName(name, &sig)) {
      *bad = std::string(name);
      return false;
    }
    *mask |= SignatureBit(sig);
    if (comma == std::string_view::npos) return true;
    list.remove_prefix(comma + 1);
  }
}

std::string FormatSignatureList(std::uint32_t mask) {
  std::string out;
  bool all = true;
  for (int i = 0; i < kSignatureCount; ++i) {
    if (!(mask & SignatureBit(static_cast<Signature>(i)))) {
      all = false;
      continue;
    }
    if (!out.empty()) out += ',';
    out += SignatureName(static_cast<Signature>(i));
  }
  return all ? "all" : out.empty() ? "none" : out;
}

std::string Report::KeyAt(Signature signature, std::string_view where) {
  return std::string(SignatureName(signature)) + "@" + std::string(where);
}

std::string Report::DedupKey() const {
  if (!where.empty()) return KeyAt(signature, where);
  std::string key = SignatureName(signature);
  char sep = '@';
  for (Site s : sites) {
    key += sep;
    key += SiteName(s);
    sep = ',';
  }
  return key;
}

}  // namespace smpfuzz
