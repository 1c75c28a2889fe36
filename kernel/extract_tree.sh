#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# extract_tree.sh TARBALL OUTDIR FILE...: the FILEs of Debian's
# /usr/src/linux-source-X.tar.xz into OUTDIR, nothing else of its 150 MB.
# A FILE the tree does not have (6.1 has no include/linux/string_choices.h)
# becomes a one-line #error, so the build fails only if something includes
# it; any other tar failure fails the rule.
set -eu
tarball=$1
out=$2
shift 2
top=$(basename "$tarball" .tar.xz)
test -f "$tarball" || {
	echo "kernel: $tarball is missing: run ci/setup.sh (Debian package $top)" >&2
	exit 1
}
mkdir -p "$out"
err=$(mktemp)
trap 'rm -f "$err"' EXIT
members=$(for f in "$@"; do echo "$top/$f"; done)
# shellcheck disable=SC2086 # the members are one word each
if ! tar -xJf "$tarball" -C "$out" --strip-components=1 $members 2>"$err"; then
	if grep -v -e ': Not found in archive$' -e 'Exiting with failure status' "$err" >&2; then
		exit 1
	fi
fi
for f in "$@"; do
	[ -f "$out/$f" ] && continue
	mkdir -p "$(dirname "$out/$f")"
	printf '#error "%s has no %s"\n' "$top" "$f" >"$out/$f"
done
