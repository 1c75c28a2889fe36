// SPDX-License-Identifier: GPL-2.0-only
// absl_compat (third_party/absl_compat/README.md): absl::string_view.
#ifndef SMPFUZZ_ABSL_COMPAT_STRINGS_STRING_VIEW_H_
#define SMPFUZZ_ABSL_COMPAT_STRINGS_STRING_VIEW_H_

#include <string_view>

namespace absl {
// What Abseil itself does when built with ABSL_USES_STD_STRING_VIEW.
using std::string_view;
}  // namespace absl

#endif  // SMPFUZZ_ABSL_COMPAT_STRINGS_STRING_VIEW_H_
