// SPDX-License-Identifier: GPL-2.0-only
#include "tools/hunt/hunt.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <system_error>
#include <thread>
#include <utility>

#include <unistd.h>

#include "absl/status/status.h"
#include "lib/report.h"
#include "lib/triage.h"
#include "lib/variant.h"
#include "tools/hunt/clock.h"
#include "tools/hunt/engine.h"
#include "tools/hunt/files.h"
#include "tools/hunt/log.h"
#include "tools/hunt/merge.h"
#include "tools/hunt/process.h"
#include "tools/hunt/summary.h"
#include "tools/hunt/triager.h"

namespace smpfuzz::hunt {
namespace {

namespace fs = std::filesystem;

// Below this much free space hunt stops, before the engines fail at random
// (SMPFUZZ_HUNT_MIN_FREE_MB sets another floor, e.g. for a test).
constexpr std::uint64_t kMinFreeMb = 64;

// What --time leaves for the end of the run (stopping the engines, the last
// merge, triage and minimization): a tenth of it, from 1 s to 2 minutes.
double EndReserve(double seconds) {
  return std::min({120.0, std::max(1.0, seconds / 10), seconds / 2});
}

// This hunt's name in a sync directory: the host's, then 8 hex digits of OUT
// (two hunts on one machine differ), in the characters AFL++ allows in -S.
std::string NodeName(const std::string& out) {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::strcpy(host, "host");
  std::string name;
  for (const char* p = host; *p != '\0' && name.size() < 24; ++p) {
    const char c = *p;
    name += (std::isalnum(static_cast<unsigned char>(c)) || c == '-') ? c : '-';
  }
  return name + "-" + HashHex(out).substr(8);
}

std::atomic<int> stop_signal{0};
// The first SIGINT or SIGTERM stops the hunt cleanly; a second one kills it
// (the engines get SIGTERM from the kernel when hunt dies).
extern "C" void OnStopSignal(int sig) {
  stop_signal.store(sig);
  std::signal(sig, SIG_DFL);
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
  // A merge of every engine's queue into OUT/corpus.
  void StartMerge();
  void ShowProgress(bool force);
  // `final`: at the end of the run, else a refresh while it runs.
  std::string Summary(double elapsed, bool final);
  // Whether the disk is below the floor (error_ then says so).
  bool DiskLow();
  // Empty corpus files named after content they lack (failed writes).
  void RemoveGarbage();
  // OUT/summary.md; a write that fails is logged.
  void WriteSummary(const std::string& summary);
  static absl::Status Fail(const std::string& why) { return absl::FailedPreconditionError(why); }

  HuntOptions o_;
  // This hunt's name in a shared sync directory (hunt.h): host and OUT.
  std::string node_;
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
  // Made once Validate has made the paths absolute.
  std::unique_ptr<CorpusMirror> mirror_;
  std::unique_ptr<CorpusMerge> merge_;
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
  for (std::string* path :
       {&o_.out, &o_.sync_dir, &o_.libfuzzer_target, &o_.afl_target, &o_.dict, &o_.afl_mutator}) {
    std::error_code ec;
    if (!path->empty()) *path = fs::absolute(*path, ec).lexically_normal().string();
  }
  for (const char* sub : {"corpus", "crashes", "buckets"}) {
    std::error_code ec;
    fs::create_directories(o_.out + "/" + sub, ec);
    if (ec) return Fail("--out=" + o_.out + ": cannot create " + sub + "/: " + ec.message());
  }
  if (!o_.sync_dir.empty()) {
    node_ = NodeName(o_.out);
    std::error_code ec;
    const std::string mirror = MirrorDir(o_.out, o_.sync_dir, node_);
    fs::create_directories(mirror, ec);
    if (ec) return Fail("--sync_dir=" + o_.sync_dir + ": cannot create " + mirror + ": " + ec.message());
    if (access(o_.sync_dir.c_str(), W_OK) != 0 || access(mirror.c_str(), W_OK) != 0) {
      return Fail("--sync_dir=" + o_.sync_dir + ": not writable: " + std::strerror(errno));
    }
    if (fs::equivalent(o_.sync_dir, o_.out, ec)) {
      return Fail("--sync_dir=" + o_.sync_dir + ": must not be --out itself (each hunt has an OUT of its own)");
    }
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
    std::string dest = o_.out + "/crashes/" + source + "-" + kind + "-" + HashHex(bytes);
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

void Hunt::StartMerge() {
  std::vector<std::string> queues;
  for (auto& e : engines_) {
    for (const std::string& q : e->QueueDirs()) queues.push_back(q);
  }
  merge_->Start(queues, ForeignQueues(o_.sync_dir, node_));
}

std::string Hunt::Summary(double elapsed, bool final) {
  SummaryFacts f;
  f.variant = o_.guest ? o_.variant + " (" + o_.guest_description + ")" : o_.variant;
  f.out = o_.out;
  f.seconds = o_.seconds;
  f.elapsed = elapsed;
  f.final = final;
  f.start_wall = start_wall_;
  for (auto& e : engines_) {
    const std::uint64_t total = e->execs();
    f.engines.push_back({e->name(), e->jobs(), total - session_start_execs_[e->name()], total,
                         e->restarts(), e->failure()});
  }
  f.corpus_inputs = CountFiles(o_.out + "/corpus");
  f.skip_known_buckets = o_.skip_known_buckets;
  f.triage = triager_->Snapshot();
  f.untriaged = untriaged_;
  f.error = error_;
  return FormatSummary(f);
}

void Hunt::WriteSummary(const std::string& summary) {
  absl::Status s = WriteFileAtomically(o_.out + "/summary.md", summary);
  if (!s.ok()) log_.Event(std::string(s.message()));
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
    if (absl::Status s = log_.Open(o_.out + "/hunt.log"); !s.ok()) return s;
    if (*previous > 0 && *previous != getpid()) {
      log_.Event("the lock of an earlier hunt (pid " + std::to_string(*previous) +
                 ") that did not end cleanly is taken over");
    }
  }
  mirror_ = std::make_unique<CorpusMirror>(o_.out, MirrorDir(o_.out, o_.sync_dir, node_));
  merge_ = std::make_unique<CorpusMerge>(
      MergeConfig{o_.out, o_.libfuzzer_target, o_.variant, o_.skip_known_buckets}, &log_);
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
  log_.Event("start: variant " + o_.variant + (o_.guest ? ", " + o_.guest_description : "") + ", engines " + engines + ", " + std::to_string(o_.jobs) +
             " job(s) each, for " + Clock(o_.seconds) + ", in " + o_.out +
             (node_.empty() ? "" : "; sharing " + o_.sync_dir + " as " + node_));

  // The buckets an earlier run found, with their keys, from the start: the
  // engines skip them at once, not once their crash files are triaged again.
  triager_ = std::make_unique<Triager>(o_.out, variant_, o_.guest, o_.guest_record, &log_,
                                       end_ - 0.5);
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
                   o_.skip_known_buckets ? o_.out + "/bucket-keys" : "",
                   o_.sync_dir,
                   node_};
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
      for (const Bucket& b : t.buckets) minimized += b.minimized.ok() ? 1 : 0;
      if (minimized != summarized_buckets_) {
        summarized_buckets_ = minimized;
        WriteSummary(Summary(now - start_, /*final=*/false));
      }
      if (DiskLow()) break;
      mirror_->Update();
      merge_->Finish(/*wait=*/false);
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
  merge_->Finish(/*wait=*/true, std::min(Now() + 60, end_ - 1));
  if (error_.empty() && stop_signal.load() == 0 && end_ - Now() > 4 && !DiskLow()) {
    StartMerge();
    merge_->Finish(/*wait=*/true, Now() + std::min(60.0, (end_ - Now()) / 2));
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
                RemoveEmptyNamedAfterContent(MirrorDir(o_.out, o_.sync_dir, node_), ",src:");
  if (n > 0) {
    log_.Event("removed " + std::to_string(n) +
               " empty corpus file(s) named after content they lack (writes that failed on a full disk)");
  }
}

}  // namespace

absl::StatusOr<std::size_t> RunHunt(const HuntOptions& options) { return Hunt(options).Run(); }

}  // namespace smpfuzz::hunt
