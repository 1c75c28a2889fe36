// SPDX-License-Identifier: GPL-2.0-only
#include "tools/hunt/process.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "tools/hunt/files.h"

namespace smpfuzz::hunt {
namespace {

std::string Describe(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by ") + strsignal(WTERMSIG(status));
  return "stopped";
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

// The pids of running Processes: the children ReapStrays leaves alone.
std::mutex live_mu;
std::set<pid_t>& Live() {
  static std::set<pid_t> live;
  return live;
}

// This process's children, from /proc/PID/stat ("pid (comm) state ppid ...";
// comm may hold spaces and parentheses, so the fields start after the last ')').
std::vector<pid_t> Children() {
  std::vector<pid_t> out;
  const pid_t self = getpid();
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return out;
  while (dirent* d = readdir(proc)) {
    if (d->d_name[0] < '1' || d->d_name[0] > '9') continue;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%s/stat", d->d_name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    char buf[512];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) continue;
    buf[n] = '\0';
    const char* paren = std::strrchr(buf, ')');
    if (paren == nullptr) continue;
    char state = 0;
    int ppid = 0;
    if (std::sscanf(paren + 1, " %c %d", &state, &ppid) == 2 && ppid == self) {
      out.push_back(static_cast<pid_t>(std::atoi(d->d_name)));
    }
  }
  closedir(proc);
  return out;
}

}  // namespace

absl::Status Process::Start(const Command& command) {
  // exec's errno travels back through a close-on-exec pipe: an empty read
  // means the exec worked.
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) {
    return absl::ResourceExhaustedError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  std::vector<char*> argv;
  for (const std::string& a : command.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    const absl::Status error = absl::ResourceExhaustedError(absl::StrCat("fork: ", std::strerror(errno)));
    close(pipefd[0]);
    close(pipefd[1]);
    return error;
  }
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    for (const auto& [name, value] : command.env) setenv(name.c_str(), value.c_str(), 1);
    int in = open("/dev/null", O_RDONLY);
    int log = open(command.log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in < 0 || log < 0) {
      int e = errno;
      (void)!write(pipefd[1], &e, sizeof e);
      _exit(127);
    }
    dup2(in, 0);
    dup2(log, 1);
    dup2(log, 2);
    if (!command.cwd.empty() && chdir(command.cwd.c_str()) != 0) {
      int e = errno;
      (void)!write(pipefd[1], &e, sizeof e);
      _exit(127);
    }
    execvp(argv[0], argv.data());
    int e = errno;
    (void)!write(pipefd[1], &e, sizeof e);
    _exit(127);
  }
  close(pipefd[1]);
  int e = 0;
  ssize_t n;
  do {
    n = read(pipefd[0], &e, sizeof e);
  } while (n < 0 && errno == EINTR);
  close(pipefd[0]);
  if (n > 0) {
    waitpid(pid, nullptr, 0);
    return absl::FailedPreconditionError(absl::StrCat("cannot run ", command.argv[0], ": ", std::strerror(e)));
  }
  setpgid(pid, pid);  // both sides, so the group exists before we signal it
  pid_ = pid;
  std::lock_guard<std::mutex> lock(live_mu);
  Live().insert(pid);
  return absl::OkStatus();
}

void Process::Forget() {
  {
    std::lock_guard<std::mutex> lock(live_mu);
    Live().erase(pid_);
  }
  pid_ = -1;
}

std::optional<Process::Exit> Process::Exited() {
  if (pid_ <= 0) return std::nullopt;
  int st = 0;
  pid_t r = waitpid(pid_, &st, WNOHANG);
  if (r == 0) return std::nullopt;
  if (r < 0 && errno == EINTR) return std::nullopt;
  const Exit exit = r < 0 ? Exit{std::string("lost: ") + std::strerror(errno), -1}
                          : Exit{Describe(st), ExitCode(st)};
  // Whatever the group still runs goes with it, and so does what left it.
  kill(-pid_, SIGKILL);
  Forget();
  ReapStrays();
  return exit;
}

void Process::Terminate() {
  if (pid_ > 0) kill(-pid_, SIGTERM);
}

void Process::Stop(double grace_seconds) {
  if (pid_ <= 0) return;
  kill(-pid_, SIGTERM);
  bool exited = false;
  for (int i = 0; i < grace_seconds * 20 && !exited; ++i) {
    exited = waitpid(pid_, nullptr, WNOHANG) == pid_;
    if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(-pid_, SIGKILL);
  if (!exited) waitpid(pid_, nullptr, 0);
  Forget();
  ReapStrays();
}

bool BecomeSubreaper() { return prctl(PR_SET_CHILD_SUBREAPER, 1) == 0; }

int ReapStrays() {
  int reaped = 0;
  // Killing a stray hands its own children to us: go on until none is left
  // (bounded, in case something keeps forking).
  for (int round = 0; round < 100; ++round) {
    std::vector<pid_t> strays;
    {
      std::lock_guard<std::mutex> lock(live_mu);
      for (pid_t pid : Children()) {
        // hunt's own helpers (the triager's llvm-symbolizer, started by
        // popen) stay in hunt's process group; an engine and everything it
        // starts are in the engine's group, or in sessions of their own.
        if (Live().count(pid) == 0 && getpgid(pid) != getpgrp()) strays.push_back(pid);
      }
    }
    if (strays.empty()) break;
    for (pid_t pid : strays) {
      kill(pid, SIGKILL);
      if (waitpid(pid, nullptr, 0) == pid) ++reaped;
    }
  }
  return reaped;
}

bool OnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  std::size_t pos = 0;
  while (pos <= dirs.size()) {
    std::size_t end = dirs.find(':', pos);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = (end > pos ? dirs.substr(pos, end - pos) : ".") + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return true;
    pos = end + 1;
  }
  return false;
}

double Now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

std::string Tail(const std::string& path, int max_lines) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  std::streamoff from = size > 8192 ? size - 8192 : 0;
  in.seekg(from);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::vector<std::string> lines = SplitLines(text);
  std::string out;
  for (std::size_t i = lines.size() > static_cast<std::size_t>(max_lines) ? lines.size() - max_lines : 0;
       i < lines.size(); ++i) {
    out += (out.empty() ? "" : " | ") + lines[i];
  }
  return out;
}

}  // namespace smpfuzz::hunt
