// SPDX-License-Identifier: GPL-2.0-only
#include "fuzz/smp_mutator.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "lib/input_bytes.h"

namespace smpfuzz::fuzz {
namespace {

// The input split into its parts (see lib/input_bytes.h for the layout).
struct Parts {
  std::uint8_t header[kBytesHeader] = {0, 1, 0};
  std::vector<std::uint8_t> ops;       // kBytesPerOp bytes each
  std::vector<std::uint8_t> schedule;  // one byte a step

  int nr_cpus() const { return 2 + header[0] % 7; }
  // The CPUs' tasks and the extra tasks the ops make (lib/input_bytes.h;
  // an op of an offline CPU, which decoding drops, still counts here).
  int nr_tasks() const {
    const int n = nr_cpus();
    std::uint32_t slots = 0;
    for (std::size_t i = 0; i + kBytesPerOp <= ops.size(); i += kBytesPerOp) {
      if (!(ops[i + 1] & 0x80)) continue;
      slots |= 1u << ((ops[i] % n) * kBytesExtraTasksPerCpu + (ops[i] / n) % kBytesExtraTasksPerCpu);
    }
    return n + __builtin_popcount(slots);
  }
};

Parts Split(const std::uint8_t* data, std::size_t size) {
  Parts p;
  for (std::size_t i = 0; i < kBytesHeader && i < size; ++i) p.header[i] = data[i];
  std::size_t nops = p.header[2] % (kBytesMaxOps + 1);
  std::size_t ops_end = std::min(size, kBytesHeader + nops * kBytesPerOp);
  if (ops_end > kBytesHeader) {
    std::size_t whole = (ops_end - kBytesHeader) / kBytesPerOp * kBytesPerOp;
    p.ops.assign(data + kBytesHeader, data + kBytesHeader + whole);
    ops_end = kBytesHeader + whole;
  } else {
    ops_end = std::min(size, kBytesHeader);
  }
  if (size > ops_end) p.schedule.assign(data + ops_end, data + size);
  p.header[2] = static_cast<std::uint8_t>(p.ops.size() / kBytesPerOp);
  return p;
}

std::size_t Join(const Parts& p, std::uint8_t* data, std::size_t max_size) {
  std::size_t n = 0;
  auto put = [&](std::uint8_t b) {
    if (n < max_size) data[n++] = b;
  };
  for (std::uint8_t b : p.header) put(b);
  for (std::uint8_t b : p.ops) put(b);
  for (std::uint8_t b : p.schedule) put(b);
  return n;
}

std::uint8_t Step(int cpu, bool ipi) { return static_cast<std::uint8_t>(cpu | (ipi ? 0x80 : 0)); }

void MutateSchedule(Parts& p, MutatorRng& rng) {
  auto& s = p.schedule;
  const int n = p.nr_tasks();  // a step names a task (without extra tasks: a CPU)
  auto cpu = [&] { return static_cast<int>(rng() % n); };
  switch (rng() % 8) {
    case 0: {  // a run of one CPU: the shape of a preemption window
      std::size_t at = s.empty() ? 0 : rng() % (s.size() + 1);
      std::size_t len = 1 + rng() % 16;
      s.insert(s.begin() + at, len, Step(cpu(), false));
      break;
    }
    case 1:  // drop a stretch
      if (!s.empty()) {
        std::size_t at = rng() % s.size();
        std::size_t len = 1 + rng() % std::min<std::size_t>(16, s.size() - at);
        s.erase(s.begin() + at, s.begin() + at + len);
      }
      break;
    case 2:  // hand one step to another CPU
      if (!s.empty()) s[rng() % s.size()] = Step(cpu(), false);
      break;
    case 3:  // deliver an IPI here
      s.insert(s.begin() + (s.empty() ? 0 : rng() % (s.size() + 1)), Step(cpu(), true));
      break;
    case 4: {  // move a preemption point: grow one run, shrink the next
      if (s.size() < 2) break;
      std::size_t at = rng() % (s.size() - 1);
      std::swap(s[at], s[at + 1]);
      break;
    }
    case 5: {  // swap two stretches
      if (s.size() < 4) break;
      std::size_t a = rng() % (s.size() / 2), b = s.size() / 2 + rng() % (s.size() / 2);
      std::size_t len = 1 + rng() % std::min<std::size_t>(8, std::min(s.size() / 2 - a, s.size() - b));
      std::swap_ranges(s.begin() + a, s.begin() + a + len, s.begin() + b);
      break;
    }
    case 6:  // duplicate a stretch (repeat an interleaving pattern)
      if (!s.empty()) {
        std::size_t at = rng() % s.size();
        std::size_t len = 1 + rng() % std::min<std::size_t>(16, s.size() - at);
        std::vector<std::uint8_t> chunk(s.begin() + at, s.begin() + at + len);
        s.insert(s.begin() + at, chunk.begin(), chunk.end());
      }
      break;
    default:  // cut the tail: let the fair policy finish
      if (!s.empty()) s.resize(rng() % s.size());
      break;
  }
  if (s.size() > 512) s.resize(512);
}

void MutateOps(Parts& p, MutatorRng& rng) {
  auto& ops = p.ops;
  std::size_t nops = ops.size() / kBytesPerOp;
  switch (rng() % 5) {
    case 0:  // add an operation (often a copy of another: two senders, one target)
      if (nops < static_cast<std::size_t>(kBytesMaxOps)) {
        std::uint8_t op[kBytesPerOp] = {static_cast<std::uint8_t>(rng()),
                                        static_cast<std::uint8_t>(rng()),
                                        static_cast<std::uint8_t>(rng())};
        if (nops > 0 && rng() % 2 == 0) {
          std::memcpy(op, &ops[(rng() % nops) * kBytesPerOp], kBytesPerOp);
          const int n = p.nr_cpus();
          if (rng() % 3 == 0) {
            // The same call from another task of the same CPU (an extra
            // task, lib/input_bytes.h): two invokers sharing its per-CPU data.
            op[0] = static_cast<std::uint8_t>(op[0] % n + n * (1 + rng() % kBytesExtraTasksPerCpu));
            op[1] |= 0x80;
          } else {
            // The same call from another CPU: two senders racing for one target.
            op[0] = static_cast<std::uint8_t>((op[0] % n + 1 + rng() % (n - 1)) % n);
          }
        }
        ops.insert(ops.end(), op, op + kBytesPerOp);
      }
      break;
    case 1:  // remove one
      if (nops > 0) {
        std::size_t i = rng() % nops;
        ops.erase(ops.begin() + i * kBytesPerOp, ops.begin() + (i + 1) * kBytesPerOp);
      }
      break;
    case 2:  // retarget
      if (nops > 0) ops[(rng() % nops) * kBytesPerOp + 2] = static_cast<std::uint8_t>(rng());
      break;
    case 3:  // another kind, wait, local, csd, or task
      if (nops > 0) ops[(rng() % nops) * kBytesPerOp + 1] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
      break;
    default:  // another issuing CPU
      if (nops > 0) ops[(rng() % nops) * kBytesPerOp] = static_cast<std::uint8_t>(rng());
      break;
  }
  p.header[2] = static_cast<std::uint8_t>(ops.size() / kBytesPerOp);
}

void MutateHeader(Parts& p, MutatorRng& rng) {
  switch (rng() % 3) {
    case 0: p.header[0] = static_cast<std::uint8_t>(rng() % 7); break;  // CPUs
    case 1: p.header[1] ^= 1; break;                                     // csdlock_debug
    default: p.header[1] ^= static_cast<std::uint8_t>(2u << (rng() % 7)); break;  // offline
  }
}

}  // namespace

MutateParts MutatePartsFromEnvironment() {
  const char* v = std::getenv("SMPFUZZ_MUTATE");
  if (v == nullptr || *v == '\0' || std::strcmp(v, "all") == 0) return MutateParts::kAll;
  if (std::strcmp(v, "schedule") == 0) return MutateParts::kScheduleOnly;
  std::fprintf(stderr, "smpfuzz fuzz target: SMPFUZZ_MUTATE: expected 'all' or 'schedule', got '%s'\n", v);
  std::exit(2);
}

std::size_t MutateInput(std::uint8_t* data, std::size_t size, std::size_t max_size,
                        MutatorRng& rng,
                        std::size_t (*generic)(std::uint8_t*, std::size_t, std::size_t),
                        MutateParts parts) {
  unsigned choice = parts == MutateParts::kScheduleOnly ? 0 : rng() % 16;
  if (generic != nullptr && choice < 3 && parts == MutateParts::kAll) {
    return generic(data, size, max_size);
  }
  Parts p = Split(data, size);
  if (choice < 12) {
    MutateSchedule(p, rng);
  } else if (choice < 15) {
    MutateOps(p, rng);
  } else {
    MutateHeader(p, rng);
  }
  return Join(p, data, max_size);
}

}  // namespace smpfuzz::fuzz
