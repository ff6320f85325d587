# SPDX-License-Identifier: BSD-3-Clause
# Common helpers for the devtools scripts. Source it; do not run it.
#
# Caches live outside the checkout, under $DPDK_PASID_CACHE
# (default ${XDG_CACHE_HOME:-~/.cache}/dpdk-pasid). Every cache entry is keyed by
# the version it builds and a hash of the inputs that shape it, so a changed
# config fragment or recipe builds a new entry instead of reusing a stale one.

# The scripts that source this use its variables:
# shellcheck disable=SC2034
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${DPDK_PASID_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dpdk-pasid}
NPROC=$(nproc)

# Pinned versions. Fallbacks are tried (with a notice) when a pin is gone.
KERNEL_PKG=linux-source-7.2
KERNEL_PKG_VERSION=7.2.13-1
DPDK_VERSION=22.11.11
DPDK_DEB_VERSION=22.11.11-0+deb12u1

log() { printf '[%s] %s\n' "${0##*/}" "$*" >&2; }
die() { printf '[%s] error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# hash_of FILE|STRING...: a short, stable hash of files' contents and strings.
hash_of() {
	local a
	for a in "$@"; do
		if [ -f "$a" ]; then cat "$a"; else printf '%s\n' "$a"; fi
	done | sha256sum | cut -c1-12
}

# The default meson build dir: $TOP/build, unless a directory on the way to
# the checkout is world-writable (a clone in /tmp): EAL refuses to load
# plugins (-d, the plugin directory) from below such a directory, so the
# build then goes to the cache, one dir per checkout path. BUILD=<dir>
# overrides it.
default_build_dir() {
	local d=$TOP build
	while [ -n "$d" ] && [ "$d" != / ]; do
		if [ -n "$(find "$d" -maxdepth 0 -perm -o+w 2> /dev/null)" ]; then
			build="$CACHE/build-${TOP##*/}-$(hash_of "$TOP")"
			log "$d is world-writable and EAL loads no plugin from below it: building" \
				"$TOP in $build (BUILD=<dir> chooses another)"
			echo "$build"
			return
		fi
		d=${d%/*}
	done
	echo "$TOP/build"
}

# host_test_names BUILD: the meson (host) tests of a built project, a name a line.
host_test_names() {
	/usr/bin/python3 /usr/bin/meson test -C "$1" --no-rebuild --list 2>/dev/null |
		sed 's/^[^ ]* \/ //' | grep -E '^[^ ]+$'
}

# kernel_src: the source tree of the debug test kernel (for
# scripts/checkpatch.pl), else the newest unpacked one in the cache, else
# nothing.
kernel_src() {
	local src d
	src=$(sed -n 's/^KERNEL_SRC=//p' "$("$TOP/devtools/kernel.sh" path debug)/source.env" 2>/dev/null)
	if [ -z "$src" ]; then
		while IFS= read -r d; do
			[ -f "$d/.complete" ] && src=$d
		done < <(printf '%s\n' "$CACHE"/linux-src-* | sort -V)
	fi
	echo "$src"
}

# Debian's packages, from a temporary apt configuration that leaves the
# system's sources untouched (bookworm deb-src for DPDK, sid and
# trixie-backports for linux-source-7.x).
APT_TMP=$CACHE/apt
apt_tmp() {
	local cmd=$1; shift
	"$cmd" -o Dir::Etc::SourceList="$APT_TMP/sources.list" \
		-o Dir::Etc::SourceParts=/nonexistent \
		-o Dir::State::Lists="$APT_TMP/lists" \
		-o Dir::Cache="$APT_TMP/cache" \
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root "$@"
}
apt_tmp_update() {
	mkdir -p "$APT_TMP/lists/partial" "$APT_TMP/cache/archives/partial"
	cat > "$APT_TMP/sources.list" <<-SRC
	deb-src http://deb.debian.org/debian bookworm main
	deb http://deb.debian.org/debian sid main
	deb http://deb.debian.org/debian trixie-backports main
	SRC
	# Refresh at most once a day.
	if [ -z "$(find "$APT_TMP/lists" -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
		apt_tmp apt-get -qq update >&2 || die "apt-get update (temporary sources) failed"
	fi
}

