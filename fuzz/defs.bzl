"""smpfuzz_fuzz_target: one LLVMFuzzerTestOneInput harness, built for every engine.

The engine comes from the build config (.bazelrc), never from the target:

| config                          | the target links                                    |
| ------------------------------- | --------------------------------------------------- |
| --config=libfuzzer              | `-fsanitize=fuzzer` (libFuzzer's main), with ASan    |
| --config=libfuzzer-opt          | `-fsanitize=fuzzer`, optimized, no ASan              |
| --config=afl                    | //third_party:afl_driver (AFL++'s libAFLDriver.a)   |
| any other (default, asan, tsan) | //fuzz:standalone_main: runs each file named on the  |
|                                 | command line once                                   |

The configs put the coverage instrumentation on all code (libFuzzer: -fsanitize=fuzzer-no-link;
AFL++: the afl-clang-fast toolchain), so the libraries under test are instrumented too; this
macro only chooses what the binary links. Targets are tagged `manual`: `bazel test //...`
does not build them; build them by name, e.g.

    bazel build --config=libfuzzer //fuzz:scenario_fuzzer
"""

def smpfuzz_fuzz_target(name, srcs, deps = [], linkopts = [], tags = [], **kwargs):
    """A cc_binary fuzz target that links the engine driver of the current config.

    Args:
      name: target name.
      srcs: sources; one of them defines LLVMFuzzerTestOneInput (and optionally
        LLVMFuzzerInitialize / LLVMFuzzerCustomMutator).
      deps: libraries under test.
      linkopts: extra link options.
      tags: extra tags; `manual` and `fuzz_target` are always added.
      **kwargs: passed to cc_binary.
    """
    native.cc_binary(
        name = name,
        srcs = srcs,
        deps = deps + select({
            "//:engine_libfuzzer": [],
            "//:engine_afl": ["//third_party:afl_driver"],
            "//conditions:default": ["//fuzz:standalone_main"],
        }),
        linkopts = linkopts + select({
            "//:engine_libfuzzer": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        tags = tags + ["manual", "fuzz_target"],
        **kwargs
    )
