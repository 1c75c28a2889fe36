#!/usr/bin/env bash
# Installs the Debian packages smpfuzz builds with (see /work/shared/TOOLCHAIN.md).
# Idempotent: when every package is already installed it does not touch apt at all.
# Runs as root, or through sudo otherwise. Needs only Debian's package archive.
set -euo pipefail

PACKAGES=(
  bazel-bootstrap bazel-rules-java bazel-platforms bazel-skylib
  clang llvm libclang-rt-14-dev
  afl++
  libabsl-dev googletest libgtest-dev libgmock-dev
  linux-source-6.12 linux-source-6.1 libboost-context-dev
  patch xz-utils
  libc++-14-dev libc++abi-14-dev  # the fuzz-build check (ci/check-fuzz-build.sh): OSS-Fuzz builds with -stdlib=libc++
  zip unzip
)

say() { echo "setup: $*"; }
die() { echo "setup: error: $*" >&2; exit 1; }

installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

missing=()
for p in "${PACKAGES[@]}"; do
  installed "$p" || missing+=("$p")
done

install_missing() {
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  die "not root and no sudo: cannot install ${missing[*]}"
fi
export DEBIAN_FRONTEND=noninteractive

say "missing: ${missing[*]}"
say "apt-get update"
"${SUDO[@]}" apt-get update -q >/dev/null || die "apt-get update failed"

for p in "${missing[@]}"; do
  apt-cache show "$p" >/dev/null 2>&1 \
    || die "package '$p' is not available from the configured apt sources"
done

say "apt-get install -y ${missing[*]}"
"${SUDO[@]}" apt-get install -y -q "${missing[@]}" \
  || die "apt-get install failed for: ${missing[*]}"

for p in "${missing[@]}"; do
  installed "$p" || die "package '$p' is still not installed after apt-get install"
done
say "done: installed ${missing[*]}"
}

if [ ${#missing[@]} -eq 0 ]; then
  say "all ${#PACKAGES[@]} packages already installed; skipping apt"
else
  install_missing
fi

# Bazel's auto-configured C++ toolchain lists the system headers it found when it was
# configured, and layering_check (.bazelrc) refuses an include outside that list. An
# output base configured before a package was installed (Boost.Context, say: CI reuses
# output bases across clones of the same path) must be configured again, whether or not
# this run installed anything. A fresh output base configures itself on first build.
reconfigure_if_stale() {
  command -v bazel >/dev/null 2>&1 || return 0
  local root ob map
  root="$(cd "$(dirname "$0")/.." && pwd)"
  ob="$(cd "$root" && bazel info output_base 2>/dev/null)" || return 0
  map="$ob/external/local_config_cc/module.modulemap"
  [ -f "$map" ] || return 0
  if [ -z "$(find /var/lib/dpkg/info -name '*.list' -newer "$map" -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  say "bazel sync --configure (packages changed since Bazel configured its C++ toolchain)"
  (cd "$root" && bazel sync --configure >/dev/null 2>&1) \
    || die "bazel sync --configure failed; the C++ toolchain does not know the new system headers"
}
reconfigure_if_stale
