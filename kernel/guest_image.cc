// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/guest_image.h"

#include <dlfcn.h>

#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace smpfuzz {
namespace {

template <typename F>
absl::Status Bind(void* handle, const std::string& path, const char* symbol, F* out) {
  void* p = dlsym(handle, symbol);
  if (p == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a kernel guest build: no symbol ", symbol));
  }
  *out = reinterpret_cast<F>(p);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<const GuestImage*> LoadGuestImage(const std::string& path) {
  static auto* loaded = new std::map<std::string, std::unique_ptr<GuestImage>>();
  if (auto it = loaded->find(path); it != loaded->end()) return it->second.get();
  // RTLD_LOCAL: two builds of a tree define the same names; each image's
  // symbols are reached through its own handle only.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": cannot load kernel guest: ", why ? why : "unknown error"));
  }
  auto image = std::make_unique<GuestImage>();
  GuestImage& g = *image;
  for (absl::Status s : {
#define SMPFUZZ_GUEST_BIND(field, symbol, ret, params) Bind(handle, path, #symbol, &g.field),
           SMPFUZZ_GUEST_ENTRY_POINTS(SMPFUZZ_GUEST_BIND)
#undef SMPFUZZ_GUEST_BIND
       }) {
    if (!s.ok()) {
      dlclose(handle);
      return s;
    }
  }
  g.description = path;
  const GuestImage* out = image.get();
  loaded->emplace(path, std::move(image));
  return out;
}

}  // namespace smpfuzz
