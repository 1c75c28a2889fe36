// SPDX-License-Identifier: GPL-2.0-only
#include "fuzz/smp_harness.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <set>
#include <string>

#include <sys/stat.h>

#include "lib/model_guest.h"
#include "lib/task.h"
#include "lib/trace_format.h"

namespace smpfuzz::fuzz {
namespace {

Simulator& Sim() {
  static Simulator* sim = new Simulator(Config().guest.make());  // lives for the process; never torn down mid-run
  return *sim;
}

// The bucket keys of HarnessConfig::skip_buckets_file, reloaded when the
// file's modification time or size changes.
class SkipList {
 public:
  bool Contains(const std::string& key) const { return keys_.count(key) != 0; }
  bool empty() const { return keys_.empty(); }
  void Refresh(const std::string& path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return;  // not written yet
    if (st.st_mtim.tv_sec == mtime_.tv_sec && st.st_mtim.tv_nsec == mtime_.tv_nsec &&
        st.st_size == size_) {
      return;
    }
    mtime_ = st.st_mtim;
    size_ = st.st_size;
    std::ifstream in(path);
    std::set<std::string> keys;
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) keys.insert(line);
    }
    keys_.swap(keys);
  }

 private:
  std::set<std::string> keys_;
  struct timespec mtime_ = {0, 0};
  off_t size_ = -1;
};

SkipList& Skips() {
  static SkipList* skips = new SkipList;
  return *skips;
}

}  // namespace

HarnessGuest ModelHarnessGuest() { return HarnessGuest{&NewModelGuest, "", nullptr}; }

HarnessConfig& Config() {
  static HarnessConfig config;
  return config;
}

void InitConfigFromEnvironment(const char* default_variant) {
  HarnessConfig& c = Config();
  const char* name = std::getenv("SMPFUZZ_VARIANT");
  if (name == nullptr || *name == '\0') name = default_variant;
  if (c.guest.only_variant != nullptr && std::strcmp(name, c.guest.only_variant) != 0) {
    std::fprintf(stderr,
                 "smpfuzz fuzz target: SMPFUZZ_VARIANT: this target's guest runs only variant '%s', "
                 "not '%s'\n",
                 c.guest.only_variant, name);
    std::exit(2);
  }
  c.variant = FindVariant(name);
  if (c.variant == nullptr) {
    std::fprintf(stderr, "smpfuzz fuzz target: SMPFUZZ_VARIANT: unknown variant '%s' (known: %s)\n",
                 name, VariantNames(true).c_str());
    std::exit(2);
  }
  const char* plain = std::getenv("SMPFUZZ_PLAIN");
  c.feedback = !(plain != nullptr && std::strcmp(plain, "1") == 0);
  const char* skip = std::getenv("SMPFUZZ_SKIP_BUCKETS");
  c.skip_buckets_file = skip != nullptr ? skip : "";
  if (!c.skip_buckets_file.empty()) Skips().Refresh(c.skip_buckets_file);
  c.crash_on = ~0u;
  const char* crash_on = std::getenv("SMPFUZZ_CRASH_ON");
  if (crash_on != nullptr && *crash_on != '\0') {
    std::string bad;
    if (!ParseSignatureList(crash_on, &c.crash_on, &bad)) {
      std::fprintf(stderr, "smpfuzz fuzz target: SMPFUZZ_CRASH_ON: unknown signature '%s'\n",
                   bad.c_str());
      std::exit(2);
    }
  }
}

namespace {

Outcome RunOn(Simulator& sim, const Repro& r, std::uint8_t* interleaving_map) {
  const HarnessConfig& c = Config();
  Outcome out;
  if (!sim.Load(r.scenario).ok()) return out;  // cannot happen: bytes always decode validly
  SimOptions opt;
  opt.max_steps = c.max_steps;
  opt.record_trace = false;
  opt.hash_trace = false;
  opt.verbose = false;
  opt.interleaving_map = interleaving_map;
  const RunResult& res = sim.Run(r.schedule, opt);
  const Report* primary = nullptr;
  for (const Report& rep : res.reports) {
    if (IsKnownFinding(sim, rep)) {
      out.known |= SignatureBit(rep.signature);
      continue;
    }
    if (!(c.crash_on & SignatureBit(rep.signature))) continue;
    if (primary == nullptr || rep.signature < primary->signature) primary = &rep;
  }
  if (!c.skip_buckets_file.empty()) {
    static unsigned runs = 0;
    if (runs++ % 4096 == 0) Skips().Refresh(c.skip_buckets_file);
    if (primary != nullptr && !Skips().empty() && Skips().Contains(sim.DedupKey(*primary))) {
      out.skipped = true;
      primary = nullptr;
    }
  }
  if (primary != nullptr) {
    out.finding = true;
    out.signature = primary->signature;
  }
  return out;
}

}  // namespace

Outcome RunInput(const std::uint8_t* data, std::size_t size, std::uint8_t* interleaving_map) {
  Repro r = DecodeInputBytes(data, size, Config().variant);
  if (!Config().fresh_simulator) return RunOn(Sim(), r, interleaving_map);
  Outcome out;
  {
    Simulator sim(Config().guest.make());
    out = RunOn(sim, r, interleaving_map);
  }
  // The frames of the simulator's coroutines, now on the free lists.
  FrameAllocator::ReleaseFreeFrames();
  return out;
}

std::string DescribeInput(const std::uint8_t* data, std::size_t size) {
  const HarnessConfig& c = Config();
  Repro r = DecodeInputBytes(data, size, c.variant);
  Simulator sim(c.guest.make());
  if (!sim.Load(r.scenario).ok()) return "";
  SimOptions opt;
  opt.max_steps = c.max_steps;
  const RunResult& res = sim.Run(r.schedule, opt);
  const TraceContext run{sim.scenario(), sim.locations()};
  std::string out = FormatTrace(run, res) + "\n" + FormatVerdict(run, res);
  for (const Report& rep : res.reports) {
    if (IsKnownFinding(sim, rep)) {
      out += std::string("  (known finding, not a crash: ") + SignatureName(rep.signature) + ")\n";
    }
  }
  const std::string guest_flag = *c.guest.replay_flag ? std::string(" ") + c.guest.replay_flag : "";
  out += "\nreplay: bazel run //tools:smpfuzz -- replay" + guest_flag + " --variant=" +
         std::string(c.variant->name) +
         " CRASH_FILE\nas a reproducer: bazel run //tools:smpfuzz -- convert CRASH_FILE --to=text --variant=" +
         c.variant->name + "\n";
  out += FormatRepro(r);
  return out;
}

}  // namespace smpfuzz::fuzz
