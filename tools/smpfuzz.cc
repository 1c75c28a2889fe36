// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz: the command line. See README.md, "Command line".
//
// Exit status: 0 no violation, 1 violation found (or an expectation failed
// with --check), 2 bad usage or bad input.

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <unistd.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "fuzz/smp_harness.h"
#include "lib/explorer.h"
#include "lib/expectations.h"
#include "lib/input_bytes.h"
#include "lib/inputs.h"
#include "lib/json.h"
#include "lib/model_guest.h"
#include "lib/repro.h"
#include "lib/simulator.h"
#include "lib/trace_format.h"
#include "lib/trace_svg.h"
#include "lib/triage.h"
#include "tools/hunt/hunt.h"

ABSL_FLAG(std::string, variant, "",
          "variant to run (baseline, b0473dcd, fixed, or a mutant); default: the reproducer's "
          "own, b0473dcd for raw fuzzer inputs");
ABSL_FLAG(bool, json, false, "print JSON instead of the table");
ABSL_FLAG(bool, raw, false,
          "treat every FILE as raw fuzzer bytes, even one that begins with 'smpfuzz-repro'");
ABSL_FLAG(bool, trace, true, "print the interleaving (replay)");
ABSL_FLAG(std::string, svg, "", "replay: also draw the run as swim lanes into this SVG file");
ABSL_FLAG(bool, check, false, "replay: check the reproducer's `expect` lines instead");
ABSL_FLAG(std::string, to, "", "convert: `text` (a reproducer) or `bytes` (a fuzzer input)");
ABSL_FLAG(std::string, out, "",
          "convert, explore, minimize: output file (default: standard output); triage: output directory");
ABSL_FLAG(std::string, preemptions, "2", "explore: the preemption bound (searched 0, 1, ... up to it)");
ABSL_FLAG(std::string, reduction, "sleep",
          "explore: `sleep` (sleep sets) or `none`; `unsound-legacy` is the old, unsound "
          "relation, for benchmarks only");
ABSL_FLAG(bool, iterative, true,
          "explore: search bounds 0, 1, ... up to --preemptions (the first violation then has the "
          "fewest preemptions); --noiterative searches only the bound itself (a faster proof)");
ABSL_FLAG(std::string, max_steps, "5000", "explore: steps an execution may take (more: cpu-stuck)");
ABSL_FLAG(std::string, max_seconds, "",
          "explore: stop after this long (default 0: no limit); minimize: stop cutting after this "
          "long and keep the best so far (default 60); triage: the same per bucket (default 60)");
ABSL_FLAG(std::string, cpus, "", "explore without FILE: number of CPUs");
ABSL_FLAG(std::string, ops, "",
          "explore without FILE: operations, `CPU: op args` separated by `;`, e.g. "
          "\"1: call_single target=0 wait=0; 2: call_single target=0 wait=0\"");
ABSL_FLAG(std::string, csdlock_debug, "", "explore: `on` or `off` (default: the file's; on with --ops)");
ABSL_FLAG(std::string, pct, "0", "explore: randomized PCT of this depth instead of the search (0: off)");
ABSL_FLAG(std::string, seed, "1", "explore --pct: random seed");
ABSL_FLAG(std::string, runs, "1000", "explore --pct: number of runs");
ABSL_FLAG(std::string, time, "", "hunt: how long to fuzz, e.g. 2m, 8h, 90s");
ABSL_FLAG(std::string, engine, "libfuzzer,afl", "hunt: engines to run side by side (libfuzzer, afl)");
ABSL_FLAG(std::string, jobs, "", "hunt: fuzzing processes per engine (default: the cores shared out)");
ABSL_FLAG(std::string, libfuzzer_target, "",
          "hunt: the smp fuzz target built with --config=libfuzzer-opt (ci/hunt.sh passes it)");
ABSL_FLAG(std::string, afl_target, "", "hunt: the smp fuzz target built with --config=afl");
ABSL_FLAG(std::string, dict, "", "hunt: a dictionary for both engines, e.g. fuzz/smp.dict");
ABSL_FLAG(std::string, afl_mutator, "",
          "hunt: AFL++ custom mutator library (libsmp_afl_mutator.so, built with -c opt)");
ABSL_FLAG(bool, skip_known_buckets, true,
          "hunt: the engines stop crashing on buckets already found and look for others");
ABSL_FLAG(std::string, merge_every, "5m", "hunt: how often to merge AFL++'s queue into the corpus");
ABSL_FLAG(std::string, signatures, "",
          "explore: comma-separated signatures that count as a violation (default: all)");

namespace smpfuzz {
namespace {

constexpr int kClean = 0;
constexpr int kViolation = 1;
constexpr int kBadInput = 2;

// The default --max_seconds of minimize, and of triage per bucket.
constexpr double kMinimizeSeconds = 60;

constexpr char kUsage[] =
    "smpfuzz: fuzzing and reproducers for kernel/smp.c's CSD queueing.\n"
    "\n"
    "  smpfuzz replay FILE... [--variant=V] [--json] [--raw] [--notrace] [--check] [--svg=OUT]\n"
    "  smpfuzz convert FILE --to=text|bytes [--out=PATH] [--variant=V]\n"
    "  smpfuzz explore FILE [--variant=V] [--preemptions=N] [--reduction=sleep|none] [--noiterative]\n"
    "                       [--max_steps=N] [--max_seconds=S] [--signatures=S,..] [--out=PATH]\n"
    "  smpfuzz explore FILE --pct=DEPTH [--seed=S] [--runs=N] [...]\n"
    "  smpfuzz explore --cpus=N --ops='C: op args; ...' [--csdlock_debug=on|off] [...]\n"
    "  smpfuzz minimize FILE [--variant=V] [--out=PATH] [--max_seconds=S]\n"
    "  smpfuzz triage DIR_OR_FILE... --out=DIR [--variant=V] [--json] [--max_seconds=S]\n"
    "  smpfuzz hunt --time=DURATION --out=DIR [--variant=V] [--engine=libfuzzer,afl] [--jobs=N]\n"
    "               --libfuzzer_target=PATH --afl_target=PATH [--afl_mutator=PATH] [--dict=PATH]\n"
    "               [--merge_every=DURATION] [--noskip_known_buckets]\n"
    "               (ci/hunt.sh builds the targets and fills in the paths)\n"
    "\n"
    "Exit status: 0 no violation, 1 violation, 2 bad usage or input.";

int Usage(const std::string& why) {
  std::fprintf(stderr, "smpfuzz: %s\n%s\n", why.c_str(), kUsage);
  return kBadInput;
}

// A FILE argument as a reproducer: parsed text, or decoded raw bytes (the
// rule of lib/inputs.h for a file a user names, or --raw).
bool Load(const std::string& path, const Variant* raw_variant, Repro* r, bool* was_text,
          std::string* error) {
  absl::StatusOr<Input> in =
      ReadInput(path, raw_variant, absl::GetFlag(FLAGS_raw) ? InputOrigin::kRaw : InputOrigin::kSniff);
  if (!in.ok()) {
    *error = std::string(in.status().message());
    return false;
  }
  *r = std::move(in->repro);
  *was_text = in->was_text;
  return true;
}

// Load() with --variant applied (raw inputs default to kDefaultRawVariant);
// prints the error itself.
bool LoadForcing(const std::string& path, const Variant* forced, Repro* r) {
  bool was_text = false;
  std::string error;
  if (!Load(path, forced ? forced : FindVariant(kDefaultRawVariant), r, &was_text, &error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return false;
  }
  if (forced != nullptr) r->scenario.variant = forced;
  return true;
}

const Variant* VariantFlag(bool* ok) {
  std::string name = absl::GetFlag(FLAGS_variant);
  *ok = true;
  if (name.empty()) return nullptr;
  const Variant* v = FindVariant(name);
  if (v == nullptr) {
    std::fprintf(stderr, "smpfuzz: --variant: unknown variant '%s' (known: %s)\n", name.c_str(),
                 VariantNames(true).c_str());
    *ok = false;
  }
  return v;
}

int Replay(const std::vector<std::string>& files) {
  if (files.empty()) return Usage("replay needs at least one FILE");
  const std::string svg = absl::GetFlag(FLAGS_svg);
  if (!svg.empty() && files.size() != 1) return Usage("--svg draws one FILE at a time");
  bool ok;
  const Variant* forced = VariantFlag(&ok);
  if (!ok) return kBadInput;
  const Variant* raw_variant = forced ? forced : FindVariant(kDefaultRawVariant);
  const bool json = absl::GetFlag(FLAGS_json);
  int status = kClean;
  bool bad = false;
  Simulator sim(NewModelGuest());
  if (json && files.size() > 1) std::printf("[");
  int printed = 0;  // JSON objects so far
  for (std::size_t i = 0; i < files.size(); ++i) {
    Repro r;
    bool was_text = false;
    std::string error;
    if (!Load(files[i], raw_variant, &r, &was_text, &error)) {
      std::fprintf(stderr, "%s\n", error.c_str());
      bad = true;
      continue;
    }
    if (absl::GetFlag(FLAGS_check)) {
      if (r.expectations.empty()) {
        std::fprintf(stderr, "%s: no 'expect' lines to check\n", files[i].c_str());
        bad = true;
        continue;
      }
      std::vector<std::string> failures = CheckExpectations(r, files[i]);
      for (const std::string& f : failures) std::printf("FAIL %s\n", f.c_str());
      if (failures.empty()) {
        std::printf("ok   %s (%zu expectations)\n", files[i].c_str(), r.expectations.size());
      } else {
        status = kViolation;
      }
      continue;
    }
    if (forced != nullptr) r.scenario.variant = forced;
    if (absl::Status loaded = sim.Load(r.scenario); !loaded.ok()) {
      std::fprintf(stderr, "%s: %s\n", files[i].c_str(), std::string(loaded.message()).c_str());
      bad = true;
      continue;
    }
    const RunResult& res = sim.Run(r.schedule, RunOptions(r));
    const TraceContext run{sim.scenario(), sim.locations()};
    if (!res.clean()) status = kViolation;
    if (!svg.empty()) {
      std::ofstream out(svg, std::ios::binary | std::ios::trunc);
      out << FormatSvg(run, res, files[i] + " (" + r.scenario.variant->name + ")");
      out.close();
      if (!out) {
        std::fprintf(stderr, "smpfuzz: --svg: cannot write %s: %s\n", svg.c_str(), std::strerror(errno));
        return kBadInput;
      }
    }
    if (json) {
      if (printed++ > 0) std::printf(",");
      std::string obj = FormatJson(run, res, absl::GetFlag(FLAGS_trace), files[i]);
      std::printf("%s", obj.c_str());
      continue;
    }
    std::printf("== %s (%s, variant %s, csdlock_debug %s, %d CPUs)\n", files[i].c_str(),
                was_text ? "reproducer" : "raw fuzzer input", r.scenario.variant->name,
                r.scenario.csdlock_debug ? "on" : "off", r.scenario.nr_cpus);
    if (absl::GetFlag(FLAGS_trace)) std::printf("%s\n", FormatTrace(run, res).c_str());
    std::printf("%s", FormatVerdict(run, res).c_str());
    if (i + 1 < files.size()) std::printf("\n");
  }
  if (json && (files.size() > 1 || printed > 0)) std::printf(files.size() > 1 ? "]\n" : "\n");
  return bad ? kBadInput : status;
}

bool WriteOutput(const std::string& output) {
  const std::string out_path = absl::GetFlag(FLAGS_out);
  if (out_path.empty()) {
    std::fwrite(output.data(), 1, output.size(), stdout);
    return true;
  }
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  out.write(output.data(), static_cast<std::streamsize>(output.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "smpfuzz: %s: cannot write: %s\n", out_path.c_str(), std::strerror(errno));
    return false;
  }
  return true;
}

// A non-negative number flag; false (and a message) when it is not one.
bool NumberFlag(const char* name, const std::string& text, double max, double* out) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v >= 0) || v > max) {
    std::fprintf(stderr, "smpfuzz: --%s: expected a number from 0 to %.0f, got '%s'\n", name, max,
                 text.c_str());
    return false;
  }
  *out = v;
  return true;
}

// A whole-number flag from min to max (decimal digits only); false (and a
// message naming the flag and the range it checks) otherwise.
bool IntFlag(const char* name, const std::string& text, std::uint64_t min, std::uint64_t max,
             std::uint64_t* out) {
  std::uint64_t v = 0;
  bool ok = !text.empty() && text.size() <= 20;
  for (char c : text) {
    if (!ok) break;
    ok = c >= '0' && c <= '9' && v <= (UINT64_MAX - static_cast<std::uint64_t>(c - '0')) / 10;
    if (ok) v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (!ok || v < min || v > max) {
    std::fprintf(stderr, "smpfuzz: --%s: expected a whole number from %llu to %llu, got '%s'\n",
                 name, static_cast<unsigned long long>(min), static_cast<unsigned long long>(max),
                 text.c_str());
    return false;
  }
  *out = v;
  return true;
}

// --max_seconds: `fallback` when not given.
bool SecondsFlag(double fallback, double* out) {
  const std::string text = absl::GetFlag(FLAGS_max_seconds);
  if (text.empty()) {
    *out = fallback;
    return true;
  }
  return NumberFlag("max_seconds", text, 1e7, out);
}

// The scenario of `explore --cpus=N --ops=...`, through the reproducer parser
// (so its errors name the place in --ops).
bool ScenarioFromFlags(const Variant* variant, Repro* r) {
  std::string text = "smpfuzz-repro 1\ncpus " + absl::GetFlag(FLAGS_cpus) + "\nvariant " +
                     std::string(variant ? variant->name : kDefaultRawVariant) +
                     "\ncsdlock_debug on\n";
  const std::string ops = absl::GetFlag(FLAGS_ops);
  std::size_t start = 0;
  while (start <= ops.size()) {
    std::size_t semi = ops.find(';', start);
    std::string op = ops.substr(start, semi == std::string::npos ? std::string::npos : semi - start);
    if (op.find_first_not_of(" \t") != std::string::npos) text += "cpu " + op + "\n";
    if (semi == std::string::npos) break;
    start = semi + 1;
  }
  if (text.find("\ncpu ") == std::string::npos) {
    std::fprintf(stderr, "smpfuzz: --ops: no operations (expected 'CPU: op args; ...')\n");
    return false;
  }
  absl::StatusOr<Repro> parsed = ParseRepro(text, "--cpus/--ops");
  if (!parsed.ok()) {
    std::fprintf(stderr, "smpfuzz: %s\n", std::string(parsed.status().message()).c_str());
    return false;
  }
  *r = *std::move(parsed);
  return true;
}

int Explore(const std::vector<std::string>& files) {
  const bool from_flags = !absl::GetFlag(FLAGS_cpus).empty() || !absl::GetFlag(FLAGS_ops).empty();
  if (from_flags ? !files.empty() : files.size() != 1) {
    return Usage("explore takes one FILE (a reproducer: its scenario) or --cpus=N --ops=...");
  }
  bool ok;
  const Variant* forced = VariantFlag(&ok);
  if (!ok) return kBadInput;
  ExploreOptions o;
  std::uint64_t preemptions, max_steps;
  double max_seconds;
  if (!IntFlag("preemptions", absl::GetFlag(FLAGS_preemptions), 0, 64, &preemptions) ||
      !IntFlag("max_steps", absl::GetFlag(FLAGS_max_steps), 1, 1000000000, &max_steps) ||
      !SecondsFlag(0, &max_seconds)) {
    return kBadInput;
  }
  const std::string reduction = absl::GetFlag(FLAGS_reduction);
  if (reduction != "sleep" && reduction != "none" && reduction != "unsound-legacy") {
    return Usage("--reduction: expected 'sleep' or 'none', got '" + reduction + "'");
  }
  o.max_preemptions = static_cast<int>(preemptions);
  o.max_steps = max_steps;
  o.max_seconds = max_seconds;
  o.sleep_sets = reduction != "none";
  o.unsound_legacy_sleep_sets = reduction == "unsound-legacy";
  o.iterative = absl::GetFlag(FLAGS_iterative);
  const std::string sigs = absl::GetFlag(FLAGS_signatures);
  if (!sigs.empty()) {
    std::string bad;
    if (!ParseSignatureList(sigs, &o.violations, &bad)) {
      std::fprintf(stderr, "smpfuzz: --signatures: unknown signature '%s'\n", bad.c_str());
      return kBadInput;
    }
  }
  Repro r;
  if (from_flags ? !ScenarioFromFlags(forced, &r) : !LoadForcing(files[0], forced, &r)) {
    return kBadInput;
  }
  const std::string debug = absl::GetFlag(FLAGS_csdlock_debug);
  if (debug == "on" || debug == "off") {
    r.scenario.csdlock_debug = debug == "on";
  } else if (!debug.empty()) {
    return Usage("--csdlock_debug: expected 'on' or 'off', got '" + debug + "'");
  }
  const std::string source = from_flags ? std::string("--cpus/--ops") : files[0];
  auto line = [](const ExploreStats& st) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "bound %d: %llu executions (%llu cut short), %llu distinct traces, %llu pruned, "
                  "depth %llu, %.1f s",
                  st.bound, static_cast<unsigned long long>(st.executions),
                  static_cast<unsigned long long>(st.abandoned),
                  static_cast<unsigned long long>(st.distinct_traces),
                  static_cast<unsigned long long>(st.pruned),
                  static_cast<unsigned long long>(st.max_depth), st.seconds);
    return std::string(buf);
  };
  std::uint64_t pct, seed, runs;
  if (!IntFlag("pct", absl::GetFlag(FLAGS_pct), 0, 64, &pct) ||
      !IntFlag("seed", absl::GetFlag(FLAGS_seed), 0, UINT64_MAX, &seed) ||
      !IntFlag("runs", absl::GetFlag(FLAGS_runs), 1, 1000000000000, &runs)) {
    return kBadInput;
  }
  ExploreResult res;
  if (pct >= 1) {
    PctOptions p;
    p.depth = static_cast<int>(pct);
    p.seed = seed;
    p.runs = runs;
    p.max_steps = o.max_steps;
    p.violations = o.violations;
    res = ExplorePct(r.scenario, p);
  } else {
    res = smpfuzz::Explore(r.scenario, o, [&](const ExploreStats& st) {
      std::fprintf(stderr, "explore: %s\n", line(st).c_str());
    });
  }
  if (res.found) {
    Repro cex = res.counterexample;
    StateExpectations(&cex);
    std::string text = FormatRepro(
        cex, {"counterexample found by smpfuzz explore " + source + " (variant " +
                  std::string(cex.scenario.variant->name) + ", " +
                  std::to_string(res.preemptions) + " preemption(s))"});
    if (!WriteOutput(text)) return kBadInput;
    std::string how = pct >= 1 ? "PCT depth " + std::to_string(static_cast<int>(pct)) + ": run " +
                                     std::to_string(res.stats.executions)
                               : line(res.stats);
    std::fprintf(stderr, "explore: violation %s with %u preemption(s); %s\n",
                 SignatureName(res.signature), res.preemptions, how.c_str());
    return kViolation;
  }
  if (pct >= 1) {
    std::fprintf(stderr, "explore: PCT depth %d: no violation in %llu runs (%llu distinct traces, %.1f s)\n",
                 static_cast<int>(pct), static_cast<unsigned long long>(res.stats.executions),
                 static_cast<unsigned long long>(res.stats.distinct_traces), res.stats.seconds);
    return kClean;
  }
  std::fprintf(stderr, "explore: %s within preemptions <= %d, steps <= %llu (%s): %s\n",
               res.complete ? "clean" : "no violation (budget ran out before the bound was covered)",
               o.max_preemptions, static_cast<unsigned long long>(o.max_steps),
               o.unsound_legacy_sleep_sets ? "UNSOUND legacy sleep sets"
               : o.sleep_sets              ? "sleep sets"
                                           : "no reduction",
               line(res.stats).c_str());
  return kClean;
}

int Minimize(const std::vector<std::string>& files) {
  if (files.size() != 1) return Usage("minimize takes exactly one FILE");
  bool ok;
  const Variant* forced = VariantFlag(&ok);
  if (!ok) return kBadInput;
  double max_seconds;
  if (!SecondsFlag(kMinimizeSeconds, &max_seconds)) return kBadInput;
  Repro r;
  if (!LoadForcing(files[0], forced, &r)) return kBadInput;
  absl::StatusOr<MinimizeResult> minimized =
      smpfuzz::Minimize(r, Signature::kCount, 2.0, max_seconds);
  if (!minimized.ok()) {
    std::fprintf(stderr, "smpfuzz: %s: cannot minimize: %s\n", files[0].c_str(),
                 std::string(minimized.status().message()).c_str());
    return kBadInput;
  }
  const MinimizeResult& m = *minimized;
  std::string text = FormatRepro(
      m.repro, {"minimized by smpfuzz minimize " + files[0] + ": " + SignatureName(m.signature) +
                    ", " + std::to_string(m.preemptions) + " preemption(s), " +
                    std::to_string(m.ops_removed) + " operation(s) removed"});
  if (!WriteOutput(text)) return kBadInput;
  if (m.out_of_time) {
    std::fprintf(stderr, "minimize: stopped at --max_seconds=%g with the best so far: %s\n",
                 max_seconds, MinimizeUndone(m).c_str());
  }
  std::fprintf(stderr, "minimize: %s with %u preemption(s), %d operation(s), %zu steps\n",
               SignatureName(m.signature), m.preemptions, m.repro.scenario.TotalOps(),
               m.repro.schedule.size());
  return kViolation;
}

int Triage(const std::vector<std::string>& args) {
  if (args.empty()) return Usage("triage needs at least one DIR or FILE");
  const std::string out_dir = absl::GetFlag(FLAGS_out);
  if (out_dir.empty()) return Usage("triage needs --out=DIR");
  bool ok;
  const Variant* forced = VariantFlag(&ok);
  if (!ok) return kBadInput;
  double max_seconds;
  if (!SecondsFlag(kMinimizeSeconds, &max_seconds)) return kBadInput;
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) {
    std::fprintf(stderr, "smpfuzz: --out: cannot create %s: %s\n", out_dir.c_str(), ec.message().c_str());
    return kBadInput;
  }
  std::vector<std::string> files;
  for (const std::string& a : args) {
    for (std::string& f : InputFiles(a)) files.push_back(std::move(f));
  }
  // Crash files come from the fuzz harness: bucket them by its rule.
  TriageResult t = smpfuzz::Triage(files, forced ? forced : FindVariant(kDefaultRawVariant), true,
                                   fuzz::IsKnownFinding, max_seconds);
  for (const std::string& e : t.errors) std::fprintf(stderr, "%s\n", e.c_str());
  for (const Bucket& b : t.buckets) {
    if (b.minimized.ok() && b.minimized->out_of_time) {
      std::fprintf(stderr, "triage: %s: minimizing stopped at --max_seconds=%g with the best so far: %s\n",
                   b.key.c_str(), max_seconds, MinimizeUndone(*b.minimized).c_str());
    }
  }
  const bool json = absl::GetFlag(FLAGS_json);
  JsonWriter table_json;
  table_json.BeginObject()
      .Field("files", t.files)
      .Field("clean", t.clean)
      .Field("known", t.known)
      .Field("bad", t.bad)
      .Key("buckets")
      .BeginArray();
  std::string table;
  if (!json) {
    char head[256];
    std::snprintf(head, sizeof head, "%-20s %6s %6s %11s  %-28s %s\n", "signature", "count", "steps",
                  "preemptions", "reproducer", "first file");
    table += head;
  }
  int n = 0;
  for (const Bucket& b : t.buckets) {
    std::string name = std::string(SignatureName(b.signature)) + "-" + std::to_string(++n) + ".repro";
    std::string path = out_dir + "/" + name;
    const Repro& r = b.minimized.ok() ? b.minimized->repro : b.smallest;
    const std::uint32_t preemptions = b.minimized.ok() ? b.minimized->preemptions : 0;
    std::string text = BucketReproText(b);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      std::fprintf(stderr, "smpfuzz: %s: cannot write\n", path.c_str());
      return kBadInput;
    }
    if (json) {
      table_json.BeginObject()
          .Field("signature", SignatureName(b.signature))
          .Field("key", b.key)
          .Field("count", b.count)
          .Field("steps", r.schedule.size())
          .Field("preemptions", preemptions)
          .Field("reproducer", path)
          .Field("first_file", b.first_file)
          .EndObject();
    } else {
      char row[1024];
      std::snprintf(row, sizeof row, "%-20s %6d %6zu %11u  %-28s %s\n", SignatureName(b.signature),
                    b.count, r.schedule.size(), preemptions, name.c_str(),
                    b.first_file.c_str());
      table += row;
    }
  }
  if (json) {
    table = table_json.EndArray().EndObject().str() + "\n";
  } else {
    table += std::to_string(t.files) + " file(s): " + std::to_string(t.buckets.size()) +
             " bucket(s), " + std::to_string(t.clean) + " replay clean, " + std::to_string(t.known) +
             " with known findings only, " + std::to_string(t.bad) +
             " unreadable; reproducers in " + out_dir + "\n";
  }
  std::fwrite(table.data(), 1, table.size(), stdout);
  if (t.bad > 0) return kBadInput;
  return t.buckets.empty() ? kClean : kViolation;
}

int Convert(const std::vector<std::string>& files) {
  if (files.size() != 1) return Usage("convert takes exactly one FILE");
  const std::string to = absl::GetFlag(FLAGS_to);
  if (to != "text" && to != "bytes") {
    return Usage("--to: expected 'text' or 'bytes', got '" + to + "'");
  }
  bool ok;
  const Variant* forced = VariantFlag(&ok);
  if (!ok) return kBadInput;
  Repro r;
  if (!LoadForcing(files[0], forced, &r)) return kBadInput;
  std::string output;
  if (to == "bytes") {
    absl::StatusOr<std::string> bytes = EncodeInputBytes(r);
    if (!bytes.ok()) {
      std::fprintf(stderr, "%s: cannot convert to bytes: %s\n", files[0].c_str(),
                   std::string(bytes.status().message()).c_str());
      return kBadInput;
    }
    output = *std::move(bytes);
  } else {
    if (r.expectations.empty()) StateExpectations(&r);
    output = FormatRepro(r, {"converted by smpfuzz convert from " + files[0]});
  }
  return WriteOutput(output) ? kClean : kBadInput;
}

bool DurationFlag(const char* name, const std::string& text, double* seconds) {
  absl::Duration d;
  if (!absl::ParseDuration(text, &d) || d <= absl::ZeroDuration()) {
    std::fprintf(stderr, "smpfuzz: --%s: expected a duration such as 90s, 2m or 8h, got '%s'\n", name,
                 text.c_str());
    return false;
  }
  *seconds = absl::ToDoubleSeconds(d);
  return true;
}

int Hunt(const std::vector<std::string>& args) {
  if (!args.empty()) return Usage("hunt takes no FILE, only flags");
  hunt::HuntOptions o;
  if (absl::GetFlag(FLAGS_time).empty()) {
    std::fprintf(stderr, "smpfuzz: hunt needs --time, e.g. --time=8h\n");
    return kBadInput;
  }
  if (!DurationFlag("time", absl::GetFlag(FLAGS_time), &o.seconds) ||
      !DurationFlag("merge_every", absl::GetFlag(FLAGS_merge_every), &o.merge_every)) {
    return kBadInput;
  }
  o.variant = absl::GetFlag(FLAGS_variant).empty() ? kDefaultRawVariant : absl::GetFlag(FLAGS_variant);
  o.out = absl::GetFlag(FLAGS_out);
  for (absl::string_view e : absl::StrSplit(absl::GetFlag(FLAGS_engine), ',', absl::SkipEmpty())) {
    if (std::find(o.engines.begin(), o.engines.end(), e) == o.engines.end()) o.engines.emplace_back(e);
  }
  const std::string jobs = absl::GetFlag(FLAGS_jobs);
  if (jobs.empty()) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o.jobs = std::max<long>(1, cores / std::max<std::size_t>(1, o.engines.size()));
  } else {
    std::uint64_t n;
    if (!IntFlag("jobs", jobs, 1, 256, &n)) return kBadInput;
    o.jobs = static_cast<int>(n);
  }
  o.libfuzzer_target = absl::GetFlag(FLAGS_libfuzzer_target);
  o.afl_target = absl::GetFlag(FLAGS_afl_target);
  o.dict = absl::GetFlag(FLAGS_dict);
  o.afl_mutator = absl::GetFlag(FLAGS_afl_mutator);
  o.skip_known_buckets = absl::GetFlag(FLAGS_skip_known_buckets);
  return hunt::RunHunt(o);
}

// Abseil exits with status 1 on a bad flag; the contract is 2. Check first.
bool FlagsAreValid(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    std::string name = body.substr(0, body.find('='));
    bool has_value = body.find('=') != std::string::npos;
    std::string value = has_value ? body.substr(body.find('=') + 1) : "";
    if (name == "help" || name == "helpfull") continue;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    bool negated = false;
    if (flag == nullptr && name.rfind("no", 0) == 0) {
      flag = absl::FindCommandLineFlag(name.substr(2));
      negated = flag != nullptr;
    }
    if (flag == nullptr) {
      std::fprintf(stderr, "smpfuzz: unknown flag --%s\n", name.c_str());
      return false;
    }
    bool is_bool = flag->IsOfType<bool>();
    if (negated && (!is_bool || has_value)) {
      std::fprintf(stderr, "smpfuzz: --%s: not a boolean flag\n", name.c_str());
      return false;
    }
    if (is_bool && has_value && value != "true" && value != "false" && value != "1" &&
        value != "0" && value != "yes" && value != "no") {
      std::fprintf(stderr, "smpfuzz: --%s: expected true or false, got '%s'\n", name.c_str(),
                   value.c_str());
      return false;
    }
    if (!is_bool && !has_value) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "smpfuzz: --%s needs a value\n", name.c_str());
        return false;
      }
      ++i;
    }
  }
  return true;
}

}  // namespace
}  // namespace smpfuzz

int main(int argc, char** argv) {
  using namespace smpfuzz;
  // `bazel run` starts us in the runfiles tree; relative paths are the user's.
  if (const char* wd = std::getenv("BUILD_WORKING_DIRECTORY"); wd != nullptr && *wd != '\0') {
    if (chdir(wd) != 0) {
      std::fprintf(stderr, "smpfuzz: cannot enter %s: %s\n", wd, std::strerror(errno));
      return kBadInput;
    }
  }
  absl::SetProgramUsageMessage(kUsage);
  if (!FlagsAreValid(argc, argv)) return kBadInput;
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() < 2) return Usage("missing command");
  std::string command = rest[1];
  std::vector<std::string> args(rest.begin() + 2, rest.end());
  if (command == "replay") return Replay(args);
  if (command == "convert") return Convert(args);
  if (command == "explore") return Explore(args);
  if (command == "minimize") return Minimize(args);
  if (command == "triage") return Triage(args);
  if (command == "hunt") return Hunt(args);
  return Usage("unknown command '" + command + "'");
}
