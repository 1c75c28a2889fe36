// SPDX-License-Identifier: GPL-2.0-only
//
// EmbeddedFiles: the files the smpfuzz binary carries to build a kernel guest
// from a user's tree: kernel/shim/**, kernel/runtime/kernel_api.h and
// smp_glue.inc, kernel/patches/*.patch, by their paths under kernel/
// ("shim/linux/percpu.h", "patches/b0473dcd.patch", ...). Generated at build
// time by embed_files (kernel/BUILD), so they are the files of this checkout.

#ifndef SMPFUZZ_KERNEL_EMBED_EMBEDDED_H_
#define SMPFUZZ_KERNEL_EMBED_EMBEDDED_H_

#include <string_view>
#include <vector>

namespace smpfuzz::kernel_build {

struct EmbeddedFile {
  std::string_view path;
  std::string_view contents;
};

const std::vector<EmbeddedFile>& EmbeddedFiles();

}  // namespace smpfuzz::kernel_build

#endif  // SMPFUZZ_KERNEL_EMBED_EMBEDDED_H_
