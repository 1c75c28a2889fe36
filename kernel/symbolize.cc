// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/symbolize.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <unordered_map>
#include <string>
#include <vector>

namespace smpfuzz {
namespace {

// `path` as one shell word.
std::string Quoted(const std::string& path) {
  std::string out = "'";
  for (char c : path) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

// "kernel/smp.c" out of whatever directory the compiler recorded: from the
// last of the tree's top directories in it.
std::string TreePath(const std::string& file) {
  std::size_t best = std::string::npos;
  for (const char* top : {"/kernel/", "/lib/", "/include/"}) {
    const std::size_t at = file.rfind(top);
    if (at != std::string::npos && (best == std::string::npos || at > best)) best = at;
  }
  return best == std::string::npos ? file : file.substr(best + 1);
}

bool IsShim(const std::string& file) {
  return file.find("shim/") != std::string::npos || file.find("runtime/") != std::string::npos;
}

}  // namespace

std::vector<SourceLine> SymbolizeGuestCode(const std::vector<std::uint64_t>& pcs) {
  std::vector<SourceLine> out(pcs.size());
  // By object: its path, and the indexes of the pcs in it.
  std::map<std::string, std::vector<std::size_t>> by_object;
  std::vector<std::uint64_t> offset(pcs.size());
  for (std::size_t i = 0; i < pcs.size(); ++i) {
    Dl_info info;
    if (pcs[i] == 0 || dladdr(reinterpret_cast<void*>(pcs[i]), &info) == 0 ||
        info.dli_fname == nullptr) {
      continue;
    }
    // A return address: the call is the instruction before it.
    offset[i] = pcs[i] - 1 - reinterpret_cast<std::uint64_t>(info.dli_fbase);
    by_object[info.dli_fname].push_back(i);
  }
  for (const auto& [object, indexes] : by_object) {
    std::string cmd = "llvm-symbolizer --inlining --obj=" + Quoted(object);
    for (std::size_t i : indexes) {
      char buf[32];
      std::snprintf(buf, sizeof buf, " 0x%llx", static_cast<unsigned long long>(offset[i]));
      cmd += buf;
    }
    cmd += " 2>/dev/null";
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) continue;
    // Per address a block of (function, file:line:column) pairs, innermost
    // first, and an empty line.
    std::vector<std::vector<std::string>> blocks(1);
    char line[4096];
    while (std::fgets(line, sizeof line, p) != nullptr) {
      std::string l(line);
      while (!l.empty() && (l.back() == '\n' || l.back() == '\r')) l.pop_back();
      if (l.empty()) {
        if (!blocks.back().empty()) blocks.emplace_back();
        continue;
      }
      blocks.back().push_back(l);
    }
    pclose(p);
    for (std::size_t k = 0; k < indexes.size() && k < blocks.size(); ++k) {
      const std::vector<std::string>& b = blocks[k];
      for (std::size_t j = 0; j + 1 < b.size(); j += 2) {
        // "file:line:column"; line 0 is a frame with no line of its own.
        const std::string& where = b[j + 1];
        const std::size_t c2 = where.rfind(':');
        const std::size_t c1 = c2 == std::string::npos || c2 == 0 ? std::string::npos
                                                                   : where.rfind(':', c2 - 1);
        if (c1 == std::string::npos) continue;
        const std::string file = where.substr(0, c1);
        const int at = std::atoi(where.c_str() + c1 + 1);
        if (at <= 0 || IsShim(file)) continue;
        SourceLine& s = out[indexes[k]];
        s.function = b[j];
        s.file = TreePath(file);
        s.line = at;
        break;
      }
    }
  }
  return out;
}

namespace {

// "OBJECT SIZE MTIME OFFSET": names one build of the object.
std::string PlaceKey(const std::string& object, std::uint64_t offset) {
  struct stat st;
  if (stat(object.c_str(), &st) != 0) return "";
  return object + " " + std::to_string(st.st_size) + " " + std::to_string(st.st_mtime) + " " +
         std::to_string(offset);
}

}  // namespace

PlaceFile::PlaceFile(std::string path) : path_(std::move(path)) {}

std::string PlaceFile::Find(const std::string& object, std::uint64_t offset,
                            const std::function<std::string()>& lookup) {
  const std::string key = PlaceKey(object, offset);
  if (key.empty() || path_.empty()) return lookup();
  auto scan = [&] {
    std::ifstream in(path_);
    std::string line;
    while (std::getline(in, line)) {
      // The key is four words; the place is the rest.
      std::size_t at = 0;
      for (int words = 0; words < 4 && at != std::string::npos; ++words) at = line.find(' ', at + 1);
      if (at == std::string::npos) continue;
      known_[line.substr(0, at)] = line.substr(at + 1);
    }
  };
  auto it = known_.find(key);
  if (it == known_.end()) {
    scan();  // another process (or an earlier one) may have found it
    it = known_.find(key);
  }
  if (it != known_.end()) return it->second;
  const std::string place = lookup();
  if (place.empty() || place.find('\n') != std::string::npos) return place;
  known_[key] = place;
  const std::string line = key + " " + place + "\n";
  const int fd = open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) {
    // One write: appends of a few hundred bytes do not interleave. A
    // failed one only costs the next process a lookup.
    [[maybe_unused]] const ssize_t written = write(fd, line.data(), line.size());
    close(fd);
  }
  return place;
}

std::string GuestCodePlace(std::uint64_t pc) {
  static std::mutex mu;
  static auto* places = new std::unordered_map<std::uint64_t, std::string>;
  static auto* file = [] {
    const char* path = std::getenv("SMPFUZZ_PLACE_CACHE");
    return new PlaceFile(path != nullptr ? path : "");
  }();
  std::lock_guard<std::mutex> lock(mu);
  auto [it, fresh] = places->try_emplace(pc);
  if (fresh) {
    auto lookup = [pc] {
      const SourceLine l = SymbolizeGuestCode({pc}).at(0);
      return l.line > 0 ? l.function + "(" + l.file + ":" + std::to_string(l.line) + ")" : std::string();
    };
    Dl_info info;
    if (pc != 0 && dladdr(reinterpret_cast<void*>(pc), &info) != 0 && info.dli_fname != nullptr) {
      it->second = file->Find(info.dli_fname, pc - reinterpret_cast<std::uint64_t>(info.dli_fbase), lookup);
    } else {
      it->second = lookup();
    }
  }
  return it->second;
}

}  // namespace smpfuzz
