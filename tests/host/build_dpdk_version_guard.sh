#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# build_dpdk_version_guard: the meson configuration (config/meson.build)
# refuses a DPDK older than 22.11, and one without the driver SDK headers,
# each with a message that names the fix; and refuses neither for a 22.11
# with them. Each case is a "meson setup" of the project into a temporary
# build dir against a fabricated libdpdk.pc (PKG_CONFIG_PATH = a temporary
# dir; its includedir holds bus_driver.h or not):
#
#   build_dpdk_version_guard.sh <source dir> <meson> [<kernel_headers>]
#
# <kernel_headers>: the -Dkernel_headers of the real build, so that the uAPI
# checks before the DPDK ones pass. Prints one REASON: line on failure.
# The temporary dir is removed at the end (KEEP=1 keeps it, with the logs).
set -uo pipefail

[ $# -ge 2 ] || { echo "REASON: usage: $0 <source dir> <meson> [<kernel_headers>]"; exit 1; }
src=$1 meson=$2 kheaders=${3:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dpdk-version-guard.XXXXXX") ||
	{ echo "REASON: mktemp failed"; exit 1; }
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT

# fake_dpdk NAME VERSION SDK(0|1): a libdpdk.pc in $tmp/NAME/pc whose
# includedir has rte_config.h, and bus_driver.h when SDK is 1.
fake_dpdk() {
	local d=$tmp/$1
	mkdir -p "$d/pc" "$d/include" "$d/lib"
	: > "$d/include/rte_config.h"
	[ "$3" = 0 ] || : > "$d/include/bus_driver.h"
	cat > "$d/pc/libdpdk.pc" <<-EOF
	prefix=$d
	libdir=\${prefix}/lib
	includedir=\${prefix}/include
	Name: DPDK
	Description: fabricated by build_dpdk_version_guard
	Version: $2
	Libs: -L\${libdir}
	Cflags: -I\${includedir}
	EOF
}

# setup NAME: meson setup against fake NAME; its output in $tmp/NAME.log.
setup() {
	local args=()
	[ -z "$kheaders" ] || args=(-Dkernel_headers="$kheaders")
	PKG_CONFIG_PATH=$tmp/$1/pc "$meson" setup "$tmp/$1/build" "$src" "${args[@]}" \
		> "$tmp/$1.log" 2>&1
}

fail=()
# expect_refused NAME WHAT PATTERN...: setup fails and its log has each
# PATTERN (fixed strings).
expect_refused() {
	local name=$1 what=$2 p
	shift 2
	if setup "$name"; then
		fail+=("meson setup accepted $what")
		return
	fi
	for p in "$@"; do
		grep -qF -- "$p" "$tmp/$name.log" && continue
		echo "--- meson setup against $what:"
		grep -E 'ERROR|error' "$tmp/$name.log" | tail -5
		fail+=("refusing $what, meson setup does not say \"$p\"")
	done
}

fake_dpdk old 21.11.0 1
expect_refused old "DPDK 21.11.0" "older than 22.11" "Build DPDK 22.11 or newer" \
	"-Denable_driver_sdk=true" "PKG_CONFIG_PATH"
fake_dpdk nosdk 22.11.0 0
expect_refused nosdk "DPDK 22.11.0 without bus_driver.h" "without the driver SDK headers" \
	"-Denable_driver_sdk=true" "PKG_CONFIG_PATH"
# The control: 22.11 with the SDK headers passes both guards (a later check
# may still fail on the empty fabricated headers).
fake_dpdk good 22.11.0 1
setup good
for p in "older than 22.11" "without the driver SDK headers"; do
	! grep -qF "$p" "$tmp/good.log" || fail+=("meson setup refuses DPDK 22.11.0 with its SDK: \"$p\"")
done
grep -qF "Run-time dependency libdpdk found: YES 22.11.0" "$tmp/good.log" ||
	fail+=("meson setup did not find the fabricated DPDK 22.11.0 (log: $(grep -m1 ERROR "$tmp/good.log"))")

if [ ${#fail[@]} -gt 0 ]; then
	echo "REASON: $(printf '%s\n' "${fail[@]}" | paste -sd';' | sed 's/;/; /g')"
	exit 1
fi
echo "meson setup refuses DPDK 21.11 and a DPDK without the driver SDK, naming the fix"
