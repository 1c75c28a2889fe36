// SPDX-License-Identifier: GPL-2.0-only
//
// The fuzzers' raw input format: every byte string decodes to a valid
// scenario and schedule (structure-aware fuzzing: no input is wasted on a
// parse error). Layout:
//
//   byte 0        nr_cpus = 2 + b % 7                  (2..8)
//   byte 1        bit 0: csdlock_debug; bits 1..7: CPUs 1..7 offline
//   byte 2        number of operations = b % 9         (0..8)
//   3 bytes/op    [cpu = b % nr_cpus]
//                 [kind = (b & 7) % 5 (call_single, call_single_async, call_many,
//                  flush, irqs_off); bit 3 wait; bit 4 local; bits 5-6 csd
//                  (0: a fresh csd, k: the caller's csd k-1)]
//                 [argument: target = b % (nr_cpus + 2), where nr_cpus means -1
//                  and nr_cpus + 1 means nr_cpus (impossible CPUs); call_many:
//                  mask = b; irqs_off: ms = 50 * b]
//   the rest      one schedule step per byte: CPU (b & 0x7f) % nr_cpus, bit 7 = IPI
//
// Operations on an offline CPU are dropped; CPU 0 is always online. The
// variant is not in the bytes: each fuzz target fixes it.

#ifndef SMPFUZZ_LIB_INPUT_BYTES_H_
#define SMPFUZZ_LIB_INPUT_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "lib/repro.h"

namespace smpfuzz {

inline constexpr int kBytesMaxCpus = 8;
inline constexpr int kBytesMaxOps = 8;
inline constexpr std::size_t kBytesHeader = 3;
inline constexpr std::size_t kBytesPerOp = 3;

// Decodes any byte string. The result has no expectations and `variant`.
Repro DecodeInputBytes(const std::uint8_t* data, std::size_t size, const Variant* variant);

// Encodes a reproducer's scenario and schedule; false with *error when it
// does not fit the byte format (too many CPUs or operations, ...). Run
// options (max_steps, ...) and expectations are not part of the bytes.
bool EncodeInputBytes(const Repro& r, std::string* out, std::string* error);

// How a file is read depends on where it comes from. The rule: a file that
// begins with `smpfuzz-repro` (lib/repro.h) is a reproducer and must parse;
// any other file is raw fuzzer bytes, and every byte string decodes.
enum class InputOrigin {
  // Named by a user (replay, convert, explore, minimize). The rule, and a
  // file that is plainly meant as a reproducer without being one (named
  // *.repro, a UTF-8 byte order mark, text that opens with a comment or a
  // reproducer keyword: LooksLikeHeaderlessRepro) is an error, not run raw.
  kSniff,
  // Raw bytes, whatever they begin with (`--raw`).
  kRaw,
  // Must be a reproducer (a *.repro file in a crash directory).
  kReproducer,
  // Written by a fuzzing engine (libFuzzer crash-*, AFL++ id:*): the rule
  // alone, so no raw input is ever refused for what its bytes look like.
  kCrashFile,
};

// Larger files are refused (a reproducer of 65536 operations is about 3 MB).
inline constexpr std::size_t kMaxInputBytes = std::size_t{16} << 20;

// Reads a file by `origin`: a reproducer (parsed) or a fuzzer input
// (decoded, run as raw_variant). *was_text says which. Only regular files
// are read (a FIFO, directory or device is refused without blocking), at
// most kMaxInputBytes. Errors are one line: "PATH: cannot read: why",
// "PATH: not a regular file (a directory)", "PATH: too big: ...", or the
// parser's "PATH:LINE:COL: message".
bool ReadReproOrInput(const std::string& path, const Variant* raw_variant, InputOrigin origin,
                      Repro* r, bool* was_text, std::string* error);

// The same with kRaw when force_raw, else kSniff.
bool ReadReproOrInput(const std::string& path, const Variant* raw_variant, bool force_raw,
                      Repro* r, bool* was_text, std::string* error);

// The origin of a file found in a crash directory or named to triage:
// kReproducer for *.repro, else kCrashFile.
InputOrigin CrashDirOrigin(const std::string& path);

// Reads a whole regular file of at most `max_bytes` into *data; false with
// a one-line "PATH: ..." *error otherwise. Never blocks on a FIFO.
bool ReadRegularFile(const std::string& path, std::size_t max_bytes, std::string* data,
                     std::string* error);

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_INPUT_BYTES_H_
