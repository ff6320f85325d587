#!/bin/bash
# vm-boot: bus
# SPDX-License-Identifier: BSD-3-Clause
# Stock static dpdk-test loads the bus with -d and runs the autotest the
# plugin registers (iommufd_bus_autotest) with edu on the bus.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/bus_lib.sh"

edu_vfio
edu=pci-$EDU_BDF
out=$(DPDK_TEST=iommufd_bus_autotest timeout 120 "$DPDK_PREFIX/bin/dpdk-test" \
	-d "$PLUGIN" "${EAL[@]}" -a "iommufd:$edu" 2>&1)
rc=$?
echo "$out"
[ $rc = 0 ] || fail "dpdk-test iommufd_bus_autotest exited with $rc"
echo "$out" | grep -q "iommufd_bus_autotest: 1 devices, 1 bound" || fail "the autotest did not see edu bound"
echo "$out" | grep -q "Test OK" || fail "dpdk-test did not report Test OK"
