// SPDX-License-Identifier: GPL-2.0-only
//
// Locations: stable identities and kernel-style names for the model's shared
// memory.
//
// Raw addresses differ between runs and builds; a trace must not. Every
// address an access touches gets a small id, assigned in first-touch order
// within a run, and a name such as "csd_data[0].node.u_flags" or
// "cfd_data[1].csd[2].func". Names are built only when asked for.

#ifndef SMPFUZZ_LIB_LOCATIONS_H_
#define SMPFUZZ_LIB_LOCATIONS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace smpfuzz {

enum class Field : std::uint8_t { kNext, kFirst, kFlags, kSrc, kDst, kFunc, kInfo, kOther };

enum class Area : std::uint8_t {
  kCallSingleQueue,  // llist_head per CPU
  kCsdData,          // csd_data per CPU
  kCfdCsd,           // cfd_data[sender].csd[target], index = sender * nr_cpus + target
  kAsyncCsd,         // the workload's csds for smp_call_function_single_async
  kWildCsd,          // what per_cpu_ptr() of an impossible CPU points at
  kStackCsd,         // an on-stack csd of smp_call_function_single(wait=1)
  kIrqWork,          // the scenario's irq_works (csd-shaped, node first)
  kWakee,            // the sleeping tasks of ttwu ops (wake_entry first)
  kCompletion,       // an act=complete request's struct completion, by token
  kUnknown,
};

// Where the fields of the guest's csd (struct __call_single_data) lie, as
// the guest compiled it: the guest says so (Guest::Reset), so this file needs
// no guest header. A list head's `first` is at offset 0 of its element.
struct CsdLayout {
  std::size_t size = 0;
  std::size_t next = 0;   // node.llist.next
  std::size_t flags = 0;  // node.u_flags
  std::size_t src = 0;    // node.src
  std::size_t dst = 0;    // node.dst
  std::size_t func = 0;
  std::size_t info = 0;
};

class Locations {
 public:
  struct Loc {
    const void* addr = nullptr;
    Area area = Area::kUnknown;
    Field field = Field::kOther;
    std::uint32_t index = 0;   // element index, or for kStackCsd the owning CPU
    std::uint32_t serial = 0;  // kStackCsd: which stack csd of that CPU (1, 2, ...)
  };

  // Forgets all ids and areas (a new run); csds are laid out as `csd`.
  void Clear(int nr_cpus, const CsdLayout& csd);
  std::size_t csd_size() const { return csd_.size; }
  // Elements are numbered from `first_index`, and lie `stride` bytes apart
  // (0: elem_size, one array; a guest whose per-CPU copies are one per-CPU
  // area apart gives that distance, or registers each copy as its own range).
  void AddArray(Area area, const void* base, std::size_t elem_size, std::size_t count,
                std::uint32_t first_index = 0, std::size_t stride = 0);
  // Element `index` of `area` (as AddArray numbered it), or nullptr: e.g.
  // CPU c's call_single_queue, whose `first` a machine reads at the end.
  const void* ElementAddress(Area area, std::uint32_t index) const;
  // A new on-stack csd at `base` (it may reuse an old one's memory).
  void AddStackCsd(const void* base, int cpu);

  std::uint32_t Id(const void* addr) {
    if (reinterpret_cast<std::uintptr_t>(addr) == last_addr_) return last_id_;
    auto it = ids_.find(addr);
    const std::uint32_t id = it != ids_.end() ? it->second : Insert(addr);
    last_addr_ = reinterpret_cast<std::uintptr_t>(addr);
    last_id_ = id;
    return id;
  }
  // The id of `addr` if it has one already. Out of line, in a file the
  // fuzzers do not instrument: the checkers call it, and the probing of a map
  // keyed by addresses differs between runs (see lib/csd_owners.h).
  bool Find(const void* addr, std::uint32_t* id) const;
  const Loc& Get(std::uint32_t id) const { return locs_[id]; }
  std::size_t size() const { return locs_.size(); }

  // "csd_data[0].node.u_flags"
  std::string Name(std::uint32_t id) const;
  // The name of the object (csd or list head) that contains `addr`: "csd_data[0]".
  std::string ObjectName(const void* addr) const;

 private:
  struct Range {
    const char* begin;
    std::size_t elem_size;
    std::size_t count;
    Area area;
    std::uint32_t cpu;     // kStackCsd
    std::uint32_t serial;  // kStackCsd
    std::uint32_t first_index = 0;
    std::size_t stride = 0;  // from one element to the next (>= elem_size)
  };
  std::uint32_t Insert(const void* addr);
  Loc Describe(const void* addr) const;
  Field CsdField(std::size_t offset) const;
  static std::string ObjectNameOf(const Loc& l, int nr_cpus);

  int nr_cpus_ = 0;
  CsdLayout csd_;
  std::vector<Range> ranges_;
  std::vector<std::uint32_t> stack_serial_;  // per CPU
  std::vector<Loc> locs_;
  absl::flat_hash_map<const void*, std::uint32_t> ids_;
  // The last address Id() looked up, and its id: the kernel guest's runtime
  // asks Find() about the address the simulator just performed an access on
  // (kernel/runtime/observer.cc), so this saves it a second hash lookup per
  // access. kNoAddr: nothing cached (after Clear, AddStackCsd).
  static constexpr std::uintptr_t kNoAddr = ~std::uintptr_t{0};
  std::uintptr_t last_addr_ = kNoAddr;
  std::uint32_t last_id_ = 0;
};

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_LOCATIONS_H_
