// SPDX-License-Identifier: GPL-2.0-only
//
// Inputs: the one place where a FILE or DIR argument becomes inputs to run.
// A directory stands for the crash files under it; a file is a reproducer
// (lib/repro.h) or raw fuzzer bytes (lib/input_bytes.h), by the rule of its
// InputOrigin. Every error is one line, the Status message, starting with the
// path, e.g. "PATH: cannot read: No such file or directory".

#ifndef SMPFUZZ_LIB_INPUTS_H_
#define SMPFUZZ_LIB_INPUTS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/repro.h"
#include "lib/variant.h"

namespace smpfuzz {

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

// One file read as an input.
struct Input {
  Repro repro;
  bool was_text = false;  // a reproducer (parsed), not raw bytes (decoded)
};

// Reads a file by `origin`: a reproducer (parsed) or a fuzzer input
// (decoded, run as raw_variant). Only regular files are read (a FIFO,
// directory or device is refused without blocking), at most kMaxInputBytes.
// Errors: "PATH: cannot read: why", "PATH: not a regular file (a directory)",
// "PATH: too big: ...", or the parser's "PATH:LINE:COL: message".
absl::StatusOr<Input> ReadInput(const std::string& path, const Variant* raw_variant,
                                InputOrigin origin);

// The origin of a file found in a crash directory or named to triage:
// kReproducer for *.repro, else kCrashFile.
InputOrigin CrashDirOrigin(const std::string& path);

// The files an argument names: a file (or anything that is not a
// directory, to be refused when read) stands for itself; a directory for
// the crash files under it, recursively: libFuzzer crash-*, AFL++ id:*,
// *.repro, in sorted order.
std::vector<std::string> InputFiles(const std::string& file_or_dir);

// A whole regular file of at most `max_bytes`; "PATH: ..." errors as
// above. Never blocks on a FIFO.
absl::StatusOr<std::string> ReadRegularFile(const std::string& path, std::size_t max_bytes);

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_INPUTS_H_
