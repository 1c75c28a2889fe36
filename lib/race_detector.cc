// SPDX-License-Identifier: GPL-2.0-only
#include "lib/race_detector.h"

#include <algorithm>

namespace smpfuzz {

void RaceDetector::Reset(int nr_cpus) {
  const std::size_t nn = static_cast<std::size_t>(nr_cpus) * nr_cpus;
  if (n_ != nr_cpus) {
    n_ = nr_cpus;
    shadow_.clear();
    read_clock_.clear();
    read_plain_.clear();
    read_site_.clear();
    sync_.clear();
    used_ = 0;
  }
  vc_.assign(nn, 0);
  for (int c = 0; c < n_; ++c) Vc(c)[c] = 1;
  fence_rel_.assign(nn, 0);
  fence_rel_valid_.assign(n_, 0);
  acq_pending_.assign(nn, 0);
  ipi_clock_.assign(nn, 0);
  // Only the locations used last time need clearing.
  std::fill(shadow_.begin(), shadow_.begin() + used_, Shadow{});
  std::fill(read_clock_.begin(), read_clock_.begin() + static_cast<std::size_t>(used_) * n_, 0);
  std::fill(sync_.begin(), sync_.begin() + static_cast<std::size_t>(used_) * n_, 0);
  used_ = 0;
}

void RaceDetector::Grow(std::uint32_t loc) {
  if (loc >= shadow_.size()) {
    std::size_t size = std::max<std::size_t>(64, static_cast<std::size_t>(loc) * 2);
    shadow_.resize(size);
    read_clock_.resize(size * n_, 0);
    read_plain_.resize(size * n_, 0);
    read_site_.resize(size * n_, Site::fence);
    sync_.resize(size * n_, 0);
  }
  if (loc >= used_) used_ = loc + 1;
}

void RaceDetector::Forget(std::uint32_t loc) {
  Grow(loc);
  shadow_[loc] = Shadow{};
  std::fill_n(&read_clock_[static_cast<std::size_t>(loc) * n_], n_, 0);
  std::fill_n(&sync_[static_cast<std::size_t>(loc) * n_], n_, 0);
}

bool RaceDetector::OnAccess(int cpu, std::uint32_t loc, AccessKind kind, bool wrote, Site site,
                            Conflict* out) {
  Grow(loc);
  std::uint32_t* v = Vc(cpu);
  Shadow& sh = shadow_[loc];
  const std::size_t base = static_cast<std::size_t>(loc) * n_;
  std::uint32_t* sync = &sync_[base];
  const bool plain = AccessIsPlain(kind);
  const bool reads = AccessReads(kind);
  const bool writes = kind == AccessKind::kCmpxchg || kind == AccessKind::kCmpxchgAcquire
                          ? wrote
                          : AccessWrites(kind);

  // Acquire side first: what this access reads may order it after the writer.
  if (reads) {
    bool acquire = kind == AccessKind::kLoadAcquire || kind == AccessKind::kCondLoadAcquire ||
                   kind == AccessKind::kXchg ||
                   ((kind == AccessKind::kCmpxchg || kind == AccessKind::kCmpxchgAcquire) && wrote);
    if (sh.has_sync) {
      if (acquire) {
        Join(v, sync);
      } else if (!plain) {
        Join(&acq_pending_[static_cast<std::size_t>(cpu) * n_], sync);
      }
    }
  }

  bool raced = false;
  // Against the last write.
  if (sh.w_cpu >= 0 && sh.w_cpu != cpu && sh.w_clock > v[sh.w_cpu] && (plain || sh.w_plain)) {
    raced = true;
    out->other_cpu = sh.w_cpu;
    out->other_site = sh.w_site;
    out->other_write = true;
    out->other_plain = sh.w_plain;
  }
  // A write against every unordered read.
  if (!raced && writes) {
    for (int d = 0; d < n_; ++d) {
      std::uint32_t rc = read_clock_[base + d];
      if (d == cpu || rc == 0 || rc <= v[d]) continue;
      if (!plain && !read_plain_[base + d]) continue;
      raced = true;
      out->other_cpu = d;
      out->other_site = read_site_[base + d];
      out->other_write = false;
      out->other_plain = read_plain_[base + d] != 0;
      break;
    }
  }

  // Record this access.
  if (reads && !writes) {
    read_clock_[base + cpu] = v[cpu];
    read_plain_[base + cpu] = plain;
    read_site_[base + cpu] = site;
  }
  if (writes) {
    sh.w_cpu = cpu;
    sh.w_clock = v[cpu];
    sh.w_site = site;
    sh.w_plain = plain;
    std::fill_n(&read_clock_[base], n_, 0);
    // Release side.
    const bool rmw = kind == AccessKind::kXchg || kind == AccessKind::kCmpxchg ||
                     kind == AccessKind::kCmpxchgAcquire;
    const bool release = kind == AccessKind::kStoreRelease || kind == AccessKind::kXchg ||
                         kind == AccessKind::kCmpxchg;
    if (release) {
      if (rmw && sh.has_sync) {
        Join(sync, v);
      } else {
        std::copy_n(v, n_, sync);
      }
      sh.has_sync = true;
    } else if (rmw) {
      // A relaxed RMW continues the release sequence: keep sync as it is.
    } else if (!plain && fence_rel_valid_[cpu]) {
      std::copy_n(&fence_rel_[static_cast<std::size_t>(cpu) * n_], n_, sync);
      sh.has_sync = true;
    } else {
      sh.has_sync = false;
    }
    if (release || rmw) Tick(cpu);
  }
  return raced;
}

void RaceDetector::OnFence(int cpu, FenceKind kind) {
  std::uint32_t* v = Vc(cpu);
  const std::size_t base = static_cast<std::size_t>(cpu) * n_;
  if (kind == FenceKind::kMb || kind == FenceKind::kRmb ||
      kind == FenceKind::kAcquireAfterCtrlDep) {
    Join(v, &acq_pending_[base]);
  }
  if (kind == FenceKind::kMb || kind == FenceKind::kWmb) {
    std::copy_n(v, n_, &fence_rel_[base]);
    fence_rel_valid_[cpu] = 1;
    Tick(cpu);
  }
}

void RaceDetector::OnIpiSend(int cpu, int target) {
  if (target < 0 || target >= n_) return;
  Join(&ipi_clock_[static_cast<std::size_t>(target) * n_], Vc(cpu));
  Tick(cpu);
}

void RaceDetector::OnIpiDeliver(int target) {
  Join(Vc(target), &ipi_clock_[static_cast<std::size_t>(target) * n_]);
}

void RaceDetector::OnMigrate(int from, int to) {
  if (from < 0 || from >= n_ || to < 0 || to >= n_) return;
  Join(Vc(to), Vc(from));
  Tick(from);
}

}  // namespace smpfuzz
