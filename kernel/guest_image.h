// SPDX-License-Identifier: GPL-2.0-only
//
// GuestImage: one build of a kernel tree (its kernel/smp.c with the glue of
// kernel/runtime/smp_glue.inc, and its lib/llist.c) as the table of entry
// points the kernel guest calls. A build is either linked into the binary
// (Bazel's builds of the default tree, //kernel:smp_<variant>) or a shared
// object smpfuzz built from a user's tree (kernel/guest_build.h) and loaded
// here with dlopen. The object's own references to the runtime (__tsan_*,
// smpfuzz_*) resolve to the binary's kernel/runtime/, which the binary
// exports (//kernel:runtime_exports).
//
// An image lives for the process: its globals are the kernel's, and the
// runtime restores them before each run. Several images may be loaded at once
// (check-patch runs a tree with and without a patch); one runs at a time.

#ifndef SMPFUZZ_KERNEL_GUEST_IMAGE_H_
#define SMPFUZZ_KERNEL_GUEST_IMAGE_H_

#include <string>

#include "absl/status/statusor.h"

namespace smpfuzz {

struct GuestImage {
  using Func = void (*)(void*);
  // The tree's functions.
  int (*smp_call_function_single)(int cpu, Func func, void* info, int wait) = nullptr;
  int (*smp_call_function_single_async)(int cpu, void* csd) = nullptr;
  void (*flush_smp_call_function_queue)(void) = nullptr;
  void (*generic_smp_call_function_single_interrupt)(void) = nullptr;
  // The glue (smp_glue.inc).
  void* (*call_single_queue)(void) = nullptr;
  void* (*csd_data)(void) = nullptr;
  void* (*cfd_csd)(int cpu) = nullptr;
  unsigned long (*llist_head_size)(void) = nullptr;
  void (*csd_layout)(unsigned long out[7]) = nullptr;
  void (*set_nr_cpu_ids)(unsigned int n) = nullptr;
  void (*set_csd_lock_timeout)(unsigned long ms) = nullptr;
  void (*boot)(int csdlock_debug_on, unsigned int nr_cpus) = nullptr;
  void (*call_many)(unsigned long mask, Func func, void* info, unsigned int scf_flags) = nullptr;
  unsigned int (*scf_flags)(int wait, int local) = nullptr;
  const char* (*variant)(void) = nullptr;
  void (*sections)(char* out[6]) = nullptr;

  // What this build is, for messages and reproducers: "linux-6.12 + b0473dcd"
  // style, and the content hash of what it was built from (0 when linked).
  std::string description;
  unsigned long long build_hash = 0;
};

// Loads the shared object at `path` (a build of kernel/guest_build.h) once
// per process; a second call with the same path returns the same image.
// An error names the path and what is missing.
absl::StatusOr<const GuestImage*> LoadGuestImage(const std::string& path);

}  // namespace smpfuzz

#endif  // SMPFUZZ_KERNEL_GUEST_IMAGE_H_
