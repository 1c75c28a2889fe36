// SPDX-License-Identifier: GPL-2.0-only
//
// Log: what `smpfuzz hunt` tells about itself, in OUT/hunt.log and on
// standard error. An event is one line in both (the file's with the time
// of day, the terminal's after "hunt: "); the progress line goes to the
// terminal only: on a terminal it is redrawn in place and events clear it
// first, elsewhere it is a line of its own when forced. Safe to call from
// several threads (the triager logs too).

#ifndef SMPFUZZ_TOOLS_HUNT_LOG_H_
#define SMPFUZZ_TOOLS_HUNT_LOG_H_

#include <fstream>
#include <mutex>
#include <string>

#include "absl/status/status.h"

namespace smpfuzz::hunt {

class Log {
 public:
  // Appends to `path`; the error is "PATH: cannot open".
  absl::Status Open(const std::string& path);
  void Event(const std::string& line);
  // `force`: also when standard error is not a terminal.
  void Progress(const std::string& line, bool force);
  // Clears a progress line drawn in place.
  void EndProgress();
  bool tty() const { return tty_; }

 private:
  std::mutex mu_;
  std::ofstream file_;
  bool tty_ = false;
};

}  // namespace smpfuzz::hunt

#endif  // SMPFUZZ_TOOLS_HUNT_LOG_H_
