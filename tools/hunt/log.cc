// SPDX-License-Identifier: GPL-2.0-only
#include "tools/hunt/log.h"

#include <cstdio>

#include <unistd.h>

#include "tools/hunt/clock.h"

namespace smpfuzz::hunt {

absl::Status Log::Open(const std::string& path) {
  file_.open(path, std::ios::app);
  tty_ = isatty(STDERR_FILENO);
  if (!file_) return absl::FailedPreconditionError(path + ": cannot open");
  return absl::OkStatus();
}

void Log::Event(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  file_ << WallClock() << "  " << line << "\n";
  file_.flush();
  std::fprintf(stderr, "%shunt: %s\n", tty_ ? "\r\033[K" : "", line.c_str());
}

void Log::Progress(const std::string& line, bool force) {
  std::lock_guard<std::mutex> lock(mu_);
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
  } else if (force) {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

void Log::EndProgress() {
  if (tty_) std::fprintf(stderr, "\r\033[K");
}

}  // namespace smpfuzz::hunt
