#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Fetch Debian's linux-source and build the test-VM kernel out of tree.
#
#   kernel.sh [plain|debug]        build (or reuse) and print the build dir
#   kernel.sh path [plain|debug]   print the build dir without building
#
# The build dir holds arch/x86/boot/bzImage, the modules (modroot/), the uAPI
# headers (usr/include) and the iommufd selftest (selftests/iommufd). It is
# keyed by kernel version and a hash of the config fragments and this recipe.
# "debug" (the default, used by tests) adds config/kernel/vm-debug.config:
# KASAN, lockdep, kmemleak; "plain" is for benchmarks.
#
# Use your own kernel: DPDK_PASID_KERNEL_SRC=<source tree> builds that tree
# with our fragments instead of downloading one.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=build
if [ "${1:-}" = path ]; then mode=path; shift; fi
flavour=${1:-debug}
case "$flavour" in plain|debug) ;; *) die "unknown flavour '$flavour' (plain or debug)";; esac

# Bump when a change to this script changes what it builds.
KERNEL_RECIPE=1

fragments=("$TOP/config/kernel/vm.config")
[ "$flavour" = debug ] && fragments+=("$TOP/config/kernel/vm-debug.config")

# Resolve and unpack the kernel source; sets SRC and KVER.
fetch_source() {
	if [ -n "${DPDK_PASID_KERNEL_SRC:-}" ]; then
		SRC=$DPDK_PASID_KERNEL_SRC
		[ -f "$SRC/Makefile" ] || die "DPDK_PASID_KERNEL_SRC=$SRC is not a kernel source tree"
		KVER=$(make -s -C "$SRC" kernelversion)
		return
	fi
	local have
	have=$(printf '%s\n' "$CACHE"/linux-src-* | sort -V | tail -1)
	if [ -n "$have" ] && [ -f "$have/.complete" ] && [ "$mode" = path ]; then
		SRC=$have; KVER=${have##*/linux-src-}; return
	fi
	local pin="$KERNEL_PKG=$KERNEL_PKG_VERSION"
	if [ -f "$CACHE/linux-src-${KERNEL_PKG_VERSION%-*}/.complete" ]; then
		SRC=$CACHE/linux-src-${KERNEL_PKG_VERSION%-*}; KVER=${KERNEL_PKG_VERSION%-*}; return
	fi
	apt_tmp_update
	local pkg=$pin ver
	if ! apt_tmp apt-cache madison "$KERNEL_PKG" | awk '{print $3}' | grep -qx "$KERNEL_PKG_VERSION"; then
		ver=$(apt_tmp apt-cache policy "$KERNEL_PKG" | awk '/Candidate:/ {print $2}')
		if [ -n "$ver" ] && [ "$ver" != "(none)" ]; then
			pkg="$KERNEL_PKG=$ver"
		else
			pkg=$(apt_tmp apt-cache pkgnames linux-source-7. | sort -V | tail -1)
			[ -n "$pkg" ] || die "no linux-source-7.x package in sid or trixie-backports"
		fi
		log "notice: $pin is not available; using $pkg instead"
	fi
	local dl=$CACHE/src
	mkdir -p "$dl"
	(cd "$dl" && apt_tmp apt-get -qq download "$pkg" >&2) || die "download of $pkg failed"
	local deb
	deb=$(find "$dl" -maxdepth 1 -name 'linux-source-7.*_all.deb' -printf '%T@ %p\n' |
		sort -rn | head -1 | cut -d' ' -f2-)
	ver=$(dpkg-deb -f "$deb" Version)
	KVER=${ver%%-*}; KVER=${KVER%%+*}
	SRC=$CACHE/linux-src-$KVER
	if [ ! -f "$SRC/.complete" ]; then
		log "unpacking $(basename "$deb")"
		rm -rf "$SRC" "$SRC.tmp"; mkdir -p "$SRC.tmp"
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$SRC.tmp" --wildcards '*.tar.xz'
		tar -xJf "$(ls "$SRC.tmp"/usr/src/linux-source-*.tar.xz)" -C "$SRC.tmp"
		mv "$SRC.tmp"/linux-source-* "$SRC" 2>/dev/null ||
			mv "$(find "$SRC.tmp" -mindepth 1 -maxdepth 1 -type d -name 'linux-source-*' | head -1)" "$SRC"
		rm -rf "$SRC.tmp"
		touch "$SRC/.complete"
	fi
}

fetch_source
key=$(hash_of "${fragments[@]}" "recipe=$KERNEL_RECIPE" "$KVER" "$SRC")
OUT=$CACHE/kernel-$KVER-$flavour-$key
if [ "$mode" = path ]; then echo "$OUT"; exit 0; fi
if [ -f "$OUT/.complete" ]; then
	[ -f "$OUT/source.env" ] || echo "KERNEL_SRC=$SRC" > "$OUT/source.env"
	echo "$OUT"
	exit 0
fi

log "building $flavour kernel $KVER in $OUT (cold: ~12 min plain, ~15 min debug on 2 cores)"
rm -rf "$OUT"; mkdir -p "$OUT"
BLOG=$OUT/build.log
{
	make -C "$SRC" O="$OUT" tinyconfig
	"$SRC/scripts/kconfig/merge_config.sh" -m -O "$OUT" "$OUT/.config" "${fragments[@]}"
	make -C "$SRC" O="$OUT" olddefconfig
} > "$BLOG" 2>&1 || die "kernel configuration failed; see $BLOG"

# Every option a fragment asks for must survive olddefconfig: a missing
# dependency would otherwise silently give a kernel without it.
bad=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue;; esac
	opt=${line%%=*}; val=${line#*=}
	if [ "$val" = n ]; then
		if grep -q "^$opt=[ym]" "$OUT/.config"; then log "config: $opt should be off"; bad=1; fi
	elif ! grep -qx "$opt=$val" "$OUT/.config"; then
		log "config: $opt=$val requested, got: $(grep "^$opt=\|# $opt is not set" "$OUT/.config" || echo absent)"
		bad=1
	fi
done < <(cat "${fragments[@]}")
[ $bad = 0 ] || die "the config fragments do not apply to kernel $KVER (see above)"

{
	make -C "$SRC" O="$OUT" -j"$NPROC" bzImage modules
	make -C "$SRC" O="$OUT" INSTALL_MOD_PATH="$OUT/modroot" modules_install
	make -C "$SRC" O="$OUT" headers_install
} >> "$BLOG" 2>&1 || die "kernel build failed; see $BLOG"

# The upstream iommufd selftest, built against this tree's uAPI headers.
mkdir -p "$OUT/selftests"
make -C "$SRC/tools/testing/selftests/iommu" OUTPUT="$OUT/selftests" \
	KHDR_INCLUDES="-isystem $OUT/usr/include" "$OUT/selftests/iommufd" >> "$BLOG" 2>&1 ||
	die "iommufd selftest build failed; see $BLOG"

echo "KERNEL_SRC=$SRC" > "$OUT/source.env"
touch "$OUT/.complete"
log "kernel ready: $OUT"
echo "$OUT"
