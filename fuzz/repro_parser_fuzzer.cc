// SPDX-License-Identifier: GPL-2.0-only
//
// Fuzz target: the reproducer text parser (lib/repro.h). Any input must give
// either a one-line "input:LINE:COL: message" error or a reproducer whose
// canonical text parses back to the same reproducer and formats identically.
// A crash, a hang, or a broken round trip is a finding.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/repro.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace smpfuzz;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<Repro> parsed = ParseRepro(text, "input");
  if (!parsed.ok()) {
    const std::string error(parsed.status().message());
    if (error.rfind("input:", 0) != 0 || error.find('\n') != std::string::npos) {
      std::fprintf(stderr, "repro_parser_fuzzer: malformed error message: %s\n", error.c_str());
      std::abort();
    }
    return 0;
  }
  const Repro& r = *parsed;
  std::string formatted = FormatRepro(r);
  absl::StatusOr<Repro> reparsed = ParseRepro(formatted, "formatted");
  if (!reparsed.ok()) {
    std::fprintf(stderr, "repro_parser_fuzzer: canonical text does not parse: %s\n%s\n",
                 std::string(reparsed.status().message()).c_str(), formatted.c_str());
    std::abort();
  }
  const Repro& again = *reparsed;
  if (!(again == r) || FormatRepro(again) != formatted) {
    std::fprintf(stderr, "repro_parser_fuzzer: round trip changed the reproducer:\n%s\n",
                 formatted.c_str());
    std::abort();
  }
  return 0;
}
