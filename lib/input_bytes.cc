// SPDX-License-Identifier: GPL-2.0-only
#include "lib/input_bytes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

namespace smpfuzz {

Repro DecodeInputBytes(const std::uint8_t* data, std::size_t size, const Variant* variant) {
  Repro r;
  Scenario& s = r.scenario;
  auto byte = [&](std::size_t i) -> std::uint8_t { return i < size ? data[i] : 0; };
  s.nr_cpus = 2 + byte(0) % 7;
  s.variant = variant;
  s.csdlock_debug = (byte(1) & 1) != 0;
  const std::uint64_t all = (std::uint64_t{1} << s.nr_cpus) - 1;
  s.offline_mask = (static_cast<std::uint64_t>(byte(1)) & 0xfe) & all;
  s.ops.assign(s.nr_cpus, {});
  const int nops = byte(2) % (kBytesMaxOps + 1);
  std::size_t pos = kBytesHeader;
  for (int i = 0; i < nops && pos + kBytesPerOp <= size; ++i, pos += kBytesPerOp) {
    const int cpu = data[pos] % s.nr_cpus;
    const std::uint8_t kb = data[pos + 1];
    const std::uint8_t arg = data[pos + 2];
    Op op;
    op.kind = static_cast<OpKind>((kb & 7) % 5);
    op.wait = (kb >> 3) & 1;
    op.local = (kb >> 4) & 1;
    int target = arg % (s.nr_cpus + 2);
    if (target == s.nr_cpus) target = -1;
    if (target == s.nr_cpus + 1) target = s.nr_cpus;
    switch (op.kind) {
      case OpKind::kCallSingle:
        op.target = target;
        op.local = false;
        break;
      case OpKind::kCallSingleAsync:
        op.target = target;
        op.wait = op.local = false;
        op.csd = ((kb >> 5) & 3) - 1;
        break;
      case OpKind::kCallMany:
        op.mask = arg;
        break;
      case OpKind::kFlush:
        op.wait = op.local = false;
        break;
      case OpKind::kIrqsOff:
        op.wait = op.local = false;
        op.ms = 50u * arg;
        break;
    }
    if ((s.offline_mask >> cpu) & 1) continue;
    s.ops[cpu].push_back(op);
  }
  if (pos > size) pos = size;
  for (; pos < size; ++pos) {
    r.schedule.push_back({static_cast<std::uint8_t>((data[pos] & 0x7f) % s.nr_cpus),
                          (data[pos] & 0x80) != 0});
  }
  return r;
}

bool EncodeInputBytes(const Repro& r, std::string* out, std::string* error) {
  const Scenario& s = r.scenario;
  const int n = s.nr_cpus;
  if (n < 2 || n > kBytesMaxCpus) {
    *error = "the byte format holds 2.." + std::to_string(kBytesMaxCpus) + " CPUs, not " +
             std::to_string(n);
    return false;
  }
  if (s.offline_mask & 1) {
    *error = "the byte format cannot make CPU 0 offline";
    return false;
  }
  if (s.csd_lock_timeout_ms != Scenario{}.csd_lock_timeout_ms) {
    *error = "the byte format has no csd_lock_timeout_ms";
    return false;
  }
  std::string bytes;
  bytes.push_back(static_cast<char>(n - 2));
  bytes.push_back(static_cast<char>((s.csdlock_debug ? 1 : 0) | (s.offline_mask & 0xfe)));
  int nops = s.TotalOps();
  if (nops > kBytesMaxOps) {
    *error = "the byte format holds " + std::to_string(kBytesMaxOps) + " operations, not " +
             std::to_string(nops);
    return false;
  }
  bytes.push_back(static_cast<char>(nops));
  // Order: CPU by CPU, so decoding appends each CPU's ops in their order.
  for (int cpu = 0; cpu < n; ++cpu) {
    for (const Op& op : s.ops[cpu]) {
      std::uint8_t kb = static_cast<std::uint8_t>(op.kind);
      std::uint8_t arg = 0;
      if (op.kind == OpKind::kCallSingle || op.kind == OpKind::kCallSingleAsync) {
        if (op.target < -1 || op.target > n) {
          *error = "the byte format holds targets -1.." + std::to_string(n) + ", not " +
                   std::to_string(op.target);
          return false;
        }
        arg = static_cast<std::uint8_t>(op.target == -1 ? n : op.target == n ? n + 1 : op.target);
      }
      if (op.kind == OpKind::kCallSingle || op.kind == OpKind::kCallMany) {
        kb |= op.wait ? 8 : 0;
      }
      if (op.kind == OpKind::kCallMany) {
        if (op.mask > 0xff) {
          *error = "the byte format holds 8-bit masks, not " + std::to_string(op.mask);
          return false;
        }
        kb |= op.local ? 16 : 0;
        arg = static_cast<std::uint8_t>(op.mask);
      }
      if (op.kind == OpKind::kCallSingleAsync) {
        if (op.csd > 2) {
          *error = "the byte format holds csd numbers 0..2, not " + std::to_string(op.csd);
          return false;
        }
        kb |= static_cast<std::uint8_t>((op.csd + 1) << 5);
      }
      if (op.kind == OpKind::kIrqsOff) {
        if (op.ms % 50 != 0 || op.ms / 50 > 255) {
          *error = "the byte format holds irqs_off ms in steps of 50 up to 12750, not " +
                   std::to_string(op.ms);
          return false;
        }
        arg = static_cast<std::uint8_t>(op.ms / 50);
      }
      bytes.push_back(static_cast<char>(cpu));
      bytes.push_back(static_cast<char>(kb));
      bytes.push_back(static_cast<char>(arg));
    }
  }
  for (const Choice& c : r.schedule) {
    if (c.cpu >= n) {
      *error = "schedule names cpu " + std::to_string(c.cpu);
      return false;
    }
    bytes.push_back(static_cast<char>(c.cpu | (c.ipi ? 0x80 : 0)));
  }
  *out = std::move(bytes);
  return true;
}

namespace {

const char* FileKind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a plain file";
}

std::string TooBig(const std::string& path, std::uint64_t size, std::size_t max) {
  return path + ": too big: " + std::to_string(size) + " bytes (inputs are at most " +
         std::to_string(max) + ")";
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

bool ReadRegularFile(const std::string& path, std::size_t max_bytes, std::string* data,
                     std::string* error) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    *error = path + ": cannot read: " + std::strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    *error = path + ": not a regular file (" + FileKind(st.st_mode) + ")";
    return false;
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    *error = TooBig(path, static_cast<std::uint64_t>(st.st_size), max_bytes);
    return false;
  }
  // O_NONBLOCK: a FIFO put in the file's place since stat() does not block
  // open(); fstat() then sees what was opened.
  const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    *error = path + ": cannot read: " + std::strerror(errno);
    return false;
  }
  bool ok = false;
  if (fstat(fd, &st) != 0) {
    *error = path + ": cannot read: " + std::strerror(errno);
  } else if (!S_ISREG(st.st_mode)) {
    *error = path + ": not a regular file (" + FileKind(st.st_mode) + ")";
  } else {
    data->clear();
    data->reserve(std::min<std::uint64_t>(static_cast<std::uint64_t>(st.st_size), max_bytes) + 1);
    char buf[1 << 16];
    ok = true;
    for (;;) {
      const ssize_t n = read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        *error = path + ": cannot read: " + std::strerror(errno);
        ok = false;
        break;
      }
      if (n == 0) break;
      if (data->size() + static_cast<std::size_t>(n) > max_bytes) {  // it grew since fstat()
        *error = TooBig(path, data->size() + static_cast<std::size_t>(n), max_bytes);
        ok = false;
        break;
      }
      data->append(buf, static_cast<std::size_t>(n));
    }
  }
  close(fd);
  return ok;
}

InputOrigin CrashDirOrigin(const std::string& path) {
  return EndsWith(path, ".repro") ? InputOrigin::kReproducer : InputOrigin::kCrashFile;
}

bool ReadReproOrInput(const std::string& path, const Variant* raw_variant, InputOrigin origin,
                      Repro* r, bool* was_text, std::string* error) {
  std::string data;
  if (!ReadRegularFile(path, kMaxInputBytes, &data, error)) return false;
  if (origin == InputOrigin::kSniff && EndsWith(path, ".repro")) origin = InputOrigin::kReproducer;
  switch (origin) {
    case InputOrigin::kRaw:
      *was_text = false;
      break;
    case InputOrigin::kReproducer:
      *was_text = true;
      break;
    case InputOrigin::kCrashFile:
      *was_text = HasReproHeader(data);
      break;
    case InputOrigin::kSniff:
      *was_text = HasReproHeader(data);
      if (!*was_text && LooksLikeHeaderlessRepro(data)) {
        *error = path + ":1:1: " + MissingHeaderMessage(data) +
                 "; to run the file as raw fuzzer bytes, use --raw";
        return false;
      }
      break;
  }
  if (*was_text) return ParseRepro(data, path, r, error);
  *r = DecodeInputBytes(reinterpret_cast<const std::uint8_t*>(data.data()), data.size(),
                        raw_variant);
  return true;
}

bool ReadReproOrInput(const std::string& path, const Variant* raw_variant, bool force_raw,
                      Repro* r, bool* was_text, std::string* error) {
  return ReadReproOrInput(path, raw_variant, force_raw ? InputOrigin::kRaw : InputOrigin::kSniff,
                          r, was_text, error);
}

}  // namespace smpfuzz
