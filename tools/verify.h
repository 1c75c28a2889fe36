// SPDX-License-Identifier: GPL-2.0-only
//
// smpfuzz verify: the row of the command table (tools/commands.h) for the
// proof over a scope of scenarios and its certificates (tools/verify.cc;
// the library is lib/verify.h).

#ifndef SMPFUZZ_TOOLS_VERIFY_H_
#define SMPFUZZ_TOOLS_VERIFY_H_

#include "tools/command.h"

namespace smpfuzz::cli {

extern const Command kVerifyCommand;

// `--check` is replay's boolean; `smpfuzz verify --check=CERT` names a
// certificate. main calls this before the flag check: on a verify command
// line it respells --check=CERT as --certificate_check=CERT.
void SpellVerifyCheck(int argc, char** argv);

}  // namespace smpfuzz::cli

#endif  // SMPFUZZ_TOOLS_VERIFY_H_
