// SPDX-License-Identifier: GPL-2.0-only
#include "lib/explore_split.h"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/hash.h"
#include "lib/hex.h"
#include "lib/report.h"
#include "lib/workers.h"

namespace smpfuzz {
namespace {

// Debian's Abseil has its own string_view, which StrCat takes.
absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

constexpr char kHeader[] = "smpfuzz-explore-shard 1";
constexpr char kCounterexample[] = "counterexample";

// The order of first violations: lower bound first, then lower unit.
std::tuple<int, std::uint64_t> Key(const ExploreResult& r) { return {r.bound, r.unit}; }


// A line's `key=value` words after its first word.
class Fields {
 public:
  Fields(std::string_view line, std::string_view where) : where_(where) {
    for (absl::string_view w : absl::StrSplit(absl::string_view(line.data(), line.size()), ' ', absl::SkipEmpty())) {
      words_.emplace_back(w);
    }
  }
  const std::vector<std::string>& words() const { return words_; }
  absl::StatusOr<std::uint64_t> Number(std::string_view key) const {
    for (std::size_t i = 1; i < words_.size(); ++i) {
      const std::string& w = words_[i];
      if (w.size() > key.size() && w.compare(0, key.size(), key) == 0 && w[key.size()] == '=') {
        std::uint64_t v;
        if (!absl::SimpleAtoi(w.substr(key.size() + 1), &v)) {
          return absl::InvalidArgumentError(absl::StrCat(where_, ": ", Av(key), ": not a number: '", w, "'"));
        }
        return v;
      }
    }
    return absl::InvalidArgumentError(absl::StrCat(where_, ": '", words_.empty() ? "" : words_[0], "' has no ", Av(key), "="));
  }
  std::string Text(std::string_view key) const {
    for (std::size_t i = 1; i < words_.size(); ++i) {
      const std::string& w = words_[i];
      if (w.size() > key.size() && w.compare(0, key.size(), key) == 0 && w[key.size()] == '=') {
        return w.substr(key.size() + 1);
      }
    }
    return "";
  }

 private:
  std::string where_;
  std::vector<std::string> words_;
};

// A bound's counts appended to the result's, in its totals.
void AddBound(ExploreResult* r, const BoundStats& b) {
  r->bounds.push_back(b);
  r->stats.executions += b.executions;
  r->stats.abandoned += b.abandoned;
  r->stats.distinct_traces += b.traces;
  r->stats.pruned += b.pruned + b.pruned_above;
  r->stats.bound = b.bound;
}

}  // namespace

SearchKey KeyOfSearch(const Scenario& s, const ExploreOptions& o, std::string_view guest) {
  SearchKey k;
  k.options = absl::StrCat(
      "preemptions=", o.max_preemptions, " iterative=", o.iterative ? "on" : "off",
      " reduction=",
      o.unsound_legacy_sleep_sets ? "unsound-legacy"
      : o.dpor                    ? "dpor"
      : o.sleep_sets              ? "sleep"
                                  : "none",
      " max_steps=", o.max_steps, " signatures=", FormatSignatureList(o.violations),
      " stop_at_first=", o.stop_at_first ? "on" : "off",
      " unit_preemptions=", o.split ? o.split->unit_preemptions : 1);
  Repro r;
  r.scenario = s;
  std::uint64_t h = Fnv1a(FormatRepro(r));
  h = FnvMixWord(h, Fnv1a(k.options));
  h = FnvMixWord(h, Fnv1a(guest));
  k.search = Hex16(h);
  return k;
}

ExploreOptions OptionsOfSearch(const SearchKey& key) {
  ExploreOptions o;
  for (absl::string_view w : absl::StrSplit(absl::string_view(key.options), ' ', absl::SkipEmpty())) {
    if (absl::ConsumePrefix(&w, "preemptions=")) {
      (void)absl::SimpleAtoi(w, &o.max_preemptions);
    } else if (absl::ConsumePrefix(&w, "max_steps=")) {
      (void)absl::SimpleAtoi(w, &o.max_steps);
    } else if (absl::ConsumePrefix(&w, "iterative=")) {
      o.iterative = w == "on";
    } else if (absl::ConsumePrefix(&w, "stop_at_first=")) {
      o.stop_at_first = w == "on";
    } else if (absl::ConsumePrefix(&w, "reduction=")) {
      o.dpor = w == "dpor";
      o.sleep_sets = w != "none";
      o.unsound_legacy_sleep_sets = w == "unsound-legacy";
    } else if (absl::ConsumePrefix(&w, "signatures=") && w != "all") {
      std::string bad;
      const std::string list(w);
      if (list == "none") {
        o.violations = 0;
      } else if (!ParseSignatureList(list, &o.violations, &bad)) {
        o.violations = ~0u;
      }
    }
  }
  return o;
}

std::string FormatShard(const ShardResult& s) {
  const ExploreResult& r = s.result;
  std::string out = absl::StrCat(kHeader, "\nsearch ", s.key.search, "\noptions ", s.key.options, "\n");
  if (s.claimed) {
    absl::StrAppend(&out, "jobs ", s.index, "/", s.count, "\n");
  } else {
    absl::StrAppend(&out, "shard ", s.index, "/", s.count, "\n");
  }
  for (const BoundStats& b : r.bounds) {
    absl::StrAppend(&out, "bound ", b.bound, " units=", b.units, " taken=", b.units_taken,
                    " executions=", b.executions, " abandoned=", b.abandoned, " traces=", b.traces,
                    " pruned=", b.pruned, " pruned_above=", b.pruned_above, " skipped=", b.skipped,
                    " bound_limited=", b.bound_limited,
                    " complete=", b.complete ? 1 : 0, "\n");
    std::string mins;
    for (int i = 0; i < kSignatureCount; ++i) {
      if (b.min_preemptions[i] != ExploreResult::kNever) {
        absl::StrAppend(&mins, " ", SignatureName(static_cast<Signature>(i)), "=", b.min_preemptions[i]);
      }
    }
    if (!mins.empty()) absl::StrAppend(&out, "min_preemptions", mins, "\n");
  }
  if (r.found) {
    absl::StrAppend(&out, "found signature=", SignatureName(r.signature), " preemptions=", r.preemptions,
                    " bound=", r.bound, " unit=", r.unit, "\n");
  }
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.3f", r.stats.seconds);
  absl::StrAppend(&out, "result complete=", r.complete ? 1 : 0, " stopped=", r.stopped ? 1 : 0,
                  " depth=", r.stats.max_depth, " seconds=", seconds, "\n");
  if (r.found) absl::StrAppend(&out, kCounterexample, "\n", FormatRepro(r.counterexample));
  return out;
}

absl::StatusOr<ShardResult> ParseShard(std::string_view text, std::string_view filename) {
  ShardResult s;
  ExploreResult& r = s.result;
  std::size_t pos = 0;
  int line_no = 0;
  bool saw_shard = false, saw_result = false, saw_search = false, saw_options = false;
  auto where = [&] { return absl::StrCat(Av(filename), ":", line_no); };
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      ++line_no;
      return absl::InvalidArgumentError(absl::StrCat(where(), ": truncated (no newline at the end)"));
    }
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line_no == 1) {
      if (line != kHeader) {
        return absl::InvalidArgumentError(absl::StrCat(where(), ": not a shard result (expected '", kHeader, "')"));
      }
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    Fields f(line, where());
    const std::string& word = f.words()[0];
    if (word == "search" && f.words().size() == 2) {
      s.key.search = f.words()[1];
      saw_search = true;
    } else if (word == "options") {
      s.key.options = std::string(line.substr(8));
      saw_options = true;
    } else if ((word == "shard" || word == "jobs") && f.words().size() == 2) {
      std::vector<std::string> in = absl::StrSplit(f.words()[1], '/');
      if (in.size() != 2 || !absl::SimpleAtoi(in[0], &s.index) || !absl::SimpleAtoi(in[1], &s.count) ||
          s.count < 1 || s.count > kMaxShards || s.index < 0 || s.index >= s.count) {
        return absl::InvalidArgumentError(absl::StrCat(where(), ": expected '", word, " I/N' with 0 <= I < N"));
      }
      s.claimed = word == "jobs";
      saw_shard = true;
    } else if (word == "bound" && f.words().size() >= 2) {
      BoundStats b;
      if (!absl::SimpleAtoi(f.words()[1], &b.bound) || b.bound < 0) {
        return absl::InvalidArgumentError(absl::StrCat(where(), ": bad bound '", f.words()[1], "'"));
      }
      std::uint64_t* fields[] = {&b.units,  &b.units_taken,  &b.executions, &b.abandoned,    &b.traces,
                                 &b.pruned, &b.pruned_above, &b.skipped,    &b.bound_limited};
      const char* names[] = {"units",  "taken",        "executions", "abandoned",    "traces",
                             "pruned", "pruned_above", "skipped",    "bound_limited"};
      for (int i = 0; i < 9; ++i) {
        absl::StatusOr<std::uint64_t> v = f.Number(names[i]);
        if (!v.ok()) return v.status();
        *fields[i] = *v;
      }
      absl::StatusOr<std::uint64_t> complete = f.Number("complete");
      if (!complete.ok()) return complete.status();
      b.complete = *complete != 0;
      if (!r.bounds.empty() && b.bound != r.bounds.back().bound + 1) {
        return absl::InvalidArgumentError(absl::StrCat(where(), ": bound ", b.bound, " after bound ", r.bounds.back().bound));
      }
      AddBound(&r, b);
    } else if (word == "found") {
      if (!SignatureFromName(f.Text("signature"), &r.signature)) {
        return absl::InvalidArgumentError(absl::StrCat(where(), ": unknown signature '", f.Text("signature"), "'"));
      }
      absl::StatusOr<std::uint64_t> p = f.Number("preemptions");
      if (!p.ok()) return p.status();
      absl::StatusOr<std::uint64_t> b = f.Number("bound");
      if (!b.ok()) return b.status();
      absl::StatusOr<std::uint64_t> u = f.Number("unit");
      if (!u.ok()) return u.status();
      r.found = true;
      r.preemptions = static_cast<std::uint32_t>(*p);
      r.bound = static_cast<int>(*b);
      r.unit = *u;
    } else if (word == "min_preemptions") {
      for (std::size_t i = 1; i < f.words().size(); ++i) {
        const std::string& w = f.words()[i];
        std::size_t eq = w.find('=');
        Signature sig;
        std::uint32_t v;
        if (eq == std::string::npos || !SignatureFromName(w.substr(0, eq), &sig) ||
            !absl::SimpleAtoi(w.substr(eq + 1), &v)) {
          return absl::InvalidArgumentError(absl::StrCat(where(), ": expected SIGNATURE=N, got '", w, "'"));
        }
        if (r.bounds.empty()) {
          return absl::InvalidArgumentError(absl::StrCat(where(), ": min_preemptions before any bound line"));
        }
        r.bounds.back().min_preemptions[static_cast<int>(sig)] = v;
        r.min_preemptions[static_cast<int>(sig)] = std::min(r.min_preemptions[static_cast<int>(sig)], v);
      }
    } else if (word == "result") {
      absl::StatusOr<std::uint64_t> c = f.Number("complete");
      if (!c.ok()) return c.status();
      absl::StatusOr<std::uint64_t> st = f.Number("stopped");
      if (!st.ok()) return st.status();
      absl::StatusOr<std::uint64_t> d = f.Number("depth");
      if (!d.ok()) return d.status();
      double seconds;
      if (!absl::SimpleAtod(f.Text("seconds"), &seconds)) {
        return absl::InvalidArgumentError(absl::StrCat(where(), ": result: bad seconds='", f.Text("seconds"), "'"));
      }
      r.complete = *c != 0;
      r.stopped = *st != 0;
      r.stats.max_depth = *d;
      r.stats.seconds = seconds;
      saw_result = true;
    } else if (word == kCounterexample && f.words().size() == 1) {
      absl::StatusOr<Repro> cex = ParseRepro(text.substr(pos), absl::StrCat(Av(filename), " (counterexample from line ", line_no + 1, ")"));
      if (!cex.ok()) return cex.status();
      r.counterexample = *cex;
      pos = text.size();
    } else {
      return absl::InvalidArgumentError(absl::StrCat(where(), ": unknown line '", word, "'"));
    }
  }
  ++line_no;
  if (!saw_search || !saw_options || !saw_shard || !saw_result) {
    return absl::InvalidArgumentError(absl::StrCat(
        where(), ": truncated: no '",
        !saw_search ? "search" : !saw_options ? "options" : !saw_shard ? "shard" : "result", "' line"));
  }
  if (r.found && r.counterexample.schedule.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where(), ": 'found' without a counterexample"));
  }
  return s;
}

namespace {

// Worker `index` of `count`: the search with `o`'s units (its split's
// unit_preemptions, else 1) taken as `take_unit` says.
ShardResult SearchAsWorker(const Scenario& s, ExploreOptions o, std::string_view guest, int index, int count,
                           bool claimed, std::function<ExploreOptions::Take(int, std::uint64_t)> take_unit,
                           const std::function<void(const ExploreStats&)>& progress) {
  ExploreOptions::Split split;
  if (o.split) split.unit_preemptions = o.split->unit_preemptions;
  split.take_unit = std::move(take_unit);
  o.split = &split;
  ShardResult r;
  r.key = KeyOfSearch(s, o, guest);
  r.index = index;
  r.count = count;
  r.claimed = claimed;
  r.result = Explore(s, o, progress);
  return r;
}

}  // namespace

ShardResult ExploreShard(const Scenario& s, ExploreOptions o, std::string_view guest, int index, int count,
                         const std::function<void(const ExploreStats&)>& progress) {
  auto take = [index, count](int, std::uint64_t unit) {
    return unit % static_cast<std::uint64_t>(count) == static_cast<std::uint64_t>(index)
               ? ExploreOptions::Take::kTake
               : ExploreOptions::Take::kSkip;
  };
  return SearchAsWorker(s, o, guest, index, count, /*claimed=*/false, take, progress);
}

absl::StatusOr<MergedSearch> MergeShards(const std::vector<ShardResult>& shards,
                                         const std::vector<std::string>& names) {
  if (shards.empty()) return absl::InvalidArgumentError("merge: no shard results");
  auto name = [&](std::size_t i) { return i < names.size() ? names[i] : absl::StrCat("shard ", i); };
  const ShardResult& first = shards[0];
  std::vector<int> seen(first.count, -1);
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const ShardResult& s = shards[i];
    if (s.key.search != first.key.search || s.key.options != first.key.options) {
      return absl::InvalidArgumentError(absl::StrCat(name(i), ": a shard of another search than ", name(0),
                                                     " (search ", s.key.search, ", options ", s.key.options,
                                                     "; ", name(0), ": search ", first.key.search, ")"));
    }
    if (s.count != first.count || s.claimed != first.claimed) {
      return absl::InvalidArgumentError(absl::StrCat(name(i), ": shard ", s.index, "/", s.count, " does not go with ",
                                                     name(0), "'s ", first.index, "/", first.count));
    }
    if (seen[s.index] >= 0) {
      return absl::InvalidArgumentError(absl::StrCat(name(i), ": shard ", s.index, "/", s.count,
                                                     " given twice (also ", name(seen[s.index]), ")"));
    }
    seen[s.index] = static_cast<int>(i);
  }
  for (int k = 0; k < first.count; ++k) {
    if (seen[k] < 0) {
      return absl::InvalidArgumentError(absl::StrCat("merge: shard ", k, "/", first.count, " is missing (",
                                                     shards.size(), " of ", first.count, " given)"));
    }
  }
  MergedSearch m;
  m.shards = first.count;
  ExploreResult& out = m.result;
  // The first violation: the lowest (bound, unit) of all shards.
  const ShardResult* winner = nullptr;
  for (const ShardResult& s : shards) {
    if (s.result.found && (winner == nullptr || Key(s.result) < Key(winner->result))) winner = &s;
  }
  std::size_t nr_bounds = 0;
  for (const ShardResult& s : shards) nr_bounds = std::max(nr_bounds, s.result.bounds.size());
  for (std::size_t b = 0; b < nr_bounds; ++b) {
    // The serial search ends with the bound of its first violation.
    if (winner != nullptr && !winner->result.bounds.empty() &&
        winner->result.bounds[0].bound + static_cast<int>(b) > winner->result.bound) {
      break;
    }
    BoundStats total;
    total.complete = true;
    const BoundStats* top = nullptr;  // a shard that finished the bound: the top of the tree as it saw it
    std::size_t top_from = 0;
    for (std::size_t i = 0; i < shards.size(); ++i) {
      const ExploreResult& r = shards[i].result;
      if (b >= r.bounds.size()) {
        total.complete = false;
        continue;
      }
      const BoundStats& x = r.bounds[b];
      total.bound = x.bound;
      if (top != nullptr && x.bound != top->bound) {
        return absl::InvalidArgumentError(absl::StrCat(name(i), ": its bound ", x.bound, " is bound ", top->bound,
                                                       " in ", name(top_from)));
      }
      if (x.complete && top != nullptr && (x.units != top->units || x.pruned_above != top->pruned_above)) {
        return absl::InvalidArgumentError(absl::StrCat(
            name(i), ": disagrees with ", name(top_from), " on the top of the tree at bound ", x.bound, " (units ",
            x.units, " vs ", top->units, ", pruned above them ", x.pruned_above, " vs ", top->pruned_above,
            "): not one search, or not a deterministic one"));
      }
      if (x.complete && top == nullptr) {
        top = &x;
        top_from = i;
      }
      total.executions += x.executions;
      total.abandoned += x.abandoned;
      total.traces += x.traces;
      total.pruned += x.pruned;
      total.skipped += x.skipped;
      total.bound_limited += x.bound_limited;
      total.units_taken += x.units_taken;
      for (int k = 0; k < kSignatureCount; ++k) {
        total.min_preemptions[k] = std::min(total.min_preemptions[k], x.min_preemptions[k]);
        out.min_preemptions[k] = std::min(out.min_preemptions[k], x.min_preemptions[k]);
      }
      total.complete = total.complete && x.complete;
      // A shard of I mod N takes exactly its units.
      if (x.complete && !shards[i].claimed) {
        const std::uint64_t n = first.count, k = shards[i].index;
        const std::uint64_t expect = x.units / n + (k < x.units % n ? 1 : 0);
        if (x.units_taken != expect) {
          return absl::InvalidArgumentError(absl::StrCat(name(i), ": shard ", k, "/", n, " took ", x.units_taken,
                                                         " of bound ", x.bound, "'s ", x.units,
                                                         " units, not its ", expect));
        }
      }
    }
    if (top != nullptr) {
      total.units = top->units;
      total.pruned_above = top->pruned_above;
    }
    if (total.complete && total.units_taken != total.units) {
      return absl::InvalidArgumentError(absl::StrCat("merge: bound ", total.bound, ": the shards took ",
                                                     total.units_taken, " units of ", total.units,
                                                     " (each must be taken once)"));
    }
    AddBound(&out, total);
    m.skipped += total.skipped;
    m.units += total.units;
  }
  // Whether the first violation is established (every unit before it was
  // searched), or the search is clean: every shard finished every bound.
  bool covered = true;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const ExploreResult& r = shards[i].result;
    if (winner == nullptr) {
      if (!r.complete) {
        covered = false;
        if (m.unfinished.empty()) m.unfinished = name(i);
      }
      continue;
    }
    for (std::size_t b = 0; b < out.bounds.size() && out.bounds[b].bound <= winner->result.bound; ++b) {
      const bool finished = b < r.bounds.size() && r.bounds[b].complete;
      const bool at_verdict = out.bounds[b].bound == winner->result.bound;
      // At the verdict's bound a shard stops at its own first violation, and
      // a worker of --jobs at a unit after the winner's.
      if (!finished && !(at_verdict && (r.found || (shards[i].claimed && r.stopped)))) {
        covered = false;
        if (m.unfinished.empty()) m.unfinished = name(i);
      }
    }
  }
  for (const ShardResult& s : shards) {
    out.stats.max_depth = std::max(out.stats.max_depth, s.result.stats.max_depth);
    out.stats.seconds = std::max(out.stats.seconds, s.result.stats.seconds);
  }
  if (winner != nullptr) {
    out.found = true;
    out.signature = winner->result.signature;
    out.preemptions = winner->result.preemptions;
    out.bound = winner->result.bound;
    out.unit = winner->result.unit;
    out.counterexample = winner->result.counterexample;
  }
  m.established = covered;
  // As in the serial search: complete unless it stopped at its first violation.
  out.complete = covered && (winner == nullptr || winner->result.complete);
  out.every_interleaving = out.complete && !out.bounds.empty() && out.bounds.back().bound_limited == 0;
  return m;
}

namespace {

// The bounds an iterative search of --jobs may search: 0..64.
constexpr int kMaxJobsBounds = 65;

// What the processes of ExploreJobs share (an anonymous shared mapping).
struct JobsShared {
  static constexpr std::uint64_t kNoViolation = ~std::uint64_t{0};
  std::atomic<std::uint64_t> first_violation;  // (bound << 40) | unit
  std::atomic<std::uint64_t> executions[kMaxExploreJobs];
  std::atomic<std::uint64_t> traces[kMaxExploreJobs];
  std::atomic<std::uint64_t> next_unit[kMaxJobsBounds];  // per bound searched
};

std::uint64_t PackKey(int bound, std::uint64_t unit) {
  return (static_cast<std::uint64_t>(bound) << 40) | std::min<std::uint64_t>(unit, (std::uint64_t{1} << 40) - 1);
}

// One worker: the search, its units claimed from the shared counter.
ShardResult RunJob(const Scenario& s, const ExploreOptions& o, std::string_view guest, int index, int jobs,
                   JobsShared* shared) {
  std::vector<std::int64_t> claim(kMaxJobsBounds, -1);
  const bool stop_at_first = o.stop_at_first;
  const int first_bound = o.iterative ? 0 : o.max_preemptions;
  auto take = [&](int bound, std::uint64_t unit) {
    if (stop_at_first && PackKey(bound, unit) > shared->first_violation.load(std::memory_order_relaxed)) {
      return ExploreOptions::Take::kStop;  // another worker found an earlier one
    }
    std::int64_t& c = claim[bound - first_bound];
    if (c < static_cast<std::int64_t>(unit)) {
      c = static_cast<std::int64_t>(shared->next_unit[bound - first_bound].fetch_add(1, std::memory_order_relaxed));
    }
    return c == static_cast<std::int64_t>(unit) ? ExploreOptions::Take::kTake : ExploreOptions::Take::kSkip;
  };
  ShardResult r = SearchAsWorker(s, o, guest, index, jobs, /*claimed=*/true, take, [&](const ExploreStats& st) {
    shared->executions[index].store(st.executions, std::memory_order_relaxed);
    shared->traces[index].store(st.distinct_traces, std::memory_order_relaxed);
  });
  if (r.result.found) {
    const std::uint64_t k = PackKey(r.result.bound, r.result.unit);
    std::uint64_t cur = shared->first_violation.load();
    while (k < cur && !shared->first_violation.compare_exchange_weak(cur, k)) {
    }
  }
  shared->executions[index].store(r.result.stats.executions, std::memory_order_relaxed);
  shared->traces[index].store(r.result.stats.distinct_traces, std::memory_order_relaxed);
  return r;
}

}  // namespace

absl::StatusOr<MergedSearch> ExploreJobs(const Scenario& s, const ExploreOptions& o, std::string_view guest,
                                         int jobs, const std::function<void(const ExploreStats&)>& progress) {
  if (jobs < 1 || jobs > kMaxExploreJobs) {
    return absl::InvalidArgumentError(absl::StrCat("--jobs: expected 1 to ", kMaxExploreJobs, ", got ", jobs));
  }
  if (o.iterative && o.max_preemptions >= kMaxJobsBounds) {
    return absl::InvalidArgumentError("--jobs: an iterative search to a bound above 64");
  }
  void* mem = mmap(nullptr, sizeof(JobsShared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return absl::InternalError(absl::StrCat("--jobs: mmap: ", std::strerror(errno)));
  auto* shared = new (mem) JobsShared();
  shared->first_violation.store(JobsShared::kNoViolation);
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::vector<std::string>> outputs = RunWorkers(
      jobs, "explore --jobs",
      [&](int w, const WorkerWrite& write) { write(FormatShard(RunJob(s, o, guest, w, jobs, shared))); }, {},
      [&] {
        if (!progress) return;
        ExploreStats st;
        for (int i = 0; i < jobs; ++i) {
          st.executions += shared->executions[i].load(std::memory_order_relaxed);
          st.distinct_traces += shared->traces[i].load(std::memory_order_relaxed);
        }
        st.bound = o.max_preemptions;
        st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        progress(st);
      });
  shared->~JobsShared();
  munmap(mem, sizeof(JobsShared));
  if (!outputs.ok()) return outputs.status();
  std::vector<ShardResult> results;
  std::vector<std::string> names;
  for (int i = 0; i < jobs; ++i) {
    names.push_back(absl::StrCat("worker ", i));
    absl::StatusOr<ShardResult> r = ParseShard((*outputs)[i], names.back());
    if (!r.ok()) return absl::InternalError(absl::StrCat("explore --jobs: ", r.status().message()));
    results.push_back(*std::move(r));
  }
  return MergeShards(results, names);
}

}  // namespace smpfuzz
