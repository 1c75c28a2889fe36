// SPDX-License-Identifier: GPL-2.0-only
//
// The file work of `smpfuzz hunt` and its engines: listing, reading and
// writing files under OUT without ever leaving half a file behind.

#ifndef SMPFUZZ_TOOLS_HUNT_FILES_H_
#define SMPFUZZ_TOOLS_HUNT_FILES_H_

#include <cstddef>
#include <string>
#include <vector>

namespace smpfuzz::hunt {

// Paths of the regular files directly in `dir` whose names start with one of
// `prefixes` (by default: all); empty when `dir` does not exist.
std::vector<std::string> ListFiles(const std::string& dir,
                                   const std::vector<std::string>& prefixes = {""});

// Entries in `dir`, without looking at them (cheap enough for every second).
std::size_t CountFiles(const std::string& dir);

// create_directories with a one-line `error` ("PATH: cannot create: why").
bool MakeDirs(const std::string& path, std::string* error);

bool ReadFile(const std::string& path, std::string* out);

// Writes through PATH.tmp and renames, so a reader (or a restart after hunt
// died) never sees half a file. false: `error` says why, in one line.
bool WriteFileAtomically(const std::string& path, const std::string& bytes, std::string* error);

// A hard link to `from` at `to`, or a copy where links do not work.
bool LinkOrCopy(const std::string& from, const std::string& to);

}  // namespace smpfuzz::hunt

#endif  // SMPFUZZ_TOOLS_HUNT_FILES_H_
