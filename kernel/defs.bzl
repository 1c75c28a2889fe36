# SPDX-License-Identifier: GPL-2.0-only
"""The kernel guest's build: a tree's kernel/smp.c with a variant's patches,
compiled against kernel/shim/ with the guest's instrumentation flags."""

load("@rules_cc//cc:defs.bzl", "cc_library")

# Instrumentation for the guest's own runtime (kernel/runtime/): every
# access a scheduling point (TOOLCHAIN.md). -fno-sanitize=all first, so a
# config's sanitizer flags do not reach the tree's files. -O2 is pinned:
# which accesses exist depends on it (a reproducer is valid for one build).
# The one list of them: Bazel's builds of the default tree use it, and so
# does smpfuzz's own build of a user's tree (kernel/guest_build.cc, through
# the generated guest_flags.inc), so both compile the same accesses.
GUEST_FLAGS = [
    "-std=gnu11",
    "-O2",
    # Debug info for traces with the tree's lines (kernel/symbolize.h); it
    # does not change the code, so not the accesses. DWARF 4: valgrind 3.19
    # (callgrind, the benchmarks' instruction counts) cannot read clang's 5.
    "-gdwarf-4",
    "-fno-sanitize=all",
    "-fsanitize=thread",
    "-mllvm",
    "-tsan-distinguish-volatile=1",
    "-mllvm",
    "-tsan-instrument-read-before-write=1",
    "-nostdinc",
    "-fno-strict-aliasing",
    "-fno-common",
    "-Wno-unused-function",
    "-Wno-unused-variable",
]

# GUEST_FLAGS with the shim directory, as Bazel's builds see it.
GUEST_COPTS = GUEST_FLAGS + [
    "-Ikernel/shim",
    "-include",
    "kernel/shim/smpfuzz_prelude.h",
]

# Where the guest cannot run: under --config=tsan the real TSan runtime
# defines every __tsan_* entry point itself (duplicate symbols at link time,
# and its own race detector would run on the guest's fibers). ASan (asan,
# libfuzzer) runs it: kernel/runtime/runtime.cc annotates its fiber
# switches, and GUEST_FLAGS keep ASan off the tree's own files.
_NO_GUEST = [
    "//:sanitizer_tsan",
]

# Coverage on the tree's own files in the fuzz configs: -fno-sanitize=all
# (GUEST_FLAGS) drops the config's -fsanitize=fuzzer-no-link, so libFuzzer's
# inline 8-bit counters, PC table and comparison tracing come back here
# (trace-cmp too, which the configs leave off the model: smp.c's compares
# are of CPU numbers and flags from the input). Under --config=afl the
# compiler is afl-clang-fast, whose PCGUARD plugin instruments the tree's
# files whatever the sanitizer flags. The counters' own loads and stores,
# which the TSan pass instruments too, are not scheduling points
# (IsCoverage in runtime.cc); the guest's accesses are those of the default
# build, so a fuzzer's crash replays in smpfuzz.
GUEST_COVERAGE = select({
    "//:engine_libfuzzer": ["-fsanitize-coverage=inline-8bit-counters,pc-table,trace-cmp"],
    "//conditions:default": [],
})

GUEST_COMPATIBLE = select(dict(
    [(c, ["//kernel:incompatible"]) for c in _NO_GUEST] + [("//conditions:default", [])],
))

# For end-to-end tests of smpfuzz on the kernel guest (//tools:kernel_cli_test:
# it builds guests with the installed clang, explores, triages, hunts): the
# default build only. Under asan it runs past its 5 minutes, and the kernel
# guest is tested under asan by //kernel's and //fuzz's own tests.
UNSANITIZED_GUEST_COMPATIBLE = select(dict(
    [(c, ["//kernel:incompatible"]) for c in _NO_GUEST + [
        "//:sanitizer_asan",
        "//:sanitizer_fuzzer_asan",
    ]] + [("//conditions:default", [])],
))

def if_kernel_guest(yes, no = []):
    """`yes` in the configurations the kernel guest builds in, else `no`."""
    return select(dict([(c, no) for c in _NO_GUEST] + [("//conditions:default", yes)]))

# The tree's own files the guest compiles and includes as they are; every
# other header is the shim's (kernel/shim/smpfuzz_shim.h). A tree may lack
# some: 6.1 has no string_choices.h nor trace/events/csd.h (its smp.c
# includes neither).
TREE_FILES = [
    "kernel/smp.c",
    "kernel/sched/smp.h",
    "lib/llist.c",
    "include/linux/smp.h",
    "include/linux/smp_types.h",
    "include/linux/llist.h",
    "include/linux/kconfig.h",
    "include/linux/string_choices.h",
    "include/trace/events/csd.h",
    "include/trace/events/ipi.h",
]

def linux_tree(name, version):
    """TREE_FILES out of Debian's /usr/src/linux-source-<version>.tar.xz
    (ci/setup.sh installs it) into linux-<version>/; a file the tree lacks is
    an #error (extract_tree.sh)."""
    tree = "linux-" + version
    native.genrule(
        name = name,
        outs = [tree + "/" + f for f in TREE_FILES],
        cmd = "$(location extract_tree.sh) /usr/src/linux-source-%s.tar.xz $(RULEDIR)/%s %s" % (
            version,
            tree,
            " ".join(TREE_FILES),
        ),
        tools = ["extract_tree.sh"],
        local = True,
    )

def kernel_guest_variant(name, tree, patches, variant = None):
    """One build of the tree: kernel/smp.c with `patches` applied in order,
    one translation unit with kernel/runtime/smp_glue.inc appended, plus
    lib/llist.c as written. `variant` (the design's variant name) defaults
    to the name without its smp_ prefix."""
    unit = name + "_smp_unit.c"
    native.genrule(
        name = name + "_unit",
        srcs = [tree + "/kernel/smp.c", "runtime/smp_glue.inc"] + patches,
        outs = [unit],
        cmd = " && ".join([
            "T=$$(mktemp -d)",
            "cp $(location %s/kernel/smp.c) $$T/smp.c" % tree,
        ] + ["patch -s --no-backup-if-mismatch $$T/smp.c < $(location %s)" % p for p in patches] + [
            "{ echo '#line 1 \"kernel/smp.c\"'; cat $$T/smp.c; " +
            "echo '#line 1 \"kernel/runtime/smp_glue.inc\"'; " +
            "cat $(location runtime/smp_glue.inc); } > $@",
            "rm -rf $$T",
        ]),
    )
    cc_library(
        name = name,
        srcs = [unit, tree + "/lib/llist.c", "shim/sched_core.c"] + native.glob(["shim/**/*.h"]) + [
            "runtime/kernel_api.h",
        ] + [tree + "/" + f for f in TREE_FILES if f.endswith(".h")],
        # -iquote: smp.c's "sched/smp.h" is the tree's (its "smpboot.h",
        # not extracted, falls through to the shim's).
        copts = GUEST_COPTS + [
            "-I$(GENDIR)/kernel/%s/include" % tree,
            "-iquote",
            "$(GENDIR)/kernel/%s/kernel" % tree,
            "-include",
            "$(GENDIR)/kernel/%s/include/linux/kconfig.h" % tree,
            "-DSMPFUZZ_VARIANT='\"%s\"'" % (variant or name.replace("smp_", "")),
            "-DSMPFUZZ_TREE='\"%s\"'" % tree,
        ] + GUEST_COVERAGE,
        # Module maps know nothing of -nostdinc and the tree's include dir.
        features = ["-layering_check"],
        target_compatible_with = GUEST_COMPATIBLE,
        alwayslink = True,
    )

def c_strings_inc(name, strings):
    """`strings` as C string literals, one per line, in NAME.inc: how
    kernel/guest_build.cc gets GUEST_FLAGS and TREE_FILES, so that smpfuzz's
    own builds of a tree use the same lists as Bazel's."""
    native.genrule(
        name = name,
        outs = [name + ".inc"],
        cmd = "{ " + " ".join(["echo '\"%s\",';" % f for f in strings]) + " } > $@",
    )
