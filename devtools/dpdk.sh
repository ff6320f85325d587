#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Build DPDK from Debian 12's source package with the driver SDK headers.
#
#   dpdk.sh          build (or reuse) and print the install prefix
#   dpdk.sh path     print the install prefix without building
#
# Debian's libdpdk-dev lacks bus_driver.h/dev_driver.h/ethdev_driver.h, so the
# project builds its own minimal DPDK (drivers the tests use, dpdk-test and
# dpdk-testpmd). dpdk-test is linked with --export-dynamic so that plugins
# loaded with -d can register autotests.
#
# Use your own DPDK (built with meson -Denable_driver_sdk=true): either set
# PKG_CONFIG_PATH so that it finds that DPDK's libdpdk.pc, or set
# DPDK_PASID_DPDK_PREFIX to its install prefix.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Bump when a change to this script changes what it builds.
DPDK_RECIPE=1
# shellcheck disable=SC2054 # the commas are inside meson option values
DPDK_OPTS=(
	-Dplatform=generic
	-Ddisable_libs=bitratestats,cfgfile,flow_classify,gpudev,gro,gso,kni,jobstats,latencystats,metrics,node,pdump,pipeline,port,power,table,vhost
	-Denable_drivers=bus/pci,bus/vdev,mempool/ring,net/null,net/ring
	-Denable_driver_sdk=true
	-Dtests=true
	-Dexamples=
	-Denable_apps=test,test-pmd
	-Dc_link_args=-Wl,--export-dynamic
	-Dmax_numa_nodes=4
)

if [ -n "${DPDK_PASID_DPDK_PREFIX:-}" ]; then
	echo "$DPDK_PASID_DPDK_PREFIX"
	exit 0
fi
if [ -n "${PKG_CONFIG_PATH:-}" ] && pkg-config --exists libdpdk 2>/dev/null; then
	prefix=$(pkg-config --variable=prefix libdpdk)
	inc=$(pkg-config --variable=includedir libdpdk)
	[ -f "$inc/bus_driver.h" ] || [ -f "$inc/dpdk/bus_driver.h" ] ||
		die "the DPDK that PKG_CONFIG_PATH finds ($prefix) lacks the driver SDK headers (bus_driver.h); rebuild it with -Denable_driver_sdk=true or unset PKG_CONFIG_PATH to use ours"
	echo "$prefix"
	exit 0
fi
key=$(hash_of "recipe=$DPDK_RECIPE" "$DPDK_DEB_VERSION" "${DPDK_OPTS[@]}")
OUT=$CACHE/dpdk-$DPDK_VERSION-$key
if [ "${1:-}" = path ] || [ -f "$OUT/.complete" ]; then echo "$OUT/install"; exit 0; fi

SRC=$CACHE/dpdk-src-$DPDK_DEB_VERSION
if [ ! -f "$SRC/.complete" ]; then
	apt_tmp_update
	dl=$CACHE/src/dpdk-$DPDK_DEB_VERSION
	mkdir -p "$dl"
	(cd "$dl" && apt_tmp apt-get -qq source --download-only "dpdk=$DPDK_DEB_VERSION" >&2) ||
		die "download of the dpdk $DPDK_DEB_VERSION source package failed"
	rm -rf "$SRC"
	dpkg-source --no-check -x "$dl"/dpdk_*.dsc "$SRC" > /dev/null ||
		die "unpacking the dpdk source package failed"
	touch "$SRC/.complete"
fi

log "building DPDK $DPDK_VERSION in $OUT (cold: ~4 min on 2 cores)"
rm -rf "$OUT"; mkdir -p "$OUT"
BLOG=$OUT/build.log
# Debian's python3 has pyelftools; a python from elsewhere on PATH may not.
{
	/usr/bin/python3 /usr/bin/meson setup "$OUT/build" "$SRC" \
		--prefix="$OUT/install" --libdir=lib "${DPDK_OPTS[@]}"
	ninja -C "$OUT/build" -j"$NPROC"
	ninja -C "$OUT/build" install
} > "$BLOG" 2>&1 || die "DPDK build failed; see $BLOG"
[ -f "$OUT/install/include/bus_driver.h" ] || die "DPDK built without bus_driver.h; see $BLOG"
touch "$OUT/.complete"
log "DPDK ready: $OUT/install"
echo "$OUT/install"
