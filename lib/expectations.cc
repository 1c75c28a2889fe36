// SPDX-License-Identifier: GPL-2.0-only
#include "lib/expectations.h"

#include <algorithm>

#include "absl/status/status.h"
#include "lib/model_guest.h"

namespace smpfuzz {

// A reproducer leaves out the options it does not change: its defaults must
// be the simulator's.
static_assert(Repro::kDefaultMaxSteps == SimOptions{}.max_steps);
static_assert(Repro::kDefaultNsPerStep == SimOptions{}.ns_per_step);
static_assert(Repro::kDefaultStopOn == SimOptions{}.stop_on);

SimOptions RunOptions(const Repro& r) {
  SimOptions o;
  o.max_steps = r.max_steps;
  o.ns_per_step = r.ns_per_step;
  o.stop_on = r.stop_on;
  return o;
}

void StateExpectations(Repro* r) {
  Simulator sim(NewModelGuest());
  r->expectations.clear();
  // The three kernels, and the scenario's own variant when it is a mutant.
  std::vector<const Variant*> variants = {FindVariant("baseline"), FindVariant("b0473dcd"),
                                          FindVariant("fixed")};
  const Variant* own = r->scenario.variant;
  if (own != nullptr && std::find(variants.begin(), variants.end(), own) == variants.end()) {
    variants.push_back(own);
  }
  for (const Variant* v : variants) {
    Scenario s = r->scenario;
    s.variant = v;
    if (!sim.Load(s).ok()) continue;
    SimOptions opt = RunOptions(*r);
    opt.record_trace = false;
    const RunResult& res = sim.Run(r->schedule, opt);
    Expectation e;
    e.variant = s.variant;
    e.clean = res.clean();
    for (int k = 0; k < kSignatureCount; ++k) {
      if (res.Has(static_cast<Signature>(k))) e.signatures.push_back(static_cast<Signature>(k));
    }
    r->expectations.push_back(e);
  }
}

std::vector<std::string> CheckExpectations(const Repro& r, std::string_view filename) {
  std::vector<std::string> failures;
  Simulator sim(NewModelGuest());
  for (const Expectation& e : r.expectations) {
    Scenario s = r.scenario;
    s.variant = e.variant;
    absl::Status loaded = sim.Load(s);
    std::string where = std::string(filename) + ":" + std::to_string(e.line) + ": expect " + e.variant->name;
    if (!loaded.ok()) {
      failures.push_back(where + ": scenario does not load: " + std::string(loaded.message()));
      continue;
    }
    SimOptions opt = RunOptions(r);
    opt.record_trace = false;
    const RunResult& res = sim.Run(r.schedule, opt);
    std::string got;
    for (int i = 0; i < kSignatureCount; ++i) {
      if (res.Has(static_cast<Signature>(i))) {
        got += std::string(got.empty() ? "" : " ") + SignatureName(static_cast<Signature>(i));
      }
    }
    if (got.empty()) got = "clean";
    if (e.clean && !res.clean()) {
      failures.push_back(where + ": expected clean, got " + got);
    }
    for (Signature sig : e.signatures) {
      if (!res.Has(sig)) {
        failures.push_back(where + ": expected " + SignatureName(sig) + ", got " + got);
      }
    }
  }
  return failures;
}

}  // namespace smpfuzz
