// SPDX-License-Identifier: GPL-2.0-only
#include "tools/hunt/summary.h"

#include <filesystem>

#include "lib/report.h"
#include "lib/repro.h"
#include "tools/hunt/clock.h"
#include "tools/hunt/triager.h"

namespace smpfuzz::hunt {

std::string FormatSummary(const SummaryFacts& f) {
  const TriageResult& t = f.triage;
  std::string s = "# smpfuzz hunt on " + f.variant + "\n\n";
  if (f.final) {
    s += "- ended " + WallClock() + " after " + Clock(f.elapsed) + " (this run; --time=" + Clock(f.seconds) + ")\n";
  } else {
    s += "- running since " + f.start_wall + ", " + Clock(f.elapsed) + " so far (this run; --time=" +
         Clock(f.seconds) + "; updated " + WallClock() + ")\n";
  }
  for (const EngineFacts& e : f.engines) {
    s += "- " + e.name + ": " + std::to_string(e.jobs) + " job(s), " +
         std::to_string(e.execs_this_run) + " executions this run (" +
         std::to_string(e.execs_total) + " in this directory), " + std::to_string(e.restarts) + " restart(s)" +
         (!e.failure.empty() ? ", FAILED: " + e.failure : "") + "\n";
  }
  s += "- corpus: " + std::to_string(f.corpus_inputs) + " input(s) in " + f.out + "/corpus\n";
  if (f.skip_known_buckets) {
    s += "- the engines skip buckets already found (" + f.out +
         "/bucket-keys), so a bucket's crash files stop growing soon after it appears\n";
  }
  s += "- crash files: " + std::to_string(t.files) + " distinct in " + f.out + "/crashes; " +
       std::to_string(t.clean) + " replay clean, " + std::to_string(t.known) + " with known findings only, " +
       std::to_string(t.bad) + " unreadable\n";
  if (f.untriaged > 0) {
    s += "- " + std::to_string(f.untriaged) + " crash file(s) not triaged when --time was up: the next run on " +
         f.out + " triages them, or `smpfuzz triage " + f.out + "/crashes`\n";
  }
  if (!f.error.empty()) s += "- stopped early: " + f.error + "\n";
  s += "\n## Buckets\n\n";
  if (t.buckets.empty()) {
    s += "None: no crash file replays to a violation.\n";
    return s;
  }
  s += "| signature | crash files | CPUs | ops | steps | preemptions | reproducer | first crash file |\n";
  s += "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |\n";
  for (const Bucket& b : t.buckets) {
    const bool done = b.minimized.ok();
    const Repro& r = done ? b.minimized->repro : b.smallest;
    s += "| " + std::string(SignatureName(b.signature)) + " | " + std::to_string(b.count) + " | " +
         std::to_string(r.scenario.nr_cpus) + " | " + std::to_string(r.scenario.TotalOps()) + " | " +
         std::to_string(r.schedule.size()) + " | " +
         (done ? std::to_string(b.minimized->preemptions) : "not minimized yet") + " | buckets/" +
         BucketReproName(b) + " | " + std::filesystem::path(b.first_file).filename().string() + " |\n";
  }
  s += "\nNext: look at one (`smpfuzz replay " + f.out + "/buckets/NAME.repro --svg=NAME.svg`), check "
       "it (`smpfuzz replay --check ...`), and promote it: copy it into repro/ with a comment that "
       "says what it shows; //repro:repro_test then replays it on every variant.\n";
  return s;
}

}  // namespace smpfuzz::hunt
