// SPDX-License-Identifier: GPL-2.0-only
// absl_compat (third_party/absl_compat/README.md): absl::Status.
#ifndef SMPFUZZ_ABSL_COMPAT_STATUS_STATUS_H_
#define SMPFUZZ_ABSL_COMPAT_STATUS_STATUS_H_

#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace absl {

// Abseil's values (the canonical google.rpc codes).
enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

inline std::string StatusCodeToString(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kCancelled: return "CANCELLED";
    case StatusCode::kUnknown: return "UNKNOWN";
    case StatusCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case StatusCode::kDeadlineExceeded: return "DEADLINE_EXCEEDED";
    case StatusCode::kNotFound: return "NOT_FOUND";
    case StatusCode::kAlreadyExists: return "ALREADY_EXISTS";
    case StatusCode::kPermissionDenied: return "PERMISSION_DENIED";
    case StatusCode::kResourceExhausted: return "RESOURCE_EXHAUSTED";
    case StatusCode::kFailedPrecondition: return "FAILED_PRECONDITION";
    case StatusCode::kAborted: return "ABORTED";
    case StatusCode::kOutOfRange: return "OUT_OF_RANGE";
    case StatusCode::kUnimplemented: return "UNIMPLEMENTED";
    case StatusCode::kInternal: return "INTERNAL";
    case StatusCode::kUnavailable: return "UNAVAILABLE";
    case StatusCode::kDataLoss: return "DATA_LOSS";
    case StatusCode::kUnauthenticated: return "UNAUTHENTICATED";
  }
  return "";
}

class Status {
 public:
  Status() = default;
  // As Abseil: an OK status carries no message.
  Status(StatusCode code, absl::string_view msg)
      : code_(code), message_(code == StatusCode::kOk ? std::string() : std::string(msg)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  absl::string_view message() const { return message_; }
  // "INVALID_ARGUMENT: message", "OK" (no payloads here).
  std::string ToString() const {
    return ok() ? "OK" : StatusCodeToString(code_) + ": " + message_;
  }
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }
  friend bool operator!=(const Status& a, const Status& b) { return !(a == b); }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }

#define SMPFUZZ_ABSL_COMPAT_ERROR(Name)                                          \
  inline Status Name##Error(absl::string_view message) {                         \
    return Status(StatusCode::k##Name, message);                                 \
  }                                                                              \
  inline bool Is##Name(const Status& status) { return status.code() == StatusCode::k##Name; }
SMPFUZZ_ABSL_COMPAT_ERROR(Aborted)
SMPFUZZ_ABSL_COMPAT_ERROR(AlreadyExists)
SMPFUZZ_ABSL_COMPAT_ERROR(Cancelled)
SMPFUZZ_ABSL_COMPAT_ERROR(DataLoss)
SMPFUZZ_ABSL_COMPAT_ERROR(DeadlineExceeded)
SMPFUZZ_ABSL_COMPAT_ERROR(FailedPrecondition)
SMPFUZZ_ABSL_COMPAT_ERROR(Internal)
SMPFUZZ_ABSL_COMPAT_ERROR(InvalidArgument)
SMPFUZZ_ABSL_COMPAT_ERROR(NotFound)
SMPFUZZ_ABSL_COMPAT_ERROR(OutOfRange)
SMPFUZZ_ABSL_COMPAT_ERROR(PermissionDenied)
SMPFUZZ_ABSL_COMPAT_ERROR(ResourceExhausted)
SMPFUZZ_ABSL_COMPAT_ERROR(Unauthenticated)
SMPFUZZ_ABSL_COMPAT_ERROR(Unavailable)
SMPFUZZ_ABSL_COMPAT_ERROR(Unimplemented)
SMPFUZZ_ABSL_COMPAT_ERROR(Unknown)
#undef SMPFUZZ_ABSL_COMPAT_ERROR

}  // namespace absl

#endif  // SMPFUZZ_ABSL_COMPAT_STATUS_STATUS_H_
