// SPDX-License-Identifier: GPL-2.0-only
#include "lib/explorer.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <unordered_set>
#include <vector>

namespace smpfuzz {
namespace {

// One step of the current schedule: what was enabled, what is being tried.
struct Node {
  std::vector<int> enabled;     // enabled actions, increasing
  std::vector<Access> parked;   // the parked access of each enabled action's CPU
  int chosen = -1;              // the action this branch takes
  std::vector<int> done;        // actions explored from here already
  std::vector<int> sleep;       // sleep set on entry
  std::uint32_t preemptions = 0;  // before this step
  int last_cpu = -1;
  bool last_enabled = false;    // could last_cpu have stepped here?
};

bool Contains(const std::vector<int>& v, int x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

const Access* ParkedOf(const Node& n, int action) {
  for (std::size_t i = 0; i < n.enabled.size(); ++i) {
    if (n.enabled[i] == action) return &n.parked[i];
  }
  return nullptr;
}

// Whether two actions of one state commute: steps of different CPUs whose
// accesses do not conflict. IPI deliveries change which code a CPU runs
// next: dependent on everything.
bool Independent(int a, const Access* pa, int b, const Access* pb) {
  if (pa == nullptr || pb == nullptr) return false;
  if ((a & 1) || (b & 1) || a / 2 == b / 2) return false;
  if (!AccessTouchesMemory(pa->kind) || !AccessTouchesMemory(pb->kind)) return true;
  if (pa->addr != pb->addr) return true;
  return !AccessWrites(pa->kind) && !AccessWrites(pb->kind);
}

std::uint32_t Cost(const Node& n, int action) {
  return (n.last_cpu >= 0 && n.last_enabled && action / 2 != n.last_cpu) ? 1 : 0;
}

// The next action to try from `n`: the last CPU's step first (it costs no
// preemption), then the others in CPU order; skips what was explored, what
// sleeps and what would exceed the bound. -1 when nothing is left.
int NextChoice(const Node& n, std::uint32_t bound, bool sleep_sets) {
  auto allowed = [&](int a) {
    return !Contains(n.done, a) && !(sleep_sets && Contains(n.sleep, a)) &&
           n.preemptions + Cost(n, a) <= bound;
  };
  const int own = n.last_enabled ? 2 * n.last_cpu : -1;
  if (own >= 0 && allowed(own)) return own;
  for (int a : n.enabled) {
    if (a != own && allowed(a)) return a;
  }
  return -1;
}

class DfsSource final : public ScheduleSource {
 public:
  DfsSource(std::vector<Node>* stack, std::uint32_t bound, bool sleep_sets)
      : stack_(*stack), bound_(bound), sleep_sets_(sleep_sets) {}

  int Choose(const Simulator& sim, const std::vector<int>& enabled) override {
    if (depth_ < stack_.size()) return stack_[depth_++].chosen;
    Node n;
    n.enabled = enabled;
    if (sleep_sets_) {  // only sleep sets look at what each CPU would access
      for (int a : enabled) n.parked.push_back(sim.Parked(a / 2));
    }
    n.last_cpu = sim.last_cpu();
    n.last_enabled = n.last_cpu >= 0 && Contains(enabled, 2 * n.last_cpu);
    if (depth_ > 0) {
      const Node& p = stack_[depth_ - 1];
      n.preemptions = p.preemptions + Cost(p, p.chosen);
      if (sleep_sets_) {
        const Access* pc = ParkedOf(p, p.chosen);
        auto inherit = [&](int s) {
          if (s != p.chosen && Independent(s, ParkedOf(p, s), p.chosen, pc) && !Contains(n.sleep, s)) {
            n.sleep.push_back(s);
          }
        };
        for (int s : p.sleep) inherit(s);
        for (int s : p.done) inherit(s);
      }
    }
    n.chosen = NextChoice(n, bound_, sleep_sets_);
    if (n.chosen < 0) {
      // Every enabled action is asleep (an equivalent schedule ran) or over
      // the preemption bound: nothing new down this path.
      return kAbandon;
    }
    stack_.push_back(std::move(n));
    ++depth_;
    return stack_.back().chosen;
  }

 private:
  std::vector<Node>& stack_;
  std::uint32_t bound_;
  bool sleep_sets_;
  std::size_t depth_ = 0;
};

// The most severe report among the signatures in `mask`.
Signature MostSevere(const RunResult& r, std::uint32_t mask) {
  Signature best = Signature::kCount;
  for (const Report& rep : r.reports) {
    if ((mask & SignatureBit(rep.signature)) && rep.signature < best) best = rep.signature;
  }
  return best;
}

class PctSource final : public ScheduleSource {
 public:
  PctSource(int nr_cpus, int depth, std::uint64_t steps_hint, std::mt19937_64& rng) {
    priority_.resize(nr_cpus);
    for (int c = 0; c < nr_cpus; ++c) priority_[c] = depth + c;  // above every change point
    std::shuffle(priority_.begin(), priority_.end(), rng);
    for (int i = 1; i < depth; ++i) change_.push_back(rng() % std::max<std::uint64_t>(1, steps_hint));
  }

  int Choose(const Simulator& sim, const std::vector<int>& enabled) override {
    int best = Highest(enabled);
    for (std::size_t i = 0; i < change_.size(); ++i) {
      if (change_[i] == sim.step()) {
        priority_[best / 2] = static_cast<int>(i) + 1;  // below all others: someone else runs
        best = Highest(enabled);
      }
    }
    chosen_.push_back({static_cast<std::uint8_t>(best / 2), (best & 1) != 0});
    return best;
  }

  const Schedule& chosen() const { return chosen_; }

 private:
  // The highest-priority CPU's action, its pending IPI before its step.
  int Highest(const std::vector<int>& enabled) const {
    int best = -1;
    for (int a : enabled) {
      if (best < 0 || priority_[a / 2] > priority_[best / 2] || (a / 2 == best / 2 && (a & 1))) {
        best = a;
      }
    }
    return best;
  }
  Schedule chosen_;
  std::vector<int> priority_;
  std::vector<std::uint64_t> change_;
};

}  // namespace

ExploreResult ExplorePct(const Scenario& s, const PctOptions& options) {
  ExploreResult result;
  Simulator sim;
  if (!sim.Load(s).empty()) return result;
  SimOptions opt;
  opt.max_steps = options.max_steps;
  opt.record_trace = false;
  opt.verbose = false;
  std::uint64_t hint = options.steps_hint;
  if (hint == 0) hint = std::max<std::uint64_t>(1, sim.Run(Schedule{}, opt).steps);
  std::mt19937_64 rng(options.seed);
  const auto start = std::chrono::steady_clock::now();
  std::unordered_set<std::uint64_t> traces;
  result.stats.bound = options.depth;
  for (std::uint64_t run = 0; run < options.runs; ++run) {
    PctSource source(s.nr_cpus, options.depth, hint, rng);
    const RunResult& r = sim.Run(source, opt);
    ++result.stats.executions;
    traces.insert(r.trace_hash);
    if ((r.fired & options.violations) != 0) {
      result.found = true;
      result.signature = MostSevere(r, options.violations);
      result.counterexample.scenario = sim.scenario();
      result.counterexample.schedule = source.chosen();
      result.counterexample.max_steps = options.max_steps;
      result.preemptions = r.preemptions;
      break;
    }
  }
  result.complete = false;  // PCT samples; it proves nothing
  result.stats.distinct_traces = traces.size();
  result.stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

ExploreResult Explore(const Scenario& s, const ExploreOptions& options,
                      const std::function<void(const ExploreStats&)>& progress) {
  ExploreResult result;
  Simulator sim;
  if (!sim.Load(s).empty()) return result;
  SimOptions opt = options.sim;
  opt.max_steps = options.max_steps;
  opt.record_trace = false;
  opt.hash_trace = true;
  opt.verbose = false;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  double next_progress = 1.0;
  std::unordered_set<std::uint64_t> traces;
  const int first_bound = options.iterative ? 0 : options.max_preemptions;
  bool out_of_budget = false;
  for (int bound = first_bound; bound <= options.max_preemptions && !out_of_budget; ++bound) {
    result.stats.bound = bound;
    std::vector<Node> stack;
    do {
      DfsSource source(&stack, static_cast<std::uint32_t>(bound), options.sleep_sets);
      const RunResult& r = sim.Run(source, opt);
      ++result.stats.executions;
      result.stats.max_depth = std::max<std::uint64_t>(result.stats.max_depth, stack.size());
      if (!r.abandoned) {
        traces.insert(r.trace_hash);
        if ((r.fired & options.violations) != 0) {
          result.found = true;
          result.signature = MostSevere(r, options.violations);
          result.counterexample.scenario = sim.scenario();
          result.counterexample.schedule.clear();
          for (const Node& n : stack) {
            result.counterexample.schedule.push_back(
                {static_cast<std::uint8_t>(n.chosen / 2), (n.chosen & 1) != 0});
          }
          result.counterexample.max_steps = options.max_steps;
          result.preemptions = r.preemptions;
          result.stats.distinct_traces = traces.size();
          result.stats.seconds = elapsed();
          return result;
        }
      } else {
        ++result.stats.abandoned;
      }
      // Backtrack to the deepest step with an untried, allowed alternative.
      while (!stack.empty()) {
        Node& n = stack.back();
        n.done.push_back(n.chosen);
        int next = NextChoice(n, static_cast<std::uint32_t>(bound), options.sleep_sets);
        if (next >= 0) {
          n.chosen = next;
          break;
        }
        if (options.sleep_sets) {
          for (int a : n.enabled) result.stats.pruned += Contains(n.sleep, a) && !Contains(n.done, a);
        }
        stack.pop_back();
      }
      const double t = elapsed();
      if (progress && t >= next_progress) {
        result.stats.distinct_traces = traces.size();
        result.stats.seconds = t;
        progress(result.stats);
        next_progress = t + 1.0;
      }
      if ((options.max_executions != 0 && result.stats.executions >= options.max_executions) ||
          (options.max_seconds > 0 && t >= options.max_seconds)) {
        out_of_budget = !stack.empty() || bound < options.max_preemptions;
        break;
      }
    } while (!stack.empty());
  }
  result.complete = !out_of_budget;
  result.stats.distinct_traces = traces.size();
  result.stats.seconds = elapsed();
  return result;
}

}  // namespace smpfuzz
