// SPDX-License-Identifier: GPL-2.0-only
//
// RunWorkers: every worker's output comes back in order; a worker that dies
// fails the call and stops the others; and no worker outlives its parent.

#include "lib/workers.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace smpfuzz {
namespace {

TEST(WorkersTest, EveryWorkersOutputInOrder) {
  absl::StatusOr<std::vector<std::string>> out =
      RunWorkers(3, "t", [](int w, const WorkerWrite& write) {
        write("w" + std::to_string(w) + ":");
        write("done");
      });
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, (std::vector<std::string>{"w0:done", "w1:done", "w2:done"}));
}

TEST(WorkersTest, AWorkerThatDiesFailsTheCallAndStopsTheOthers) {
  absl::StatusOr<std::vector<std::string>> out =
      RunWorkers(2, "t", [](int w, const WorkerWrite&) {
        // SIGKILL: the sanitizers catch SIGSEGV and turn it into exit(66).
        if (w == 1) raise(SIGKILL);
        sleep(60);  // killed by RunWorkers, long before this
      });
  ASSERT_FALSE(out.ok());
  EXPECT_NE(std::string(out.status().message()).find("t: worker 1 died of signal 9"),
            std::string::npos)
      << out.status();
}

// Whether `pid` is gone or a zombie (dead, waiting for whoever reaps orphans).
bool Dead(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  std::size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

TEST(WorkersTest, WorkersDieWithTheirParent) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  const pid_t parent = fork();
  ASSERT_GE(parent, 0);
  if (parent == 0) {
    // The parent of the workers: each tells the test its pid, then works on.
    close(p[0]);
    (void)RunWorkers(2, "t", [&](int, const WorkerWrite&) {
      const pid_t me = getpid();
      if (write(p[1], &me, sizeof me) != sizeof me) _exit(5);
      sleep(60);
    });
    _exit(0);
  }
  close(p[1]);
  pid_t workers[2];
  for (pid_t& w : workers) ASSERT_EQ(read(p[0], &w, sizeof w), static_cast<ssize_t>(sizeof w));
  close(p[0]);
  // What a timeout or ^C does to `smpfuzz verify --jobs=2`.
  kill(parent, SIGKILL);
  int status;
  ASSERT_EQ(waitpid(parent, &status, 0), parent);
  for (pid_t w : workers) {
    bool dead = false;
    for (int i = 0; i < 100 && !dead; ++i) {
      dead = Dead(w);
      if (!dead) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_TRUE(dead) << "worker " << w << " outlived its parent";
    if (!dead) kill(w, SIGKILL);
  }
}

}  // namespace
}  // namespace smpfuzz
