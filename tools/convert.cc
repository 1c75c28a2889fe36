// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz convert: a reproducer to fuzzer bytes (--to=bytes) or either to a
// reproducer (--to=text, with the expectations it has on every variant).

#include "tools/convert.h"

#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/expectations.h"
#include "lib/input_bytes.h"
#include "lib/repro.h"
#include "tools/command.h"
#include "tools/shared_flags.h"

ABSL_FLAG(std::string, to, "", "convert: `text` (a reproducer) or `bytes` (a fuzzer input)");

namespace smpfuzz::cli {
namespace {

absl::StatusOr<ExitStatus> Convert(const std::vector<std::string>& files) {
  if (files.size() != 1) return UsageError("convert takes exactly one FILE");
  const std::string to = absl::GetFlag(FLAGS_to);
  if (to != "text" && to != "bytes") {
    return UsageError("--to: expected 'text' or 'bytes', got '" + to + "'");
  }
  absl::StatusOr<const Variant*> forced = ForcedVariant();
  if (!forced.ok()) return forced.status();
  absl::StatusOr<Repro> r = LoadForcing(files[0], *forced);
  if (!r.ok()) return r.status();
  std::string output;
  if (to == "bytes") {
    absl::StatusOr<std::string> bytes = EncodeInputBytes(*r);
    if (!bytes.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(files[0], ": cannot convert to bytes: ", bytes.status().message()));
    }
    output = *std::move(bytes);
  } else {
    if (r->expectations.empty()) StateExpectations(&*r);
    output = FormatRepro(*r, {"converted by smpfuzz convert from " + files[0]});
  }
  if (absl::Status s = WriteOutput(output); !s.ok()) return s;
  return ExitStatus::kClean;
}

}  // namespace

const Command kConvertCommand = {
    .name = "convert",
    .synopsis = {"FILE --to=text|bytes [--out=PATH] [--variant=V]"},
    .flags = {Takes(FLAGS_to), Takes(FLAGS_out), Takes(FLAGS_variant), Takes(FLAGS_raw)},
    .run = Convert,
};

}  // namespace smpfuzz::cli
