# SPDX-License-Identifier: BSD-3-Clause
# Helpers of the iommufd bus VM tests (tests/vm/bus_*.sh). Source it after lib.sh.
. "$TOP/tests/vm/pasidnic_common.sh"

PLUGIN=$(plugin_path "$BUILD/drivers/bus/iommufd/librte_bus_iommufd.so")
# One DPDK process at a time, no files left in /dev/hugepages.
EAL=(-l 0-1 --in-memory --log-level=bus.iommufd:info)

# pasidnic_ports N TYPE: load the companion module and create N ports of
# mdev type TYPE; their bus device names (mdev-<uuid>) go to PORTS.
PORTS=()
pasidnic_ports() {
	local i uuid
	grep -q '^pasidnic ' /proc/modules || pnic_load
	for i in $(seq "$1"); do
		uuid=$(pnic_create "${2#pasidnic-}") || exit 1
		PORTS+=("mdev-$uuid")
	done
}

# pasidnic_remove_ports: remove every pasidnic port.
pasidnic_remove_ports() {
	local d
	for d in /sys/bus/mdev/devices/*; do
		[ -e "$d/remove" ] && echo 1 > "$d/remove"
	done
	return 0
}
