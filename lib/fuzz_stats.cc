// SPDX-License-Identifier: GPL-2.0-only
#include "lib/fuzz_stats.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <utility>

#include "absl/status/status.h"

namespace smpfuzz {
namespace {

// P(X <= k) for X ~ Binomial(n, 1/2).
double BinomialCdfHalf(int n, int k) {
  double sum = 0, term = std::pow(0.5, n);  // C(n, 0) / 2^n
  for (int i = 0; i <= k; ++i) {
    sum += term;
    term = term * (n - i) / (i + 1);
  }
  return sum;
}

}  // namespace

absl::StatusOr<std::vector<double>> ParseTrials(std::string_view text, std::string_view name) {
  std::vector<double> out;
  int line = 0;
  while (!text.empty()) {
    ++line;
    const std::size_t end = text.find('\n');
    std::string_view l = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    while (!l.empty() && (l.back() == ' ' || l.back() == '\r' || l.back() == '\t')) l.remove_suffix(1);
    while (!l.empty() && (l.front() == ' ' || l.front() == '\t')) l.remove_prefix(1);
    if (l.empty()) continue;
    if (l == "TIMEOUT") {
      out.push_back(kTimedOut);
      continue;
    }
    double v = 0;
    auto [p, ec] = std::from_chars(l.data(), l.data() + l.size(), v);
    if (ec != std::errc() || p != l.data() + l.size() || !(v >= 0) || std::isinf(v)) {
      return absl::InvalidArgumentError(std::string(name) + ":" + std::to_string(line) +
                                        ": expected seconds or TIMEOUT, got '" + std::string(l) +
                                        "'");
    }
    out.push_back(v);
  }
  return out;
}

MedianInterval Median95(std::vector<double> trials) {
  std::sort(trials.begin(), trials.end());
  const int n = static_cast<int>(trials.size());
  MedianInterval m;
  m.median = n % 2 == 1 ? trials[n / 2]
             : std::isinf(trials[n / 2]) ? trials[n / 2]
                                        : (trials[n / 2 - 1] + trials[n / 2]) / 2;
  // The widest k with P(X <= k - 1) <= 0.025: [x_(k), x_(n+1-k)] (1-based)
  // covers the median with probability 1 - 2 P(X <= k - 1).
  int k = 1;
  while (k + 1 <= (n + 1) / 2 && BinomialCdfHalf(n, k) <= 0.025) ++k;
  m.low = trials[k - 1];
  m.high = trials[n - k];
  // (k = 1, [min, max], when even that falls short of 95%: few trials.)
  m.coverage = 1 - 2 * BinomialCdfHalf(n, k - 1);
  return m;
}

MannWhitney MannWhitneyU(const std::vector<double>& a, const std::vector<double>& b) {
  const std::size_t n1 = a.size(), n2 = b.size(), n = n1 + n2;
  std::vector<std::pair<double, int>> all;  // value, sample
  all.reserve(n);
  for (double v : a) all.push_back({v, 0});
  for (double v : b) all.push_back({v, 1});
  std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  double rank_a = 0, ties = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && all[j].first == all[i].first) ++j;
    const double t = static_cast<double>(j - i);
    const double rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;  // mean of i+1..j
    for (std::size_t k = i; k < j; ++k) {
      if (all[k].second == 0) rank_a += rank;
    }
    ties += t * t * t - t;
    i = j;
  }
  MannWhitney r;
  const double dn1 = static_cast<double>(n1), dn2 = static_cast<double>(n2);
  const double dn = static_cast<double>(n);
  r.u = rank_a - dn1 * (dn1 + 1) / 2;
  r.a12 = 1 - r.u / (dn1 * dn2);
  const double mean = dn1 * dn2 / 2;
  const double var = dn1 * dn2 / 12 * ((dn + 1) - ties / (dn * (dn - 1)));
  if (var <= 0) return r;  // every value equal: no evidence either way (p = 1)
  const double diff = std::fabs(r.u - mean);
  r.z = std::max(0.0, diff - 0.5) / std::sqrt(var);
  r.p = std::erfc(r.z / std::sqrt(2.0));
  return r;
}

}  // namespace smpfuzz
