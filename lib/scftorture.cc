// SPDX-License-Identifier: GPL-2.0-only
//
// ScfTorture: scftorture's module parameters to scenarios (lib/scftorture.h).

#include "lib/scftorture.h"

#include <algorithm>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"

namespace smpfuzz {
namespace {

constexpr int kPrims = static_cast<int>(ScfPrim::kCount);
constexpr std::int64_t kMaxWeight = 1000000;
constexpr int kMaxOpsPerThread = 10000;

// Parameters of scftorture (or of the torture framework) that only set
// timing or logging: no meaning in a run without wall-clock time.
constexpr std::string_view kTimeOnly[] = {"holdoff", "longwait", "onoff_holdoff", "shutdown_secs",
                                          "stat_interval", "stutter", "verbose", "shutdown"};

absl::Status Bad(std::string_view word, std::string_view why) {
  return absl::InvalidArgumentError("scftorture: " + std::string(word) + ": " + std::string(why));
}

}  // namespace

const char* ScfPrimParam(ScfPrim p) {
  switch (p) {
    case ScfPrim::kSingle: return "weight_single";
    case ScfPrim::kSingleWait: return "weight_single_wait";
    case ScfPrim::kMany: return "weight_many";
    case ScfPrim::kManyWait: return "weight_many_wait";
    case ScfPrim::kAll: return "weight_all";
    case ScfPrim::kAllWait: return "weight_all_wait";
    case ScfPrim::kAsync: return "weight_async";
    case ScfPrim::kAny: return "weight_any";
    case ScfPrim::kCond: return "weight_cond";
    case ScfPrim::kIrqsOff: return "weight_irqs_off";
    case ScfPrim::kIrqWork: return "weight_irq_work";
    case ScfPrim::kTtwu: return "weight_ttwu";
    case ScfPrim::kCount: break;
  }
  return "?";
}

std::string ScfParams::CommandLine() const {
  std::string s = "nr_cpus=" + std::to_string(nr_cpus) + " csdlock_debug=" + (csdlock_debug ? "1" : "0") +
                  " nthreads=" + std::to_string(invokers()) + " ops_per_thread=" + std::to_string(ops_per_thread);
  if (onoff_interval > 0) s += " onoff_interval=" + std::to_string(onoff_interval);
  for (int p = 0; p < kPrims; ++p) {
    if (weight[p] != 0) s += " " + std::string(ScfPrimParam(static_cast<ScfPrim>(p))) + "=" + std::to_string(weight[p]);
  }
  return s;
}

absl::StatusOr<ScfParams> ParseScfParams(const std::vector<std::string>& words) {
  ScfParams p;
  // scftorture's "-1: not given" for each weight, resched and single_rpc
  // included (they take part in its all-defaults rule).
  std::int64_t given[kPrims];
  for (std::int64_t& g : given) g = -1;
  std::int64_t resched = -1, single_rpc = -1;
  for (const std::string& word : words) {
    std::string_view w = word;
    if (w.substr(0, 11) == "scftorture.") w.remove_prefix(11);
    const std::size_t eq = w.find('=');
    if (eq == std::string_view::npos || eq == 0) return Bad(word, "expected PARAM=VALUE");
    const std::string_view name = w.substr(0, eq);
    const std::string_view text = w.substr(eq + 1);
    std::int64_t v = 0;
    if (!absl::SimpleAtoi(absl::string_view(text.data(), text.size()), &v)) return Bad(word, "the value is not a whole number");
    const auto range = [&](std::int64_t lo, std::int64_t hi) -> absl::Status {
      if (v < lo || v > hi) {
        return Bad(word, "must be " + std::to_string(lo) + ".." + std::to_string(hi));
      }
      return absl::OkStatus();
    };
    bool known = false;
    for (int i = 0; i < kPrims; ++i) {
      if (name == ScfPrimParam(static_cast<ScfPrim>(i))) {
        if (absl::Status s = range(-1, kMaxWeight); !s.ok()) return s;
        given[i] = v;
        known = true;
      }
    }
    if (known) continue;
    absl::Status s;
    if (name == "nr_cpus") {
      s = range(kMinCpus, kMaxScenarioCpus);
      p.nr_cpus = static_cast<int>(v);
    } else if (name == "csdlock_debug") {
      s = range(0, 1);
      p.csdlock_debug = v == 1;
    } else if (name == "nthreads") {
      s = v == 0 ? Bad(word, "no invoker makes no test") : range(-1, kMaxTasks);
      p.nthreads = static_cast<int>(v);
    } else if (name == "ops_per_thread") {
      s = range(1, kMaxOpsPerThread);
      p.ops_per_thread = static_cast<int>(v);
    } else if (name == "onoff_interval") {
      s = range(0, kMaxOpsPerThread);
      p.onoff_interval = static_cast<int>(v);
    } else if (name == "weight_resched") {
      s = v > 0 ? Bad(word, "resched_cpu() sends a reschedule IPI, not a csd: not modelled") : range(-1, 0);
      resched = v;
    } else if (name == "weight_single_rpc") {
      s = v > 0 ? Bad(word, "a handler that completes a waiter (SCF_PRIM_SINGLE_RPC) is not modelled")
                : range(-1, 0);
      single_rpc = v;
    } else if (name == "use_cpus_read_lock") {
      s = v != 0 ? Bad(word, "cpus_read_lock() is not modelled")
                 : absl::OkStatus();
    } else {
      bool time_only = false;
      for (std::string_view t : kTimeOnly) time_only |= name == t;
      if (!time_only) return Bad(word, "not a parameter of scftorture (or of smpfuzz's: see smpfuzz scftorture --help)");
      p.notes.push_back(std::string(name) + "=" + std::string(text) +
                        " ignored: it sets timing or logging, and a simulated run has no wall-clock time");
    }
    if (!s.ok()) return s;
  }
  const int onoff = p.onoff_interval > 0 ? 1 : 0;
  const int tasks = std::max(p.invokers(), p.nr_cpus) + onoff;
  if (tasks > kMaxTasks) {
    return absl::InvalidArgumentError("scftorture: nr_cpus=" + std::to_string(p.nr_cpus) + ", nthreads=" +
                                      std::to_string(p.invokers()) + (onoff ? " and the onoff task" : "") +
                                      " make " + std::to_string(tasks) + " tasks; a scenario holds at most " +
                                      std::to_string(kMaxTasks));
  }
  const std::int64_t ops = std::int64_t{p.invokers()} * p.ops_per_thread +
                           (onoff ? 2 * ((p.ops_per_thread + p.onoff_interval - 1) / p.onoff_interval) : 0);
  if (ops > kMaxScfOps) {
    return absl::InvalidArgumentError("scftorture: nthreads=" + std::to_string(p.invokers()) + " x ops_per_thread=" +
                                      std::to_string(p.ops_per_thread) + (onoff ? " and the onoff task's" : "") +
                                      " make " + std::to_string(ops) + " operations; a scenario holds at most " +
                                      std::to_string(kMaxScfOps));
  }
  // scftorture_init(): when no weight is positive, every weight not set to 0
  // takes its default; otherwise the ones not given are 0.
  bool any_positive = resched > 0 || single_rpc > 0;
  for (std::int64_t g : given) any_positive |= g > 0;
  const std::uint32_t n = static_cast<std::uint32_t>(p.nr_cpus);
  const std::uint32_t defaults[kPrims] = {2 * n, 2 * n, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < kPrims; ++i) {
    p.weight[i] = any_positive ? static_cast<std::uint32_t>(std::max<std::int64_t>(0, given[i]))
                               : given[i] == 0 ? 0 : defaults[i];
  }
  if (!any_positive) {
    if (resched != 0) p.notes.push_back("weight_resched left out of the default mix: resched_cpu() is not modelled");
    if (single_rpc != 0) {
      p.notes.push_back("weight_single_rpc left out of the default mix: a handler that completes a waiter is not "
                        "modelled");
    }
  }
  std::uint64_t total = 0;
  for (std::uint32_t w : p.weight) total += w;
  if (total == 0) return absl::InvalidArgumentError("scftorture: all zero weights makes no sense");
  if (p.weight[static_cast<int>(ScfPrim::kIrqWork)] > 0) {
    p.notes.push_back("weight_irq_work: data-race is not counted (re-queueing an irq_work races on its node in "
                      "every kernel: README \"The irq_work re-queue race\")");
  }
  return p;
}

Scenario ScfTortureScenario(const ScfParams& p, const Variant* variant, std::uint64_t seed) {
  const int n = p.nr_cpus;
  Scenario s;
  s.nr_cpus = n;
  s.variant = variant;
  s.csdlock_debug = p.csdlock_debug;
  s.ops.resize(n);
  std::mt19937_64 rng(seed);
  std::uint64_t total = 0;
  for (std::uint32_t w : p.weight) total += w;
  const std::uint64_t all = AllCpusMask(n);
  if (total == 0) return s;  // no mix: nothing to draw from
  const auto draw = [&]() {
    std::uint64_t x = rng() % total;
    int i = 0;
    while (x >= p.weight[i]) x -= p.weight[i++];
    return static_cast<ScfPrim>(i);
  };
  const auto op_of = [&](ScfPrim prim) {
    Op op;
    const int cpu = static_cast<int>(rng() % n);
    switch (prim) {
      case ScfPrim::kSingle:
      case ScfPrim::kSingleWait:
        op.kind = OpKind::kCallSingle;
        op.target = cpu;
        op.wait = prim == ScfPrim::kSingleWait;
        break;
      case ScfPrim::kMany:
      case ScfPrim::kManyWait:
        op.kind = OpKind::kCallMany;  // cpu_online_mask: the callee ANDs it in
        op.mask = all;
        op.wait = prim == ScfPrim::kManyWait;
        break;
      case ScfPrim::kAll:
      case ScfPrim::kAllWait:
        op.kind = OpKind::kCallFunction;
        op.wait = prim == ScfPrim::kAllWait;
        break;
      case ScfPrim::kAsync:  // as scftorture's no-wait requests: the handler frees it
        op.kind = OpKind::kCallSingleAsync;
        op.target = cpu;
        op.handler_frees = rng() % 2 == 0;
        break;
      case ScfPrim::kAny:
        op.kind = OpKind::kCallAny;
        op.mask = 1 + rng() % all;
        op.wait = rng() % 2 == 0;
        break;
      case ScfPrim::kCond:
        op.kind = OpKind::kCallMany;
        op.mask = all;
        op.local = true;
        op.cond = rng() & all;
        op.wait = rng() % 2 == 0;
        break;
      case ScfPrim::kIrqsOff:
        op.kind = OpKind::kIrqsOff;
        op.ms = static_cast<std::uint32_t>(1 + rng() % 3);
        break;
      case ScfPrim::kIrqWork:
        op.kind = OpKind::kIrqWorkQueueOn;
        op.target = cpu;
        op.csd = static_cast<int>(rng() % 2);
        break;
      case ScfPrim::kTtwu:
        op.kind = OpKind::kTtwuQueue;
        op.target = cpu;
        break;
      case ScfPrim::kCount:
        break;
    }
    return op;
  };
  for (int i = 0; i < p.invokers(); ++i) {
    std::vector<Op> ops;
    for (int k = 0; k < p.ops_per_thread; ++k) ops.push_back(op_of(draw()));
    if (i < n) {
      s.ops[i] = std::move(ops);
    } else {
      s.tasks.push_back(TaskOps{.cpu = i % n, .ops = std::move(ops)});
    }
  }
  if (p.onoff_interval > 0) {
    // torture_onoff(): a random hotpluggable CPU down, then up again.
    TaskOps onoff{.cpu = 0};
    const int cycles = (p.ops_per_thread + p.onoff_interval - 1) / p.onoff_interval;
    for (int c = 0; c < cycles; ++c) {
      const int cpu = 1 + static_cast<int>(rng() % (n - 1));
      onoff.ops.push_back(Op{.kind = OpKind::kCpuOffline, .target = cpu});
      onoff.ops.push_back(Op{.kind = OpKind::kCpuOnline, .target = cpu});
    }
    s.tasks.push_back(std::move(onoff));
  }
  return s;
}

}  // namespace smpfuzz
