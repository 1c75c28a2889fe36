// SPDX-License-Identifier: GPL-2.0-only
#include "lib/primitives.h"

namespace smpfuzz {

const char* AccessKindName(AccessKind k) {
  switch (k) {
    case AccessKind::kPlainLoad: return "load";
    case AccessKind::kPlainStore: return "store";
    case AccessKind::kReadOnce: return "READ_ONCE";
    case AccessKind::kWriteOnce: return "WRITE_ONCE";
    case AccessKind::kLoadAcquire: return "smp_load_acquire";
    case AccessKind::kStoreRelease: return "smp_store_release";
    case AccessKind::kXchg: return "xchg";
    case AccessKind::kCmpxchg: return "try_cmpxchg";
    case AccessKind::kCmpxchgAcquire: return "try_cmpxchg_acquire";
    case AccessKind::kCondLoadAcquire: return "smp_cond_load_acquire";
    case AccessKind::kSpinReadOnce: return "READ_ONCE(spin)";
    case AccessKind::kCall: return "call";
    case AccessKind::kSendIpi: return "send_ipi";
    case AccessKind::kSendIpiMask: return "send_ipi_mask";
    case AccessKind::kDelay: return "mdelay";
    case AccessKind::kIrqRestore: return "irq_restore";
    case AccessKind::kSpinUntilChanged: return "READ_ONCE(spin)";
    case AccessKind::kCpuDown: return "cpu_down";
    case AccessKind::kCpuUp: return "cpu_up";
    case AccessKind::kCount: break;
  }
  return "?";
}

}  // namespace smpfuzz
