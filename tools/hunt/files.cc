// SPDX-License-Identifier: GPL-2.0-only
#include "tools/hunt/files.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

namespace smpfuzz::hunt {

namespace fs = std::filesystem;

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

bool WriteFileAtomically(const std::string& path, const std::string& bytes, std::string* error) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      *error = path + ": cannot write: " + std::strerror(errno);
      std::error_code ec;
      fs::remove(tmp, ec);
      return false;
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) *error = path + ": cannot write: " + ec.message();
  return !ec;
}

bool LinkOrCopy(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::create_hard_link(from, to, ec);
  if (ec) fs::copy_file(from, to, ec);
  return !ec;
}

}  // namespace smpfuzz::hunt
