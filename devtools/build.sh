#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Build dpdk-pasid: the meson project into build/ (or $BUILD) against our
# DPDK and the test kernel's uAPI headers, and the companion kernel module
# into build/kmod/ against the test kernel.
#
#   devtools/build.sh [plain|debug]     kernel flavour for the module (default debug)
#
# Reuses the DPDK and kernel caches (devtools/dpdk.sh, devtools/kernel.sh),
# building them first when they are missing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${1:-debug}
BUILD=${BUILD:-$(default_build_dir)}
DPDK_PREFIX=$("$TOP/devtools/dpdk.sh")
KBUILD=$("$TOP/devtools/kernel.sh" "$flavour")

export PKG_CONFIG_PATH=$DPDK_PREFIX/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
if [ ! -f "$BUILD/build.ninja" ]; then
	/usr/bin/python3 /usr/bin/meson setup "$BUILD" "$TOP" \
		-Dkernel_headers="$KBUILD/usr/include" > "$BUILD.setup.log" 2>&1 ||
		{ cat "$BUILD.setup.log" >&2; die "meson setup failed"; }
	rm -f "$BUILD.setup.log"
else
	/usr/bin/python3 /usr/bin/meson configure "$BUILD" \
		-Dkernel_headers="$KBUILD/usr/include" > /dev/null
fi
ninja -C "$BUILD" > "$BUILD/ninja.log" 2>&1 || { cat "$BUILD/ninja.log" >&2; die "build failed"; }

# Out-of-tree modules, built in $BUILD/kmod (kmod-plain for the plain
# kernel: a module built for one flavour must not load into the other) so
# the source tree stays clean.
kmod=$BUILD/kmod
[ "$flavour" = debug ] || kmod=$BUILD/kmod-$flavour
for m in "$TOP"/kernel/linux/*/; do
	[ -f "$m/Kbuild" ] || [ -f "$m/Makefile" ] || continue
	name=$(basename "$m")
	mkdir -p "$kmod/$name"
	make -C "$KBUILD" M="$m" MO="$kmod/$name" W=1 modules > "$kmod/$name.log" 2>&1 ||
		{ cat "$kmod/$name.log" >&2; die "module $name failed to build"; }
	if grep -q 'warning:' "$kmod/$name.log"; then
		grep 'warning:' "$kmod/$name.log" >&2
		die "module $name builds with warnings (W=1); warnings are errors"
	fi
done
