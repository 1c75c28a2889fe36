// SPDX-License-Identifier: GPL-2.0-only
//
// Process: one engine process that `smpfuzz hunt` starts, watches and stops.
// Each runs in a process group of its own, so stopping it also stops what it
// forked (a merge's jobs), and it gets SIGTERM if hunt itself dies. What
// leaves the group (AFL++'s fork server calls setsid()) is caught another
// way: hunt is a child subreaper (BecomeSubreaper), so a descendant whose
// parent dies becomes hunt's child, and ReapStrays kills and reaps every
// child of hunt that is not a running Process.

#ifndef SMPFUZZ_TOOLS_HUNT_PROCESS_H_
#define SMPFUZZ_TOOLS_HUNT_PROCESS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

#include "absl/status/status.h"

namespace smpfuzz::hunt {

struct Command {
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> env;  // added to hunt's own
  std::string log;  // standard output and error are appended here
  std::string cwd;  // where it runs (stray files land there); empty: hunt's own
};

class Process {
 public:
  // Starts `command`; the error (one line) says why it cannot be executed,
  // e.g. the program does not exist.
  absl::Status Start(const Command& command);
  bool running() const { return pid_ > 0; }
  struct Exit {
    std::string how;  // in words: "exited with status 4", "killed by ..."
    int code = 0;     // its exit code, 128 + signal when killed; -1: lost
  };
  // How it exited, when it has since the last call.
  std::optional<Exit> Exited();
  // SIGTERM to the group, without waiting.
  void Terminate();
  // SIGTERM to the group, SIGKILL after `grace_seconds`; waits for the exit.
  void Stop(double grace_seconds);

 private:
  void Forget();
  pid_t pid_ = -1;
};

// Makes this process the child subreaper of everything it starts from now on
// (prctl PR_SET_CHILD_SUBREAPER); false when the kernel refuses.
bool BecomeSubreaper();

// Kills (SIGKILL) and reaps every child of this process that is not a
// running Process: the descendants of engines that died, handed to hunt as
// their subreaper, and their own children in turn. Children in hunt's own
// process group are hunt's own helpers (a popen), not strays: they are left
// alone. Returns how many.
int ReapStrays();

// Whether `program` is an executable in a directory of $PATH.
bool OnPath(const std::string& program);

// Seconds on the steady clock, for delays and deadlines.
double Now();

// The last `max_lines` non-empty lines of a file, for error messages.
std::string Tail(const std::string& path, int max_lines);

}  // namespace smpfuzz::hunt

#endif  // SMPFUZZ_TOOLS_HUNT_PROCESS_H_
