// SPDX-License-Identifier: GPL-2.0-only
#include "fuzz/smp_harness.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "lib/trace_format.h"

namespace smpfuzz::fuzz {
namespace {

Simulator& Sim() {
  static Simulator* sim = new Simulator;  // lives for the process; never torn down mid-run
  return *sim;
}

}  // namespace

HarnessConfig& Config() {
  static HarnessConfig config;
  return config;
}

void InitConfigFromEnvironment(const char* default_variant) {
  HarnessConfig& c = Config();
  const char* name = std::getenv("SMPFUZZ_VARIANT");
  if (name == nullptr || *name == '\0') name = default_variant;
  c.variant = FindVariant(name);
  if (c.variant == nullptr) {
    std::fprintf(stderr, "smpfuzz fuzz target: SMPFUZZ_VARIANT: unknown variant '%s' (known: %s)\n",
                 name, VariantNames(true).c_str());
    std::exit(2);
  }
  const char* plain = std::getenv("SMPFUZZ_PLAIN");
  c.feedback = !(plain != nullptr && std::strcmp(plain, "1") == 0);
  c.crash_on = ~0u;
  const char* crash_on = std::getenv("SMPFUZZ_CRASH_ON");
  if (crash_on != nullptr && *crash_on != '\0') {
    std::string bad;
    if (!ParseSignatureList(crash_on, &c.crash_on, &bad)) {
      std::fprintf(stderr, "smpfuzz fuzz target: SMPFUZZ_CRASH_ON: unknown signature '%s'\n",
                   bad.c_str());
      std::exit(2);
    }
  }
}

Outcome RunInput(const std::uint8_t* data, std::size_t size, std::uint8_t* interleaving_map) {
  const HarnessConfig& c = Config();
  Repro r = DecodeInputBytes(data, size, c.variant);
  Outcome out;
  Simulator& sim = Sim();
  if (!sim.Load(r.scenario).empty()) return out;  // cannot happen: bytes always decode validly
  SimOptions opt;
  opt.max_steps = c.max_steps;
  opt.record_trace = false;
  opt.hash_trace = false;
  opt.verbose = false;
  opt.interleaving_map = interleaving_map;
  const RunResult& res = sim.Run(r.schedule, opt);
  for (const Report& rep : res.reports) {
    if (IsKnownFinding(sim, rep)) {
      out.known |= SignatureBit(rep.signature);
      continue;
    }
    if (!(c.crash_on & SignatureBit(rep.signature))) continue;
    if (!out.finding || rep.signature < out.signature) out.signature = rep.signature;
    out.finding = true;
  }
  return out;
}

std::string DescribeInput(const std::uint8_t* data, std::size_t size) {
  const HarnessConfig& c = Config();
  Repro r = DecodeInputBytes(data, size, c.variant);
  Simulator sim;
  if (!sim.Load(r.scenario).empty()) return "";
  SimOptions opt;
  opt.max_steps = c.max_steps;
  const RunResult& res = sim.Run(r.schedule, opt);
  std::string out = FormatTrace(sim, res) + "\n" + FormatVerdict(sim, res);
  for (const Report& rep : res.reports) {
    if (IsKnownFinding(sim, rep)) {
      out += std::string("  (known finding, not a crash: ") + SignatureName(rep.signature) + ")\n";
    }
  }
  out += "\nreplay: bazel run //tools:smpfuzz -- replay --variant=" + std::string(c.variant->name) +
         " CRASH_FILE\nas a reproducer: bazel run //tools:smpfuzz -- convert CRASH_FILE --to=text --variant=" +
         c.variant->name + "\n";
  out += FormatRepro(r);
  return out;
}

}  // namespace smpfuzz::fuzz
