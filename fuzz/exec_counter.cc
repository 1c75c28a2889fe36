// SPDX-License-Identifier: GPL-2.0-only
#include "fuzz/exec_counter.h"

#include <cstdlib>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace smpfuzz::fuzz {
namespace {

std::uint64_t* counter = nullptr;
bool opened = false;

}  // namespace

void OpenExecCounterFromEnvironment() {
  if (opened) return;
  opened = true;
  const char* path = std::getenv("SMPFUZZ_EXEC_COUNTER");
  if (path == nullptr || *path == '\0') return;
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  struct stat st;
  if (fstat(fd, &st) == 0 && st.st_size < static_cast<off_t>(sizeof(std::uint64_t))) {
    if (ftruncate(fd, sizeof(std::uint64_t)) != 0) {
      close(fd);
      return;
    }
  }
  void* p = mmap(nullptr, sizeof(std::uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (p != MAP_FAILED) counter = static_cast<std::uint64_t*>(p);
}

void CountExecution() {
  if (counter != nullptr) __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

std::uint64_t ReadExecCounter(const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  std::uint64_t v = 0;
  if (pread(fd, &v, sizeof v, 0) != static_cast<ssize_t>(sizeof v)) v = 0;
  close(fd);
  return v;
}

}  // namespace smpfuzz::fuzz
