"""Helpers for third_party/system_libs.BUILD (Debian's system libraries)."""

def absl_library(name, libs, deps = []):
    """A cc_library that links Debian's shared libabsl_<lib>.so for each of `libs`."""
    native.cc_library(
        name = name,
        linkopts = ["-labsl_" + lib for lib in libs],
        deps = deps,
    )
