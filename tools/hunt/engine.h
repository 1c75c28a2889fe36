// SPDX-License-Identifier: GPL-2.0-only
//
// Engine: one fuzzing engine inside `smpfuzz hunt` (libFuzzer or AFL++),
// as a set of processes hunt keeps alive, the directories where they leave
// crashes and inputs, and a count of their executions.
//
// Every engine works inside OUT/<engine>/ and reads the merged corpus in
// OUT/corpus; hunt copies crashes out (hunt.cc) and merges inputs in
// (merge.h). An instance that exits is restarted with a growing delay; one
// that keeps dying within seconds fails the engine, with the tail of its log.

#ifndef SMPFUZZ_TOOLS_HUNT_ENGINE_H_
#define SMPFUZZ_TOOLS_HUNT_ENGINE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tools/hunt/process.h"

namespace smpfuzz::hunt {

struct EngineConfig {
  std::string target;   // the fuzz target built for this engine
  std::string variant;  // passed as SMPFUZZ_VARIANT
  int jobs = 1;         // parallel fuzzing processes
  std::string dict;     // optional dictionary
  std::string mutator;  // optional custom mutator library (AFL++)
  std::string out;      // hunt's output directory
  std::string skip_buckets;  // optional: SMPFUZZ_SKIP_BUCKETS for the harness
  // Optional (hunt.h): AFL++ syncs in this directory, its instances named
  // node_0, node_1, ..., all secondaries.
  std::string sync_dir;
  std::string node;
};

class Engine {
 public:
  explicit Engine(EngineConfig config) : config_(std::move(config)) {}
  virtual ~Engine() = default;

  virtual const char* name() const = 0;
  // Prepares its directories and starts every instance; the error (one
  // line) says why one cannot start.
  absl::Status Start();
  // Reaps instances that exited and restarts them when due. Appends what
  // happened to `events`, one line each.
  void Poll(std::vector<std::string>* events);
  // SIGTERM to every instance, without waiting (Stop waits).
  void Terminate();
  // Stops every instance: SIGTERM, SIGKILL after `grace_seconds` in all.
  void Stop(double grace_seconds = 10);

  bool failed() const { return !failure_.empty(); }
  const std::string& failure() const { return failure_; }
  // Restarts after an instance died (not after it stopped on a finding).
  int restarts() const { return restarts_; }
  int jobs() const { return config_.jobs; }
  // Executions so far, summed over every run of this hunt directory.
  std::uint64_t execs() const;

  // Crash and hang files the engine has written so far.
  virtual std::vector<std::string> FindCrashes() const = 0;
  // Directories of inputs to merge into OUT/corpus (empty: it writes there).
  virtual std::vector<std::string> QueueDirs() const = 0;

 protected:
  std::string dir() const { return config_.out + "/" + name(); }
  virtual absl::Status Prepare() = 0;
  virtual std::vector<Command> Commands() const = 0;
  // Whether an instance that exited with `code` stopped because it found
  // something (a crash file was written): restarted at once, not a failure.
  virtual bool ExitedOnFinding(int /*code*/) const { return false; }
  // SMPFUZZ_VARIANT and the exec counter, for every instance.
  std::vector<std::pair<std::string, std::string>> CommonEnv() const;

  EngineConfig config_;

 private:
  struct Instance {
    Command command;
    Process process;
    double started = 0;
    double restart_at = -1;  // when >= 0: restart due then
    int quick_deaths = 0;
  };
  absl::Status StartInstance(Instance* in, double now);

  std::vector<Instance> instances_;
  std::string failure_;
  int restarts_ = 0;
};

// "libfuzzer" or "afl"; null for any other name.
std::unique_ptr<Engine> MakeEngine(const std::string& name, EngineConfig config);

}  // namespace smpfuzz::hunt

#endif  // SMPFUZZ_TOOLS_HUNT_ENGINE_H_
