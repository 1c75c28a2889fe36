// SPDX-License-Identifier: GPL-2.0-only
#include "lib/minimality.h"

#include "absl/status/status.h"
#include "lib/expectations.h"
#include "lib/explorer.h"
#include "lib/model_guest.h"
#include "lib/simulator.h"

namespace smpfuzz {
namespace {

// The iterative search for `sig` on `s` up to `bound`, as the claims need it.
ExploreResult FewestPreemptions(const Repro& r, const Scenario& s, Signature sig, std::uint32_t bound,
                                const MinimalityOptions& options) {
  ExploreOptions o;
  o.max_preemptions = static_cast<int>(bound);
  o.iterative = true;
  o.sleep_sets = options.reduction;
  o.max_steps = r.max_steps;
  o.max_executions = options.max_executions;
  o.violations = SignatureBit(sig);
  o.stop_at_first = true;
  o.sim = RunOptions(r);
  return Explore(s, o);
}

}  // namespace

std::vector<std::string> CheckMinimality(const Repro& r, std::string_view filename,
                                         const MinimalityOptions& options) {
  std::vector<std::string> failures;
  for (const MinimalClaim& m : r.minimal) {
    const std::string where = std::string(filename) + ":" + std::to_string(m.line) + ": minimal " +
                              m.variant->name + " " + SignatureName(m.signature) +
                              " preemptions=" + std::to_string(m.preemptions) + ": ";
    Scenario s = r.scenario;
    s.variant = m.variant;
    if (absl::Status valid = s.Validate(); !valid.ok()) {
      failures.push_back(where + std::string(valid.message()));
      continue;
    }
    const ExploreResult e = FewestPreemptions(r, s, m.signature, m.preemptions, options);
    if (e.found && e.preemptions < m.preemptions) {
      failures.push_back(where + "a schedule with " + std::to_string(e.preemptions) +
                         " preemption(s) reports it: " + FormatSchedule(e.counterexample.schedule));
    } else if (!e.complete && !e.found) {
      failures.push_back(where + "not covered within " + std::to_string(options.max_executions) +
                         " executions (bound " + std::to_string(e.stats.bound) + ")");
    } else if (!e.found) {
      failures.push_back(where + "no schedule with up to " + std::to_string(m.preemptions) +
                         " preemption(s) reports it");
    }
  }
  return failures;
}

std::vector<MinimalClaim> StateMinimality(const Repro& r, std::uint32_t max_preemptions,
                                          const MinimalityOptions& options) {
  std::vector<MinimalClaim> claims;
  Simulator sim(NewModelGuest());
  if (!sim.Load(r.scenario).ok()) return claims;
  SimOptions opt = RunOptions(r);
  opt.record_trace = false;
  const std::uint32_t fired = sim.Run(r.schedule, opt).fired;
  for (int i = 0; i < kSignatureCount; ++i) {
    const Signature sig = static_cast<Signature>(i);
    if ((fired & SignatureBit(sig)) == 0) continue;
    const ExploreResult e = FewestPreemptions(r, r.scenario, sig, max_preemptions, options);
    if (e.found) claims.push_back({r.scenario.variant, sig, e.preemptions, 0});
  }
  return claims;
}

}  // namespace smpfuzz
