# shellcheck shell=bash disable=SC2034 # BUS_PLUGIN, TESTPMD, PMD_EAL: read by the tests
# SPDX-License-Identifier: BSD-3-Clause
# Helpers of the net_pasidnic VM tests (tests/vm/pmd_*.sh). Sourced; no
# vm-boot line, not a test.
. "$TOP/tests/vm/pasidnic_common.sh"

BUS_PLUGIN=$(plugin_path "$BUILD/drivers/bus/iommufd/librte_bus_iommufd.so")
PMD_PLUGIN=$(plugin_path "$BUILD/drivers/net/pasidnic/librte_net_pasidnic.so")
TESTPMD=$DPDK_PREFIX/bin/dpdk-testpmd
# One DPDK process at a time, nothing left in /dev/hugepages.
PMD_EAL=(-l 0-1 --in-memory --no-pci --log-level=pmd.net.pasidnic:info)

# pmd_ports N TYPE: create N ports of mdev type pasidnic-TYPE for the PMD
# (pnic_ports: PNIC_UUIDS, PNIC_PORTS; removed by pnic_remove_ports).
pmd_ports() {
	[ -e /dev/iommu ] || fail "no /dev/iommu: the kernel lacks CONFIG_IOMMUFD"
	[ -f "$PMD_PLUGIN" ] || fail "no $PMD_PLUGIN: build the project"
	pnic_ports "$1" "$2"
}

# pmd_netdev UUID: the kernel interface of a port.
pmd_netdev() {
	cat "/sys/bus/mdev/devices/$1/pasidnic/netdev"
}
