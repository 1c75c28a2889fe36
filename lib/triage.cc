// SPDX-License-Identifier: GPL-2.0-only
#include "lib/triage.h"

#include <algorithm>
#include <chrono>

#include "absl/status/status.h"
#include "lib/explorer.h"
#include "lib/expectations.h"
#include "lib/inputs.h"
#include "lib/model_guest.h"

namespace smpfuzz {
namespace {

// Whether some schedule of `s` within 3 preemptions gives `sig`.
bool Reproduces(const Scenario& s, Signature sig, double seconds, const GuestFactory& guest,
                ExploreResult* out) {
  ExploreOptions o;
  o.guest = guest;
  o.max_preemptions = kMinimizePreemptions;
  o.violations = SignatureBit(sig);
  o.max_seconds = seconds;
  o.max_executions = kMinimizeExecutionsPerCheck;
  *out = Explore(s, o);
  return out->found;
}

// Whether the op's CPUs are a mask (call_many, call_any).
bool HasMask(const Op& op) { return op.kind == OpKind::kCallMany || op.kind == OpKind::kCallAny; }

// Whether an op names `cpu` as a target, or an extra task starts on it.
bool Referenced(const Scenario& s, int cpu) {
  for (const TaskOps& t : s.tasks) {
    if (t.cpu == cpu) return true;
  }
  for (int t = 0; t < s.nr_tasks(); ++t) {
    for (const Op& op : s.TaskOpList(t)) {
      if ((op.kind == OpKind::kCallSingle || op.kind == OpKind::kCallSingleAsync ||
           op.kind == OpKind::kIrqWorkQueueOn || op.kind == OpKind::kTtwuQueue) &&
          op.target == cpu) {
        return true;
      }
      if (HasMask(op) && ((op.mask >> cpu) & 1)) return true;
      if (op.kind == OpKind::kCallFunction) return true;  // every other online CPU
    }
  }
  return false;
}

// `s` without CPU `cpu`, which runs nothing and is named by nobody; the CPUs
// above it move down by one.
Scenario WithoutCpu(const Scenario& s, int cpu) {
  Scenario c = s;
  c.nr_cpus--;
  c.ops.erase(c.ops.begin() + cpu);
  auto squeeze = [cpu](std::uint64_t m) {
    const std::uint64_t low = m & ((std::uint64_t{1} << cpu) - 1);
    return low | ((m >> 1) & ~((std::uint64_t{1} << cpu) - 1));
  };
  c.offline_mask = squeeze(c.offline_mask) & AllCpusMask(c.nr_cpus);
  auto renumber = [&](std::vector<Op>& ops) {
    for (Op& op : ops) {
      if (op.target > cpu) op.target--;
      op.mask = squeeze(op.mask);
      if (op.cond != kNoCond) op.cond = squeeze(op.cond);
    }
  };
  for (auto& ops : c.ops) renumber(ops);
  for (TaskOps& t : c.tasks) {
    if (t.cpu > cpu) t.cpu--;
    renumber(t.ops);
  }
  return c;
}

}  // namespace

Cuts::Cuts(const Scenario& s) : s_(s) {
  for (const TaskOps& t : s.tasks) total_ += 1 + (t.ops.size() > 1 ? t.ops.size() : 0);
  for (int cpu = 0; cpu < s.nr_cpus; ++cpu) {
    total_ += s.ops[cpu].size() > 1 ? 1 : 0;
    total_ += s.ops[cpu].size();
    for (const Op& op : s.ops[cpu]) {
      if (!HasMask(op)) continue;
      const std::uint64_t bits = op.mask & AllCpusMask(s.nr_cpus);
      const int n = __builtin_popcountll(bits);
      total_ += n == 1 && op.mask == bits ? 0 : n;
    }
    if (s.nr_cpus > kMinCpus && s.ops[cpu].empty() && !Referenced(s, cpu)) ++total_;
  }
}

bool Cuts::Next(Scenario* out) {
  const Scenario& s = s_;
  for (;;) {
    switch (phase_) {
      case kDropTask:  // a whole extra task (the ones after it renumber down)
        if (i_ >= s.tasks.size()) {
          phase_ = kDropTaskOp;
          cpu_ = 0;
          i_ = 0;
          continue;
        }
        *out = s;
        out->tasks.erase(out->tasks.begin() + static_cast<std::ptrdiff_t>(i_++));
        ++made_;
        return true;
      case kDropTaskOp: {  // one operation of an extra task that has several
        if (cpu_ >= static_cast<int>(s.tasks.size())) {
          phase_ = kClearCpu;
          cpu_ = 0;
          i_ = 0;
          continue;
        }
        const std::vector<Op>& ops = s.tasks[cpu_].ops;
        if (ops.size() < 2 || i_ >= ops.size()) {
          ++cpu_;
          i_ = 0;
          continue;
        }
        *out = s;
        std::vector<Op>& cut = out->tasks[cpu_].ops;
        cut.erase(cut.begin() + static_cast<std::ptrdiff_t>(i_++));
        ++made_;
        return true;
      }
      case kClearCpu:  // a CPU's whole list
        if (cpu_ >= s.nr_cpus) {
          phase_ = kDropOp;
          cpu_ = 0;
          continue;
        }
        if (s.ops[cpu_++].size() > 1) {
          *out = s;
          out->ops[cpu_ - 1].clear();
          ++made_;
          return true;
        }
        continue;
      case kDropOp:  // one operation
        if (cpu_ >= s.nr_cpus) {
          phase_ = kMaskBit;
          cpu_ = 0;
          i_ = 0;
          continue;
        }
        if (i_ >= s.ops[cpu_].size()) {
          ++cpu_;
          i_ = 0;
          continue;
        }
        *out = s;
        out->ops[cpu_].erase(out->ops[cpu_].begin() + static_cast<std::ptrdiff_t>(i_++));
        ++made_;
        return true;
      case kMaskBit: {  // one CPU of a call_many or call_any mask
        if (cpu_ >= s.nr_cpus) {
          phase_ = kDropCpu;
          cpu_ = s.nr_cpus - 1;
          continue;
        }
        if (i_ >= s.ops[cpu_].size()) {
          ++cpu_;
          i_ = 0;
          bit_ = 0;
          continue;
        }
        const Op& op = s.ops[cpu_][i_];
        if (!HasMask(op) || bit_ >= s.nr_cpus) {
          ++i_;
          bit_ = 0;
          continue;
        }
        const int bit = bit_++;
        if (((op.mask >> bit) & 1) == 0 || op.mask == (std::uint64_t{1} << bit)) continue;
        *out = s;
        out->ops[cpu_][i_].mask &= ~(std::uint64_t{1} << bit);
        ++made_;
        return true;
      }
      case kDropCpu: {  // a CPU nobody uses, from the top
        if (cpu_ < 0) {
          phase_ = kDone;
          continue;
        }
        const int cpu = cpu_--;
        if (s.nr_cpus > kMinCpus && s.ops[cpu].empty() && !Referenced(s, cpu)) {
          *out = WithoutCpu(s, cpu);
          ++made_;
          return true;
        }
        continue;
      }
      case kDone:
        return false;
    }
  }
}

absl::StatusOr<MinimizeResult> Minimize(const Repro& in, Signature signature,
                                        double seconds_per_check, double total_seconds,
                                        const GuestFactory& guest) {
  const auto start = std::chrono::steady_clock::now();
  auto left = [&] {
    return total_seconds - std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  auto out_of_time = [&] { return total_seconds > 0 && left() <= 0; };
  // A check gets its own budget, or what is left of the whole.
  auto check_seconds = [&] {
    return total_seconds > 0 ? std::max(0.001, std::min(seconds_per_check, left())) : seconds_per_check;
  };
  MinimizeResult res;
  Simulator sim(guest ? guest() : NewModelGuest());
  if (absl::Status loaded = sim.Load(in.scenario); !loaded.ok()) return loaded;
  SimOptions opt = RunOptions(in);
  opt.record_trace = false;
  const RunResult& first = sim.Run(in.schedule, opt);
  if (signature == Signature::kCount) {
    if (first.clean()) return absl::FailedPreconditionError("the input replays clean");
    signature = first.Primary()->signature;
  }
  res.signature = signature;
  // Mask bits past the last CPU mean nothing (the kernel ignores them too).
  Scenario s = in.scenario;
  for (auto& ops : s.ops) {
    for (Op& op : ops) op.mask &= AllCpusMask(s.nr_cpus);
  }
  for (TaskOps& t : s.tasks) {
    for (Op& op : t.ops) op.mask &= AllCpusMask(s.nr_cpus);
  }
  // Shrink while the explorer still finds the signature within its bound.
  // A big input may be too deep for it at first and not after a cut, so the
  // cuts are tried even when the whole input does not reproduce.
  ExploreResult found;
  bool reproduced = Reproduces(s, signature, check_seconds(), guest, &found);
  // Each pass tries the cuts of `s` one at a time (one candidate in memory
  // at a time) and starts again from the first success.
  Scenario c;
  for (bool progress = true; progress;) {
    progress = false;
    Cuts cuts(s);
    while (!out_of_time() && cuts.Next(&c)) {
      ExploreResult e;
      if (c.TotalOps() > 0 && c.Validate().ok() &&
          Reproduces(c, signature, check_seconds(), guest, &e)) {
        res.ops_removed += s.TotalOps() - c.TotalOps();
        ++res.cuts_made;
        s = std::move(c);
        found = std::move(e);
        reproduced = true;
        progress = true;
        break;
      }
    }
    if (out_of_time() && (progress || cuts.Remaining() > 0)) {
      res.out_of_time = true;
      res.cuts_left = progress ? Cuts(s).Remaining() : cuts.Remaining();
      break;
    }
  }
  if (!reproduced) {
    // Deeper than the explorer's bound: keep the input's own schedule.
    res.repro = in;
    res.preemptions = first.preemptions;
    StateExpectations(&res.repro);
    return res;
  }
  res.repro.scenario = s;
  res.repro.schedule = found.counterexample.schedule;
  res.repro.max_steps = in.max_steps;
  res.repro.ns_per_step = in.ns_per_step;
  res.repro.stop_on = in.stop_on;
  res.repro.guest = in.guest;  // found on the same build
  res.preemptions = found.preemptions;
  res.explored = true;
  StateExpectations(&res.repro);
  return res;
}

Classified Classify(const std::string& path, const Variant* raw_variant, Simulator* sim,
                    const KnownFinding& known, const GuestRecord& raw_guest) {
  Classified c;
  absl::StatusOr<Input> in = ReadInput(path, raw_variant, CrashDirOrigin(path));
  if (!in.ok()) {
    c.error = std::string(in.status().message());
    return c;
  }
  c.repro = std::move(in->repro);
  if (!in->was_text) c.repro.guest = raw_guest;
  if (!sim->Load(c.repro.scenario).ok()) {
    c.error = path + ": scenario does not load";
    return c;
  }
  SimOptions opt = RunOptions(c.repro);
  opt.record_trace = false;
  const RunResult& res = sim->Run(c.repro.schedule, opt);
  if (res.clean()) {
    c.kind = Classified::kClean;
    return c;
  }
  const Report* primary = nullptr;
  for (const Report& r : res.reports) {
    if (known && known(*sim, r)) continue;
    if (primary == nullptr || r.signature < primary->signature) primary = &r;
  }
  if (primary == nullptr) {
    c.kind = Classified::kKnown;
    return c;
  }
  c.kind = Classified::kFinding;
  c.key = sim->DedupKey(*primary);
  c.signature = primary->signature;
  return c;
}

Bucket* TriageResult::Add(const std::string& path, Classified c) {
  ++files;
  if (c.kind == Classified::kBad) {
    ++bad;
    errors.push_back(c.error);
    return nullptr;
  }
  if (c.kind == Classified::kClean) {
    ++clean;
    return nullptr;
  }
  if (c.kind == Classified::kKnown) {
    ++known;
    return nullptr;
  }
  Bucket* b = nullptr;
  for (Bucket& x : buckets) {
    if (x.key == c.key) b = &x;
  }
  auto size = [](const Repro& x) { return x.scenario.TotalOps() * 100000 + x.schedule.size(); };
  if (b == nullptr) {
    buckets.push_back(Bucket{c.key, c.signature, 0, path, path, std::move(c.repro),
                             absl::StatusOr<MinimizeResult>()});
    b = &buckets.back();
  } else if (size(c.repro) < size(b->smallest)) {
    b->smallest = std::move(c.repro);
    b->smallest_file = path;
  }
  ++b->count;
  return b;
}

TriageResult Triage(const std::vector<std::string>& files, const Variant* raw_variant,
                    bool minimize, const KnownFinding& known, double minimize_seconds,
                    const GuestFactory& guest, const GuestRecord& raw_guest) {
  TriageResult t;
  Simulator sim(guest ? guest() : NewModelGuest());
  for (const std::string& path : files) {
    t.Add(path, Classify(path, raw_variant, &sim, known, raw_guest));
  }
  if (minimize) {
    for (Bucket& b : t.buckets) {
      b.minimized = Minimize(b.smallest, b.signature, 2.0, minimize_seconds, guest);
    }
  }
  return t;
}

std::string BucketReproText(const Bucket& b) {
  const Repro& r = b.minimized.ok() ? b.minimized->repro : b.smallest;
  return FormatRepro(
      r, {"bucket " + b.key, std::to_string(b.count) + " crash file(s), first " + b.first_file,
          "smallest " + b.smallest_file +
              (!b.minimized.ok() ? ", not minimized: " + std::string(b.minimized.status().message())
               : b.minimized->out_of_time
                   ? ", minimized until the time limit: " + MinimizeUndone(*b.minimized)
                   : ", minimized")});
}

std::string MinimizeUndone(const MinimizeResult& m) {
  if (!m.out_of_time) return "";
  return std::to_string(m.cuts_made) + " cut(s) made, " + std::to_string(m.cuts_left) +
         " cut(s) not tried";
}

}  // namespace smpfuzz
