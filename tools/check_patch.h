// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz check-patch: the row of the command table (tools/commands.h) for
// what a patch to a tree's kernel/smp.c introduces (tools/check_patch.cc).

#ifndef SMPFUZZ_TOOLS_CHECK_PATCH_H_
#define SMPFUZZ_TOOLS_CHECK_PATCH_H_

#include "tools/command.h"

namespace smpfuzz::cli {

extern const Command kCheckPatchCommand;

}  // namespace smpfuzz::cli

#endif  // SMPFUZZ_TOOLS_CHECK_PATCH_H_
