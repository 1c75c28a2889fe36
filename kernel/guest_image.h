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

// The entry points of a build, once: X(field, symbol, return type, parameters).
// GuestImage's fields, LoadGuestImage's dlsym calls and LinkedGuestImage's
// declarations are all made from this list.
#define SMPFUZZ_GUEST_ENTRY_POINTS(X)                                                        \
  /* the tree's functions */                                                                 \
  X(smp_call_function_single, smp_call_function_single, int,                                 \
    (int cpu, void (*func)(void*), void* info, int wait))                                    \
  X(smp_call_function_single_async, smp_call_function_single_async, int, (int cpu, void* csd)) \
  X(smp_call_function, smp_call_function, void, (void (*func)(void*), void* info, int wait))  \
  X(flush_smp_call_function_queue, flush_smp_call_function_queue, void, (void))              \
  X(generic_smp_call_function_single_interrupt, generic_smp_call_function_single_interrupt,  \
    void, (void))                                                                            \
  X(smpcfd_dying_cpu, smpcfd_dying_cpu, int, (unsigned int cpu))                             \
  /* the glue (smp_glue.inc) */                                                              \
  X(call_single_queue, smpfuzz_glue_call_single_queue, void*, (void))                        \
  X(csd_data, smpfuzz_glue_csd_data, void*, (void))                                          \
  X(cfd_csd, smpfuzz_glue_cfd_csd, void*, (int cpu))                                         \
  X(llist_head_size, smpfuzz_glue_llist_head_size, unsigned long, (void))                    \
  X(csd_layout, smpfuzz_glue_csd_layout, void, (unsigned long out[7]))                       \
  X(set_nr_cpu_ids, smpfuzz_glue_set_nr_cpu_ids, void, (unsigned int n))                     \
  X(set_csd_lock_timeout, smpfuzz_glue_set_csd_lock_timeout, void, (unsigned long ms))       \
  X(boot, smpfuzz_glue_boot, void, (int csdlock_debug_on, unsigned int nr_cpus))             \
  X(call_function_many, smpfuzz_glue_call_function_many, void,                               \
    (unsigned long mask, void (*func)(void*), void* info, int wait))                         \
  X(call_function_any, smpfuzz_glue_call_function_any, int,                                  \
    (unsigned long mask, void (*func)(void*), void* info, int wait))                         \
  X(on_each_cpu_cond_mask, smpfuzz_glue_on_each_cpu_cond_mask, void,                         \
    (bool (*cond)(int cpu, void* info), void (*func)(void*), void* info, int wait,          \
     unsigned long mask))                                                                    \
  X(irq_work_queue_on, smpfuzz_glue_irq_work_queue_on, int, (void* work, int cpu))          \
  X(ttwu_queue, smpfuzz_glue_ttwu_queue, void, (int cpu, void* wake_entry))                  \
  X(irq_work_func_offset, smpfuzz_glue_irq_work_func_offset, unsigned long, (void))          \
  X(variant, smpfuzz_glue_variant, const char*, (void))                                      \
  X(sections, smpfuzz_glue_sections, void, (char* out[6]))

struct GuestImage {
  using Func = void (*)(void*);
#define SMPFUZZ_GUEST_FIELD(field, symbol, ret, params) ret(*field) params = nullptr;
  SMPFUZZ_GUEST_ENTRY_POINTS(SMPFUZZ_GUEST_FIELD)
#undef SMPFUZZ_GUEST_FIELD

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
