# shellcheck shell=bash disable=SC2034 # PLUGIN, EAL: read by the tests
# SPDX-License-Identifier: BSD-3-Clause
# Helpers of the iommufd bus VM tests (tests/vm/bus_*.sh). Source it after lib.sh.
# Ports: pnic_ports / PNIC_PORTS / pnic_remove_ports (devtools/lib/pasidnic.sh).
. "$TOP/tests/vm/pasidnic_common.sh"

PLUGIN=$(plugin_path "$BUILD/drivers/bus/iommufd/librte_bus_iommufd.so")
# One DPDK process at a time, no files left in /dev/hugepages.
EAL=(-l 0-1 --in-memory --log-level=bus.iommufd:info)
