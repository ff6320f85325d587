#!/bin/bash
# vm-boot: bus
# SPDX-License-Identifier: BSD-3-Clause
# Stock static dpdk-testpmd loads the bus with -d (the plugin links no DPDK
# library), finds and binds edu, and exits cleanly.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/bus_lib.sh"

edu_vfio
edu=pci-$EDU_BDF
[ -f "$PLUGIN" ] || fail "no plugin at $PLUGIN"
readelf -d "$PLUGIN" | grep -q 'NEEDED.*librte_' && fail "the plugin links DPDK libraries"
out=$(printf 'show device info all\nquit\n' |
	timeout 120 "$DPDK_PREFIX/bin/dpdk-testpmd" -d "$PLUGIN" "${EAL[@]}" \
	-- -i --total-num-mbufs=2048 2>&1)
rc=$?
echo "$out"
[ $rc = 0 ] || fail "dpdk-testpmd -d $PLUGIN exited with $rc"
echo "$out" | grep -q "iommufd: $edu: bound /dev/vfio/devices/vfio" ||
	fail "testpmd did not find and bind edu through the bus"
echo "$out" | grep -q "Selected IOVA mode 'VA'" || fail "the bus did not get IOVA as VA in testpmd"
echo "ok: dpdk-testpmd -d loaded the bus, which found and bound edu"
