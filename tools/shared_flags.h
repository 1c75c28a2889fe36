// SPDX-License-Identifier: GPL-2.0-only
//
// Shared flags: the flags that several commands take (--variant, --raw,
// --json, --out, --max_seconds, --jobs), and the readers that apply them the same way
// in every command: the variant forced on the inputs, a FILE argument read
// as a reproducer or raw fuzzer bytes, the output written to --out.

#ifndef SMPFUZZ_TOOLS_SHARED_FLAGS_H_
#define SMPFUZZ_TOOLS_SHARED_FLAGS_H_

#include <string>

#include "absl/flags/declare.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/inputs.h"
#include "lib/repro.h"
#include "lib/variant.h"
#include "tools/flag_types.h"

ABSL_DECLARE_FLAG(std::string, variant);
ABSL_DECLARE_FLAG(bool, raw);
ABSL_DECLARE_FLAG(bool, json);
ABSL_DECLARE_FLAG(std::string, out);
ABSL_DECLARE_FLAG(smpfuzz::cli::Seconds, max_seconds);
namespace smpfuzz::cli {
using JobCount = WholeNumber<1, 256>;
}  // namespace smpfuzz::cli
ABSL_DECLARE_FLAG(smpfuzz::cli::JobCount, jobs);

namespace smpfuzz::cli {

// The default --max_seconds of minimize, and of triage per bucket.
inline constexpr double kMinimizeSeconds = 60;

// The variant --variant names (null: not given), or its error.
absl::StatusOr<const Variant*> ForcedVariant();

// The variant a raw input runs as: `forced`, else kDefaultRawVariant.
const Variant* RawInputVariant(const Variant* forced);

// A FILE argument: a reproducer, or raw fuzzer bytes run as `raw_variant`
// (lib/inputs.h's rule for a file a user names, or --raw).
absl::StatusOr<Input> LoadInput(const std::string& path, const Variant* raw_variant);

// LoadInput with --variant (`forced`) applied: raw inputs run as it, and it
// replaces a reproducer's own.
absl::StatusOr<Repro> LoadForcing(const std::string& path, const Variant* forced);

// `output` into --out, or to standard output when --out is not given.
absl::Status WriteOutput(const std::string& output);

// `text` into the file `path` (created or truncated); Unavailable, "smpfuzz:
// PATH: cannot write: REASON", when it cannot be written whole.
absl::Status WriteTextFile(const std::string& path, const std::string& text);

}  // namespace smpfuzz::cli

#endif  // SMPFUZZ_TOOLS_SHARED_FLAGS_H_
