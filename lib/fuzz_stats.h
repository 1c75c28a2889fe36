// SPDX-License-Identifier: GPL-2.0-only
//
// FuzzStats: the statistics of a fuzzing campaign's trials (ci/bench-fuzz.sh's
// bug suite, after Klees et al., "Evaluating Fuzz Testing", CCS 2018): each
// trial's time to the first crash, or a timeout, which counts as longer than
// every finished trial (and ties with the other timeouts).
//
// Median with a distribution-free 95% interval (order statistics of the
// binomial), and the two-sided Mann-Whitney U test of two sets of trials
// (normal approximation with tie and continuity corrections, as SciPy's
// mannwhitneyu(method="asymptotic")) with Vargha and Delaney's A12.

#ifndef SMPFUZZ_LIB_FUZZ_STATS_H_
#define SMPFUZZ_LIB_FUZZ_STATS_H_

#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace smpfuzz {

// A trial's time in seconds; kTimedOut for one that found nothing.
inline constexpr double kTimedOut = std::numeric_limits<double>::infinity();

// One value per line: seconds (a non-negative number) or "TIMEOUT"; blank
// lines are skipped. An error names `name`:line and the text.
absl::StatusOr<std::vector<double>> ParseTrials(std::string_view text, std::string_view name);

struct MedianInterval {
  double median = 0;
  double low = 0, high = 0;  // the interval's ends (kTimedOut when a timeout)
  double coverage = 0;       // its coverage, at least 0.95 when the trials allow it
};

// `trials` must not be empty.
MedianInterval Median95(std::vector<double> trials);

struct MannWhitney {
  double u = 0;    // U of the first sample: pairs where it is larger, ties half
  double z = 0;
  double p = 1;    // two-sided
  // Vargha-Delaney A12 of the first sample being FASTER (smaller) than the
  // second: 1 - U / (n1 n2). 0.5: no difference.
  double a12 = 0.5;
};

// Both samples must be non-empty.
MannWhitney MannWhitneyU(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_FUZZ_STATS_H_
