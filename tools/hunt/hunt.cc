// SPDX-License-Identifier: GPL-2.0-only
#include "tools/hunt/hunt.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <unistd.h>

#include "fuzz/smp_harness.h"
#include "lib/input_bytes.h"
#include "lib/report.h"
#include "lib/repro.h"
#include "lib/simulator.h"
#include "lib/triage.h"
#include "tools/hunt/engine.h"
#include "tools/hunt/files.h"

namespace smpfuzz::hunt {
namespace {

namespace fs = std::filesystem;

// A corpus merge that runs longer than this is stopped.
constexpr double kMergeSeconds = 300;

// Minimize's wall time per try of the explorer.
constexpr double kSecondsPerCheck = 2.0;

// Below this much free space hunt stops, before the engines fail at random
// (SMPFUZZ_HUNT_MIN_FREE_MB sets another floor, e.g. for a test).
constexpr std::uint64_t kMinFreeMb = 64;

// What --time leaves for the end of the run (stopping the engines, the last
// merge, triage and minimization): a tenth of it, from 1 s to 2 minutes.
double EndReserve(double seconds) {
  return std::min({120.0, std::max(1.0, seconds / 10), seconds / 2});
}

std::atomic<int> stop_signal{0};
// The first SIGINT or SIGTERM stops the hunt cleanly; a second one kills it
// (the engines get SIGTERM from the kernel when hunt dies).
extern "C" void OnStopSignal(int sig) {
  stop_signal.store(sig);
  std::signal(sig, SIG_DFL);
}

std::string Clock(double seconds) {
  long s = static_cast<long>(seconds);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  return buf;
}

std::string WallClock() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&t));
  return buf;
}

std::string Rate(double per_second) {
  char buf[32];
  if (per_second >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.1fM", per_second / 1e6);
  } else if (per_second >= 1e3) {
    std::snprintf(buf, sizeof buf, "%.1fk", per_second / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f", per_second);
  }
  return buf;
}

std::string Hex64(std::uint64_t v, int digits) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return std::string(buf + 16 - digits);
}

std::uint64_t Fnv1a(const std::string& bytes) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  return h;
}

// hunt.log and the terminal. On a terminal the progress line is redrawn in
// place; event lines clear it first.
class Log {
 public:
  bool Open(const std::string& path) {
    file_.open(path, std::ios::app);
    tty_ = isatty(STDERR_FILENO);
    return static_cast<bool>(file_);
  }
  void Event(const std::string& line) {
    std::lock_guard<std::mutex> lock(mu_);
    file_ << WallClock() << "  " << line << "\n";
    file_.flush();
    std::fprintf(stderr, "%shunt: %s\n", tty_ ? "\r\033[K" : "", line.c_str());
  }
  void Progress(const std::string& line, bool force) {
    std::lock_guard<std::mutex> lock(mu_);
    if (tty_) {
      std::fprintf(stderr, "\r\033[K%s", line.c_str());
    } else if (force) {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
    std::fflush(stderr);
  }
  void EndProgress() {
    if (tty_) std::fprintf(stderr, "\r\033[K");
  }
  bool tty() const { return tty_; }

 private:
  std::mutex mu_;
  std::ofstream file_;
  bool tty_ = false;
};

// Replays new crash files on a thread of its own, so the progress line and
// the engines' restarts never wait for a minimization.
class Triager {
 public:
  // Minimizations end by `deadline` (Now()).
  Triager(const std::string& out, const Variant* variant, Log* log, double deadline)
      : out_(out), variant_(variant), log_(log), deadline_(deadline) {
    LoadFromBefore();
    thread_ = std::thread([this] { Loop(); });
  }
  ~Triager() { Finish(); }

  void Add(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(path);
    cv_.notify_all();
  }
  // Waits until every file added so far is triaged, or until `deadline`
  // (Now()); false: some are left.
  bool DrainUntil(double deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    return idle_cv_.wait_for(lock, std::chrono::duration<double>(std::max(0.0, deadline - Now())),
                             [this] { return queue_.empty() && !busy_; });
  }
  // Ends the thread after the file it is on; what is still queued is left
  // (for the next run). Returns how many files that is.
  std::size_t Finish() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!thread_.joinable()) return queue_.size();
      done_ = true;
      cv_.notify_all();
    }
    thread_.join();
    std::lock_guard<std::mutex> lock(mu_);
    return queue_.size();
  }
  // A copy, consistent at one moment.
  TriageResult Snapshot() {
    std::lock_guard<std::mutex> lock(mu_);
    return result_;
  }
  std::size_t pending() {
    std::lock_guard<std::mutex> lock(mu_);
    return queue_.size() + (busy_ ? 1 : 0);
  }
  // Where a bucket's reproducer goes: stable across restarts of the hunt.
  static std::string ReproName(const Bucket& b) {
    return std::string(SignatureName(b.signature)) + "-" + Hex64(Fnv1a(b.key), 8) + ".repro";
  }

 private:
  void Loop() {
    Simulator sim;
    for (;;) {
      std::string path;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return done_ || !queue_.empty(); });
        if (done_) return;
        path = queue_.front();
        queue_.pop_front();
        busy_ = true;
      }
      // The harness's own rule: a crash is about a report it does not know.
      Classified c = Classify(path, variant_, &sim, fuzz::IsKnownFinding);
      const Classified::Kind kind = c.kind;
      const std::string error = c.error;
      std::size_t index = 0;
      bool is_new = false;
      {
        std::lock_guard<std::mutex> lock(mu_);
        Bucket* b = result_.Add(path, std::move(c));
        if (b != nullptr) {
          index = static_cast<std::size_t>(b - result_.buckets.data());
          // A bucket loaded from before has its key listed and its reproducer.
          is_new = b->count == 1 && !b->minimized.ok;
        }
      }
      if (kind == Classified::kClean) {
        log_->Event(path + " replays clean: the engine saw a failure the model does not repeat");
      } else if (kind == Classified::kBad) {
        log_->Event(error);
      }
      if (is_new) {
        WriteKeys();
        Minimize(index, &sim);
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        busy_ = false;
        if (queue_.empty()) idle_cv_.notify_all();
      }
    }
  }

  // OUT/bucket-keys, for the harness's SMPFUZZ_SKIP_BUCKETS: the keys on
  // disk (from every run on OUT) and this run's, never fewer than before.
  void WriteKeys() {
    std::vector<std::string> keys = ReadKeys();
    std::set<std::string> have(keys.begin(), keys.end());
    for (const Bucket& b : Snapshot().buckets) {
      if (have.insert(b.key).second) keys.push_back(b.key);
    }
    std::string text;
    for (const std::string& k : keys) text += k + "\n";
    if (absl::Status s = WriteFileAtomically(out_ + "/bucket-keys", text); !s.ok()) {
      log_->Event(std::string(s.message()));
    }
  }

  std::vector<std::string> ReadKeys() const {
    absl::StatusOr<std::string> text = ReadFile(out_ + "/bucket-keys");
    if (!text.ok()) return {};
    return SplitLines(*text);
  }

  // The buckets an earlier run on OUT found: each key in OUT/bucket-keys
  // whose reproducer is in OUT/buckets, minimized as it was then. Their
  // crash files, triaged again, count into them.
  void LoadFromBefore() {
    std::map<std::string, std::string> by_hash;  // "-<key hash>.repro" -> path
    for (const std::string& path : ListFiles(out_ + "/buckets")) {
      const std::size_t dash = path.rfind('-');
      if (dash != std::string::npos) by_hash[path.substr(dash)] = path;
    }
    Simulator sim;
    for (const std::string& key : ReadKeys()) {
      auto it = by_hash.find("-" + Hex64(Fnv1a(key), 8) + ".repro");
      if (it == by_hash.end()) continue;
      const std::string& path = it->second;
      const std::string name = fs::path(path).filename().string();
      Bucket b;
      b.key = key;
      if (!SignatureFromName(name.substr(0, name.rfind('-')), &b.signature)) continue;
      bool was_text = false;
      std::string error;
      if (!ReadReproOrInput(path, variant_, /*force_raw=*/false, &b.smallest, &was_text, &error) ||
          !was_text) {
        continue;
      }
      KeptReproducer(b, b.smallest, &sim, &b.minimized);
      b.smallest_file = path;
      b.first_file = FirstFile(path);
      result_.buckets.push_back(std::move(b));
      log_->Event("bucket " + std::string(SignatureName(result_.buckets.back().signature)) +
                  ": reproducer kept from before: " + path);
    }
  }

  // The first crash file that BucketReproText names in its comments.
  static std::string FirstFile(const std::string& repro_path) {
    const std::string text = ReadFile(repro_path).value_or("");
    const std::string mark = " crash file(s), first ";
    const std::size_t at = text.find(mark);
    if (at == std::string::npos) return repro_path;
    const std::size_t from = at + mark.size();
    return text.substr(from, text.find('\n', from) - from);
  }

  // A reproducer written by an earlier run, as the minimization of `b`.
  static void KeptReproducer(const Bucket& b, const Repro& kept, Simulator* sim, MinimizeResult* m) {
    m->ok = true;
    m->repro = kept;
    m->signature = b.signature;
    if (sim->Load(kept.scenario).empty()) {
      SimOptions opt = kept.Options();
      opt.record_trace = false;
      m->preemptions = sim->Run(kept.schedule, opt).preemptions;
    }
    m->explored = m->preemptions <= kMinimizePreemptions;
  }

  // The bucket's reproducer: kept from an earlier run of this hunt when
  // there is one, else minimized now.
  void Minimize(std::size_t index, Simulator* sim) {
    Bucket b = Snapshot().buckets[index];
    const std::string path = out_ + "/buckets/" + ReproName(b);
    MinimizeResult m;
    Repro kept;
    bool was_text = false;
    std::string read_error;
    // A hunt-written reproducer (text), never an engine's crash file.
    if (ReadReproOrInput(path, variant_, /*force_raw=*/false, &kept, &was_text, &read_error) &&
        was_text) {
      KeptReproducer(b, kept, sim, &m);
      log_->Event("bucket " + std::string(SignatureName(b.signature)) + ": " + b.first_file +
                  " (reproducer kept from before: " + path + ")");
    } else {
      log_->Event("new bucket " + std::string(SignatureName(b.signature)) + ": " + b.first_file +
                  "; minimizing");
      if (!MinimizeAndWrite(&b, path, deadline_ - Now(), &m)) return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    result_.buckets[index].minimized = m;
  }

  // Minimizes within `seconds` of wall time and writes the reproducer;
  // false (nothing written, the bucket stays "not minimized yet" for the
  // next run) when that is too short to try.
  bool MinimizeAndWrite(Bucket* b, const std::string& path, double seconds, MinimizeResult* out) {
    // Minimize may run a check past its total time, and starts with one: the
    // checks get a quarter of the time each, 2 s at most.
    const double per_check = std::min(kSecondsPerCheck, seconds / 4);
    const double total = seconds - 2 * per_check;
    if (total < 0.2) {
      log_->Event("bucket " + std::string(SignatureName(b->signature)) +
                  ": not minimized, --time is up (the next run on this --out minimizes it)");
      return false;
    }
    MinimizeResult m = smpfuzz::Minimize(b->smallest, b->signature, per_check, total);
    b->minimized = m;
    *out = m;
    if (absl::Status s = WriteFileAtomically(path, BucketReproText(*b)); !s.ok()) {
      log_->Event(std::string(s.message()));
    } else {
      log_->Event("bucket " + std::string(SignatureName(b->signature)) + " -> " + path + " (" +
                  (m.ok ? std::to_string(m.preemptions) + " preemption(s), " +
                              std::to_string(m.repro.scenario.nr_cpus) + " CPUs, " +
                              std::to_string(m.repro.scenario.TotalOps()) + " ops" +
                              (m.explored ? "" : ", the input's own schedule")
                        : "not minimized: " + m.why) +
                  ")");
    }
    return true;
  }

 public:
  // After the engines stop, the machine is free: buckets the explorer could
  // not shrink during the run get another try, within `budget_seconds` in
  // all. Not cpu-stuck: every execution the explorer tries for it runs to its
  // step limit, and it rarely shrinks.
  void MinimizeAgain(double budget_seconds) {
    const double start = Now();
    const std::size_t n = Snapshot().buckets.size();
    for (std::size_t i = 0; i < n; ++i) {
      const double left = budget_seconds - (Now() - start);
      if (left < 1) break;
      Bucket b = Snapshot().buckets[i];
      if (b.minimized.explored || b.signature == Signature::kCpuStuck) continue;
      log_->Event("bucket " + std::string(SignatureName(b.signature)) +
                  ": minimizing again on the idle machine");
      MinimizeResult m;
      if (!MinimizeAndWrite(&b, out_ + "/buckets/" + ReproName(b), left, &m)) break;
      std::lock_guard<std::mutex> lock(mu_);
      result_.buckets[i].minimized = m;
    }
  }

 private:

  const std::string out_;
  const Variant* variant_;
  Log* log_;
  const double deadline_;
  std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  std::deque<std::string> queue_;
  bool busy_ = false;
  bool done_ = false;
  TriageResult result_;
  std::thread thread_;  // started last, in the constructor
};

class Hunt {
 public:
  explicit Hunt(const HuntOptions& o) : o_(o) {}  // a copy: Validate makes paths absolute
  absl::StatusOr<std::size_t> Run();

 private:
  // The first problem with the options.
  absl::Status Validate();
  bool CollectCrashes(const std::string& source, std::vector<std::string> found, bool settled);
  // Every source of crash files: the engines and the corpus merge.
  bool CollectAllCrashes(bool settled);
  void MirrorCorpusForAfl();
  void StartMerge();
  // Collects a merge that has ended; one that runs past `wait_until` (when
  // waiting, else its time limit) is stopped.
  void FinishMerge(bool wait, double wait_until = 0);
  void ShowProgress(bool force);
  // `final`: at the end of the run, else a refresh while it runs.
  std::string Summary(double elapsed, bool final);
  // Whether the disk is below the floor (error_ then says so).
  bool DiskLow();
  // Empty corpus files named after content they lack (failed writes).
  void RemoveGarbage();
  bool WriteSummary(const std::string& summary);
  static absl::Status Fail(const std::string& why) { return absl::FailedPreconditionError(why); }

  HuntOptions o_;
  const Variant* variant_ = nullptr;
  std::uint64_t min_free_bytes_ = kMinFreeMb << 20;
  DirLock lock_;
  Log log_;
  std::unique_ptr<Triager> triager_;
  std::vector<std::unique_ptr<Engine>> engines_;
  std::set<std::string> seen_;  // engine crash files already copied
  int crash_files_ = 0;         // distinct crash files in OUT/crashes
  std::string error_;           // why the hunt stopped early
  std::size_t summarized_buckets_ = 0;  // minimized buckets in summary.md
  // Progress: exec counters at the last redraw.
  std::map<std::string, std::pair<double, std::uint64_t>> last_execs_;
  std::map<std::string, double> rate_;
  std::map<std::string, std::uint64_t> session_start_execs_;
  double start_ = 0;
  double end_ = 0;  // start_ + --time
  std::string start_wall_;
  std::size_t untriaged_ = 0;  // crash files left for the next run
  // The corpus mirror for AFL++ (OUT/afl/libfuzzer/queue).
  std::set<std::string> mirrored_;
  int mirror_next_id_ = 0;
  // A running merge of the AFL++ queues into OUT/corpus.
  std::unique_ptr<Process> merge_;
  std::string merge_log_;
  std::set<std::string> merge_base_;  // OUT/corpus at the start of the merge
  double merge_started_ = 0;
};

absl::Status Hunt::Validate() {
  if (o_.seconds <= 0) return Fail("--time: must be more than 0");
  variant_ = FindVariant(o_.variant);
  if (variant_ == nullptr) return Fail("--variant: unknown variant '" + o_.variant + "'");
  if (o_.engines.empty()) return Fail("--engine: name at least one of libfuzzer, afl");
  for (const std::string& e : o_.engines) {
    const std::string& target = e == "libfuzzer" ? o_.libfuzzer_target : o_.afl_target;
    const std::string flag = e == "libfuzzer" ? "--libfuzzer_target" : "--afl_target";
    if (e != "libfuzzer" && e != "afl") {
      return Fail("--engine: unknown engine '" + e + "' (libfuzzer, afl)");
    }
    if (target.empty()) {
      return Fail(flag + ": needed for --engine=" + e + " (ci/hunt.sh builds the targets and passes it)");
    }
    if (access(target.c_str(), X_OK) != 0) {
      return Fail(flag + "=" + target + ": " + std::strerror(errno));
    }
    if (e == "afl" && !OnPath("afl-fuzz")) {
      return Fail("--engine=afl: afl-fuzz is not on PATH (install it: ci/setup.sh, or apt install afl++)");
    }
  }
  if (!o_.dict.empty() && access(o_.dict.c_str(), R_OK) != 0) {
    return Fail("--dict=" + o_.dict + ": " + std::strerror(errno));
  }
  if (!o_.afl_mutator.empty() && access(o_.afl_mutator.c_str(), R_OK) != 0) {
    return Fail("--afl_mutator=" + o_.afl_mutator + ": " + std::strerror(errno));
  }
  if (o_.out.empty()) return Fail("--out: needed (the hunt's directory; reuse it to resume)");
  // The engines run inside OUT, so every path they get is absolute.
  for (std::string* path : {&o_.out, &o_.libfuzzer_target, &o_.afl_target, &o_.dict, &o_.afl_mutator}) {
    std::error_code ec;
    if (!path->empty()) *path = fs::absolute(*path, ec).lexically_normal().string();
  }
  for (const char* sub : {"corpus", "crashes", "buckets"}) {
    std::error_code ec;
    fs::create_directories(o_.out + "/" + sub, ec);
    if (ec) return Fail("--out=" + o_.out + ": cannot create " + sub + "/: " + ec.message());
  }
  if (const char* mb = std::getenv("SMPFUZZ_HUNT_MIN_FREE_MB"); mb != nullptr) {
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(mb, &end, 10);
    if (*mb < '0' || *mb > '9' || *end != '\0' || errno != 0 || v > (1ull << 40)) {
      return Fail(std::string("SMPFUZZ_HUNT_MIN_FREE_MB=") + mb + ": expected a whole number of MB");
    }
    min_free_bytes_ = static_cast<std::uint64_t>(v) << 20;
  }
  return absl::OkStatus();
}

// Copies the engine's new crash files into OUT/crashes under a name made of
// their content, so the same input found twice is kept once. The engine's
// own file stays where it is. false: the disk is full (error_ says so).
bool Hunt::CollectCrashes(const std::string& source, std::vector<std::string> found,
                          bool settled) {
  std::sort(found.begin(), found.end());
  const auto now = fs::file_time_type::clock::now();
  for (const std::string& src : found) {
    if (seen_.count(src) != 0) continue;
    // A file written in the last second may be incomplete: next round. Once
    // the engines have stopped, everything is complete.
    std::error_code ec;
    if (!settled && now - fs::last_write_time(src, ec) < std::chrono::seconds(1)) continue;
    absl::StatusOr<std::string> read = ReadFile(src);
    if (!read.ok()) continue;  // still being written: next round
    const std::string& bytes = *read;
    std::string name = fs::path(src).filename().string();
    std::string kind = name.rfind("id:", 0) == 0
                           ? (src.find("/hangs") != std::string::npos ? "hang" : "crash")
                           : name.substr(0, name.find('-'));
    std::string dest = o_.out + "/crashes/" + source + "-" + kind + "-" + Hex64(Fnv1a(bytes), 16);
    if (!fs::exists(dest, ec)) {
      if (absl::Status s = WriteFileAtomically(dest, bytes); !s.ok()) {
        error_ = std::string(s.message()) + " (the engine's own copy stays in " + src + ")";
        return false;
      }
      ++crash_files_;
      triager_->Add(dest);
    }
    seen_.insert(src);
  }
  return true;
}

bool Hunt::CollectAllCrashes(bool settled) {
  for (auto& e : engines_) {
    if (!CollectCrashes(e->name(), e->FindCrashes(), settled)) return false;
  }
  // A merge replays AFL++'s queue in libFuzzer, cut to -max_len: it can crash.
  return CollectCrashes("merge", ListFiles(o_.out + "/merge", {"crash-"}), settled);
}

// AFL++ imports other fuzzers' inputs from <sync dir>/<name>/queue/id:N...;
// OUT/afl/libfuzzer/queue is that for OUT/corpus.
void Hunt::MirrorCorpusForAfl() {
  const std::string dir = o_.out + "/afl/libfuzzer/queue";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  if (mirror_next_id_ == 0) {
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      std::string name = it->path().filename().string();
      std::size_t comma = name.find(",src:");
      if (name.rfind("id:", 0) != 0 || comma == std::string::npos) continue;
      mirrored_.insert(name.substr(comma + 5));
      mirror_next_id_ = std::max(mirror_next_id_, std::atoi(name.c_str() + 3) + 1);
    }
    mirror_next_id_ = std::max(mirror_next_id_, 1);
  }
  for (const std::string& path : ListFiles(o_.out + "/corpus")) {
    std::string name = fs::path(path).filename().string();
    if (mirrored_.count(name) != 0) continue;
    char id[16];
    std::snprintf(id, sizeof id, "id:%06d", mirror_next_id_++);
    // A hard link: no space, and an entry libFuzzer is still writing gets
    // its content in the mirror too (a copy could be empty).
    if (!LinkOrCopy(path, dir + "/" + id + ",src:" + name)) continue;
    mirrored_.insert(name);
  }
}

// libFuzzer's -merge=1 adds to OUT/corpus only the AFL++ queue entries that
// bring new coverage. It runs beside the engines on a snapshot of OUT/corpus
// (hard links in OUT/merge/base): the libFuzzer processes delete inputs they
// have replaced by smaller ones, and a merge whose first directory loses a
// file fails over and over. What it adds to the snapshot is then linked into
// OUT/corpus, where the libFuzzer processes pick it up within a second.
void Hunt::StartMerge() {
  if (merge_ || o_.libfuzzer_target.empty()) return;
  std::vector<std::string> queues;
  for (auto& e : engines_) {
    for (const std::string& q : e->QueueDirs()) {
      std::error_code ec;
      if (fs::is_directory(q, ec)) queues.push_back(q);
    }
  }
  if (queues.empty()) return;
  const std::string dir = o_.out + "/merge";
  const std::string base = dir + "/base";
  std::error_code ec;
  fs::remove_all(base, ec);
  fs::remove(dir + "/control", ec);  // a fresh merge, never the rest of an old one
  fs::create_directories(base, ec);
  merge_base_.clear();
  for (const std::string& path : ListFiles(o_.out + "/corpus")) {
    const std::string name = fs::path(path).filename().string();
    if (LinkOrCopy(path, base + "/" + name)) merge_base_.insert(name);
  }
  merge_log_ = dir + "/merge.log";
  fs::remove(merge_log_, ec);
  Command c;
  c.argv = {o_.libfuzzer_target, "-merge=1", "-max_len=512", "-merge_control_file=" + dir + "/control",
            "-artifact_prefix=" + dir + "/", base};
  c.argv.insert(c.argv.end(), queues.begin(), queues.end());
  c.env = {{"SMPFUZZ_VARIANT", o_.variant}, {"TMPDIR", dir}};
  if (o_.skip_known_buckets) c.env.emplace_back("SMPFUZZ_SKIP_BUCKETS", o_.out + "/bucket-keys");
  c.log = merge_log_;
  c.cwd = dir;
  merge_ = std::make_unique<Process>();
  merge_started_ = Now();
  if (absl::Status s = merge_->Start(c); !s.ok()) {
    log_.Event("merge: " + std::string(s.message()));
    merge_.reset();
  }
}

void Hunt::FinishMerge(bool wait, double wait_until) {
  if (!merge_) return;
  // At the end hunt waits for a running merge, but not for ever; during the
  // run a merge that takes longer than kMergeSeconds is stopped.
  const double deadline = wait ? wait_until : merge_started_ + kMergeSeconds;
  std::string status;
  while (!merge_->Exited(&status)) {
    if (Now() >= deadline) {
      merge_->Stop(/*grace_seconds=*/2);
      merge_.reset();
      log_.Event("merge: stopped after " + std::to_string(static_cast<int>(Now() - merge_started_)) +
                 " s; see " + merge_log_);
      return;
    }
    if (!wait) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  merge_.reset();
  const std::string base = o_.out + "/merge/base";
  int added = 0;
  for (const std::string& path : ListFiles(base)) {
    const std::string name = fs::path(path).filename().string();
    if (merge_base_.count(name) != 0) continue;
    const std::string dest = o_.out + "/corpus/" + name;
    std::error_code ec;
    if (IsEmptyNamedAfterContent(path)) continue;  // a write that failed
    if (!fs::exists(dest, ec) && LinkOrCopy(path, dest)) ++added;
  }
  std::error_code ec;
  fs::remove_all(base, ec);
  if (status.find("status 0") == std::string::npos) {
    log_.Event("merge: " + status + "; see " + merge_log_);
  }
  log_.Event("merge: " + std::to_string(added) + " AFL++ input(s) with new coverage added to corpus/");
}

void Hunt::ShowProgress(bool force) {
  const double now = Now();
  std::string line = "[" + Clock(now - start_) + " / " + Clock(o_.seconds) + "]";
  for (auto& e : engines_) {
    const std::string name = e->name();
    const std::uint64_t execs = e->execs();
    auto& [t, n] = last_execs_[name];
    if (now - t >= 2) {
      if (t > 0) rate_[name] = static_cast<double>(execs - n) / (now - t);
      t = now;
      n = execs;
    }
    line += "  " + name + " " + (e->failed() ? "FAILED" : Rate(rate_[name]) + " exec/s");
  }
  TriageResult t = triager_->Snapshot();
  line += "  corpus " + std::to_string(CountFiles(o_.out + "/corpus")) + "  crashes " +
          std::to_string(crash_files_) + "  buckets " + std::to_string(t.buckets.size());
  std::map<std::string, int> per_signature;
  for (const Bucket& b : t.buckets) per_signature[SignatureName(b.signature)]++;
  std::string names;
  for (const auto& [name, n] : per_signature) {
    names += (names.empty() ? "" : ", ") + name + (n > 1 ? " x" + std::to_string(n) : "");
  }
  if (!names.empty()) line += " (" + names + ")";
  log_.Progress(line, force);
}

std::string Hunt::Summary(double elapsed, bool final) {
  TriageResult t = triager_->Snapshot();
  std::string s = "# smpfuzz hunt on " + o_.variant + "\n\n";
  if (final) {
    s += "- ended " + WallClock() + " after " + Clock(elapsed) + " (this run; --time=" + Clock(o_.seconds) + ")\n";
  } else {
    s += "- running since " + start_wall_ + ", " + Clock(elapsed) + " so far (this run; --time=" +
         Clock(o_.seconds) + "; updated " + WallClock() + ")\n";
  }
  for (auto& e : engines_) {
    const std::uint64_t total = e->execs();
    s += "- " + std::string(e->name()) + ": " + std::to_string(e->jobs()) + " job(s), " +
         std::to_string(total - session_start_execs_[e->name()]) + " executions this run (" +
         std::to_string(total) + " in this directory), " + std::to_string(e->restarts()) + " restart(s)" +
         (e->failed() ? ", FAILED: " + e->failure() : "") + "\n";
  }
  s += "- corpus: " + std::to_string(CountFiles(o_.out + "/corpus")) + " input(s) in " + o_.out + "/corpus\n";
  if (o_.skip_known_buckets) {
    s += "- the engines skip buckets already found (" + o_.out +
         "/bucket-keys), so a bucket's crash files stop growing soon after it appears\n";
  }
  s += "- crash files: " + std::to_string(t.files) + " distinct in " + o_.out + "/crashes; " +
       std::to_string(t.clean) + " replay clean, " + std::to_string(t.known) + " with known findings only, " +
       std::to_string(t.bad) + " unreadable\n";
  if (untriaged_ > 0) {
    s += "- " + std::to_string(untriaged_) + " crash file(s) not triaged when --time was up: the next run on " +
         o_.out + " triages them, or `smpfuzz triage " + o_.out + "/crashes`\n";
  }
  if (!error_.empty()) s += "- stopped early: " + error_ + "\n";
  s += "\n## Buckets\n\n";
  if (t.buckets.empty()) {
    s += "None: no crash file replays to a violation.\n";
    return s;
  }
  s += "| signature | crash files | CPUs | ops | steps | preemptions | reproducer | first crash file |\n";
  s += "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |\n";
  for (const Bucket& b : t.buckets) {
    const bool done = b.minimized.ok;
    const Repro& r = done ? b.minimized.repro : b.smallest;
    s += "| " + std::string(SignatureName(b.signature)) + " | " + std::to_string(b.count) + " | " +
         std::to_string(r.scenario.nr_cpus) + " | " + std::to_string(r.scenario.TotalOps()) + " | " +
         std::to_string(r.schedule.size()) + " | " +
         (done ? std::to_string(b.minimized.preemptions) : "not minimized yet") + " | buckets/" +
         Triager::ReproName(b) + " | " + fs::path(b.first_file).filename().string() + " |\n";
  }
  s += "\nNext: look at one (`smpfuzz replay " + o_.out + "/buckets/NAME.repro --svg=NAME.svg`), check "
       "it (`smpfuzz replay --check ...`), and promote it: copy it into repro/ with a comment that "
       "says what it shows; //repro:repro_test then replays it on every variant.\n";
  return s;
}

bool Hunt::WriteSummary(const std::string& summary) {
  absl::Status s = WriteFileAtomically(o_.out + "/summary.md", summary);
  if (!s.ok()) log_.Event(std::string(s.message()));
  return s.ok();
}

absl::StatusOr<std::size_t> Hunt::Run() {
  if (absl::Status s = Validate(); !s.ok()) return s;
  // One hunt per directory: a second one would run its own engines on the
  // same corpus and write the same files.
  {
    absl::StatusOr<int> previous = lock_.Acquire(o_.out);
    if (absl::IsUnavailable(previous.status())) {
      return Fail("--out=" + o_.out + ": " + std::string(previous.status().message()));
    }
    if (!previous.ok()) return previous.status();
    if (!log_.Open(o_.out + "/hunt.log")) return Fail(o_.out + "/hunt.log: cannot open");
    if (*previous > 0 && *previous != getpid()) {
      log_.Event("the lock of an earlier hunt (pid " + std::to_string(*previous) +
                 ") that did not end cleanly is taken over");
    }
  }
  // What a full disk left in an earlier run: no engine runs now.
  RemoveGarbage();
  if (FreeBytes(o_.out) < min_free_bytes_) {
    return Fail("--out=" + o_.out + ": less than " + std::to_string(min_free_bytes_ >> 20) +
                " MB free on its disk");
  }
  // Descendants that leave the engines' process groups (AFL++'s fork server
  // calls setsid()) become hunt's children when their parent dies, and are
  // killed with it (ReapStrays).
  if (!BecomeSubreaper()) log_.Event(std::string("prctl(PR_SET_CHILD_SUBREAPER): ") + std::strerror(errno));
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  std::signal(SIGPIPE, SIG_IGN);

  // --time bounds the whole run: the engines stop EndReserve before its end,
  // which leaves that for the last merge, triage and minimization.
  start_ = Now();
  end_ = start_ + o_.seconds;
  const double fuzz_end = end_ - EndReserve(o_.seconds);
  start_wall_ = WallClock();

  std::string engines;
  for (const std::string& e : o_.engines) engines += (engines.empty() ? "" : ",") + e;
  log_.Event("start: variant " + o_.variant + ", engines " + engines + ", " + std::to_string(o_.jobs) +
             " job(s) each, for " + Clock(o_.seconds) + ", in " + o_.out);

  // The buckets an earlier run found, with their keys, from the start: the
  // engines skip them at once, not once their crash files are triaged again.
  triager_ = std::make_unique<Triager>(o_.out, variant_, &log_, end_ - 0.5);
  // What an earlier run of this hunt left: its crash files, triaged again.
  {
    std::vector<std::string> old;
    for (std::string& p : ListFiles(o_.out + "/crashes")) {
      if (p.size() <= 4 || p.substr(p.size() - 4) != ".tmp") old.push_back(std::move(p));
    }
    std::sort(old.begin(), old.end());
    for (const std::string& p : old) triager_->Add(p);
    crash_files_ = static_cast<int>(old.size());
    if (!old.empty()) log_.Event("resuming: " + std::to_string(old.size()) + " crash file(s) and " +
                                 std::to_string(CountFiles(o_.out + "/corpus")) + " corpus input(s) from before");
  }

  for (const std::string& name : o_.engines) {
    EngineConfig c{name == "libfuzzer" ? o_.libfuzzer_target : o_.afl_target,
                   o_.variant,
                   o_.jobs,
                   o_.dict,
                   name == "afl" ? o_.afl_mutator : "",
                   o_.out,
                   o_.skip_known_buckets ? o_.out + "/bucket-keys" : ""};
    engines_.push_back(MakeEngine(name, c));
    session_start_execs_[name] = engines_.back()->execs();
    if (absl::Status s = engines_.back()->Start(); !s.ok()) {
      for (auto& e : engines_) e->Stop();
      triager_->Finish();
      return Fail(name + ": " + std::string(s.message()));
    }
  }

  // Crash files of a run that was killed before hunt could copy them.
  CollectAllCrashes(/*settled=*/true);
  double last_collect = 0, last_progress = 0, last_merge = Now();
  const double progress_every = log_.tty() ? 1 : 15;
  for (;;) {
    const double now = Now();
    if (stop_signal.load() != 0) {
      log_.Event(std::string("stopping on ") + strsignal(stop_signal.load()) +
                 "; run again with the same --out to continue");
      break;
    }
    if (now >= fuzz_end) break;
    std::vector<std::string> events;
    bool all_failed = true;
    for (auto& e : engines_) {
      e->Poll(&events);
      all_failed = all_failed && e->failed();
    }
    for (const std::string& ev : events) log_.Event(ev);
    if (all_failed) {
      error_ = "every engine failed";
      break;
    }
    if (now - last_collect >= 1) {
      last_collect = now;
      // The disk, every second and before the mirror and merge write: the
      // engines stop while the floor is still free.
      if (DiskLow()) break;
      if (!CollectAllCrashes(/*settled=*/false)) break;
      // summary.md follows the buckets during the run, not only at the end.
      const TriageResult t = triager_->Snapshot();
      std::size_t minimized = 0;
      for (const Bucket& b : t.buckets) minimized += b.minimized.ok ? 1 : 0;
      if (minimized != summarized_buckets_) {
        summarized_buckets_ = minimized;
        WriteSummary(Summary(now - start_, /*final=*/false));
      }
      if (DiskLow()) break;
      MirrorCorpusForAfl();
      FinishMerge(/*wait=*/false);
      // Descendants whose parent died while the engine itself runs on.
      ReapStrays();
    }
    if (now - last_merge >= o_.merge_every) {
      last_merge = now;
      if (DiskLow()) break;
      StartMerge();
    }
    if (now - last_progress >= progress_every) {
      ShowProgress(/*force=*/true);
      last_progress = now;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }

  log_.EndProgress();
  // Every engine gets SIGTERM at once, then the same grace, within --time.
  for (auto& e : engines_) e->Terminate();
  const double grace_end = Now() + std::clamp(end_ - Now() - 1, 1.0, 10.0);
  for (auto& e : engines_) e->Stop(std::max(0.0, grace_end - Now()));
  ReapStrays();
  if (!error_.empty()) log_.Event("stopping early: " + error_);
  // What the engines wrote while stopping; then the corpus, for a restart.
  FinishMerge(/*wait=*/true, std::min(Now() + 60, end_ - 1));
  if (error_.empty() && stop_signal.load() == 0 && end_ - Now() > 4 && !DiskLow()) {
    StartMerge();
    FinishMerge(/*wait=*/true, Now() + std::min(60.0, (end_ - Now()) / 2));
  }
  RemoveGarbage();
  if (!CollectAllCrashes(/*settled=*/true)) log_.Event(error_);
  if (triager_->pending() > 0) log_.Event("triaging the last " + std::to_string(triager_->pending()) + " crash file(s)");
  triager_->DrainUntil(end_ - 1);
  untriaged_ = triager_->Finish();
  if (untriaged_ > 0) {
    log_.Event(std::to_string(untriaged_) + " crash file(s) not triaged: --time is up (the next run on " +
               o_.out + " triages them, or: smpfuzz triage " + o_.out + "/crashes)");
  }
  if (stop_signal.load() == 0) triager_->MinimizeAgain(/*budget_seconds=*/std::min(60.0, end_ - Now() - 0.5));
  const double elapsed = Now() - start_;
  // One text for the file and the terminal (it holds the time of day).
  const std::string summary = Summary(elapsed, /*final=*/true);
  WriteSummary(summary);
  std::fwrite(summary.data(), 1, summary.size(), stdout);
  std::printf("\n(summary in %s/summary.md; events in %s/hunt.log)\n", o_.out.c_str(), o_.out.c_str());
  std::fflush(stdout);
  lock_.Release();
  if (!error_.empty()) return Fail(error_);
  return triager_->Snapshot().buckets.size();
}

bool Hunt::DiskLow() {
  if (FreeBytes(o_.out) >= min_free_bytes_) return false;
  if (error_.empty()) error_ = o_.out + ": less than " + std::to_string(min_free_bytes_ >> 20) + " MB free on its disk";
  return true;
}

void Hunt::RemoveGarbage() {
  const int n = RemoveEmptyNamedAfterContent(o_.out + "/corpus") +
                RemoveEmptyNamedAfterContent(o_.out + "/afl/libfuzzer/queue", ",src:");
  if (n > 0) {
    log_.Event("removed " + std::to_string(n) +
               " empty corpus file(s) named after content they lack (writes that failed on a full disk)");
  }
}

}  // namespace

absl::StatusOr<std::size_t> RunHunt(const HuntOptions& options) { return Hunt(options).Run(); }

}  // namespace smpfuzz::hunt
