// SPDX-License-Identifier: GPL-2.0-only
//
// The fuzz harness behind every smp fuzz target: decode the bytes
// (lib/input_bytes.h), run the simulator with every checker, and decide
// whether the run is a finding.
//
// A finding is any report except the known ones: reproduced in repro/,
// explained in README, and not worth rediscovering every second (see
// known_findings.cc). Known findings are counted, not hidden from replay:
// `smpfuzz replay` shows them as usual.

#ifndef SMPFUZZ_FUZZ_SMP_HARNESS_H_
#define SMPFUZZ_FUZZ_SMP_HARNESS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "lib/guest.h"
#include "lib/input_bytes.h"
#include "lib/simulator.h"

namespace smpfuzz::fuzz {

// The code under test: the same harness, byte format and checkers for every
// guest (lib/guest.h).
struct HarnessGuest {
  std::unique_ptr<Guest> (*make)() = nullptr;
  // smpfuzz replay's flag for it ("" for the model, "--guest=kernel").
  const char* replay_flag = "";
  // The one variant the guest runs (a kernel guest's linked build), or null:
  // any variant, the model's (SMPFUZZ_VARIANT may name one).
  const char* only_variant = nullptr;
};

// The model guest (lib/model_guest.h): the default.
HarnessGuest ModelHarnessGuest();

struct HarnessConfig {
  HarnessGuest guest = ModelHarnessGuest();
  const Variant* variant = nullptr;
  // Feed interleaving pairs to the engine (and use the custom mutator).
  bool feedback = true;
  // Signatures that count as a finding (SMPFUZZ_CRASH_ON=sig,sig; default
  // all). Narrows what stops the fuzzer, never what it generates.
  std::uint32_t crash_on = ~0u;
  // Buckets already found (SMPFUZZ_SKIP_BUCKETS=FILE, one Report::DedupKey
  // a line, written by `smpfuzz hunt`): a finding whose bucket is listed is
  // not a crash, so an overnight run on a buggy variant goes on looking for
  // other buckets instead of stopping on the first ones over and over. The
  // file is read again when it changes (checked every few thousand runs).
  std::string skip_buckets_file;
  // Steps a run may take: the same budget `smpfuzz replay` uses, so a crash
  // file replays to the same verdict.
  std::uint64_t max_steps = SimOptions{}.max_steps;
  // Run each input on a fresh Simulator and give the coroutine frames back to
  // the heap afterwards, so that no state of earlier inputs (grown
  // containers, cached frames, suspended coroutines) changes the branches an
  // input takes: AFL++ counts such branches as variable edges ("stability",
  // BENCHMARKS.md). About 13% slower per input (2.5 us) than one Simulator
  // kept for the process, which libFuzzer (no stability measure) keeps using.
#if defined(SMPFUZZ_AFL)
  bool fresh_simulator = true;
#else
  bool fresh_simulator = false;
#endif
};

// From SMPFUZZ_VARIANT (default: the binary's own), SMPFUZZ_PLAIN=1 (no
// interleaving feedback, no custom mutator: the baseline for the benchmark's
// ratio) and SMPFUZZ_CRASH_ON. A bad value (or, for a guest with
// only_variant, another variant) exits with status 2. Config().guest is
// the caller's to set before the first run.
HarnessConfig& Config();
void InitConfigFromEnvironment(const char* default_variant);

// Whether `report`, from the run `sim` just made, is a known finding (see
// known_findings.cc).
bool IsKnownFinding(const Simulator& sim, const Report& report);

struct Outcome {
  bool finding = false;  // a report that is not known
  Signature signature = Signature::kCount;
  std::uint32_t known = 0;  // SignatureBit of known findings seen
  bool skipped = false;     // the finding's bucket is in skip_buckets_file
};

// Runs one input. `interleaving_map` may be null.
Outcome RunInput(const std::uint8_t* data, std::size_t size, std::uint8_t* interleaving_map);

// The replay of one input for people: trace, verdict and how to reproduce.
std::string DescribeInput(const std::uint8_t* data, std::size_t size);

}  // namespace smpfuzz::fuzz

#endif  // SMPFUZZ_FUZZ_SMP_HARNESS_H_
