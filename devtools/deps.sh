#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Install the Debian 12 packages that building and testing dpdk-pasid needs.
# Idempotent and quiet when everything is present. Needs root (apt-get).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PKGS=(
	# toolchain and project build
	build-essential pkg-config meson ninja-build python3-pyelftools
	libpciaccess-dev libnuma-dev dpkg-dev
	# kernel build
	flex bison bc libelf-dev libssl-dev cpio kmod rsync xz-utils
	# kernel selftests (iommufd)
	libcap-dev
	# the test VM
	qemu-system-x86 busybox-static
	# style checks: checkpatch.pl, codespell's dictionary, shellcheck
	perl codespell shellcheck
	# pmd_burst_no_syscalls: the system calls of a forwarding thread
	strace
	# dkms_build: the companion module through DKMS
	dkms
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
[ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}"
log "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$CACHE"
apt-get -qq update > "$CACHE/apt-install.log" 2>&1 || die "apt-get update failed (see $CACHE/apt-install.log)"
apt-get -qq install -y --no-install-recommends "${missing[@]}" >> "$CACHE/apt-install.log" 2>&1 ||
	die "apt-get install failed for: ${missing[*]} (see $CACHE/apt-install.log)"
