// SPDX-License-Identifier: GPL-2.0-only
//
// Summary: OUT/summary.md, what a hunt found, for people: how long it ran
// (or runs: the file is rewritten while it runs), each engine's executions
// and restarts, the corpus, the crash files and what triage made of them,
// why it stopped early, and a table of the buckets with their reproducers.
// The same text is printed at the end of the run. A pure function of the
// facts (and the time of day it names).

#ifndef SMPFUZZ_TOOLS_HUNT_SUMMARY_H_
#define SMPFUZZ_TOOLS_HUNT_SUMMARY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "lib/triage.h"

namespace smpfuzz::hunt {

struct EngineFacts {
  std::string name;
  int jobs = 0;
  std::uint64_t execs_this_run = 0;
  std::uint64_t execs_total = 0;  // over every run on OUT
  int restarts = 0;
  std::string failure;  // empty: it did not fail
};

struct SummaryFacts {
  std::string variant;
  std::string out;
  double seconds = 0;       // --time
  double elapsed = 0;       // this run so far
  bool final = false;       // the run has ended (else: a refresh while it runs)
  std::string start_wall;   // when this run started (WallClock)
  std::vector<EngineFacts> engines;
  std::size_t corpus_inputs = 0;
  bool skip_known_buckets = true;
  TriageResult triage;
  std::size_t untriaged = 0;  // crash files left for the next run
  std::string error;          // why the hunt stopped early; empty: it did not
};

std::string FormatSummary(const SummaryFacts& f);

}  // namespace smpfuzz::hunt

#endif  // SMPFUZZ_TOOLS_HUNT_SUMMARY_H_
