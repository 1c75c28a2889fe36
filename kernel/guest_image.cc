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
           Bind(handle, path, "smp_call_function_single", &g.smp_call_function_single),
           Bind(handle, path, "smp_call_function_single_async", &g.smp_call_function_single_async),
           Bind(handle, path, "flush_smp_call_function_queue", &g.flush_smp_call_function_queue),
           Bind(handle, path, "generic_smp_call_function_single_interrupt",
                &g.generic_smp_call_function_single_interrupt),
           Bind(handle, path, "smpfuzz_glue_call_single_queue", &g.call_single_queue),
           Bind(handle, path, "smpfuzz_glue_csd_data", &g.csd_data),
           Bind(handle, path, "smpfuzz_glue_cfd_csd", &g.cfd_csd),
           Bind(handle, path, "smpfuzz_glue_llist_head_size", &g.llist_head_size),
           Bind(handle, path, "smpfuzz_glue_csd_layout", &g.csd_layout),
           Bind(handle, path, "smpfuzz_glue_set_nr_cpu_ids", &g.set_nr_cpu_ids),
           Bind(handle, path, "smpfuzz_glue_set_csd_lock_timeout", &g.set_csd_lock_timeout),
           Bind(handle, path, "smpfuzz_glue_boot", &g.boot),
           Bind(handle, path, "smpfuzz_glue_call_many", &g.call_many),
           Bind(handle, path, "smpfuzz_glue_scf_flags", &g.scf_flags),
           Bind(handle, path, "smpfuzz_glue_variant", &g.variant),
           Bind(handle, path, "smpfuzz_glue_sections", &g.sections),
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
