// SPDX-License-Identifier: GPL-2.0-only
#include "lib/locations.h"

#include <cstddef>

namespace smpfuzz {
namespace {

const char* FieldName(Field f) {
  switch (f) {
    case Field::kNext: return ".node.llist.next";
    case Field::kFirst: return ".first";
    case Field::kFlags: return ".node.u_flags";
    case Field::kSrc: return ".node.src";
    case Field::kDst: return ".node.dst";
    case Field::kFunc: return ".func";
    case Field::kInfo: return ".info";
    case Field::kOther: return "";
  }
  return "";
}

}  // namespace

Field Locations::CsdField(std::size_t offset) const {
  if (offset == csd_.next) return Field::kNext;
  if (offset == csd_.flags) return Field::kFlags;
  if (offset == csd_.src) return Field::kSrc;
  if (offset == csd_.dst) return Field::kDst;
  if (offset == csd_.func) return Field::kFunc;
  if (offset == csd_.info) return Field::kInfo;
  return Field::kOther;
}

void Locations::Clear(int nr_cpus, const CsdLayout& csd) {
  nr_cpus_ = nr_cpus;
  csd_ = csd;
  ranges_.clear();
  stack_serial_.assign(nr_cpus, 0);
  locs_.clear();
  ids_.clear();
  last_addr_ = kNoAddr;
}

const void* Locations::ElementAddress(Area area, std::uint32_t index) const {
  for (const Range& r : ranges_) {
    if (r.area != area || index < r.first_index || index - r.first_index >= r.count) continue;
    const std::size_t stride = r.stride != 0 ? r.stride : r.elem_size;
    return r.begin + (index - r.first_index) * stride;
  }
  return nullptr;
}

void Locations::AddArray(Area area, const void* base, std::size_t elem_size, std::size_t count,
                         std::uint32_t first_index, std::size_t stride) {
  if (count == 0) return;
  ranges_.push_back({static_cast<const char*>(base), elem_size, count, area, 0, 0, first_index,
                     stride > elem_size ? stride : elem_size});
}

void Locations::AddStackCsd(const void* base, int cpu) {
  const char* b = static_cast<const char*>(base);
  // Forget the ids of whatever lived here before: a new object, a new life.
  for (std::size_t off = 0; off < csd_.size; off += 2) ids_.erase(b + off);
  last_addr_ = kNoAddr;
  for (auto it = ranges_.begin(); it != ranges_.end();) {
    if (it->area == Area::kStackCsd && it->begin == b) {
      it = ranges_.erase(it);
    } else {
      ++it;
    }
  }
  std::uint32_t serial = 0;
  if (cpu >= 0 && cpu < static_cast<int>(stack_serial_.size())) serial = ++stack_serial_[cpu];
  ranges_.push_back(
      {b, csd_.size, 1, Area::kStackCsd, static_cast<std::uint32_t>(cpu), serial, 0, csd_.size});
}

Locations::Loc Locations::Describe(const void* addr) const {
  const char* a = static_cast<const char*>(addr);
  Loc l;
  l.addr = addr;
  // Newest first: a stack csd may sit where an older one was.
  for (auto it = ranges_.rbegin(); it != ranges_.rend(); ++it) {
    const Range& r = *it;
    if (a < r.begin || a >= r.begin + r.stride * (r.count - 1) + r.elem_size) continue;
    std::size_t rel = static_cast<std::size_t>(a - r.begin);
    std::size_t index = rel / r.stride;
    std::size_t offset = rel % r.stride;
    if (offset >= r.elem_size) continue;  // between two strided elements
    l.area = r.area;
    if (r.area == Area::kCallSingleQueue) {
      l.field = offset == 0 ? Field::kFirst : Field::kOther;
    } else if (r.area == Area::kCompletion) {
      l.field = Field::kOther;  // a word of its own, no csd
    } else if (r.area == Area::kWakee && offset >= csd_.func) {
      l.field = Field::kOther;  // task state past the wake_entry, not a csd's func/info
    } else {
      l.field = CsdField(offset);
    }
    l.index = r.area == Area::kStackCsd ? r.cpu
                                        : r.first_index + static_cast<std::uint32_t>(index);
    l.serial = r.serial;
    return l;
  }
  return l;
}

bool Locations::Find(const void* addr, std::uint32_t* id) const {
  if (reinterpret_cast<std::uintptr_t>(addr) == last_addr_) {
    *id = last_id_;
    return true;
  }
  auto it = ids_.find(addr);
  if (it == ids_.end()) return false;
  *id = it->second;
  return true;
}

std::uint32_t Locations::Insert(const void* addr) {
  std::uint32_t id = static_cast<std::uint32_t>(locs_.size());
  locs_.push_back(Describe(addr));
  ids_.emplace(addr, id);
  return id;
}

std::string Locations::ObjectNameOf(const Loc& l, int nr_cpus) {
  switch (l.area) {
    case Area::kCallSingleQueue: return "call_single_queue[" + std::to_string(l.index) + "]";
    case Area::kCsdData: return "csd_data[" + std::to_string(l.index) + "]";
    case Area::kCfdCsd:
      return "cfd_data[" + std::to_string(l.index / nr_cpus) + "].csd[" +
             std::to_string(l.index % nr_cpus) + "]";
    case Area::kAsyncCsd: return "async_csd[" + std::to_string(l.index) + "]";
    case Area::kWildCsd: return "csd_data[impossible cpu]";
    case Area::kStackCsd:
      return "csd_stack(cpu" + std::to_string(l.index) + "#" + std::to_string(l.serial) + ")";
    case Area::kIrqWork: return "irq_work[" + std::to_string(l.index) + "]";
    case Area::kWakee: return "wakee[" + std::to_string(l.index) + "]";
    case Area::kCompletion: return "completion[" + std::to_string(l.index) + "]";
    case Area::kUnknown: break;
  }
  return "unknown";
}

std::string Locations::Name(std::uint32_t id) const {
  if (id >= locs_.size()) return "?";
  const Loc& l = locs_[id];
  return ObjectNameOf(l, nr_cpus_) + FieldName(l.field);
}

std::string Locations::ObjectName(const void* addr) const {
  if (addr == nullptr) return "";
  return ObjectNameOf(Describe(addr), nr_cpus_);
}

}  // namespace smpfuzz
