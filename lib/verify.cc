// SPDX-License-Identifier: GPL-2.0-only
#include "lib/verify.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cinttypes>
#include <climits>
#include <cstdio>
#include <cstring>
#include <memory>
#include <numeric>
#include <unordered_set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/expectations.h"
#include "lib/explorer.h"
#include "lib/hash.h"
#include "lib/model_guest.h"
#include "lib/primitives.h"
#include "lib/workers.h"

namespace smpfuzz {
namespace {

constexpr std::pair<VerifyKind, const char*> kKindNames[] = {
    {kKindSingle, "single"}, {kKindAsync, "async"}, {kKindAsyncReused, "async_reused"},
    {kKindMany, "many"},     {kKindFlush, "flush"}, {kKindIrqsOff, "irqs_off"},
    {kKindFunction, "function"}, {kKindAny, "any"}, {kKindCond, "cond"},
    {kKindHotplug, "hotplug"}, {kKindIrqWork, "irq_work"}, {kKindTtwu, "ttwu"},
};

// More would take long to canonicalize and far longer to explore.
constexpr double kMaxScopeScenarios = 5e6;

std::uint64_t Bit(int cpu) { return std::uint64_t{1} << cpu; }

// The operations one CPU may perform, in enumeration order.
std::vector<Op> Alternatives(const VerifyScope& scope, int nr_cpus, int cpu) {
  std::vector<Op> out;
  auto single = [&](OpKind kind, int csd, bool both_waits) {
    for (int target = 0; target <= nr_cpus; ++target) {
      for (int wait = 0; wait <= (both_waits ? 1 : 0); ++wait) {
        Op op;
        op.kind = kind;
        op.target = target;
        op.wait = wait != 0;
        op.csd = csd;
        out.push_back(op);
      }
    }
  };
  if (scope.kinds & kKindSingle) single(OpKind::kCallSingle, -1, true);
  if (scope.kinds & kKindAsync) single(OpKind::kCallSingleAsync, -1, false);
  if (scope.kinds & kKindAsyncReused) single(OpKind::kCallSingleAsync, 0, false);
  if (scope.kinds & kKindMany) {
    for (std::uint64_t mask = 1; mask <= AllCpusMask(nr_cpus); ++mask) {
      for (int wait = 0; wait <= 1; ++wait) {
        // SCF_RUN_LOCAL means something only when the mask has this CPU.
        for (int local = 0; local <= ((mask & Bit(cpu)) ? 1 : 0); ++local) {
          Op op;
          op.kind = OpKind::kCallMany;
          op.mask = mask;
          op.wait = wait != 0;
          op.local = local != 0;
          out.push_back(op);
        }
      }
    }
  }
  if (scope.kinds & kKindFunction) {
    for (int wait = 0; wait <= 1; ++wait) out.push_back(Op{.kind = OpKind::kCallFunction, .wait = wait != 0});
  }
  if (scope.kinds & kKindAny) {
    for (std::uint64_t mask = 1; mask <= AllCpusMask(nr_cpus); ++mask) {
      for (int wait = 0; wait <= 1; ++wait) {
        out.push_back(Op{.kind = OpKind::kCallAny, .wait = wait != 0, .mask = mask});
      }
    }
  }
  if (scope.kinds & kKindCond) {
    // on_each_cpu_cond_mask(): a mask with this CPU, and a condition that
    // holds on a proper subset of it (on all of it is on_each_cpu_mask()).
    for (std::uint64_t mask = 1; mask <= AllCpusMask(nr_cpus); ++mask) {
      if (!(mask & Bit(cpu))) continue;
      for (std::uint64_t cond = 0; cond < mask; ++cond) {
        if ((cond & ~mask) != 0) continue;
        for (int wait = 0; wait <= 1; ++wait) {
          out.push_back(Op{.kind = OpKind::kCallMany, .wait = wait != 0, .mask = mask,
                           .local = true, .cond = cond});
        }
      }
    }
  }
  if (scope.kinds & kKindIrqWork) {
    for (int target = 0; target <= nr_cpus; ++target) {
      out.push_back(Op{.kind = OpKind::kIrqWorkQueueOn, .target = target, .csd = 0});
    }
  }
  if (scope.kinds & kKindTtwu) {
    for (int target = 0; target <= nr_cpus; ++target) {
      out.push_back(Op{.kind = OpKind::kTtwuQueue, .target = target});
    }
  }
  if (scope.kinds & kKindFlush) out.push_back(Op{.kind = OpKind::kFlush});
  if (scope.kinds & kKindIrqsOff) out.push_back(Op{.kind = OpKind::kIrqsOff, .ms = scope.irqs_off_ms});
  if (scope.kinds & kKindHotplug) {
    for (int c = 0; c < nr_cpus; ++c) {
      out.push_back(Op{.kind = OpKind::kCpuOffline, .target = c});
      out.push_back(Op{.kind = OpKind::kCpuOnline, .target = c});
    }
  }
  return out;
}

// Offline sets of `scope` on `nr_cpus` CPUs: fewest CPUs first, then by
// value; never all of them.
std::vector<std::uint64_t> OfflineSets(const VerifyScope& scope, int nr_cpus) {
  std::vector<std::uint64_t> sets;
  for (int k = 0; k <= std::min(scope.max_offline, nr_cpus - 1); ++k) {
    for (std::uint64_t m = 0; m <= AllCpusMask(nr_cpus); ++m) {
      if (std::popcount(m) == k) sets.push_back(m);
    }
  }
  return sets;
}

// Calls `f` for every scenario of the group, in EnumerateScenarios' order.
// The lists are the CPUs' own (0..max_ops operations each, none on an
// offline CPU) and, with scope.max_tasks, k = 0..max_tasks extra tasks
// (1..max_ops operations each, on online CPUs in non-decreasing order: tasks
// of one CPU are interchangeable, and Canonical sorts them).
template <typename F>
void ForEachScenario(const VerifyScope& scope, int nr_cpus, int total_ops, F&& f) {
  std::vector<std::vector<Op>> alts(nr_cpus);
  for (int c = 0; c < nr_cpus; ++c) alts[c] = Alternatives(scope, nr_cpus, c);
  Scenario s;
  s.nr_cpus = nr_cpus;
  s.ops.assign(nr_cpus, {});
  std::vector<int> len;
  auto list = [&](int j) -> std::vector<Op>& { return j < nr_cpus ? s.ops[j] : s.tasks[j - nr_cpus].ops; };
  auto home = [&](int j) { return j < nr_cpus ? j : s.tasks[j - nr_cpus].cpu; };
  for (std::uint64_t offline : OfflineSets(scope, nr_cpus)) {
    s.offline_mask = offline;
    for (bool debug : scope.debug) {
      s.csdlock_debug = debug;
      for (int k = 0; k <= scope.max_tasks; ++k) {
        const int lists = nr_cpus + k;
        len.assign(lists, 0);
        // Lengths per list, then the operations, CPU 0's first.
        std::function<void(int, int)> lengths = [&](int j, int left) {
          if (j == lists) {
            if (left != 0) return;
            std::function<void(int, int)> fill = [&](int c, int i) {
              if (c == lists) {
                f(s);
                return;
              }
              if (i == len[c]) {
                fill(c + 1, 0);
                return;
              }
              for (const Op& op : alts[home(c)]) {
                list(c)[i] = op;
                fill(c, i + 1);
              }
            };
            fill(0, 0);
            return;
          }
          const bool task = j >= nr_cpus;
          const int most = (!task && (offline & Bit(j))) ? 0 : std::min(scope.max_ops, left);
          for (int l = task ? 1 : 0; l <= most; ++l) {
            len[j] = l;
            list(j).assign(l, Op{});
            lengths(j + 1, left - l);
          }
        };
        // The extra tasks' CPUs, then the lists.
        s.tasks.assign(k, {});
        std::function<void(int, int)> place = [&](int i, int from) {
          if (i == k) {
            lengths(0, total_ops);
            return;
          }
          for (int c = from; c < nr_cpus; ++c) {
            if (offline & Bit(c)) continue;
            s.tasks[i].cpu = c;
            place(i + 1, c);
          }
        };
        place(0, 0);
      }
      s.tasks.clear();
    }
  }
}

// How many scenarios ForEachScenario would visit.
double CountScenarios(const VerifyScope& scope, int nr_cpus, int total_ops) {
  std::vector<double> alts(nr_cpus);
  for (int c = 0; c < nr_cpus; ++c) alts[c] = static_cast<double>(Alternatives(scope, nr_cpus, c).size());
  double total = 0;
  // ways[t] gains the sequences of one more list of `lo..most` operations,
  // each from `a` alternatives.
  auto add_list = [&](std::vector<double>& ways, int lo, int most, double a) {
    std::vector<double> next(total_ops + 1, 0);
    for (int t = 0; t <= total_ops; ++t) {
      double per = 1;
      for (int l = 0; l < lo; ++l) per *= a;
      for (int l = lo; l <= most && t + l <= total_ops; ++l) {
        next[t + l] += ways[t] * per;
        per *= a;
      }
    }
    ways = std::move(next);
  };
  for (std::uint64_t offline : OfflineSets(scope, nr_cpus)) {
    // ways[t]: sequences over the lists so far with t operations in all.
    std::vector<double> ways(total_ops + 1, 0);
    ways[0] = 1;
    for (int c = 0; c < nr_cpus; ++c) add_list(ways, 0, (offline & Bit(c)) ? 0 : scope.max_ops, alts[c]);
    double per_offline = ways[total_ops];
    // Extra tasks: every non-decreasing choice of their CPUs among the online ones.
    for (int k = 1; k <= scope.max_tasks; ++k) {
      std::vector<int> homes(k);
      std::function<void(int, int)> place = [&](int i, int from) {
        if (i == k) {
          std::vector<double> w = ways;
          for (int h : homes) add_list(w, 1, scope.max_ops, alts[h]);
          per_offline += w[total_ops];
          return;
        }
        for (int c = from; c < nr_cpus; ++c) {
          if (offline & Bit(c)) continue;
          homes[i] = c;
          place(i + 1, c);
        }
      };
      place(0, 0);
    }
    total += per_offline * static_cast<double>(scope.debug.size());
  }
  return total;
}

// ---- the digest of a search's runs -------------------------------------------

std::uint64_t Mix64(std::uint64_t x) {  // splitmix64's finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// The hashes of the runs of one search; Digest() is order-independent.
class RunSet {
 public:
  void Add(std::uint64_t h) { hashes_.insert(h); }
  std::uint64_t Digest() const {
    std::uint64_t d = 0;
    for (std::uint64_t h : hashes_) d += Mix64(h);
    return Mix64(d ^ hashes_.size());
  }

 private:
  std::unordered_set<std::uint64_t> hashes_;
};

// A guest that runs `inner` and hashes every run it sees: the explorer
// exposes counts only, and a guest sees each run begin (Reset), every
// access performed (through the Platform it puts between the CPUs and the
// machine), and every IPI delivered. Values are hashed only when small
// (flags, CPU numbers, tokens): pointers differ between processes.
class DigestGuest final : public Guest, private Platform {
 public:
  DigestGuest(std::unique_ptr<Guest> inner, RunSet* runs)
      : Platform(/*interleaves=*/true), inner_(std::move(inner)), runs_(runs) {}
  ~DigestGuest() override { Finish(); }

  void Load(const Scenario& s) override { inner_->Load(s); }
  void Reset(Locations* names) override {
    Finish();
    inner_->Reset(names);
    hash_ = kFnvOffsetBasis;
    running_ = true;
  }
  void BindCpu(Cpu& cpu) override {
    machine_ = cpu.platform;
    cpu.platform = this;
    inner_->BindCpu(cpu);
  }
  bool CpuOnline(int cpu) const override { return inner_->CpuOnline(cpu); }
  bool HasTask(int task) const override { return inner_->HasTask(task); }
  Task<void> RunTask(Cpu& cpu, int task) override { return inner_->RunTask(cpu, task); }
  bool RunsExtraTasks() const override { return inner_->RunsExtraTasks(); }
  Task<void> IpiEntry(Cpu& cpu) override {
    hash_ = FnvMixWord(hash_, 0x1000000u | static_cast<std::uint32_t>(cpu.id));
    return inner_->IpiEntry(cpu);
  }
  bool RunsHotplug() const override { return inner_->RunsHotplug(); }
  void SetCpuOnline(int cpu, bool online) override {
    hash_ = FnvMixWord(hash_, 0x2000000u | static_cast<std::uint32_t>(cpu) << 1 | online);
    inner_->SetCpuOnline(cpu, online);
  }
  Task<void> DyingEntry(Cpu& cpu) override { return inner_->DyingEntry(cpu); }
  const RequestOrigins& requests() const override { return inner_->requests(); }
  CsdLayout csd_layout() const override { return inner_->csd_layout(); }
  std::size_t static_csd_count() const override { return inner_->static_csd_count(); }
  bool IsWorkloadCsd(const void* p) const override { return inner_->IsWorkloadCsd(p); }
  bool IsSharedWorkloadCsd(const void* p) const override { return inner_->IsSharedWorkloadCsd(p); }
  std::vector<SourceLine> Symbolize(const std::vector<std::uint64_t>& pcs) const override {
    return inner_->Symbolize(pcs);
  }
  std::string CodePlace(std::uint64_t pc) const override { return inner_->CodePlace(pc); }

 private:
  std::uint64_t Perform(Cpu& cpu, const Access& a) override {
    const std::uint64_t v = machine_->Perform(cpu, a);
    hash_ = FnvMixWord(hash_, (static_cast<std::uint64_t>(cpu.id) << 48) |
                                  (static_cast<std::uint64_t>(a.kind) << 32) |
                                  static_cast<std::uint64_t>(a.site));
    hash_ = FnvMixWord(hash_, v < 0x10000 ? v : 0x10000);
    return v;
  }
  void Fence(Cpu& cpu, FenceKind kind) override { machine_->Fence(cpu, kind); }
  void Ghost(Cpu& cpu, const GhostEvent& e) override { machine_->Ghost(cpu, e); }
  std::uint64_t Clock(Cpu& cpu) override { return machine_->Clock(cpu); }
  void IrqsEnabled(Cpu& cpu) override { machine_->IrqsEnabled(cpu); }

  void Finish() {
    if (running_) runs_->Add(hash_);
    running_ = false;
  }

  std::unique_ptr<Guest> inner_;
  RunSet* runs_;
  Platform* machine_ = nullptr;
  std::uint64_t hash_ = kFnvOffsetBasis;
  bool running_ = false;
};

ExploreOptions SearchOptions(const VerifyOptions& o, int bound) {
  ExploreOptions e;
  // Iterative bounds 0, 1, ...: a counterexample has the fewest preemptions
  // of its scenario (lib/explorer.h).
  e.max_preemptions = bound;
  e.iterative = true;
  e.sleep_sets = true;
  e.max_steps = o.max_steps;
  e.max_executions = o.max_executions;
  e.violations = o.violations;
  e.stop_at_first = true;
  return e;
}

Scenario WithVariant(Scenario s, const Variant* v) {
  s.variant = v;
  return s;
}

ScenarioRecord ExploreOne(const Scenario& s, const VerifyOptions& o, int bound) {
  ScenarioRecord rec;
  rec.scenario = s;
  if (bound < 0) return rec;  // an earlier scenario of the group has 0 preemptions
  RunSet runs;
  ExploreOptions e = SearchOptions(o, bound);
  e.guest = [&]() -> std::unique_ptr<Guest> {
    return std::make_unique<DigestGuest>(o.guest ? o.guest() : NewModelGuest(), &runs);
  };
  const ExploreResult r = Explore(WithVariant(s, o.variant), e);
  rec.executions = r.stats.executions;
  rec.distinct_traces = r.stats.distinct_traces;
  rec.complete = r.complete;
  rec.every_interleaving = r.every_interleaving;
  rec.found = r.found;
  rec.signature = r.signature;
  rec.preemptions = r.preemptions;
  rec.digest = runs.Digest();  // after Explore: its simulator (and guest) are gone
  return rec;
}

// The bound for the next scenario of a slice: a counterexample needs fewer
// preemptions than the best one found so far to be the group's minimal one
// (ties go to the earlier scenario, which the slice has already explored).
int NextBound(const VerifyOptions& o, int best) {
  return best == INT_MAX ? o.max_preemptions : std::min(o.max_preemptions, best - 1);
}

std::string RecordLine(std::size_t i, const ScenarioRecord& r) {
  return absl::StrCat(i, " ", r.executions, " ", r.distinct_traces, " ", r.digest, " ",
                      r.complete ? 1 : 0, " ", r.found ? 1 : 0, " ", static_cast<int>(r.signature),
                      " ", r.preemptions, " ", r.every_interleaving ? 1 : 0, "\n");
}

bool ParseRecordLine(std::string_view line, std::size_t* i, ScenarioRecord* r) {
  std::vector<absl::string_view> f = absl::StrSplit(absl::string_view(line.data(), line.size()), ' ');
  if (f.size() != 9) return false;
  std::uint64_t v[9];
  for (int k = 0; k < 9; ++k) {
    if (!absl::SimpleAtoi(f[k], &v[k])) return false;
  }
  *i = v[0];
  r->executions = v[1];
  r->distinct_traces = v[2];
  r->digest = v[3];
  r->complete = v[4] != 0;
  r->found = v[5] != 0;
  r->signature = static_cast<Signature>(v[6]);
  r->preemptions = static_cast<std::uint32_t>(v[7]);
  r->every_interleaving = v[8] != 0;
  return true;
}

// Explores a group: `jobs` worker processes take the scenarios i with
// i % jobs == worker, each pruning by its own best; the results are joined
// in order. `tick` is called with the number done so far.
absl::StatusOr<std::vector<ScenarioRecord>> ExploreGroup(
    const std::vector<Scenario>& group, const VerifyOptions& o,
    const std::function<void(std::uint64_t done, std::uint64_t executions)>& tick) {
  std::vector<ScenarioRecord> out(group.size());
  const int jobs = std::max(1, std::min<int>(o.jobs, static_cast<int>(group.size())));
  if (jobs <= 1) {
    int best = INT_MAX;
    std::uint64_t executions = 0;
    for (std::size_t i = 0; i < group.size(); ++i) {
      out[i] = ExploreOne(group[i], o, NextBound(o, best));
      if (out[i].found) best = std::min<int>(best, static_cast<int>(out[i].preemptions));
      executions += out[i].executions;
      if (tick) tick(i + 1, executions);
    }
    return out;
  }
  std::vector<std::string> partial(jobs);
  std::uint64_t done = 0;
  std::uint64_t executions = 0;
  bool bad = false;
  absl::StatusOr<std::vector<std::string>> outputs = RunWorkers(
      jobs, "verify",
      [&](int w, const WorkerWrite& write) {
        int best = INT_MAX;
        for (std::size_t i = w; i < group.size(); i += jobs) {
          const ScenarioRecord r = ExploreOne(group[i], o, NextBound(o, best));
          if (r.found) best = std::min<int>(best, static_cast<int>(r.preemptions));
          if (!write(RecordLine(i, r))) return;
        }
      },
      [&](int w, std::string_view chunk) {
        partial[w].append(chunk);
        for (std::size_t nl; (nl = partial[w].find('\n')) != std::string::npos;) {
          std::size_t i = 0;
          ScenarioRecord r;
          if (!ParseRecordLine(std::string_view(partial[w]).substr(0, nl), &i, &r) || i >= group.size()) {
            bad = true;
          } else {
            r.scenario = group[i];
            executions += r.executions;
            out[i] = r;
            ++done;
          }
          partial[w].erase(0, nl + 1);
        }
        if (tick) tick(done, executions);
      });
  if (!outputs.ok()) return outputs.status();
  if (bad || done != group.size()) {
    return absl::InternalError("verify: a worker process failed (" + std::to_string(done) + " of " +
                               std::to_string(group.size()) + " scenarios reported)");
  }
  return out;
}

}  // namespace

absl::StatusOr<std::uint32_t> ParseKinds(std::string_view list) {
  std::uint32_t kinds = 0;
  for (absl::string_view k : absl::StrSplit(absl::string_view(list.data(), list.size()), ',')) {
    if (k == "all") {
      kinds |= kKindAll;
      continue;
    }
    bool known = false;
    for (const auto& [bit, name] : kKindNames) {
      if (k == name) {
        kinds |= bit;
        known = true;
      }
    }
    if (!known) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown kind '", absl::string_view(k.data(), k.size()),
          "' (expected single, async, async_reused, many, cond, function, any, flush, irqs_off, "
          "hotplug, irq_work, ttwu or all)"));
    }
  }
  return kinds;
}

std::string KindNames(std::uint32_t kinds) {
  std::string out;
  for (const auto& [bit, name] : kKindNames) {
    if (!(kinds & bit)) continue;
    if (!out.empty()) out += ',';
    out += name;
  }
  return out;
}

std::string VerifyScope::Describe() const {
  std::string d;
  for (bool on : debug) absl::StrAppend(&d, d.empty() ? "" : ",", on ? "on" : "off");
  return absl::StrCat("cpus=", min_cpus, min_cpus == max_cpus ? "" : absl::StrCat("-", max_cpus),
                      " ops=", max_ops, " kinds=", KindNames(kinds), " csdlock_debug=", d,
                      " offline=", max_offline, " irqs_off_ms=", irqs_off_ms,
                      max_tasks > 0 ? absl::StrCat(" tasks=", max_tasks) : std::string());
}

absl::StatusOr<VerifyScope> ParseScope(std::string_view text) {
  VerifyScope s;
  bool seen[7] = {};
  for (absl::string_view field : absl::StrSplit(absl::string_view(text.data(), text.size()), ' ',
                                               absl::SkipEmpty())) {
    const std::size_t eq = field.find('=');
    const std::string key(field.substr(0, eq));
    const std::string value(eq == std::string_view::npos ? "" : field.substr(eq + 1));
    auto number = [&](int* out, int lo, int hi) {
      return absl::SimpleAtoi(value, out) && *out >= lo && *out <= hi;
    };
    bool ok = true;
    if (key == "cpus") {
      seen[0] = true;
      const std::size_t dash = value.find('-');
      const std::string a = value.substr(0, dash);
      const std::string b = dash == std::string::npos ? a : value.substr(dash + 1);
      ok = absl::SimpleAtoi(a, &s.min_cpus) && absl::SimpleAtoi(b, &s.max_cpus) &&
           s.min_cpus >= kMinCpus && s.max_cpus <= 8 && s.min_cpus <= s.max_cpus;
    } else if (key == "ops") {
      seen[1] = true;
      ok = number(&s.max_ops, 1, 4);
    } else if (key == "kinds") {
      seen[2] = true;
      absl::StatusOr<std::uint32_t> k = ParseKinds(value);
      ok = k.ok() && *k != 0;
      if (ok) s.kinds = *k;
    } else if (key == "csdlock_debug") {
      seen[3] = true;
      s.debug.clear();
      for (absl::string_view d : absl::StrSplit(value, ',')) {
        if (d != "on" && d != "off") ok = false;
        s.debug.push_back(d == "on");
      }
      ok = ok && !s.debug.empty() && !(s.debug.size() == 2 && s.debug[0] == s.debug[1]) &&
           s.debug.size() <= 2;
    } else if (key == "offline") {
      seen[4] = true;
      ok = number(&s.max_offline, 0, 7);
    } else if (key == "tasks") {
      seen[6] = true;  // optional: 0 when absent
      ok = number(&s.max_tasks, 0, kMaxVerifyTasks);
    } else if (key == "irqs_off_ms") {
      seen[5] = true;
      int ms = 0;
      ok = number(&ms, 0, 600000);
      s.irqs_off_ms = static_cast<std::uint32_t>(ms);
    } else {
      return absl::InvalidArgumentError("unknown scope field '" + key + "'");
    }
    if (!ok) return absl::InvalidArgumentError("bad scope field '" + std::string(field) + "'");
  }
  const char* names[] = {"cpus", "ops", "kinds", "csdlock_debug", "offline", "irqs_off_ms"};
  for (int i = 0; i < 6; ++i) {
    if (!seen[i]) return absl::InvalidArgumentError(absl::StrCat("scope without ", names[i], "="));
  }
  return s;
}

std::vector<Scenario> EnumerateScenarios(const VerifyScope& scope, int nr_cpus, int total_ops) {
  std::vector<Scenario> out;
  ForEachScenario(scope, nr_cpus, total_ops, [&](const Scenario& s) { out.push_back(s); });
  return out;
}

Scenario RenameCpus(const Scenario& s, const std::vector<int>& perm) {
  Scenario r = s;
  const int n = s.nr_cpus;
  auto map_mask = [&](std::uint64_t m) {
    std::uint64_t out = m & ~AllCpusMask(n);  // bits past nr_cpus stay (ignored anyway)
    for (int c = 0; c < n; ++c) {
      if (m & Bit(c)) out |= Bit(perm[c]);
    }
    return out;
  };
  r.offline_mask = map_mask(s.offline_mask);
  auto rename_op = [&](Op& op) {
    if (op.target >= 0 && op.target < n) op.target = perm[op.target];
    // A nested call's target is a CPU number like any other.
    if (op.act == CallbackAct::kNest && op.act_arg >= 0 && op.act_arg < n) {
      op.act_arg = perm[op.act_arg];
    }
    op.mask = map_mask(op.mask);
    op.cond = map_mask(op.cond);  // kNoCond (every bit) stays
  };
  for (int c = 0; c < n; ++c) {
    std::vector<Op>& ops = r.ops[perm[c]];
    ops = s.ops[c];
    for (Op& op : ops) rename_op(op);
  }
  for (TaskOps& t : r.tasks) {
    t.cpu = perm[t.cpu];
    for (Op& op : t.ops) rename_op(op);
  }
  return r;
}

bool RenamingKeepsOrder(const Scenario& s, const std::vector<int>& perm) {
  const int n = s.nr_cpus;
  const std::uint64_t online = AllCpusMask(n) & ~s.offline_mask;
  for (int task = 0; task < s.nr_tasks(); ++task) {
    const int c = s.TaskHome(task);  // (a migrated task's CPU may differ: see Canonical)
    for (const Op& op : s.TaskOpList(task)) {
      // smp_call_function_many_cond()'s loops: mask & online & ~self,
      // ascending; smp_call_function_any() takes the first of them.
      std::uint64_t mask;
      if (op.kind == OpKind::kCallMany || op.kind == OpKind::kCallAny) {
        mask = op.mask;
      } else if (op.kind == OpKind::kCallFunction) {
        mask = AllCpusMask(n);
      } else {
        continue;
      }
      // call_any: the whole mask's order (a variant may ask cpu_online() later
      // or not at all: mutant-any-offline-cpu calls the first CPU of the mask).
      const std::uint64_t remote = mask & (op.kind == OpKind::kCallAny ? ~0ull : online) & ~Bit(c);
      int last = -1;
      for (int t = 0; t < n; ++t) {
        if (!(remote & Bit(t))) continue;
        if (perm[t] < last) return false;
        last = perm[t];
      }
    }
  }
  return true;
}

// An op's words in a ScenarioKey; a cond_func adds 0x100 to the kind and
// its mask, a callback that frees or acts three words (an op without keeps
// its old words, so old certificates keep their keys).
void AppendOpKey(const Op& op, std::vector<std::uint32_t>* k) {
  const bool cond = op.cond != kNoCond;
  k->insert(k->end(), {static_cast<std::uint32_t>(op.kind) | (cond ? 0x100u : 0u),
                       static_cast<std::uint32_t>(op.target), op.wait ? 1u : 0u,
                       static_cast<std::uint32_t>(op.mask), static_cast<std::uint32_t>(op.mask >> 32),
                       op.local ? 1u : 0u, static_cast<std::uint32_t>(op.csd), op.ms});
  if (cond) {
    k->insert(k->end(), {static_cast<std::uint32_t>(op.cond), static_cast<std::uint32_t>(op.cond >> 32)});
  }
  if (op.handler_frees || op.act != CallbackAct::kNone) {
    k->insert(k->end(), {0xac700000u | static_cast<std::uint32_t>(op.act),
                         static_cast<std::uint32_t>(op.act_arg), op.handler_frees ? 1u : 0u});
  }
}

std::vector<std::uint32_t> ScenarioKey(const Scenario& s) {
  std::vector<std::uint32_t> k = {static_cast<std::uint32_t>(s.nr_cpus), s.csdlock_debug ? 1u : 0u,
                                  static_cast<std::uint32_t>(s.offline_mask),
                                  static_cast<std::uint32_t>(s.offline_mask >> 32),
                                  static_cast<std::uint32_t>(s.csd_lock_timeout_ms)};
  for (const std::vector<Op>& ops : s.ops) {
    k.push_back(static_cast<std::uint32_t>(ops.size()));
    for (const Op& op : ops) {
      AppendOpKey(op, &k);
    }
  }
  // Extra tasks, when there are any (a scenario without keeps its old key).
  for (const TaskOps& t : s.tasks) {
    k.push_back(0x7a5c0000u | static_cast<std::uint32_t>(t.cpu));
    k.push_back(static_cast<std::uint32_t>(t.ops.size()));
    for (const Op& op : t.ops) {
      AppendOpKey(op, &k);
    }
  }
  return k;
}

// `s` with its extra tasks in one order (by CPU, then operations): which
// number a task has changes nothing but the names in a schedule.
Scenario SortTasks(Scenario s) {
  std::sort(s.tasks.begin(), s.tasks.end(), [](const TaskOps& a, const TaskOps& b) {
    Scenario x, y;
    x.tasks = {a};
    y.tasks = {b};
    return ScenarioKey(x) < ScenarioKey(y);
  });
  return s;
}

Scenario Canonical(const Scenario& s) {
  std::vector<int> perm(s.nr_cpus);
  std::iota(perm.begin(), perm.end(), 0);
  Scenario best = SortTasks(s);
  // A migration moves a task to the next online CPU in number order, so with
  // three CPUs or more a renaming can change how many migrations (each one
  // preemption) reach a CPU: no renaming is a symmetry there.
  if (!s.tasks.empty() && s.nr_cpus > 2) return best;
  std::vector<std::uint32_t> best_key = ScenarioKey(best);
  while (std::next_permutation(perm.begin(), perm.end())) {
    if (!RenamingKeepsOrder(s, perm)) continue;
    Scenario r = SortTasks(RenameCpus(s, perm));
    std::vector<std::uint32_t> key = ScenarioKey(r);
    if (key < best_key) {
      best_key = std::move(key);
      best = std::move(r);
    }
  }
  return best;
}

std::string DescribeScenario(const Scenario& s) {
  Repro r;
  r.scenario = s;
  if (r.scenario.variant == nullptr) r.scenario.variant = FindVariant("baseline");
  std::string ops;
  for (absl::string_view line : absl::StrSplit(FormatRepro(r), '\n')) {
    if (line.substr(0, 5) == "task ") absl::StrAppend(&ops, ops.empty() ? "" : "; ", line);
    if (line.substr(0, 4) != "cpu ") continue;
    absl::StrAppend(&ops, ops.empty() ? "" : "; ", line.substr(4));
  }
  std::string offline;
  for (int c = 0; c < s.nr_cpus; ++c) {
    if (s.offline_mask & Bit(c)) absl::StrAppend(&offline, offline.empty() ? "" : ",", c);
  }
  return absl::StrCat("cpus=", s.nr_cpus, " csdlock_debug=", s.csdlock_debug ? "on" : "off",
                      " offline=", offline.empty() ? "-" : offline, " ops=", ops);
}

absl::StatusOr<VerifyResult> Verify(const VerifyOptions& o,
                                    const std::function<void(const VerifyProgress&)>& progress) {
  if (o.variant == nullptr) return absl::InvalidArgumentError("verify: no variant");
  const VerifyScope& scope = o.scope;
  if (scope.min_cpus < kMinCpus || scope.max_cpus > 8 || scope.min_cpus > scope.max_cpus) {
    return absl::InvalidArgumentError("verify: CPUs must be 2..8");
  }
  if (scope.max_ops < 1 || scope.kinds == 0 || scope.debug.empty()) {
    return absl::InvalidArgumentError("verify: empty scope");
  }
  double total = 0;
  for (int n = scope.min_cpus; n <= scope.max_cpus; ++n) {
    for (int t = 1; t <= (n + scope.max_tasks) * scope.max_ops; ++t) total += CountScenarios(scope, n, t);
  }
  if (total > kMaxScopeScenarios) {
    return absl::InvalidArgumentError(absl::StrCat(
        "verify: the scope has ", static_cast<std::uint64_t>(total),
        " scenarios before symmetry, more than ", static_cast<std::uint64_t>(kMaxScopeScenarios),
        ": narrow --kinds, --ops or --cpus"));
  }
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  VerifyResult res;
  // The groups in the order that makes the first counterexample minimal:
  // fewer CPUs first, then fewer operations in all (0 operations: nothing
  // runs, nothing to explore). Within a group every scenario is explored
  // (each to fewer preemptions than the best so far), so the group's
  // counterexample has its fewest preemptions; and no group before it had
  // one, so none with fewer CPUs, or as many CPUs and fewer operations, exists
  // in the scope.
  struct Group {
    int nr_cpus, total_ops;
    std::vector<Scenario> reps;
  };
  std::vector<Group> groups;
  for (int n = scope.min_cpus; n <= scope.max_cpus; ++n) {
    for (int t = 1; t <= (n + scope.max_tasks) * scope.max_ops; ++t) {
      Group g{n, t, {}};
      ForEachScenario(scope, n, t, [&](const Scenario& s) {
        ++res.before_symmetry;
        if (!o.symmetry || ScenarioKey(Canonical(s)) == ScenarioKey(s)) g.reps.push_back(s);
      });
      res.after_symmetry += g.reps.size();
      groups.push_back(std::move(g));
    }
  }
  double next_progress = 1.0;
  std::uint64_t done_before = 0;
  for (const Group& g : groups) {
    auto tick = [&](std::uint64_t done, std::uint64_t executions) {
      const double t = elapsed();
      if (!progress || t < next_progress) return;
      next_progress = t + 1.0;
      progress({g.nr_cpus, g.total_ops, done, g.reps.size(), done_before + done,
                res.executions + executions, t});
    };
    absl::StatusOr<std::vector<ScenarioRecord>> recs = ExploreGroup(g.reps, o, tick);
    if (!recs.ok()) return recs.status();
    done_before += g.reps.size();
    const ScenarioRecord* best = nullptr;
    // A scenario's search that ran out (max_executions) covers it only in
    // part; unbounded, so does one that still cut alternatives off.
    const bool unbounded = o.max_preemptions == ExploreOptions::kUnbounded;
    for (ScenarioRecord& r : *recs) {
      res.executions += r.executions;
      if (r.found && (best == nullptr || r.preemptions < best->preemptions)) best = &r;
      if (!r.found && r.executions > 0 && (!r.complete || (unbounded && !r.every_interleaving))) {
        ++res.not_covered;
      }
    }
    if (best != nullptr) {
      // The explorer is deterministic: the scenario's own search again, for
      // its schedule.
      const ExploreResult e =
          Explore(WithVariant(best->scenario, o.variant), [&] {
            ExploreOptions eo = SearchOptions(o, static_cast<int>(best->preemptions));
            eo.guest = o.guest;
            return eo;
          }());
      if (!e.found || e.preemptions != best->preemptions) {
        return absl::InternalError("verify: the counterexample did not reproduce");
      }
      res.found = true;
      res.signature = e.signature;
      res.preemptions = e.preemptions;
      res.counterexample = e.counterexample;
      res.counterexample.guest = o.guest_record;
      if (o.state_expectations && !o.guest_record.kernel) StateExpectations(&res.counterexample);
      res.counterexample.minimal.push_back({o.variant, e.signature, e.preemptions, 0});
    }
    for (ScenarioRecord& r : *recs) res.records.push_back(std::move(r));
    if (res.found) break;
  }
  res.seconds = elapsed();
  return res;
}

std::string DescribeGuest(const GuestRecord& g) {
  if (!g.kernel) return "model";
  std::string patches;
  for (std::uint64_t p : g.patch_hashes) {
    absl::StrAppend(&patches, patches.empty() ? "" : ",", absl::Hex(p, absl::kZeroPad16));
  }
  return absl::StrCat("kernel tree=", absl::Hex(g.tree_hash, absl::kZeroPad16),
                      " build=", absl::Hex(g.build_hash, absl::kZeroPad16),
                      " patches=", patches.empty() ? "-" : patches);
}

std::string FormatCertificate(const VerifyOptions& o, const VerifyResult& r) {
  std::string out = "smpfuzz-certificate 1\n";
  absl::StrAppend(&out, "# re-check: smpfuzz verify --check=FILE (every number must reproduce)\n");
  absl::StrAppend(&out, "version ", kSmpfuzzVersion, "\n");
  absl::StrAppend(&out, "scope ", o.scope.Describe(), "\n");
  absl::StrAppend(&out, "variant ", o.variant->name, "\n");
  absl::StrAppend(&out, "variant_flags ", VariantFlags(*o.variant), "\n");
  absl::StrAppend(&out, "guest ", DescribeGuest(o.guest_record), "\n");
  absl::StrAppend(&out, "bound preemptions=", PreemptionBoundName(o.max_preemptions),
                  " max_steps=", o.max_steps,
                  " max_executions=", o.max_executions, " symmetry=", o.symmetry ? "on" : "off",
                  "\n");
  absl::StrAppend(&out, "signatures ", FormatSignatureList(o.violations), "\n");
  absl::StrAppend(&out, "scenarios before=", r.before_symmetry, " after=", r.after_symmetry, "\n");
  absl::StrAppend(&out, "executions ", r.executions, "\n");
  for (const ScenarioRecord& s : r.records) {
    absl::StrAppend(&out, "scenario executions=", s.executions, " distinct=", s.distinct_traces,
                    " digest=", absl::Hex(s.digest, absl::kZeroPad16), " | ",
                    DescribeScenario(s.scenario), "\n");
  }
  return out;
}

absl::StatusOr<Certificate> ParseCertificate(std::string_view text, std::string_view filename) {
  Certificate c;
  int line_no = 0;
  auto error = [&](const std::string& why) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(filename), ":", line_no, ": ", why));
  };
  bool header = false;
  std::vector<std::string> seen;
  auto once = [&](const std::string& key) {
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) return false;
    seen.push_back(key);
    return true;
  };
  // "k=v k=v" of the named keys, in any order.
  auto fields = [](std::string_view rest, std::vector<std::pair<std::string, std::string>>* out) {
    for (absl::string_view f : absl::StrSplit(absl::string_view(rest.data(), rest.size()), ' ',
                                             absl::SkipEmpty())) {
      const std::size_t eq = f.find('=');
      if (eq == std::string_view::npos) return false;
      out->emplace_back(std::string(f.substr(0, eq)), std::string(f.substr(eq + 1)));
    }
    return true;
  };
  auto u64 = [](const std::string& s, std::uint64_t* v) { return absl::SimpleAtoi(s, v); };
  const std::vector<std::string> lines = absl::StrSplit(absl::string_view(text.data(), text.size()), '\n');
  for (const std::string& line_text : lines) {
    const std::string_view line = line_text;
    ++line_no;
    if (!header) {
      if (line != "smpfuzz-certificate 1") return error("expected 'smpfuzz-certificate 1' first");
      header = true;
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    const std::size_t sp = line.find(' ');
    const std::string key(line.substr(0, sp));
    const std::string_view rest = sp == std::string_view::npos ? "" : line.substr(sp + 1);
    if (key != "scenario" && !once(key)) return error("second '" + key + "' line");
    if (key == "version") {
      c.version = std::string(rest);
    } else if (key == "scope") {
      absl::StatusOr<VerifyScope> s = ParseScope(rest);
      if (!s.ok()) return error(std::string(s.status().message()));
      c.options.scope = *s;
    } else if (key == "variant") {
      c.variant_name = std::string(rest);
      if (FindVariant(rest) == nullptr) return error("unknown variant '" + c.variant_name + "'");
    } else if (key == "variant_flags") {
      c.variant_flags = std::string(rest);
    } else if (key == "guest") {
      c.guest = std::string(rest);
    } else if (key == "bound") {
      std::vector<std::pair<std::string, std::string>> f;
      if (!fields(rest, &f) || f.size() != 4) return error("expected 'bound preemptions=P max_steps=N max_executions=N symmetry=on|off'");
      for (const auto& [k, v] : f) {
        std::uint64_t n = 0;
        if (k == "preemptions" && v == "unbounded") {
          c.options.max_preemptions = ExploreOptions::kUnbounded;
        } else if (k == "preemptions" && u64(v, &n) && n <= 64) {
          c.options.max_preemptions = static_cast<int>(n);
        } else if (k == "max_steps" && u64(v, &n) && n >= 1) {
          c.options.max_steps = n;
        } else if (k == "max_executions" && u64(v, &n)) {
          c.options.max_executions = n;
        } else if (k == "symmetry" && (v == "on" || v == "off")) {
          c.options.symmetry = v == "on";
        } else {
          return error("bad bound field '" + k + "=" + v + "'");
        }
      }
    } else if (key == "signatures") {
      if (rest == "all") {
        c.options.violations = ~0u;
      } else {
        std::string bad;
        std::uint32_t mask = 0;
        if (!ParseSignatureList(rest, &mask, &bad)) return error("unknown signature '" + bad + "'");
        c.options.violations = mask;
      }
    } else if (key == "scenarios") {
      std::vector<std::pair<std::string, std::string>> f;
      if (!fields(rest, &f) || f.size() != 2 || f[0].first != "before" || f[1].first != "after" ||
          !u64(f[0].second, &c.before_symmetry) || !u64(f[1].second, &c.after_symmetry)) {
        return error("expected 'scenarios before=N after=M'");
      }
    } else if (key == "executions") {
      if (!u64(std::string(rest), &c.executions)) return error("expected 'executions N'");
    } else if (key == "scenario") {
      const std::size_t bar = rest.find(" | ");
      std::vector<std::pair<std::string, std::string>> f;
      Certificate::Line l;
      l.line = line_no;
      if (bar == std::string_view::npos || !fields(rest.substr(0, bar), &f) || f.size() != 3 ||
          f[0].first != "executions" || f[1].first != "distinct" || f[2].first != "digest" ||
          !u64(f[0].second, &l.executions) || !u64(f[1].second, &l.distinct_traces) ||
          f[2].second.size() != 16 || !absl::SimpleHexAtoi(f[2].second, &l.digest)) {
        return error("expected 'scenario executions=N distinct=N digest=HEX16 | SCENARIO'");
      }
      l.scenario = std::string(rest.substr(bar + 3));
      c.scenarios.push_back(std::move(l));
    } else {
      return error("unknown line '" + key + "'");
    }
  }
  if (!header) return error("empty file (expected 'smpfuzz-certificate 1')");
  for (const char* k : {"version", "scope", "variant", "variant_flags", "guest", "bound",
                        "signatures", "scenarios", "executions"}) {
    if (std::find(seen.begin(), seen.end(), k) == seen.end()) {
      return error(absl::StrCat("no '", k, "' line"));
    }
  }
  c.options.variant = FindVariant(c.variant_name);
  return c;
}

std::vector<std::string> CheckCertificate(const Certificate& cert, std::string_view filename,
                                          const VerifyOptions& options,
                                          const std::function<void(const VerifyProgress&)>& progress) {
  std::vector<std::string> diff;
  const std::string f(filename);
  if (cert.version != kSmpfuzzVersion) {
    diff.push_back(f + ": made by '" + cert.version + "', this is '" + kSmpfuzzVersion + "'");
  }
  if (cert.variant_name != options.variant->name) {
    diff.push_back(f + ": variant " + cert.variant_name + ", re-run as " + options.variant->name);
  }
  if (cert.variant_flags != VariantFlags(*options.variant)) {
    diff.push_back(f + ": the variant's flags differ: certificate '" + cert.variant_flags +
                   "', now '" + VariantFlags(*options.variant) + "'");
  }
  if (cert.guest != DescribeGuest(options.guest_record)) {
    diff.push_back(f + ": guest " + cert.guest + ", re-run on " + DescribeGuest(options.guest_record));
  }
  absl::StatusOr<VerifyResult> r = Verify(options, progress);
  if (!r.ok()) {
    diff.push_back(f + ": " + std::string(r.status().message()));
    return diff;
  }
  if (r->found) {
    diff.push_back(f + ": the re-run finds " + SignatureName(r->signature) + " with " +
                   std::to_string(r->preemptions) + " preemption(s) in " +
                   DescribeScenario(r->counterexample.scenario));
  }
  if (r->not_covered != 0) {
    diff.push_back(f + ": " + std::to_string(r->not_covered) + " scenario(s) not covered by the re-run");
  }
  if (r->before_symmetry != cert.before_symmetry || r->after_symmetry != cert.after_symmetry) {
    diff.push_back(absl::StrCat(f, ": scenarios before=", cert.before_symmetry, " after=",
                                cert.after_symmetry, ", re-run before=", r->before_symmetry,
                                " after=", r->after_symmetry));
  }
  if (r->executions != cert.executions) {
    diff.push_back(absl::StrCat(f, ": executions ", cert.executions, ", re-run ", r->executions));
  }
  const std::size_t n = std::max(cert.scenarios.size(), r->records.size());
  int shown = 0;
  for (std::size_t i = 0; i < n && shown < 10; ++i) {
    if (i >= cert.scenarios.size()) {
      diff.push_back(absl::StrCat(f, ": the re-run has more scenarios: ",
                                  DescribeScenario(r->records[i].scenario)));
      ++shown;
      break;
    }
    const Certificate::Line& l = cert.scenarios[i];
    if (i >= r->records.size()) {
      diff.push_back(absl::StrCat(f, ":", l.line, ": not in the re-run"));
      ++shown;
      break;
    }
    const ScenarioRecord& s = r->records[i];
    const std::string d = DescribeScenario(s.scenario);
    if (d != l.scenario) {
      diff.push_back(absl::StrCat(f, ":", l.line, ": scenario ", l.scenario, ", re-run ", d));
      ++shown;
    } else if (s.executions != l.executions || s.distinct_traces != l.distinct_traces ||
               s.digest != l.digest) {
      diff.push_back(absl::StrCat(f, ":", l.line, ": executions=", l.executions, " distinct=",
                                  l.distinct_traces, " digest=", absl::Hex(l.digest, absl::kZeroPad16),
                                  ", re-run executions=", s.executions, " distinct=",
                                  s.distinct_traces, " digest=", absl::Hex(s.digest, absl::kZeroPad16)));
      ++shown;
    }
  }
  return diff;
}

}  // namespace smpfuzz
