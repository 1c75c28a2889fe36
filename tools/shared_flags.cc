// SPDX-License-Identifier: GPL-2.0-only
#include "tools/shared_flags.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "lib/inputs.h"

ABSL_FLAG(std::string, variant, "",
          "variant to run (baseline, b0473dcd, fixed, or a mutant); default: the reproducer's "
          "own, b0473dcd for raw fuzzer inputs");
ABSL_FLAG(bool, json, false, "print JSON instead of the table");
ABSL_FLAG(bool, raw, false,
          "treat every FILE as raw fuzzer bytes, even one that begins with 'smpfuzz-repro'");
ABSL_FLAG(std::string, out, "",
          "convert, explore, minimize: output file (default: standard output); triage: output directory");
ABSL_FLAG(smpfuzz::cli::JobCount, jobs, smpfuzz::cli::JobCount(),
          "hunt: fuzzing processes per engine (default: the cores shared out); explore: "
          "processes to search on (default 1; units of the tree claimed one at a time, the same "
          "counts and verdict as one process)");
ABSL_FLAG(smpfuzz::cli::Seconds, max_seconds, smpfuzz::cli::Seconds(),
          "explore: stop after this long (default 0: no limit); minimize: stop cutting after this "
          "long and keep the best so far (default 60); triage: the same per bucket (default 60)");

namespace smpfuzz::cli {

absl::StatusOr<const Variant*> ForcedVariant() {
  const std::string name = absl::GetFlag(FLAGS_variant);
  if (name.empty()) return nullptr;
  const Variant* v = FindVariant(name);
  if (v == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("smpfuzz: --variant: unknown variant '", name,
                                                   "' (known: ", VariantNames(true), ")"));
  }
  return v;
}

const Variant* RawInputVariant(const Variant* forced) {
  return forced != nullptr ? forced : FindVariant(kDefaultRawVariant);
}

absl::StatusOr<Input> LoadInput(const std::string& path, const Variant* raw_variant) {
  return ReadInput(path, raw_variant,
                   absl::GetFlag(FLAGS_raw) ? InputOrigin::kRaw : InputOrigin::kSniff);
}

absl::StatusOr<Repro> LoadForcing(const std::string& path, const Variant* forced) {
  absl::StatusOr<Input> in = LoadInput(path, RawInputVariant(forced));
  if (!in.ok()) return in.status();
  if (forced != nullptr) in->repro.scenario.variant = forced;
  return std::move(in->repro);
}

absl::Status WriteTextFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) return absl::UnavailableError(absl::StrCat("smpfuzz: ", path, ": cannot write: ", std::strerror(errno)));
  return absl::OkStatus();
}

absl::Status WriteOutput(const std::string& output) {
  const std::string out_path = absl::GetFlag(FLAGS_out);
  if (out_path.empty()) {
    std::fwrite(output.data(), 1, output.size(), stdout);
    return absl::OkStatus();
  }
  return WriteTextFile(out_path, output);
}

}  // namespace smpfuzz::cli
