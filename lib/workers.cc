// SPDX-License-Identifier: GPL-2.0-only
#include "lib/workers.h"

#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace smpfuzz {
namespace {

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Why a worker that ended with `status` failed, or "" when it did not.
std::string Failure(int status) {
  if (WIFSIGNALED(status)) {
    return absl::StrCat("died of signal ", WTERMSIG(status), " (", strsignal(WTERMSIG(status)), ")");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::StrCat("exited with status ", WEXITSTATUS(status));
  }
  return "";
}

}  // namespace

absl::StatusOr<std::vector<std::string>> RunWorkers(
    int n, std::string_view who_view, const std::function<void(int w, const WorkerWrite& write)>& work,
    const std::function<void(int w, std::string_view chunk)>& on_output, const std::function<void()>& every_second) {
  const std::string who(who_view);
  struct Worker {
    pid_t pid = -1;
    int fd = -1;
    bool reaped = false;
    std::string out;
  };
  std::vector<Worker> workers(n);
  auto kill_all = [&] {
    for (Worker& w : workers) {
      if (w.pid > 0 && !w.reaped) kill(w.pid, SIGKILL);
    }
  };
  auto reap_all = [&] {
    for (Worker& w : workers) {
      if (w.fd >= 0) close(w.fd);
      int status;
      if (w.pid > 0 && !w.reaped) {
        while (waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
        }
      }
    }
  };
  std::fflush(nullptr);
  const pid_t parent = getpid();
  for (int i = 0; i < n; ++i) {
    int p[2];
    if (pipe(p) != 0) {
      kill_all();
      reap_all();
      return absl::InternalError(absl::StrCat(who, ": pipe: ", std::strerror(errno)));
    }
    const pid_t pid = fork();
    if (pid < 0) {
      close(p[0]);
      close(p[1]);
      kill_all();
      reap_all();
      return absl::InternalError(absl::StrCat(who, ": fork: ", std::strerror(errno)));
    }
    if (pid == 0) {
      // A worker must not outlive its parent: a timeout or ^C that kills
      // the parent would otherwise leave the workers searching, orphaned.
      // (getppid() afterwards: the parent may have died before the prctl.)
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(4);
      close(p[0]);
      for (int j = 0; j < i; ++j) close(workers[j].fd);
      bool ok = true;
      work(i, [&](std::string_view data) { return ok = ok && WriteAll(p[1], data); });
      _exit(ok ? 0 : 3);
    }
    close(p[1]);
    workers[i].pid = pid;
    workers[i].fd = p[0];
  }
  // Read until every pipe is closed; a worker is reaped when its pipe
  // closes, so that one that died stops the others at once.
  const auto start = std::chrono::steady_clock::now();
  double next_tick = 1.0;
  std::string failed;
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<int> which;
    for (int i = 0; i < n; ++i) {
      if (workers[i].fd >= 0) {
        fds.push_back({workers[i].fd, POLLIN, 0});
        which.push_back(i);
      }
    }
    if (fds.empty()) break;
    if (poll(fds.data(), fds.size(), 250) < 0 && errno != EINTR) break;
    for (std::size_t k = 0; k < fds.size(); ++k) {
      if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      Worker& w = workers[which[k]];
      char buf[4096];
      const ssize_t got = read(w.fd, buf, sizeof buf);
      if (got > 0) {
        w.out.append(buf, static_cast<std::size_t>(got));
        if (on_output) on_output(which[k], std::string_view(buf, static_cast<std::size_t>(got)));
        continue;
      }
      if (got < 0 && errno == EINTR) continue;
      close(w.fd);
      w.fd = -1;
      int status = 0;
      while (waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
      }
      w.reaped = true;
      if (const std::string why = Failure(status); !why.empty() && failed.empty()) {
        failed = absl::StrCat(who, ": worker ", which[k], " ", why);
        kill_all();
      }
    }
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (every_second && t >= next_tick) {
      every_second();
      next_tick = t + 1.0;
    }
  }
  reap_all();
  if (!failed.empty()) return absl::InternalError(failed);
  std::vector<std::string> outputs;
  for (Worker& w : workers) outputs.push_back(std::move(w.out));
  return outputs;
}

}  // namespace smpfuzz
