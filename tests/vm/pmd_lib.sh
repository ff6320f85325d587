# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# Helpers of the net_pasidnic VM tests (tests/vm/pmd_*.sh). Sourced; no
# vm-boot line, not a test.
. "$TOP/tests/vm/lib.sh"

BUS_PLUGIN=$(plugin_path "$BUILD/drivers/bus/iommufd/librte_bus_iommufd.so")
PMD_PLUGIN=$(plugin_path "$BUILD/drivers/net/pasidnic/librte_net_pasidnic.so")
TESTPMD=$DPDK_PREFIX/bin/dpdk-testpmd
# One DPDK process at a time, nothing left in /dev/hugepages.
PMD_EAL=(-l 0-1 --in-memory --no-pci --log-level=pmd.net.pasidnic:info)
PMD_TYPES=/sys/class/mdev_bus/pasidnic/mdev_supported_types

# pmd_ports N TYPE: load the module (fresh) and create N ports of mdev type
# pasidnic-TYPE; their UUIDs go to PMD_UUIDS, bus names (mdev-<uuid>) to PMD_PORTS.
PMD_UUIDS=()
PMD_PORTS=()
pmd_ports() {
	local n=$1 type=$2 i uuid
	[ -e /dev/iommu ] || fail "no /dev/iommu: the kernel lacks CONFIG_IOMMUFD"
	[ -f "$KMOD/pasidnic/pasidnic.ko" ] || fail "no $KMOD/pasidnic/pasidnic.ko: build it"
	[ -f "$PMD_PLUGIN" ] || fail "no $PMD_PLUGIN: build the project"
	modprobe -d "$MODROOT" mdev 2> /dev/null || true
	grep -q '^pasidnic ' /proc/modules || insmod "$KMOD/pasidnic/pasidnic.ko" ||
		fail "insmod pasidnic.ko failed"
	for i in $(seq "$n"); do
		uuid=$(cat /proc/sys/kernel/random/uuid)
		echo "$uuid" > "$PMD_TYPES/pasidnic-$type/create" ||
			fail "cannot create a pasidnic-$type port"
		PMD_UUIDS+=("$uuid")
		PMD_PORTS+=("mdev-$uuid")
	done
}

# pmd_remove_ports: remove the ports of this test.
pmd_remove_ports() {
	local u
	for u in "${PMD_UUIDS[@]}"; do
		u=/sys/bus/mdev/devices/$u/remove
		[ -e "$u" ] && echo 1 > "$u"
	done
	return 0
}

# pmd_netdev UUID: the kernel interface of a port.
pmd_netdev() {
	cat "/sys/bus/mdev/devices/$1/pasidnic/netdev"
}
