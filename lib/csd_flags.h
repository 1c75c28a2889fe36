// SPDX-License-Identifier: GPL-2.0-only
//
// The bits of a csd's node.u_flags (include/linux/smp_types.h): part of the
// kernel's ABI that every guest shares, so a trace printer can name a flags
// value without seeing any guest.

#ifndef SMPFUZZ_LIB_CSD_FLAGS_H_
#define SMPFUZZ_LIB_CSD_FLAGS_H_

namespace smpfuzz {

enum : unsigned int {
  CSD_FLAG_LOCK = 0x01,
  // An irq_work's a_flags (the same word as u_flags).
  IRQ_WORK_PENDING = 0x01,
  IRQ_WORK_BUSY = 0x02,
  IRQ_WORK_CLAIMED = IRQ_WORK_PENDING | IRQ_WORK_BUSY,
  CSD_TYPE_ASYNC = 0x00,
  CSD_TYPE_SYNC = 0x10,
  CSD_TYPE_IRQ_WORK = 0x20,
  CSD_TYPE_TTWU = 0x30,
  CSD_FLAG_TYPE_MASK = 0xF0,
};

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_CSD_FLAGS_H_
