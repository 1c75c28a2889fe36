// SPDX-License-Identifier: GPL-2.0-only
//
// The file work of `smpfuzz hunt` and its engines: listing, reading and
// writing files under OUT without ever leaving half a file behind.

#ifndef SMPFUZZ_TOOLS_HUNT_FILES_H_
#define SMPFUZZ_TOOLS_HUNT_FILES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace smpfuzz::hunt {

// Paths of the regular files directly in `dir` whose names start with one of
// `prefixes` (by default: all); empty when `dir` does not exist.
std::vector<std::string> ListFiles(const std::string& dir,
                                   const std::vector<std::string>& prefixes = {""});

// The 64-bit FNV-1a hash of `bytes` as 16 hex digits: what hunt names crash
// files by (their content) and bucket reproducers by (the last 8 digits of
// their key's).
std::string HashHex(const std::string& bytes);

// Entries in `dir`, without looking at them (cheap enough for every second).
std::size_t CountFiles(const std::string& dir);

// create_directories; the error is one line, "PATH: cannot create: why".
absl::Status MakeDirs(const std::string& path);

// The whole file; the error is one line, "PATH: cannot read: why".
absl::StatusOr<std::string> ReadFile(const std::string& path);
// The non-empty lines of `text`, without their newlines.
std::vector<std::string> SplitLines(const std::string& text);

// Writes through PATH.tmp and renames, so a reader (or a restart after hunt
// died) never sees half a file; a write that fails (a full disk) leaves
// nothing behind. The error is one line, "PATH: cannot write: why".
absl::Status WriteFileAtomically(const std::string& path, const std::string& bytes);

// A hard link to `from` at `to`, or a copy where links do not work. A copy
// that fails leaves no file at `to`.
bool LinkOrCopy(const std::string& from, const std::string& to);

// Whether `path` is an empty file named after content it lacks: a 40-digit
// SHA-1 that is not that of the empty input. libFuzzer writes its corpus
// entries under such names, and on a full disk it leaves them empty.
bool IsEmptyNamedAfterContent(const std::string& path);

// Removes every such file directly in `dir` (whose names, after
// `name_prefix_end` when given, are the SHA-1). Returns how many.
int RemoveEmptyNamedAfterContent(const std::string& dir, const std::string& name_prefix_end = "");

// Free bytes for an unprivileged writer on the disk that holds `path`
// (statvfs: cheap enough for every second); the maximum when unknown.
std::uint64_t FreeBytes(const std::string& path);

// An exclusive lock on a directory, held until the process ends or
// Release: flock on DIR/hunt.lock, which also holds the holder's pid. The
// kernel drops the lock when its holder dies, so the lock of a killed hunt
// is simply taken over.
class DirLock {
 public:
  DirLock() = default;
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;
  ~DirLock() { Release(); }
  // The pid a holder that died left in the file (0: none). When another
  // process holds the lock: an Unavailable error, "another hunt is running
  // in this directory (pid N)" (the pid it wrote, or "unknown"); any other
  // error says why the lock file cannot be used.
  absl::StatusOr<int> Acquire(const std::string& dir);
  // Clears the pid and drops the lock.
  void Release();

 private:
  int fd_ = -1;
};

}  // namespace smpfuzz::hunt

#endif  // SMPFUZZ_TOOLS_HUNT_FILES_H_
