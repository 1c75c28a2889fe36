// SPDX-License-Identifier: GPL-2.0-only
#include "lib/triage.h"

#include "lib/explorer.h"
#include "lib/input_bytes.h"

namespace smpfuzz {
namespace {

// Whether some schedule of `s` within 3 preemptions gives `sig`.
bool Reproduces(const Scenario& s, Signature sig, double seconds, ExploreResult* out) {
  ExploreOptions o;
  o.max_preemptions = 3;
  o.violations = SignatureBit(sig);
  o.max_seconds = seconds;
  *out = Explore(s, o);
  return out->found;
}

bool Referenced(const Scenario& s, int cpu) {
  for (const auto& ops : s.ops) {
    for (const Op& op : ops) {
      if ((op.kind == OpKind::kCallSingle || op.kind == OpKind::kCallSingleAsync) &&
          op.target == cpu) {
        return true;
      }
      if (op.kind == OpKind::kCallMany && ((op.mask >> cpu) & 1)) return true;
    }
  }
  return false;
}

}  // namespace

MinimizeResult Minimize(const Repro& in, Signature signature, double seconds_per_check) {
  MinimizeResult res;
  Simulator sim;
  std::string err = sim.Load(in.scenario);
  if (!err.empty()) {
    res.why = err;
    return res;
  }
  SimOptions opt = in.Options();
  opt.record_trace = false;
  const RunResult& first = sim.Run(in.schedule, opt);
  if (signature == Signature::kCount) {
    if (first.clean()) {
      res.why = "the input replays clean";
      return res;
    }
    signature = first.Primary()->signature;
  }
  res.signature = signature;
  Scenario s = in.scenario;
  ExploreResult found;
  if (!Reproduces(s, signature, seconds_per_check, &found)) {
    // Deeper than the explorer's bound: keep the input's own schedule.
    res.ok = true;
    res.repro = in;
    res.preemptions = first.preemptions;
    StateExpectations(&res.repro);
    return res;
  }
  // Fewest operations: drop one at a time while the signature stays.
  for (bool progress = true; progress;) {
    progress = false;
    for (int cpu = 0; cpu < s.nr_cpus && !progress; ++cpu) {
      for (std::size_t i = 0; i < s.ops[cpu].size() && !progress; ++i) {
        Scenario c = s;
        c.ops[cpu].erase(c.ops[cpu].begin() + static_cast<std::ptrdiff_t>(i));
        ExploreResult e;
        if (c.TotalOps() > 0 && Reproduces(c, signature, seconds_per_check, &e)) {
          s = c;
          found = e;
          ++res.ops_removed;
          progress = true;
        }
      }
    }
  }
  // Fewest CPUs: drop the last one while nobody runs on it or calls it.
  while (s.nr_cpus > kMinCpus && s.ops.back().empty() && !Referenced(s, s.nr_cpus - 1)) {
    Scenario c = s;
    c.nr_cpus--;
    c.ops.pop_back();
    c.offline_mask &= (std::uint64_t{1} << c.nr_cpus) - 1;
    ExploreResult e;
    if (!c.Validate().empty() || !Reproduces(c, signature, seconds_per_check, &e)) break;
    s = c;
    found = e;
  }
  res.ok = true;
  res.repro.scenario = s;
  res.repro.schedule = found.counterexample.schedule;
  res.repro.max_steps = in.max_steps;
  res.repro.ns_per_step = in.ns_per_step;
  res.repro.stop_on = in.stop_on;
  res.preemptions = found.preemptions;
  StateExpectations(&res.repro);
  return res;
}

TriageResult Triage(const std::vector<std::string>& files, const Variant* raw_variant,
                    bool minimize) {
  TriageResult t;
  Simulator sim;
  for (const std::string& path : files) {
    ++t.files;
    Repro r;
    std::string error;
    bool was_text = false;
    if (!ReadReproOrInput(path, raw_variant, /*force_raw=*/false, &r, &was_text, &error)) {
      ++t.bad;
      t.errors.push_back(error);
      continue;
    }
    if (!sim.Load(r.scenario).empty()) {
      ++t.bad;
      t.errors.push_back(path + ": scenario does not load");
      continue;
    }
    SimOptions opt = r.Options();
    opt.record_trace = false;
    const RunResult& res = sim.Run(r.schedule, opt);
    if (res.clean()) {
      ++t.clean;
      continue;
    }
    const Report* p = res.Primary();
    std::string key = p->DedupKey();
    Bucket* b = nullptr;
    for (Bucket& x : t.buckets) {
      if (x.key == key) b = &x;
    }
    auto size = [](const Repro& x) { return x.scenario.TotalOps() * 100000 + x.schedule.size(); };
    if (b == nullptr) {
      t.buckets.push_back(Bucket{key, p->signature, 0, path, path, r, {}});
      b = &t.buckets.back();
    } else if (size(r) < size(b->smallest)) {
      b->smallest = r;
      b->smallest_file = path;
    }
    ++b->count;
  }
  if (minimize) {
    for (Bucket& b : t.buckets) b.minimized = Minimize(b.smallest, b.signature);
  }
  return t;
}

}  // namespace smpfuzz
