// SPDX-License-Identifier: GPL-2.0-only
#include "lib/inputs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string_view>

#include "absl/status/status.h"
#include "lib/input_bytes.h"

namespace smpfuzz {
namespace {

const char* FileKind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a plain file";
}

absl::Status CannotRead(const std::string& path, int error) {
  return absl::Status(absl::ErrnoToStatusCode(error), path + ": cannot read: " + std::strerror(error));
}

absl::Status NotRegular(const std::string& path, mode_t mode) {
  return absl::InvalidArgumentError(path + ": not a regular file (" + FileKind(mode) + ")");
}

absl::Status TooBig(const std::string& path, std::uint64_t size, std::size_t max) {
  return absl::InvalidArgumentError(path + ": too big: " + std::to_string(size) +
                                    " bytes (inputs are at most " + std::to_string(max) + ")");
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

absl::StatusOr<std::string> ReadRegularFile(const std::string& path, std::size_t max_bytes) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return CannotRead(path, errno);
  if (!S_ISREG(st.st_mode)) return NotRegular(path, st.st_mode);
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    return TooBig(path, static_cast<std::uint64_t>(st.st_size), max_bytes);
  }
  // O_NONBLOCK: a FIFO put in the file's place since stat() does not block
  // open(); fstat() then sees what was opened.
  const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return CannotRead(path, errno);
  std::string data;
  absl::Status status;
  if (fstat(fd, &st) != 0) {
    status = CannotRead(path, errno);
  } else if (!S_ISREG(st.st_mode)) {
    status = NotRegular(path, st.st_mode);
  } else {
    data.reserve(std::min<std::uint64_t>(static_cast<std::uint64_t>(st.st_size), max_bytes) + 1);
    char buf[1 << 16];
    for (;;) {
      const ssize_t n = read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        status = CannotRead(path, errno);
        break;
      }
      if (n == 0) break;
      if (data.size() + static_cast<std::size_t>(n) > max_bytes) {  // it grew since fstat()
        status = TooBig(path, data.size() + static_cast<std::size_t>(n), max_bytes);
        break;
      }
      data.append(buf, static_cast<std::size_t>(n));
    }
  }
  close(fd);
  if (!status.ok()) return status;
  return data;
}

InputOrigin CrashDirOrigin(const std::string& path) {
  return EndsWith(path, ".repro") ? InputOrigin::kReproducer : InputOrigin::kCrashFile;
}

absl::StatusOr<Input> ReadInput(const std::string& path, const Variant* raw_variant,
                                InputOrigin origin) {
  absl::StatusOr<std::string> data = ReadRegularFile(path, kMaxInputBytes);
  if (!data.ok()) return data.status();
  if (origin == InputOrigin::kSniff && EndsWith(path, ".repro")) origin = InputOrigin::kReproducer;
  Input in;
  switch (origin) {
    case InputOrigin::kRaw:
      in.was_text = false;
      break;
    case InputOrigin::kReproducer:
      in.was_text = true;
      break;
    case InputOrigin::kCrashFile:
      in.was_text = HasReproHeader(*data);
      break;
    case InputOrigin::kSniff:
      in.was_text = HasReproHeader(*data);
      if (!in.was_text && LooksLikeHeaderlessRepro(*data)) {
        return absl::InvalidArgumentError(path + ":1:1: " + MissingHeaderMessage(*data) +
                                          "; to run the file as raw fuzzer bytes, use --raw");
      }
      break;
  }
  if (in.was_text) {
    absl::StatusOr<Repro> r = ParseRepro(*data, path);
    if (!r.ok()) return r.status();
    in.repro = *std::move(r);
    return in;
  }
  in.repro = DecodeInputBytes(reinterpret_cast<const std::uint8_t*>(data->data()), data->size(),
                              raw_variant);
  return in;
}

std::vector<std::string> InputFiles(const std::string& file_or_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(file_or_dir, ec)) return {file_or_dir};
  std::vector<std::string> found;
  for (auto it = fs::recursive_directory_iterator(file_or_dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string name = it->path().filename().string();
    if (name.rfind("crash-", 0) == 0 || name.rfind("id:", 0) == 0 ||
        (name.size() > 6 && EndsWith(name, ".repro"))) {
      found.push_back(it->path().string());
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace smpfuzz
