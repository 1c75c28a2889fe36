// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/linked_image.h"

#include <memory>

#include "kernel/kernel_guest.h"

// The tree's functions (kernel/smp.c) and the glue appended to it
// (kernel/runtime/smp_glue.inc), as linked.
extern "C" {
using smp_call_func_t = void (*)(void*);
int smp_call_function_single(int cpu, smp_call_func_t func, void* info, int wait);
int smp_call_function_single_async(int cpu, void* csd);
void flush_smp_call_function_queue(void);
void generic_smp_call_function_single_interrupt(void);
void* smpfuzz_glue_call_single_queue(void);
void* smpfuzz_glue_csd_data(void);
void* smpfuzz_glue_cfd_csd(int cpu);
unsigned long smpfuzz_glue_llist_head_size(void);
void smpfuzz_glue_csd_layout(unsigned long out[7]);
void smpfuzz_glue_set_nr_cpu_ids(unsigned int n);
void smpfuzz_glue_set_csd_lock_timeout(unsigned long ms);
void smpfuzz_glue_boot(int csdlock_debug_on, unsigned int nr_cpus);
void smpfuzz_glue_call_many(unsigned long mask, smp_call_func_t func, void* info,
                            unsigned int scf_flags);
unsigned int smpfuzz_glue_scf_flags(int wait, int local);
const char* smpfuzz_glue_variant(void);
void smpfuzz_glue_sections(char* out[6]);
}

namespace smpfuzz {

const GuestImage& LinkedGuestImage() {
  static const GuestImage* image = [] {
    auto* g = new GuestImage;
    g->smp_call_function_single = &smp_call_function_single;
    g->smp_call_function_single_async = &smp_call_function_single_async;
    g->flush_smp_call_function_queue = &flush_smp_call_function_queue;
    g->generic_smp_call_function_single_interrupt = &generic_smp_call_function_single_interrupt;
    g->call_single_queue = &smpfuzz_glue_call_single_queue;
    g->csd_data = &smpfuzz_glue_csd_data;
    g->cfd_csd = &smpfuzz_glue_cfd_csd;
    g->llist_head_size = &smpfuzz_glue_llist_head_size;
    g->csd_layout = &smpfuzz_glue_csd_layout;
    g->set_nr_cpu_ids = &smpfuzz_glue_set_nr_cpu_ids;
    g->set_csd_lock_timeout = &smpfuzz_glue_set_csd_lock_timeout;
    g->boot = &smpfuzz_glue_boot;
    g->call_many = &smpfuzz_glue_call_many;
    g->scf_flags = &smpfuzz_glue_scf_flags;
    g->variant = &smpfuzz_glue_variant;
    g->sections = &smpfuzz_glue_sections;
    g->description = std::string("the linked build, variant ") + smpfuzz_glue_variant();
    return g;
  }();
  return *image;
}

std::unique_ptr<Guest> NewKernelGuest() { return NewKernelGuest(LinkedGuestImage()); }

const char* KernelGuestVariant() { return LinkedGuestImage().variant(); }

}  // namespace smpfuzz
