// SPDX-License-Identifier: GPL-2.0-only
#include "tools/hunt/clock.h"

#include <cstdio>
#include <ctime>

namespace smpfuzz::hunt {

std::string Clock(double seconds) {
  long s = static_cast<long>(seconds);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  return buf;
}

std::string WallClock() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&t));
  return buf;
}

}  // namespace smpfuzz::hunt
