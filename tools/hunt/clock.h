// SPDX-License-Identifier: GPL-2.0-only
//
// Clock: how `smpfuzz hunt` writes times for people: a span of seconds as
// HH:MM:SS (Clock), the time of day in UTC (WallClock), in hunt.log, the
// progress line and summary.md.

#ifndef SMPFUZZ_TOOLS_HUNT_CLOCK_H_
#define SMPFUZZ_TOOLS_HUNT_CLOCK_H_

#include <string>

namespace smpfuzz::hunt {

// "HH:MM:SS" (hours may grow past 99), whole seconds.
std::string Clock(double seconds);

// Now, "YYYY-MM-DD HH:MM:SS UTC".
std::string WallClock();

}  // namespace smpfuzz::hunt

#endif  // SMPFUZZ_TOOLS_HUNT_CLOCK_H_
