// SPDX-License-Identifier: GPL-2.0-only
//
// Hex: how every format writes a number in hexadecimal ("0x5cf00003",
// "0x0"): lowercase, no padding, with the 0x prefix. Traces, verdicts and
// reproducers all use it, so the same value reads the same everywhere.

#ifndef SMPFUZZ_LIB_HEX_H_
#define SMPFUZZ_LIB_HEX_H_

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"

namespace smpfuzz {

inline std::string Hex(std::uint64_t v) { return absl::StrCat("0x", absl::Hex(v)); }

// A 64-bit hash as a name: exactly 16 lowercase digits, no prefix (bucket and
// crash file names, build cache directories, a reproducer's `guest` line).
inline std::string Hex16(std::uint64_t v) { return absl::StrCat(absl::Hex(v, absl::kZeroPad16)); }

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_HEX_H_
