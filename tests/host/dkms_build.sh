#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# dkms_build: the companion module builds through DKMS (its dkms.conf, as
# doc/install.md tells users to install it), against the test kernel, with
# temporary DKMS trees (--dkmstree, --sourcetree) so that nothing of the
# system's DKMS state is touched; the module built is checked (name, version
# magic of that kernel) and every temporary tree is removed.
#
#   dkms_build.sh <module source dir> <kernel_headers>
#
# <kernel_headers>: the build's -Dkernel_headers, <kernel build dir>/usr/include
# (devtools/build.sh passes the test kernel's). Prints one REASON: line on
# failure.
set -uo pipefail

fail() { echo "REASON: $*"; exit 1; }
[ $# = 2 ] || fail "usage: $0 <module source dir> <kernel_headers>"
src=$1
kbuild=$(cd "$2/../.." 2> /dev/null && pwd) ||
	fail "no kernel build dir above '$2': configure with -Dkernel_headers=<kernel build dir>/usr/include (devtools/build.sh does)"
if [ ! -f "$kbuild/Module.symvers" ] || [ ! -f "$kbuild/include/config/kernel.release" ]; then
	fail "$kbuild is not a built kernel tree (no Module.symvers or include/config/kernel.release)"
fi
command -v dkms > /dev/null || fail "dkms not found: run devtools/deps.sh (apt-get install dkms)"
kver=$(cat "$kbuild/include/config/kernel.release")
name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$src/dkms.conf")
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$src/dkms.conf")
[ -n "$name" ] || fail "$src/dkms.conf has no PACKAGE_NAME"
[ -n "$ver" ] || fail "$src/dkms.conf has no PACKAGE_VERSION"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dkms-build.XXXXXX") || fail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trees=(--dkmstree "$tmp/dkms" --sourcetree "$tmp/src" --installtree "$tmp/install")
mkdir -p "$tmp/dkms" "$tmp/src" "$tmp/install"
cp -r "$src" "$tmp/src/$name-$ver"

dkms add "${trees[@]}" -m "$name" -v "$ver" > "$tmp/add.log" 2>&1 ||
	fail "dkms add failed: $(tail -1 "$tmp/add.log")"
dkms build "${trees[@]}" -m "$name" -v "$ver" -k "$kver" --kernelsourcedir "$kbuild" \
	> "$tmp/build.log" 2>&1 ||
	fail "dkms build for $kver failed: $(grep -m1 -E 'rror' "$tmp/build.log"; tail -1 "$tmp/dkms/$name/$ver/build/make.log" 2> /dev/null)"
ko=$(find "$tmp/dkms/$name/$ver/$kver" -name "$name.ko*" | head -1)
[ -n "$ko" ] || fail "dkms build reported success but left no $name.ko under $tmp/dkms/$name/$ver/$kver"
magic=$(modinfo -F vermagic "$ko")
[ "${magic%% *}" = "$kver" ] || fail "$ko has version magic '$magic', not for $kver"
status=$(dkms status "${trees[@]}" -m "$name" -v "$ver" -k "$kver" 2>&1)
grep -q built <<< "$status" || fail "dkms status does not say built: $status"
dkms remove "${trees[@]}" -m "$name" -v "$ver" --all > "$tmp/remove.log" 2>&1 ||
	fail "dkms remove failed: $(tail -1 "$tmp/remove.log")"
echo "ok: $name $ver built by DKMS for $kver ($(basename "$ko")), removed"
