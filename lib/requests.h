// SPDX-License-Identifier: GPL-2.0-only
//
// Requests: the identity a workload gives each call it makes.
//
// Every request gets a token; its callback is func = kCallbackFuncBase + token
// with info = kCallbackInfoBase + token, so whoever sees a callback run (a
// checker, the real-thread platform) can tell which request it was and
// whether func and info still belong together, whatever guest made the call.
// RequestOrigins says where each token came from, for naming.

#ifndef SMPFUZZ_LIB_REQUESTS_H_
#define SMPFUZZ_LIB_REQUESTS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace smpfuzz {

inline constexpr std::uint64_t kCallbackFuncBase = 0x5cf00000;
inline constexpr std::uint64_t kCallbackInfoBase = 0x1f000000;

constexpr std::uint64_t CallbackFuncBits(std::uint32_t token) { return kCallbackFuncBase + token; }
constexpr std::uint64_t CallbackInfoBits(std::uint32_t token) { return kCallbackInfoBase + token; }
// Inverse mappings; 0 when the value is not a workload callback.
std::uint32_t TokenOfFunc(std::uint64_t func);
std::uint32_t TokenOfInfo(std::uint64_t info);
// A callback as checkers and traces name it: "cb3(&req3)", or hexadecimal
// for a func or info that is no workload token's ("0x0(&req3)").
std::string CallbackName(std::uint64_t func, std::uint64_t info);

// Tokens 1..count(), each with the CPU and op (index in that CPU's list) that
// made the request.
class RequestOrigins {
 public:
  void Clear() { origin_.assign(1, {-1, -1}); }
  // The next token, made by op `op` of CPU `cpu`.
  std::uint32_t Add(int cpu, int op) {
    origin_.push_back({cpu, op});
    return static_cast<std::uint32_t>(origin_.size() - 1);
  }
  std::uint32_t count() const { return static_cast<std::uint32_t>(origin_.size() - 1); }
  // The CPU and op a token came from, or {-1, -1}.
  std::pair<int, int> Origin(std::uint32_t token) const {
    if (token == 0 || token >= origin_.size()) return {-1, -1};
    return origin_[token];
  }

 private:
  std::vector<std::pair<int, int>> origin_ = {{-1, -1}};  // index: token
};

// A kRequestReturned ghost's d: 1 for a call that waited; this for an
// irq_work_queue_on(), whose false return (-EBUSY) means "already pending".
inline constexpr std::uint64_t kReturnedIrqWork = 2;

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_REQUESTS_H_
