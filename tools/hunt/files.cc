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

std::size_t CountFiles(const std::string& dir) {
  std::size_t n = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    ++n;
  }
  return n;
}

bool MakeDirs(const std::string& path, std::string* error) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) *error = path + ": cannot create: " + ec.message();
  return !ec;
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

namespace {

// Writes all of `bytes` to a new file `path` and closes it; on any failure
// (a full disk shows at write or at close) the file is removed.
bool WriteNewFile(const std::string& path, const char* data, std::size_t size, std::string* why) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *why = std::strerror(errno);
    return false;
  }
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = write(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *why = std::strerror(n < 0 ? errno : ENOSPC);
      close(fd);
      unlink(path.c_str());
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  if (close(fd) != 0) {
    *why = std::strerror(errno);
    unlink(path.c_str());
    return false;
  }
  return true;
}

}  // namespace

bool WriteFileAtomically(const std::string& path, const std::string& bytes, std::string* error) {
  const std::string tmp = path + ".tmp";
  std::string why;
  if (!WriteNewFile(tmp, bytes.data(), bytes.size(), &why)) {
    *error = path + ": cannot write: " + why;
    return false;
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    *error = path + ": cannot write: " + std::strerror(errno);
    unlink(tmp.c_str());
    return false;
  }
  return true;
}

bool LinkOrCopy(const std::string& from, const std::string& to) {
  if (link(from.c_str(), to.c_str()) == 0) return true;
  if (errno == EEXIST) return false;
  std::string bytes, why;
  return ReadFile(from, &bytes) && WriteNewFile(to, bytes.data(), bytes.size(), &why);
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

bool DirLock::Acquire(const std::string& dir, int* holder, int* previous, std::string* error) {
  *holder = 0;
  *previous = 0;
  const std::string path = dir + "/hunt.lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  char buf[32] = {};
  const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  const int pid_in_file = n > 0 ? std::atoi(buf) : 0;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    close(fd);
    if (e == EWOULDBLOCK) {
      *holder = pid_in_file;
      return false;
    }
    *error = path + ": cannot lock: " + std::strerror(e);
    return false;
  }
  // The holder writes its pid only once it has the lock, so a pid read
  // before the lock was taken is that of a holder that is gone.
  char pid[32];
  const int len = std::snprintf(pid, sizeof pid, "%d\n", static_cast<int>(getpid()));
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, static_cast<std::size_t>(len), 0) != len) {
    *error = path + ": cannot write: " + std::strerror(errno);
    close(fd);
    return false;
  }
  *previous = pid_in_file;
  fd_ = fd;
  return true;
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
