// SPDX-License-Identifier: GPL-2.0-only
#include "tools/hunt/engine.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <system_error>

#include "fuzz/exec_counter.h"
#include "tools/hunt/files.h"
#include "tools/hunt/merge.h"

namespace smpfuzz::hunt {
namespace {

namespace fs = std::filesystem;

// An instance that dies this soon after starting counts as a quick death;
// this many in a row fail the engine.
constexpr double kQuickDeathSeconds = 10;
constexpr int kMaxQuickDeaths = 5;
// Logs grow with every libFuzzer job; start a new one past this size.
constexpr std::uintmax_t kMaxLogBytes = 64u << 20;

void RotateLog(const std::string& path) {
  std::error_code ec;
  if (fs::file_size(path, ec) > kMaxLogBytes && !ec) fs::rename(path, path + ".1", ec);
}

// libFuzzer: `jobs` independent processes on OUT/corpus, each writing its
// new inputs there and reading the others' every second (-reload). One that
// finds a crash writes crash-* into OUT/libfuzzer/artifacts/ and exits, and
// hunt starts it again; with the bucket skip list (SMPFUZZ_SKIP_BUCKETS)
// that happens once per new bucket. (Fork mode, -fork=N, ran at a third of
// this exec/s: it replays every job's corpus to merge it.)
class LibFuzzerEngine : public Engine {
 public:
  using Engine::Engine;
  const char* name() const override { return "libfuzzer"; }

  std::vector<std::string> FindCrashes() const override {
    return ListFiles(dir() + "/artifacts", {"crash-", "timeout-", "oom-", "leak-"});
  }
  std::vector<std::string> QueueDirs() const override { return {}; }

 protected:
  absl::Status Prepare() override { return MakeDirs(dir() + "/artifacts"); }

  std::vector<Command> Commands() const override {
    std::vector<Command> out;
    for (int i = 0; i < config_.jobs; ++i) {
      Command c;
      c.argv = {config_.target, "-max_len=512", "-reload=1", "-print_final_stats=1",
                "-artifact_prefix=" + dir() + "/artifacts/"};
      if (!config_.dict.empty()) c.argv.push_back("-dict=" + config_.dict);
      c.argv.push_back(config_.out + "/corpus");
      c.env = CommonEnv();
      c.log = dir() + "/job" + std::to_string(i) + ".log";
      c.cwd = dir();
      out.push_back(c);
    }
    return out;
  }

  // libFuzzer's -error_exitcode (a crash) and -timeout_exitcode defaults.
  bool ExitedOnFinding(int code) const override { return code == 77 || code == 70; }
};

// AFL++: a main instance and jobs-1 secondaries sharing the sync directory
// OUT/afl. A restart resumes each instance's own queue (AFL_AUTORESUME);
// AFL++ then renames its crashes/ to crashes.<date>, which FindCrashes reads
// too. OUT/afl/libfuzzer/queue is not an AFL++ instance: hunt mirrors
// OUT/corpus there, so the main instance imports libFuzzer's finds. With a
// shared sync directory (--sync_dir) the instances are secondaries there,
// NODE_0 ... NODE_<jobs-1>, and the main instance is another machine's (or
// none: secondaries sync with each other all the same); seeds and logs stay
// in OUT/afl.
class AflEngine : public Engine {
 public:
  using Engine::Engine;
  const char* name() const override { return "afl"; }

  std::vector<std::string> FindCrashes() const override {
    std::vector<std::string> out;
    for (const std::string& inst : InstanceNames()) {
      std::error_code ec;
      for (auto it = fs::directory_iterator(SyncDir() + "/" + inst, ec);
           !ec && it != fs::directory_iterator(); it.increment(ec)) {
        std::string sub = it->path().filename().string();
        if ((sub.rfind("crashes", 0) == 0 || sub.rfind("hangs", 0) == 0) && it->is_directory(ec)) {
          for (std::string& f : ListFiles(it->path().string(), {"id:"})) out.push_back(std::move(f));
        }
      }
    }
    return out;
  }

  std::vector<std::string> QueueDirs() const override {
    std::vector<std::string> out;
    for (const std::string& inst : InstanceNames()) out.push_back(SyncDir() + "/" + inst + "/queue");
    return out;
  }

 protected:
  bool shared() const { return !config_.sync_dir.empty(); }
  // AFL++'s -o: where its instances' directories are.
  std::string SyncDir() const { return shared() ? config_.sync_dir : dir(); }
  std::vector<std::string> InstanceNames() const {
    std::vector<std::string> names;
    for (int i = 0; i < config_.jobs; ++i) {
      names.push_back(shared() ? config_.node + "_" + std::to_string(i)
                               : i == 0 ? "main" : "s" + std::to_string(i));
    }
    return names;
  }

  // AFL++ needs at least one seed on a first start: the merged corpus (its
  // first 500 entries) or a single zero byte.
  absl::Status Prepare() override {
    const std::string seeds = dir() + "/seeds";
    if (absl::Status s = MakeDirs(seeds); !s.ok()) return s;
    std::error_code ec;
    std::vector<std::string> corpus = ListFiles(config_.out + "/corpus");
    std::sort(corpus.begin(), corpus.end());
    if (corpus.size() > 500) corpus.resize(500);
    for (const std::string& f : corpus) {
      fs::copy_file(f, seeds + "/" + fs::path(f).filename().string(),
                    fs::copy_options::skip_existing, ec);
    }
    if (fs::is_empty(seeds, ec)) {
      std::ofstream(seeds + "/zero", std::ios::binary).put('\0');
    }
    return MakeDirs(MirrorDir(config_.out, config_.sync_dir, config_.node));
  }

  std::vector<Command> Commands() const override {
    std::vector<Command> out;
    for (const std::string& inst : InstanceNames()) {
      Command c;
      c.argv = {"afl-fuzz", inst == "main" ? "-M" : "-S", inst, "-i", dir() + "/seeds", "-o", SyncDir()};
      if (!config_.dict.empty()) c.argv.insert(c.argv.end(), {"-x", config_.dict});
      c.argv.insert(c.argv.end(), {"--", config_.target});
      c.env = CommonEnv();
      c.env.insert(c.env.end(), {{"AFL_NO_UI", "1"},
                                 {"AFL_AUTORESUME", "1"},
                                 {"AFL_SKIP_CPUFREQ", "1"},
                                 {"AFL_NO_AFFINITY", "1"},
                                 {"AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES", "1"}});
      if (!config_.mutator.empty()) c.env.emplace_back("AFL_CUSTOM_MUTATOR_LIBRARY", config_.mutator);
      c.log = dir() + "/" + inst + ".log";  // OUT/afl, also when shared
      c.cwd = dir();
      out.push_back(c);
    }
    return out;
  }
};

}  // namespace

std::vector<std::pair<std::string, std::string>> Engine::CommonEnv() const {
  std::vector<std::pair<std::string, std::string>> env = {
      {"SMPFUZZ_VARIANT", config_.variant}, {"SMPFUZZ_EXEC_COUNTER", dir() + "/execs"},
      // The kernel guest's places of the tree (bucket keys), looked up once
      // per hunt, not once per AFL++ process (kernel/symbolize.h).
      {"SMPFUZZ_PLACE_CACHE", config_.out + "/places"}};
  if (!config_.skip_buckets.empty()) env.emplace_back("SMPFUZZ_SKIP_BUCKETS", config_.skip_buckets);
  return env;
}

std::uint64_t Engine::execs() const {
  return fuzz::ReadExecCounter((dir() + "/execs").c_str());
}

absl::Status Engine::Start() {
  if (absl::Status s = MakeDirs(dir()); !s.ok()) return s;
  if (absl::Status s = Prepare(); !s.ok()) return s;
  instances_.clear();
  for (Command& c : Commands()) instances_.push_back(Instance{std::move(c), {}, 0, -1, 0});
  const double now = Now();
  for (Instance& in : instances_) {
    if (absl::Status s = StartInstance(&in, now); !s.ok()) {
      Stop();
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status Engine::StartInstance(Instance* in, double now) {
  RotateLog(in->command.log);
  if (absl::Status s = in->process.Start(in->command); !s.ok()) return s;
  in->started = now;
  in->restart_at = -1;
  return absl::OkStatus();
}

void Engine::Poll(std::vector<std::string>* events) {
  if (failed()) return;
  const double now = Now();
  for (Instance& in : instances_) {
    if (const std::optional<Process::Exit> exit = in.process.Exited()) {
      const std::string& status = exit->how;
      if (ExitedOnFinding(exit->code)) {
        in.restart_at = now;
        in.quick_deaths = 0;
        continue;
      }
      const bool quick = now - in.started < kQuickDeathSeconds;
      in.quick_deaths = quick ? in.quick_deaths + 1 : 0;
      const std::string who = std::string(name()) + " (" + in.command.log + ")";
      if (in.quick_deaths >= kMaxQuickDeaths) {
        failure_ = who + " " + status + " " + std::to_string(in.quick_deaths) +
                   " times within seconds of starting; last output: " + Tail(in.command.log, 3);
        events->push_back(failure_);
        Stop();
        return;
      }
      // 1 s, 2 s, 4 s ... between quick deaths; at once after a long run.
      const double delay = quick ? std::pow(2.0, in.quick_deaths - 1) : 0;
      in.restart_at = now + delay;
      ++restarts_;
      events->push_back(who + " " + status + "; restarting" +
                        (delay > 0 ? " in " + std::to_string(static_cast<int>(delay)) + " s" : ""));
    }
    if (in.restart_at >= 0 && now >= in.restart_at) {
      if (absl::Status s = StartInstance(&in, now); !s.ok()) {
        failure_ = std::string(name()) + ": restart failed: " + std::string(s.message());
        events->push_back(failure_);
        Stop();
        return;
      }
    }
  }
}

void Engine::Terminate() {
  for (Instance& in : instances_) in.process.Terminate();
}

void Engine::Stop(double grace_seconds) {
  Terminate();
  const double deadline = Now() + grace_seconds;
  for (Instance& in : instances_) {
    in.process.Stop(std::max(0.0, deadline - Now()));
    in.restart_at = -1;
  }
}

std::unique_ptr<Engine> MakeEngine(const std::string& name, EngineConfig config) {
  if (name == "libfuzzer") return std::make_unique<LibFuzzerEngine>(std::move(config));
  if (name == "afl") return std::make_unique<AflEngine>(std::move(config));
  return nullptr;
}

}  // namespace smpfuzz::hunt
