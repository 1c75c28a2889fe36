// SPDX-License-Identifier: GPL-2.0-only
#include "tools/hunt/files.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "lib/hash.h"
#include "lib/hex.h"

namespace smpfuzz::hunt {

namespace fs = std::filesystem;

namespace {

// libFuzzer's name for the empty input.
constexpr char kEmptySha1[] = "da39a3ee5e6b4b0d3255bfef95601890afd80709";

bool IsEmptyNamedAfterContent(const std::string& path, const std::string& name) {
  if (name.size() != 40 || name == kEmptySha1) return false;
  for (char c : name) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  struct stat st;
  return lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0;
}

}  // namespace

std::vector<std::string> ListFiles(const std::string& dir, const std::vector<std::string>& prefixes) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    for (const std::string& p : prefixes) {
      if (name.rfind(p, 0) == 0 && it->is_regular_file(ec)) {
        out.push_back(it->path().string());
        break;
      }
    }
  }
  return out;
}

std::string HashHex(const std::string& bytes) {
  return Hex16(Fnv1a(bytes));
}

std::size_t CountFiles(const std::string& dir) {
  std::size_t n = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    ++n;
  }
  return n;
}

absl::Status MakeDirs(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return absl::UnavailableError(absl::StrCat(path, ": cannot create: ", ec.message()));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read: ", std::strerror(errno)));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": cannot read: ", std::strerror(errno)));
  return bytes;
}

namespace {

// Writes all of `bytes` to a new file `path` and closes it; on any failure
// (a full disk shows at write or at close) the file is removed. The error
// is strerror's text alone.
absl::Status WriteNewFile(const std::string& path, const std::string& bytes) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::UnavailableError(std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const absl::Status error = absl::UnavailableError(std::strerror(n < 0 ? errno : ENOSPC));
      close(fd);
      unlink(path.c_str());
      return error;
    }
    done += static_cast<std::size_t>(n);
  }
  if (close(fd) != 0) {
    const absl::Status error = absl::UnavailableError(std::strerror(errno));
    unlink(path.c_str());
    return error;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteFileAtomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  if (absl::Status s = WriteNewFile(tmp, bytes); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat(path, ": cannot write: ", s.message()));
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    const absl::Status error =
        absl::UnavailableError(absl::StrCat(path, ": cannot write: ", std::strerror(errno)));
    unlink(tmp.c_str());
    return error;
  }
  return absl::OkStatus();
}

bool LinkOrCopy(const std::string& from, const std::string& to) {
  if (link(from.c_str(), to.c_str()) == 0) return true;
  if (errno == EEXIST) return false;
  absl::StatusOr<std::string> bytes = ReadFile(from);
  return bytes.ok() && WriteNewFile(to, *bytes).ok();
}

bool IsEmptyNamedAfterContent(const std::string& path) {
  return IsEmptyNamedAfterContent(path, fs::path(path).filename().string());
}

int RemoveEmptyNamedAfterContent(const std::string& dir, const std::string& name_prefix_end) {
  int removed = 0;
  for (const std::string& path : ListFiles(dir)) {
    std::string name = fs::path(path).filename().string();
    if (!name_prefix_end.empty()) {
      std::size_t at = name.find(name_prefix_end);
      if (at == std::string::npos) continue;
      name = name.substr(at + name_prefix_end.size());
    }
    if (IsEmptyNamedAfterContent(path, name) && unlink(path.c_str()) == 0) ++removed;
  }
  return removed;
}

std::uint64_t FreeBytes(const std::string& path) {
  struct statvfs st;
  if (statvfs(path.c_str(), &st) != 0) return ~std::uint64_t{0};
  return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
}

absl::StatusOr<int> DirLock::Acquire(const std::string& dir) {
  const std::string path = dir + "/hunt.lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  }
  char buf[32] = {};
  const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  const int pid_in_file = n > 0 ? std::atoi(buf) : 0;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    close(fd);
    if (e == EWOULDBLOCK) {
      return absl::UnavailableError(absl::StrCat(
          "another hunt is running in this directory (pid ",
          pid_in_file > 0 ? std::to_string(pid_in_file) : std::string("unknown"), ")"));
    }
    return absl::FailedPreconditionError(absl::StrCat(path, ": cannot lock: ", std::strerror(e)));
  }
  // The holder writes its pid only once it has the lock, so a pid read
  // before the lock was taken is that of a holder that is gone.
  char pid[32];
  const int len = std::snprintf(pid, sizeof pid, "%d\n", static_cast<int>(getpid()));
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, static_cast<std::size_t>(len), 0) != len) {
    const absl::Status error =
        absl::FailedPreconditionError(absl::StrCat(path, ": cannot write: ", std::strerror(errno)));
    close(fd);
    return error;
  }
  fd_ = fd;
  return pid_in_file;
}

void DirLock::Release() {
  if (fd_ < 0) return;
  (void)!ftruncate(fd_, 0);
  close(fd_);  // drops the flock
  fd_ = -1;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    if (nl > pos) lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

}  // namespace smpfuzz::hunt
