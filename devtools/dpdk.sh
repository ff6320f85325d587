#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Build DPDK with the driver SDK headers: Debian 12's source package (22.11,
# the default) or a DPDK source tree of yours.
#
#   dpdk.sh          build (or reuse) and print the install prefix
#   dpdk.sh path     print the install prefix without building
#
# Debian's libdpdk-dev lacks bus_driver.h/dev_driver.h/ethdev_driver.h, so the
# project builds its own minimal DPDK (drivers the tests use, dpdk-test and
# dpdk-testpmd). dpdk-test is linked with --export-dynamic so that plugins
# loaded with -d can register autotests.
#
# Which DPDK (doc/dpdk_versions.md), first match wins:
#   DPDK_PASID_DPDK_PREFIX=<prefix>  an installed DPDK built with
#                                    -Denable_driver_sdk=true, used as it is;
#   PKG_CONFIG_PATH finding libdpdk  the same, found through pkg-config;
#   DPDK_PASID_DPDK_SRC=<dir>        a DPDK source tree (22.11 or newer, e.g.
#                                    a `git archive` of a tag), built here with
#                                    the recipe below and cached under
#                                    dpdk-<version>-<hash of recipe and tree>;
#   (none)                           Debian 12's dpdk source package.
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
# Libraries of newer DPDK releases that neither the project nor its tests
# use: left out of a source-tree build to keep it short (names a release
# does not have are dropped).
DPDK_SRC_NO_LIBS=bbdev,dispatcher,distributor,efd,fib,graph,ipsec,lpm,member,mldev,pdcp,pmu,ptr_compress,regexdev,rib,sched

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

if [ -n "${DPDK_PASID_DPDK_SRC:-}" ]; then
	SRC=$(cd "$DPDK_PASID_DPDK_SRC" 2>/dev/null && pwd) ||
		die "DPDK_PASID_DPDK_SRC=$DPDK_PASID_DPDK_SRC is not a directory"
	if [ ! -f "$SRC/VERSION" ] || [ ! -f "$SRC/lib/eal/include/bus_driver.h" ]; then
		die "DPDK_PASID_DPDK_SRC=$SRC is not a DPDK 22.11+ source tree (no VERSION or lib/eal/include/bus_driver.h); give the top of an unpacked DPDK release or a 'git archive' of a tag"
	fi
	version=$(cat "$SRC/VERSION")
	extra=$(tr , '\n' <<< "$DPDK_SRC_NO_LIBS" | while read -r l; do
		[ -d "$SRC/lib/$l" ] && printf ',%s' "$l"; done)
	DPDK_OPTS=("${DPDK_OPTS[@]/#-Ddisable_libs=*/&$extra}")
	# The tree's identity: every file's path, size and modification time
	# (cheap on a DPDK tree; an edit anywhere makes a new cache entry).
	tree=$(find "$SRC" -path "$SRC/.git" -prune -o -type f -printf '%P %s %T@\n' | sort | sha256sum | cut -c1-12)
	key=$(hash_of "recipe=$DPDK_RECIPE" "src=$tree" "${DPDK_OPTS[@]}")
else
	version=$DPDK_VERSION
	key=$(hash_of "recipe=$DPDK_RECIPE" "$DPDK_DEB_VERSION" "${DPDK_OPTS[@]}")
	SRC=$CACHE/dpdk-src-$DPDK_DEB_VERSION
fi
OUT=$CACHE/dpdk-$version-$key
if [ "${1:-}" = path ] || [ -f "$OUT/.complete" ]; then echo "$OUT/install"; exit 0; fi

if [ -z "${DPDK_PASID_DPDK_SRC:-}" ] && [ ! -f "$SRC/.complete" ]; then
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

log "building DPDK $version from $SRC in $OUT (cold: ~4-8 min on 2 cores)"
rm -rf "$OUT"; mkdir -p "$OUT"
BLOG=$OUT/build.log
# Debian's python3 has pyelftools; a python from elsewhere on PATH may not
# (DPDK 23.11+ looks python3 up on PATH).
{
	export PATH=/usr/bin:$PATH
	/usr/bin/python3 /usr/bin/meson setup "$OUT/build" "$SRC" \
		--prefix="$OUT/install" --libdir=lib "${DPDK_OPTS[@]}"
	ninja -C "$OUT/build" -j"$NPROC"
	ninja -C "$OUT/build" install
} > "$BLOG" 2>&1 || die "DPDK $version build failed; see $BLOG"
[ -f "$OUT/install/include/bus_driver.h" ] || die "DPDK built without bus_driver.h; see $BLOG"
touch "$OUT/.complete"
log "DPDK ready: $OUT/install"
echo "$OUT/install"
