// SPDX-License-Identifier: GPL-2.0-only
// absl_compat (third_party/absl_compat/README.md): absl::StatusOr<T>.
#ifndef SMPFUZZ_ABSL_COMPAT_STATUS_STATUSOR_H_
#define SMPFUZZ_ABSL_COMPAT_STATUS_STATUSOR_H_

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"

namespace absl {

template <typename T>
class StatusOr {
 public:
  // As Abseil: a default StatusOr holds an UNKNOWN error.
  StatusOr() : status_(StatusCode::kUnknown, "") {}
  StatusOr(const Status& status) : status_(status) { CheckNotOk(); }  // NOLINT: implicit, as Abseil
  StatusOr(Status&& status) : status_(std::move(status)) { CheckNotOk(); }  // NOLINT
  template <typename U = T,
            typename = std::enable_if_t<std::is_convertible_v<U&&, T> &&
                                        !std::is_same_v<std::decay_t<U>, Status> &&
                                        !std::is_same_v<std::decay_t<U>, StatusOr>>>
  StatusOr(U&& value) : value_(std::forward<U>(value)) {}  // NOLINT

  bool ok() const { return status_.ok(); }
  const Status& status() const& { return status_; }
  Status status() && { return std::move(status_); }

  const T& value() const& { return Checked(); }
  T& value() & { return Checked(); }
  T&& value() && { return std::move(Checked()); }
  const T& operator*() const& { return Checked(); }
  T& operator*() & { return Checked(); }
  T&& operator*() && { return std::move(Checked()); }
  const T* operator->() const { return &Checked(); }
  T* operator->() { return &Checked(); }
  template <typename U>
  T value_or(U&& other) const& { return ok() ? *value_ : static_cast<T>(std::forward<U>(other)); }

 private:
  // As Abseil: an OK status without a value is a fatal error.
  void CheckNotOk() const {
    if (status_.ok()) {
      std::fprintf(stderr, "An OK status is not a valid constructor argument to StatusOr<T>\n");
      std::abort();
    }
  }
  // Abseil (without exceptions) dies on the value of an error.
  T& Checked() const {
    if (!value_) {
      std::fprintf(stderr, "Attempting to fetch value instead of handling error %s\n",
                   status_.ToString().c_str());
      std::abort();
    }
    return const_cast<T&>(*value_);
  }

  Status status_;
  std::optional<T> value_;
};

}  // namespace absl

#endif  // SMPFUZZ_ABSL_COMPAT_STATUS_STATUSOR_H_
