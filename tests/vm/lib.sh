# SPDX-License-Identifier: BSD-3-Clause
# Helpers for VM test scripts (tests/vm/*.sh). Source it. It turns on
# "set -u -o pipefail" for the test: an unset variable or a failing stage of a
# pipeline is an error (not -e: a test checks its commands itself).

set -u -o pipefail

fail() { echo "REASON: $*"; exit 1; }
skip() { echo "REASON: $*"; exit 77; }

# plugin_path SO: a path DPDK's -d accepts for the plugin SO. EAL refuses a
# plugin below a world-writable directory (a checkout under /tmp): then the
# plugin is copied to /run/dpdk-pasid-plugins (root-owned) and that copy's
# path is printed. Give the bus plugin first on the command line: the PMD
# plugin's DT_NEEDED bus library then resolves to the copy already loaded.
# (One stat for all the directories: a process costs a fraction of a second
# in the debug VM.)
plugin_path() {
	local d=$1 dst=/run/dpdk-pasid-plugins dirs=() mode
	[ -f "$1" ] || { echo "$1"; return 0; }
	while d=${d%/*} && [ -n "$d" ]; do dirs+=("$d"); done
	while read -r mode; do
		# the others' write bit of "drwxrwxrwt"
		if [ "${mode:8:1}" = w ]; then
			mkdir -p "$dst" && chmod 755 "$dst"
			cp "$1" "$dst/"
			echo "$dst/${1##*/}"
			return 0
		fi
	done < <(stat -c %A "${dirs[@]}")
	echo "$1"
}

# kmod NAME [PARAM=VALUE...]: load a module of the test kernel.
kmod() { modprobe -d "$MODROOT" "$@" || fail "modprobe $1 failed"; }

# edu_bdf: the PCI address of QEMU's edu device (1234:11e8), or nothing.
edu_bdf() {
	local d
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ]; then
			basename "$d"
			return 0
		fi
	done
	return 1
}

# bind_vfio_pci BDF: bind a PCI function to vfio-pci.
bind_vfio_pci() {
	local d=/sys/bus/pci/devices/$1
	[ -e "$d" ] || fail "no PCI device $1"
	if [ -e "$d/driver" ]; then
		[ "$(basename "$(readlink "$d/driver")")" = vfio-pci ] && return 0
		echo "$1" > "$d/driver/unbind"
	fi
	echo vfio-pci > "$d/driver_override"
	echo "$1" > /sys/bus/pci/drivers_probe
	[ "$(basename "$(readlink "$d/driver" 2>/dev/null)")" = vfio-pci ] ||
		fail "could not bind $1 to vfio-pci"
}

# vfio_cdev_of SYSFS_DEV: /dev/vfio/devices/vfioN of a vfio-bound device.
vfio_cdev_of() {
	local v
	for v in "$1"/vfio-dev/vfio*; do
		[ -e "$v" ] && { echo "/dev/vfio/devices/${v##*/}"; return 0; }
	done
	return 1
}

# edu_vfio: bind QEMU's edu device to vfio-pci and set EDU_BDF and EDU_CDEV;
# fails the test, naming the missing kernel option or VM option, otherwise.
edu_vfio() {
	[ -e /dev/iommu ] || fail "no /dev/iommu: the kernel lacks CONFIG_IOMMUFD"
	EDU_BDF=$(edu_bdf) || fail "no edu device in the VM (vm.sh --edu)"
	bind_vfio_pci "$EDU_BDF"
	# shellcheck disable=SC2034 # for the test that called this
	EDU_CDEV=$(vfio_cdev_of "/sys/bus/pci/devices/$EDU_BDF") ||
		fail "$EDU_BDF has no vfio cdev: the kernel lacks CONFIG_VFIO_DEVICE_CDEV"
}
