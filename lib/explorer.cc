// SPDX-License-Identifier: GPL-2.0-only
#include "lib/explorer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <unordered_set>
#include <vector>

#include "lib/model_guest.h"

namespace smpfuzz {
namespace {

// A set of actions (two per task, up to 64 tasks: kMaxTasks).
class ActionSet {
 public:
  void Add(int a) { w_[a >> 6] |= std::uint64_t{1} << (a & 63); }
  bool Has(int a) const { return (w_[a >> 6] >> (a & 63)) & 1; }
  int Count(int nr_actions) const {
    int n = 0;
    for (int a = 0; a < nr_actions; ++a) n += Has(a);
    return n;
  }

 private:
  std::array<std::uint64_t, 2> w_{};
};

// What an explored action did at a node, kept so that its reorderings can be
// pruned (lib/simulator.h's StepEffects).
struct Tried {
  int action = -1;
  StepEffects fx;
};

// One step of the current schedule: what was enabled, what is being tried.
struct Node {
  std::vector<int> enabled;     // enabled actions, increasing
  int chosen = -1;              // the action this branch takes
  StepEffects chosen_fx;        // what it did (set once it ran)
  std::vector<Tried> done;      // actions explored from here already
  std::vector<Tried> sleep;     // sleep set on entry
  ActionSet backtrack;          // DPOR: the actions to explore from here
  // Where the CPUs that are parked at a spin-wait whose condition does not
  // hold yet are waiting: a write there would enable them.
  std::vector<std::pair<const void*, std::uint8_t>> blocked_spins;
  std::uint32_t preemptions = 0;  // before this step
  int last_cpu = -1;            // the task that took the step before
  bool last_enabled = false;    // could last_cpu have stepped here?
  int nr_cpus = 0;              // actions from 2 * nr_cpus on with bit 0 set migrate a task
};

bool Contains(const std::vector<int>& v, int x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}
bool Contains(const std::vector<Tried>& v, int action) {
  for (const Tried& t : v) {
    if (t.action == action) return true;
  }
  return false;
}

bool Overlap(const void* a, std::uint32_t asize, const void* b, std::uint32_t bsize) {
  const auto x = reinterpret_cast<std::uintptr_t>(a), y = reinterpret_cast<std::uintptr_t>(b);
  return x < y + bsize && y < x + asize;
}

bool Overlap(const StepEffects::Range& r, const void* b, std::uint32_t bsize) {
  return Overlap(r.addr, r.size, b, bsize);
}

// Whether the checker state that `x` touched beyond its access (csd objects
// named by ghost events, request tokens) meets anything `y` did.
bool Touches(const StepEffects& x, const StepEffects& y) {
  for (int i = 0; i < x.nr_objects; ++i) {
    if (y.addr != nullptr && Overlap(x.objects[i], y.addr, y.size)) return true;
    for (int j = 0; j < y.nr_objects; ++j) {
      if (Overlap(x.objects[i], y.objects[j].addr, y.objects[j].size)) return true;
    }
  }
  for (int i = 0; i < x.nr_tokens; ++i) {
    for (int j = 0; j < y.nr_tokens; ++j) {
      if (x.tokens[i] == y.tokens[j]) return true;
    }
  }
  return false;
}

// The dependence relation. Two steps that ran from one state commute, and so
// one of their orders may be skipped, only when all of this holds:
//  - they are steps of different tasks that ran on different CPUs, and
//    neither is an IPI delivery (a delivery changes which code its CPU runs
//    next) or a migration (it changes where its task runs next);
//  - neither is observable (StepEffects: a clock read, or a wait ended by a
//    virtual-time deadline, shifts with every step before it);
//  - the checker state each touched beyond its access is disjoint from all
//    the other did: a ghost event about a csd counts as a write to the whole
//    csd, a callback or request ghost as a write to its request's account;
//  - their accesses do not conflict: both only read, or they touch disjoint
//    bytes and are not both on llist memory (heads and next pointers are one
//    location here, because the checkers walk whole chains on a head access).
// An IPI send only sets the target's pending flag and joins the sender's
// clock into the target's IPI clock (both commute with everything but the
// delivery, which is dependent anyway). A step that ran earlier is also woken
// (no longer skipped) where its write could let a blocked spin-wait proceed:
// that changes which CPUs may step.
bool Independent(int xa, const StepEffects& a, int ya, const StepEffects& b) {
  if (xa / 2 == ya / 2 || (xa & 1) || (ya & 1)) return false;
  // Two tasks of one CPU: a step of one may switch the CPU away from the
  // other, which changes whether the other may step at all.
  if (a.on_cpu == b.on_cpu) return false;
  if (a.observable || b.observable) return false;
  if (Touches(a, b) || Touches(b, a)) return false;
  if (a.addr == nullptr || b.addr == nullptr) return true;  // a callback, an IPI send...
  if (!a.wrote && !b.wrote) return true;
  if (a.llist && b.llist) return false;
  return !Overlap(a.addr, a.size, b.addr, b.size);
}
bool Independent(const Tried& x, const Tried& y) {
  return Independent(x.action, x.fx, y.action, y.fx);
}

// The relation before it was made sound (ExploreOptions::unsound_legacy_sleep_sets).
bool IndependentLegacy(const Tried& x, const Tried& y) {
  if (x.action / 2 == y.action / 2 || (x.action & 1) || (y.action & 1)) return false;
  if (!AccessTouchesMemory(x.fx.kind) || !AccessTouchesMemory(y.fx.kind)) return true;
  if (x.fx.addr != y.fx.addr) return true;
  return !AccessWrites(x.fx.kind) && !AccessWrites(y.fx.kind);
}

// Whether `t` wrote where a blocked spinner of `n` waits (a ghost-named
// object counts as written: a fresh async csd is initialised in that step).
bool WakesASpinner(const Tried& t, const Node& n) {
  for (const auto& [addr, size] : n.blocked_spins) {
    if (t.fx.wrote && Overlap(t.fx.addr, t.fx.size, addr, size)) return true;
    for (int i = 0; i < t.fx.nr_objects; ++i) {
      if (Overlap(t.fx.objects[i], addr, size)) return true;
    }
  }
  return false;
}

// The preemptions taking `action` at `n` costs (the simulator's count,
// RunResult::preemptions): a switch away from a task that could go on, and
// every migration.
std::uint32_t Cost(const Node& n, int action) {
  if (IsMigration(action, n.nr_cpus)) return 1;
  return (n.last_cpu >= 0 && n.last_enabled && action / 2 != n.last_cpu) ? 1 : 0;
}

// Whether the search still has `a` to try at `n`, the bound aside: not
// explored yet, not asleep, and with `dpor` in the node's backtrack set.
bool Wanted(const Node& n, int a, bool sleep_sets, bool dpor) {
  return !Contains(n.done, a) && !(sleep_sets && Contains(n.sleep, a)) && !(dpor && !n.backtrack.Has(a));
}
bool WithinBound(const Node& n, int a, std::uint32_t bound) { return n.preemptions + Cost(n, a) <= bound; }

// The next action to try from `n`: the last CPU's step first (it costs no
// preemption), then its IPI delivery, then the others in CPU order; only
// what is Wanted() and within the bound. -1 when nothing is left.
int NextChoice(const Node& n, std::uint32_t bound, bool sleep_sets, bool dpor) {
  auto allowed = [&](int a) { return Wanted(n, a, sleep_sets, dpor) && WithinBound(n, a, bound); };
  const int own = n.last_enabled ? 2 * n.last_cpu : -1;
  if (own >= 0 && allowed(own)) return own;
  // Then what else costs nothing (the last CPU's own IPI delivery), then the
  // switches: so a node's alternatives that preempt are its last ones, and a
  // split search's unit (SplitState) holds no schedule that does not.
  for (int a : n.enabled) {
    if (a != own && Cost(n, a) == 0 && allowed(a)) return a;
  }
  for (int a : n.enabled) {
    if (Cost(n, a) != 0 && allowed(a)) return a;
  }
  return -1;
}

// Sleep sets under a preemption bound. Plain sleep sets put an action `a`
// explored at node s to sleep below each later sibling b, because any run
// s.b...a... is equivalent to the run s.a.b... explored first. With a bound
// that other run must also be within it, and it can have up to two more
// preemptions. So `a` is put to sleep below b only when moving it to the
// front cannot cost more: Cost(s, a) + [a's CPU could go on after a] <=
// Cost(s, b). (The switches later in the run are no dearer in the moved run,
// since a neither enables nor disables another CPU's step: dependent steps
// and spinners it would wake end its sleep.) Hence "clean within bound p" is
// sound, and the first violation, found at the lowest bound, has the fewest
// preemptions; lib/explorer_soundness_test.cc checks both against the
// unreduced search.
bool MayPutToSleep(const Node& p, const Tried& done) {
  return Cost(p, done.action) + (done.fx.continues ? 1 : 0) <= Cost(p, p.chosen);
}

// DPOR (Flanagan and Godefroid, POPL 2005) under a preemption bound (bounded
// POR: Coons, Musuvathi and McKinley, OOPSLA 2013). A node explores only the
// actions in its backtrack set: its first choice, and what races found in the
// runs explored below it add. The threads are the actions: a CPU's steps (task
// and handler code) are one thread, its IPI deliveries another. After each
// run, every new step j is checked against the steps i < j of other threads:
// (i, j) is a race when i and j are dependent by the very relation of the
// sleep sets (!Independent(): a delivery, a step of the same CPU, an
// observable step, conflicting memory or checker state) and i happens before
// neither j's thread's previous step nor another step between i and j that j
// depends on (happens-before: program order of a thread plus dependence,
// transitively; vector clocks). For each race, j's thread is added to i's
// backtrack set if it is enabled there, else every action enabled there (its
// step may be enabled only later, by steps it depends on: a spin-wait that a
// write releases); a race with an IPI delivery on either side adds every
// enabled action. Three more sources of races, each conservative:
//  - a step that disables another thread's enabled step (a write that makes
//    a spin-wait block, interrupts disabled under a pending IPI) races with
//    it: that step could have gone first;
//  - a run cut short (every enabled step asleep or over the bound): each
//    enabled step that is not asleep counts as one more step, dependent on
//    everything; a run ended otherwise before quiescence (a stopping
//    signature, the step limit): every thread does;
//  - the bound: reversing a race right at i may cost a preemption more than
//    the bound allows, so j's thread is also added, by the same rule, at the
//    nearest node before i where the schedule switched CPUs (or the first
//    node): a switch happens there anyway, so the reordered run can start
//    j's thread's part there at no extra cost.
// Sleep sets apply on top, with the rules above (a sleeping action is not
// explored even when a race asks for it). Soundness is checked, not assumed:
// lib/explorer_soundness_test.cc compares DPOR with the unreduced search as it
// does the sleep sets, and shows that a DPOR that ignores the races of IPI
// deliveries is caught.
class Races {
 public:
  Races(int nr_threads, bool skip_ipi) : t_(nr_threads), skip_ipi_(skip_ipi) {}

  // Analyses the steps at depths [from, stack.size()) of the run just made,
  // the steps below `from` being those of the previous run, already analysed,
  // then the actions in `pending` as if each took one more step. `after`: the
  // actions enabled after the last step (nullptr: not known).
  void Analyze(std::vector<Node>& stack, std::size_t from, const ActionSet& pending,
               const std::vector<int>* after) {
    const std::size_t n = stack.size();
    clock_.resize(n * t_);
    index_.resize(n);
    thread_.resize(n);
    last_.assign(t_, -1);
    count_.assign(t_, 0);
    for (std::size_t d = 0; d < from; ++d) {
      last_[stack[d].chosen] = static_cast<int>(d);
      ++count_[stack[d].chosen];
    }
    for (std::size_t j = from; j < n; ++j) {
      const int tj = stack[j].chosen;
      thread_[j] = static_cast<std::uint8_t>(tj);
      Scan(stack, j, tj, &stack[j].chosen_fx);
      const int prev = last_[tj];
      index_[j] = prev < 0 ? 1 : index_[prev] + 1;
      std::copy(scratch_.begin(), scratch_.end(), clock_.begin() + j * t_);
      clock_[j * t_ + tj] = index_[j];
      last_[tj] = static_cast<int>(j);
      ++count_[tj];
      // A step that disables another thread's step (a write that makes a
      // spin-wait block, interrupts disabled under a pending IPI) races
      // with it: that step could have gone first.
      const std::vector<int>* next = j + 1 < n ? &stack[j + 1].enabled : after;
      if (next == nullptr) continue;
      for (int a : stack[j].enabled) {
        if (a != tj && !Contains(*next, a)) Race(stack, j, a, /*all=*/false);
      }
    }
    for (int t = 0; t < t_; ++t) {
      if (pending.Has(t)) Scan(stack, n, t, nullptr);
    }
  }

 private:
  // The races of a step of thread `tj` at depth j (`fx` null: a step not
  // taken, dependent on everything); leaves its clock, without itself, in
  // scratch_.
  void Scan(std::vector<Node>& stack, std::size_t j, int tj, const StepEffects* fx) {
    scratch_.assign(t_, 0);
    const int prev = last_[tj];
    if (prev >= 0) {
      std::copy(clock_.begin() + prev * t_, clock_.begin() + (prev + 1) * t_, scratch_.begin());
    }
    if (Covers(scratch_)) return;  // every earlier step happens before j
    for (std::size_t i = j; i-- > 0;) {
      const int ti = thread_[i];
      if (scratch_[ti] >= index_[i]) continue;  // happens before j already
      if (fx != nullptr && Independent(ti, stack[i].chosen_fx, tj, *fx)) continue;
      const bool ipi = (ti & 1) || (tj & 1);
      if (!(skip_ipi_ && ipi)) Race(stack, i, tj, ipi);
      for (int t = 0; t < t_; ++t) scratch_[t] = std::max(scratch_[t], clock_[i * t_ + t]);
      if (Covers(scratch_)) break;
    }
  }

  // Whether `clock` has every step so far.
  bool Covers(const std::vector<std::uint32_t>& clock) const {
    for (int t = 0; t < t_; ++t) {
      if (clock[t] < count_[t]) return false;
    }
    return true;
  }

  void Race(std::vector<Node>& stack, std::size_t i, int tj, bool all) {
    AddBacktrack(stack[i], tj, all);
    if (i == 0) return;
    std::size_t k = i - 1;
    while (k > 0 && stack[k].chosen / 2 == stack[k - 1].chosen / 2) --k;
    AddBacktrack(stack[k], tj, all);
  }

  static void AddBacktrack(Node& n, int t, bool all) {
    if (!all && Contains(n.enabled, t)) {
      n.backtrack.Add(t);
      return;
    }
    for (int a : n.enabled) n.backtrack.Add(a);
  }

  int t_;
  bool skip_ipi_;
  std::vector<std::uint32_t> clock_;   // [depth * t_ + t]: t's steps that happen before it, itself included
  std::vector<std::uint32_t> index_;   // [depth]: the step's number in its thread, from 1
  std::vector<std::uint8_t> thread_;   // [depth]: the step's thread (its action)
  std::vector<int> last_;              // per thread: its latest step so far
  std::vector<std::uint32_t> count_;   // per thread: its steps so far
  std::vector<std::uint32_t> scratch_;
};

bool IsSpin(AccessKind k) {
  return k == AccessKind::kCondLoadAcquire || k == AccessKind::kSpinReadOnce ||
         k == AccessKind::kSpinUntilChanged;
}

// Where a split search (ExploreOptions::Split) is in its bound. A unit is
// the rest of a node from its first alternative that makes the schedule
// reach the split's preemptions (with everything below): the node's
// switches to other CPUs, which NextChoice tries last (when an alternative
// that costs nothing came after them, the unit would take it and the big
// subtree of schedules below it, and one worker got most of the search);
// or a whole run that never reaches the split's preemptions. A worker that does not take a
// unit leaves the node there without running any of it: nothing of the
// unit reaches the rest of the tree (the node has no later alternatives
// outside it, and each node above learns only of its own steps), so no
// worker runs a schedule of another's unit, and all walk the same top.
struct SplitState {
  static constexpr std::size_t kNone = ~std::size_t{0};
  const ExploreOptions::Split* split = nullptr;
  int bound = 0;
  std::uint64_t next_unit = 0;
  std::uint64_t taken = 0;
  // The stack index of the node whose alternatives are the unit being
  // searched; with `node_inside`, the node is the unit's own (its very first
  // choice opened the unit), else it is above the unit, seen by all.
  std::size_t node_depth = kNone;
  bool node_inside = false;
  std::uint64_t unit = 0;  // the unit being searched (node_depth set), or the last run's
  std::uint32_t limit() const { return static_cast<std::uint32_t>(split->unit_preemptions); }
  // The nodes above the units: a node whose preemptions are below the split's.
  bool Above(const Node& n) const { return split != nullptr && n.preemptions < limit(); }
  // Whether choosing `a` at `n` enters a unit.
  bool Opens(const Node& n, int a) const {
    return split != nullptr && node_depth == kNone && Above(n) && n.preemptions + Cost(n, a) >= limit();
  }
  // The next unit in search order: its number, and whether this worker
  // takes it (counted in `taken`).
  ExploreOptions::Take Next() {
    unit = next_unit++;
    const ExploreOptions::Take take = split->take_unit(bound, unit);
    taken += take == ExploreOptions::Take::kTake;
    return take;
  }
  // Whether the node at stack index `i` is above the units.
  bool IsAbove(std::size_t i) const {
    return split != nullptr && (node_depth == kNone || i < node_depth || (i == node_depth && !node_inside));
  }
};

class DfsSource final : public ScheduleSource {
 public:
  DfsSource(std::vector<Node>* stack, const std::vector<StepEffects>* effects,
            std::uint32_t bound, bool sleep_sets, bool legacy, bool dpor, SplitState* split)
      : stack_(*stack), effects_(*effects), bound_(bound), sleep_sets_(sleep_sets),
        legacy_(legacy), dpor_(dpor), split_(*split) {}

  // This run's steps so far, and those that replayed the stack.
  std::uint64_t steps() const { return steps_; }
  std::uint64_t replayed() const { return replayed_; }

  // The run was cut where a unit begins that is not ours (or the search stops).
  ExploreOptions::Take cut_at_unit() const { return cut_at_unit_; }

  // After an abandoned run: the actions that were enabled where it was cut
  // and not asleep (over the bound), and all that were enabled there.
  const ActionSet& cut_off() const { return cut_off_; }
  const std::vector<int>& enabled_at_cut() const { return enabled_at_cut_; }

  int Choose(const Simulator& sim, const std::vector<int>& enabled) override {
    // The effects of the step just taken. A replayed step touches the
    // addresses it touched when it was first explored: the simulator rewinds
    // the coroutine frame pool before each run (FrameAllocator::Rewind), so
    // the entries of sleep and done sets, recorded in earlier runs, compare
    // with this run's steps as if recorded in it.
    if (depth_ > 0) stack_[depth_ - 1].chosen_fx = effects_[depth_ - 1];
    ++steps_;
    if (depth_ < stack_.size()) {
      ++replayed_;
      return stack_[depth_++].chosen;
    }
    Node n;
    n.enabled = enabled;
    n.last_cpu = sim.last_cpu();
    n.last_enabled = n.last_cpu >= 0 && Contains(enabled, 2 * n.last_cpu);
    n.nr_cpus = sim.scenario().nr_cpus;
    if (sleep_sets_) {
      for (int c = 0; c < sim.nr_tasks(); ++c) {
        const Access* a = sim.ParkedAccess(c);
        if (a != nullptr && IsSpin(a->kind) && !Contains(enabled, 2 * c)) {
          n.blocked_spins.emplace_back(a->addr, a->size);
        }
      }
    }
    if (depth_ > 0) {
      const Node& p = stack_[depth_ - 1];
      n.preemptions = p.preemptions + Cost(p, p.chosen);
      if (sleep_sets_) {
        const Tried b{p.chosen, p.chosen_fx};
        auto keep = [&](const Tried& t) {
          if (Contains(n.sleep, t.action)) return false;
          if (legacy_) return IndependentLegacy(t, b);
          return Independent(t, b) && !WakesASpinner(t, n);
        };
        for (const Tried& t : p.sleep) {
          if (keep(t)) n.sleep.push_back(t);
        }
        for (const Tried& t : p.done) {
          if (keep(t) && (legacy_ || MayPutToSleep(p, t))) n.sleep.push_back(t);
        }
      }
    }
    n.chosen = NextChoice(n, bound_, sleep_sets_, /*dpor=*/false);
    if (n.chosen < 0) {
      // Every enabled action is asleep (an equivalent schedule ran) or over
      // the preemption bound: nothing new down this path.
      for (int a : n.enabled) {
        if (!(sleep_sets_ && Contains(n.sleep, a))) cut_off_.Add(a);
      }
      enabled_at_cut_ = n.enabled;
      return kAbandon;
    }
    if (split_.Opens(n, n.chosen)) {
      // Every alternative of this node opens the unit (the first choice
      // would have cost nothing if it could).
      cut_at_unit_ = split_.Next();
      if (cut_at_unit_ != ExploreOptions::Take::kTake) return kAbandon;
      split_.node_depth = depth_;
      split_.node_inside = true;
    }
    if (dpor_ && split_.Above(n)) {
      for (int a : n.enabled) n.backtrack.Add(a);  // the alternatives are units
    } else if (dpor_) {
      n.backtrack.Add(n.chosen);
    }
    stack_.push_back(std::move(n));
    ++depth_;
    return stack_.back().chosen;
  }

 private:
  std::vector<Node>& stack_;
  const std::vector<StepEffects>& effects_;
  std::uint32_t bound_;
  bool sleep_sets_;
  bool legacy_;
  bool dpor_;
  SplitState& split_;
  ExploreOptions::Take cut_at_unit_ = ExploreOptions::Take::kTake;
  ActionSet cut_off_;
  std::vector<int> enabled_at_cut_;
  std::size_t depth_ = 0;
  std::uint64_t steps_ = 0;
  std::uint64_t replayed_ = 0;
};

// The share of a bound's tree that the search has done, as its stack tells
// it: at each node, the alternatives done count as done shares of it, the
// one being searched as the share the nodes below tell.
double SearchedShare(const std::vector<Node>& stack, std::uint32_t bound, bool sleep_sets, bool dpor) {
  double share = 0, weight = 1;
  for (const Node& n : stack) {
    int done = 0, left = 0;
    for (int a : n.enabled) {
      if (Contains(n.done, a)) {
        ++done;
      } else if (a != n.chosen && Wanted(n, a, sleep_sets, dpor) && WithinBound(n, a, bound)) {
        ++left;
      }
    }
    const int all = done + 1 + left;
    share += weight * done / all;
    weight /= all;
  }
  return share;
}

// A random run for EstimateSearch. Any choice probabilities give an
// unbiased estimate when the weight multiplies by 1/p; uniform ones spend
// the preemptions in the first steps (with 4 CPUs, 3 of 4 alternatives
// preempt) and almost never sample the large subtrees that keep them for
// later: the estimate was 4x low on ci/explore/fixed_4cpu_1op.repro. So the
// choice follows a model of the subtree sizes: with k preemptions left and
// r steps to go, about C(r, k) m^k schedules for m switch targets, which
// puts (r-k+1)/(r+1) on the alternatives that cost nothing.
class RandomWalkSource final : public ScheduleSource {
 public:
  RandomWalkSource(std::uint32_t bound, std::uint64_t run_length, std::mt19937_64* rng)
      : bound_(bound), run_length_(run_length), rng_(*rng) {}
  double weight() const { return weight_; }
  int Choose(const Simulator& sim, const std::vector<int>& enabled) override {
    Node n;
    n.last_cpu = sim.last_cpu();
    n.last_enabled = n.last_cpu >= 0 && Contains(enabled, 2 * n.last_cpu);
    n.nr_cpus = sim.scenario().nr_cpus;
    n.preemptions = preemptions_;
    free_.clear();
    preempt_.clear();
    for (int a : enabled) {
      if (Cost(n, a) == 0) {
        free_.push_back(a);
      } else if (n.preemptions + 1 <= bound_) {
        preempt_.push_back(a);
      }
    }
    double p_free = 1;
    if (!preempt_.empty()) {
      const double r = static_cast<double>(run_length_ > sim.step() ? run_length_ - sim.step() : 1);
      const double k = std::min<double>(bound_ - n.preemptions, r);
      p_free = free_.empty() ? 0 : (r - k + 1) / (r + 1);
    }
    const bool take_free = !free_.empty() && std::uniform_real_distribution<double>(0, 1)(rng_) < p_free;
    const std::vector<int>& from = take_free ? free_ : preempt_;
    const int a = from[rng_() % from.size()];
    weight_ *= static_cast<double>(from.size()) / (take_free ? p_free : 1 - p_free);
    preemptions_ += Cost(n, a);
    return a;
  }

 private:
  std::uint32_t bound_;
  std::uint64_t run_length_;
  std::mt19937_64& rng_;
  std::vector<int> free_, preempt_;
  std::uint32_t preemptions_ = 0;
  double weight_ = 1;
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
  PctSource(int nr_cpus, int nr_tasks, int depth, std::uint64_t steps_hint, std::mt19937_64& rng)
      : nr_cpus_(nr_cpus) {
    priority_.resize(nr_tasks);
    for (int c = 0; c < nr_tasks; ++c) priority_[c] = depth + c;  // above every change point
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
  // The highest-priority task's action, a CPU's pending IPI before its step.
  // Migrating an extra task is taken only when no task can do anything else:
  // preferred, a preempted task would hop from CPU to CPU for ever while the
  // priorities (fixed between change points) let nothing else move.
  int Highest(const std::vector<int>& enabled) const {
    int best = -1;
    for (int a : enabled) {
      if (IsMigration(a, nr_cpus_)) continue;
      if (best < 0 || priority_[a / 2] > priority_[best / 2] || (a / 2 == best / 2 && (a & 1))) {
        best = a;
      }
    }
    if (best >= 0) return best;
    for (int a : enabled) {
      if (best < 0 || priority_[a / 2] > priority_[best / 2]) best = a;
    }
    return best;
  }
  int nr_cpus_;
  Schedule chosen_;
  std::vector<int> priority_;
  std::vector<std::uint64_t> change_;
};

}  // namespace

SearchEstimate EstimateSearch(const Scenario& s, const ExploreOptions& options, std::uint64_t samples,
                              std::uint64_t seed) {
  SearchEstimate e;
  Simulator sim(options.guest ? options.guest() : NewModelGuest());
  if (!sim.Load(s).ok() || samples == 0) return e;
  SimOptions opt = options.sim;
  opt.max_steps = options.max_steps;
  opt.record_trace = false;
  opt.verbose = false;
  std::mt19937_64 rng(seed);
  double sum = 0, sum_sq = 0;
  const auto start = std::chrono::steady_clock::now();
  const std::uint64_t run_length = std::max<std::uint64_t>(1, sim.Run(Schedule{}, opt).steps);
  for (std::uint64_t i = 0; i < samples; ++i) {
    RandomWalkSource walk(static_cast<std::uint32_t>(std::min(options.max_preemptions, ExploreOptions::kUnbounded)),
                          run_length, &rng);
    sim.Run(walk, opt);
    sum += walk.weight();
    sum_sq += walk.weight() * walk.weight();
  }
  const double n = static_cast<double>(samples);
  e.samples = samples;
  e.executions = sum / n;
  e.standard_error = samples > 1 ? std::sqrt(std::max(0.0, sum_sq / n - e.executions * e.executions) / (n - 1)) : 0;
  e.seconds_per_run = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / n;
  return e;
}

ExploreResult ExplorePct(const Scenario& s, const PctOptions& options) {
  ExploreResult result;
  Simulator sim(options.guest ? options.guest() : NewModelGuest());
  if (!sim.Load(s).ok()) return result;
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
    PctSource source(s.nr_cpus, s.nr_tasks(), options.depth, hint, rng);
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

std::string PreemptionBoundName(int bound) {
  return bound >= ExploreOptions::kUnbounded ? "unbounded" : std::to_string(bound);
}

ExploreResult Explore(const Scenario& s, const ExploreOptions& options,
                      const std::function<void(const ExploreStats&)>& progress) {
  ExploreResult result;
  Simulator sim(options.guest ? options.guest() : NewModelGuest());
  if (!sim.Load(s).ok()) return result;
  SimOptions opt = options.sim;
  opt.max_steps = options.max_steps;
  opt.record_trace = false;
  opt.hash_trace = true;
  opt.verbose = false;
  std::vector<StepEffects> effects;
  opt.step_effects = &effects;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  double next_progress = 1.0;
  // The distinct traces of each bound's search, added up: a bound repeats the
  // schedules of the lower ones on purpose, which redundancy does not count
  // (and the workers of a split search can add theirs up).
  std::unordered_set<std::uint64_t> traces;
  std::uint64_t traces_of_bounds = 0;
  const bool dpor = options.dpor || options.crippled_dpor_for_test;
  ActionSet every_action;
  for (int a = 0; a < 2 * s.nr_tasks(); ++a) every_action.Add(a);
  const int first_bound = options.iterative ? 0 : options.max_preemptions;
  bool out_of_budget = false;
  auto finish = [&] {
    result.stats.distinct_traces = traces_of_bounds + traces.size();
    result.stats.seconds = elapsed();
    return result;
  };
  for (int bound = first_bound;
       bound <= options.max_preemptions && !out_of_budget && !(result.found && !options.stop_at_first);
       ++bound) {
    result.stats.bound = bound;
    const double bound_start = elapsed();
    BoundStats& bs = result.bounds.emplace_back();
    bs.bound = bound;
    traces_of_bounds += traces.size();
    traces.clear();
    std::vector<Node> stack;
    Races races(2 * s.nr_tasks(), options.crippled_dpor_for_test);
    SplitState split;
    split.split = options.split;
    split.bound = bound;
    std::size_t first_new = 0;  // the depth from which the run differs from the one before
    do {
      DfsSource source(&stack, &effects, static_cast<std::uint32_t>(bound), options.sleep_sets,
                       options.unsound_legacy_sleep_sets, dpor, &split);
      const RunResult& r = sim.Run(source, opt);
      if (!stack.empty() && effects.size() >= stack.size()) {
        stack.back().chosen_fx = effects[stack.size() - 1];  // the run's last step
      }
      const ExploreOptions::Take cut = source.cut_at_unit();
      if (cut == ExploreOptions::Take::kStop) {
        result.stopped = true;
        return finish();
      }
      // A run counts unless it was cut where another worker's unit begins;
      // with a split, a run above the units is a unit of its own.
      bool counted = cut == ExploreOptions::Take::kTake;
      if (counted && split.split != nullptr && split.node_depth == SplitState::kNone) {
        const ExploreOptions::Take take = split.Next();
        if (take == ExploreOptions::Take::kStop) {
          result.stopped = true;
          return finish();
        }
        counted = take == ExploreOptions::Take::kTake;
      }
      if (dpor) {
        // A run cut short by the bound or a sleep set: what was over the
        // bound could still have moved; one that ended otherwise before
        // quiescence (a stopping signature, the step limit): anything. A run
        // cut at a unit: only its steps, whose races reach the nodes above
        // the units, which try every action anyway.
        static const std::vector<int> kNothing;
        if (cut != ExploreOptions::Take::kTake) {
          races.Analyze(stack, first_new, ActionSet{}, nullptr);
        } else {
          races.Analyze(stack, first_new,
                        r.abandoned ? source.cut_off() : r.quiescent ? ActionSet{} : every_action,
                        r.abandoned ? &source.enabled_at_cut() : r.quiescent ? &kNothing : nullptr);
        }
      }
      if (counted && r.abandoned) bs.bound_limited += source.cut_off().Count(2 * s.nr_tasks());
      if (!counted) {
        ++bs.skipped;
      } else {
        ++result.stats.executions;
        ++bs.executions;
        result.stats.steps += source.steps();
        result.stats.replayed_steps += source.replayed();
        result.stats.max_depth = std::max<std::uint64_t>(result.stats.max_depth, stack.size());
      }
      if (counted && !r.abandoned) {
        traces.insert(r.trace_hash);
        const std::uint32_t fired = r.fired & options.violations;
        for (int sig = 0; sig < kSignatureCount; ++sig) {
          if ((fired >> sig) & 1) {
            result.min_preemptions[sig] = std::min(result.min_preemptions[sig], r.preemptions);
            bs.min_preemptions[sig] = std::min(bs.min_preemptions[sig], r.preemptions);
          }
        }
        if (fired != 0 && !result.found) {
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
          result.bound = bound;
          result.unit = split.unit;
        }
        if (fired != 0 && options.stop_at_first) {
          bs.traces = traces.size();
          return finish();
        }
      } else if (counted) {
        ++result.stats.abandoned;
        ++bs.abandoned;
      }
      // Backtrack to the deepest step with an untried, allowed alternative.
      while (!stack.empty()) {
        Node& n = stack.back();
        n.done.push_back({n.chosen, n.chosen_fx});
        int next = NextChoice(n, static_cast<std::uint32_t>(bound), options.sleep_sets, dpor);
        if (next >= 0 && split.Opens(n, next)) {
          const ExploreOptions::Take take = split.Next();
          if (take == ExploreOptions::Take::kStop) {
            result.stopped = true;
            return finish();
          }
          if (take == ExploreOptions::Take::kTake) {
            split.node_depth = stack.size() - 1;
            split.node_inside = false;
          } else {
            next = -1;  // the rest of this node is another worker's unit
          }
        }
        if (next >= 0) {
          n.chosen = next;
          break;
        }
        // What the node leaves untried: pruned (asleep, or not needed by
        // DPOR), or cut off by the bound.
        std::uint64_t pruned = 0;
        for (int a : n.enabled) {
          if (Contains(n.done, a)) continue;
          if (!Wanted(n, a, options.sleep_sets, dpor)) {
            ++pruned;
          } else {
            bs.bound_limited += !WithinBound(n, a, static_cast<std::uint32_t>(bound));
          }
        }
        (split.IsAbove(stack.size() - 1) ? bs.pruned_above : bs.pruned) += pruned;
        result.stats.pruned += pruned;
        stack.pop_back();
        if (split.node_depth != SplitState::kNone && stack.size() <= split.node_depth) {
          split.node_depth = SplitState::kNone;  // the unit is done
        }
      }
      first_new = stack.empty() ? 0 : stack.size() - 1;
      const double t = elapsed();
      if (progress && t >= next_progress) {
        result.stats.distinct_traces = traces_of_bounds + traces.size();
        result.stats.seconds = t;
        result.stats.fraction = SearchedShare(stack, static_cast<std::uint32_t>(bound), options.sleep_sets, dpor);
        result.stats.bound_seconds = t - bound_start;
        progress(result.stats);
        result.stats.fraction = -1;
        next_progress = t + 1.0;
      }
      if ((options.max_executions != 0 && result.stats.executions >= options.max_executions) ||
          (options.max_seconds > 0 && t >= options.max_seconds)) {
        out_of_budget = !stack.empty() || bound < options.max_preemptions;
        bs.complete = stack.empty();
        break;
      }
      if (stack.empty()) bs.complete = true;
    } while (!stack.empty());
    bs.units = split.next_unit;
    bs.units_taken = split.taken;
    bs.traces = traces.size();
    // Without a bound in the way, the search at this bound was the
    // unbounded one: higher bounds would repeat it.
    if (bs.complete && bs.bound_limited == 0 && options.split == nullptr) {
      result.every_interleaving = true;
      if (options.max_preemptions >= ExploreOptions::kUnbounded) break;
    }
  }
  result.complete = !out_of_budget;
  if (!result.complete) result.every_interleaving = false;
  return finish();
}

}  // namespace smpfuzz
