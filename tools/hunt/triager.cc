// SPDX-License-Identifier: GPL-2.0-only
#include "tools/hunt/triager.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <utility>

#include "fuzz/smp_harness.h"
#include "lib/expectations.h"
#include "lib/inputs.h"
#include "lib/model_guest.h"
#include "lib/report.h"
#include "tools/hunt/files.h"
#include "tools/hunt/process.h"

namespace smpfuzz::hunt {
namespace {

namespace fs = std::filesystem;

// Minimize's wall time per try of the explorer.
constexpr double kSecondsPerCheck = 2.0;

// The first crash file that BucketReproText names in its comments.
std::string FirstFile(const std::string& repro_path) {
  const std::string text = ReadFile(repro_path).value_or("");
  const std::string mark = " crash file(s), first ";
  const std::size_t at = text.find(mark);
  if (at == std::string::npos) return repro_path;
  const std::size_t from = at + mark.size();
  return text.substr(from, text.find('\n', from) - from);
}

// A reproducer written by an earlier run, as the minimization of `b`.
MinimizeResult KeptReproducer(const Bucket& b, const Repro& kept, Simulator* sim) {
  MinimizeResult m;
  m.repro = kept;
  m.signature = b.signature;
  if (sim->Load(kept.scenario).ok()) {
    SimOptions opt = RunOptions(kept);
    opt.record_trace = false;
    m.preemptions = sim->Run(kept.schedule, opt).preemptions;
  }
  m.explored = m.preemptions <= kMinimizePreemptions;
  return m;
}

}  // namespace

Triager::Triager(const std::string& out, const Variant* variant, GuestFactory guest,
                 GuestRecord guest_record, Log* log, double deadline)
    : out_(out), variant_(variant), guest_(std::move(guest)), guest_record_(std::move(guest_record)),
      log_(log), deadline_(deadline) {
  LoadFromBefore();
  thread_ = std::thread([this] { Loop(); });
}

Triager::~Triager() { Finish(); }

void Triager::Add(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  queue_.push_back(path);
  cv_.notify_all();
}

bool Triager::DrainUntil(double deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return idle_cv_.wait_for(lock, std::chrono::duration<double>(std::max(0.0, deadline - Now())),
                           [this] { return queue_.empty() && !busy_; });
}

std::size_t Triager::Finish() {
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

TriageResult Triager::Snapshot() {
  std::lock_guard<std::mutex> lock(mu_);
  return result_;
}

std::size_t Triager::pending() {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size() + (busy_ ? 1 : 0);
}

std::string BucketReproName(const Bucket& b) {
  return std::string(SignatureName(b.signature)) + "-" + HashHex(b.key).substr(8) + ".repro";
}

void Triager::Loop() {
  Simulator sim(guest_ ? guest_() : NewModelGuest());
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
    Classified c = Classify(path, variant_, &sim, fuzz::IsKnownFinding, guest_record_);
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
        is_new = b->count == 1 && !b->minimized.ok();
      }
    }
    if (kind == Classified::kClean) {
      log_->Event(path + " replays clean: the engine saw a failure the " +
                  std::string(guest_ ? "kernel guest" : "model") + " does not repeat");
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

void Triager::WriteKeys() {
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

std::vector<std::string> Triager::ReadKeys() const {
  absl::StatusOr<std::string> text = ReadFile(out_ + "/bucket-keys");
  if (!text.ok()) return {};
  return SplitLines(*text);
}

void Triager::LoadFromBefore() {
  std::map<std::string, std::string> by_hash;  // "-<key hash>.repro" -> path
  for (const std::string& path : ListFiles(out_ + "/buckets")) {
    const std::size_t dash = path.rfind('-');
    if (dash != std::string::npos) by_hash[path.substr(dash)] = path;
  }
  Simulator sim(guest_ ? guest_() : NewModelGuest());
  for (const std::string& key : ReadKeys()) {
    auto it = by_hash.find("-" + HashHex(key).substr(8) + ".repro");
    if (it == by_hash.end()) continue;
    const std::string& path = it->second;
    const std::string name = fs::path(path).filename().string();
    Bucket b;
    b.key = key;
    if (!SignatureFromName(name.substr(0, name.rfind('-')), &b.signature)) continue;
    absl::StatusOr<Input> in = ReadInput(path, variant_, InputOrigin::kSniff);
    if (!in.ok() || !in->was_text) continue;
    b.smallest = std::move(in->repro);
    b.minimized = KeptReproducer(b, b.smallest, &sim);
    b.smallest_file = path;
    b.first_file = FirstFile(path);
    result_.buckets.push_back(std::move(b));
    log_->Event("bucket " + std::string(SignatureName(result_.buckets.back().signature)) +
                ": reproducer kept from before: " + path);
  }
}



void Triager::Minimize(std::size_t index, Simulator* sim) {
  Bucket b = Snapshot().buckets[index];
  const std::string path = out_ + "/buckets/" + BucketReproName(b);
  absl::StatusOr<MinimizeResult> m;
  // A hunt-written reproducer (text), never an engine's crash file.
  absl::StatusOr<Input> kept = ReadInput(path, variant_, InputOrigin::kSniff);
  if (kept.ok() && kept->was_text) {
    m = KeptReproducer(b, kept->repro, sim);
    log_->Event("bucket " + std::string(SignatureName(b.signature)) + ": " + b.first_file +
                " (reproducer kept from before: " + path + ")");
  } else {
    log_->Event("new bucket " + std::string(SignatureName(b.signature)) + ": " + b.first_file +
                "; minimizing");
    std::optional<absl::StatusOr<MinimizeResult>> done =
        MinimizeAndWrite(&b, path, deadline_ - Now());
    if (!done) return;
    m = std::move(*done);
  }
  std::lock_guard<std::mutex> lock(mu_);
  result_.buckets[index].minimized = m;
}

std::optional<absl::StatusOr<MinimizeResult>> Triager::MinimizeAndWrite(Bucket* b,
                                                                        const std::string& path,
                                                                        double seconds) {
  // Minimize may run a check past its total time, and starts with one: the
  // checks get a quarter of the time each, 2 s at most.
  const double per_check = std::min(kSecondsPerCheck, seconds / 4);
  const double total = seconds - 2 * per_check;
  if (total < 0.2) {
    log_->Event("bucket " + std::string(SignatureName(b->signature)) +
                ": not minimized, --time is up (the next run on this --out minimizes it)");
    return std::nullopt;
  }
  absl::StatusOr<MinimizeResult> m =
      smpfuzz::Minimize(b->smallest, b->signature, per_check, total, guest_);
  b->minimized = m;
  if (absl::Status s = WriteFileAtomically(path, BucketReproText(*b)); !s.ok()) {
    log_->Event(std::string(s.message()));
  } else {
    log_->Event("bucket " + std::string(SignatureName(b->signature)) + " -> " + path + " (" +
                (m.ok() ? std::to_string(m->preemptions) + " preemption(s), " +
                              std::to_string(m->repro.scenario.nr_cpus) + " CPUs, " +
                              std::to_string(m->repro.scenario.TotalOps()) + " ops" +
                              (m->explored ? "" : ", the input's own schedule")
                        : "not minimized: " + std::string(m.status().message())) +
                ")");
  }
  return m;
}

void Triager::MinimizeAgain(double budget_seconds) {
  const double start = Now();
  const std::size_t n = Snapshot().buckets.size();
  for (std::size_t i = 0; i < n; ++i) {
    const double left = budget_seconds - (Now() - start);
    if (left < 1) break;
    Bucket b = Snapshot().buckets[i];
    if ((b.minimized.ok() && b.minimized->explored) || b.signature == Signature::kCpuStuck) {
      continue;
    }
    log_->Event("bucket " + std::string(SignatureName(b.signature)) +
                ": minimizing again on the idle machine");
    std::optional<absl::StatusOr<MinimizeResult>> m =
        MinimizeAndWrite(&b, out_ + "/buckets/" + BucketReproName(b), left);
    if (!m) break;
    std::lock_guard<std::mutex> lock(mu_);
    result_.buckets[i].minimized = std::move(*m);
  }
}

}  // namespace smpfuzz::hunt
