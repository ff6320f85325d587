#!/bin/bash
# vm-boot: bus
# SPDX-License-Identifier: BSD-3-Clause
# Stock static dpdk-test runs the autotests of every component, each from
# what it loads with -d: iommufd_bus_autotest (the bus plugin),
# pasid_mem_autotest (librte_pasid_mem_autotest.so: pasid_mem and its
# autotest without DPDK libraries) and pasidnic_autotest (the PMD plugin),
# with edu (behind the vIOMMU) and one pasidnic port on the bus. Each must
# end with "Test OK".
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/bus_lib.sh"

PMD_PLUGIN=$(plugin_path "$BUILD/drivers/net/pasidnic/librte_net_pasidnic.so")
MEM_PLUGIN=$(plugin_path "$BUILD/lib/pasid_mem/librte_pasid_mem_autotest.so")
edu_vfio
pnic_ports 1 pasidnic-q2
trap pnic_remove_ports EXIT
for t in iommufd_bus_autotest pasid_mem_autotest pasidnic_autotest; do
	out=$(DPDK_TEST=$t timeout 120 "$DPDK_PREFIX/bin/dpdk-test" -d "$PLUGIN" -d "$PMD_PLUGIN" \
		-d "$MEM_PLUGIN" "${EAL[@]}" -a "iommufd:pci-$EDU_BDF" \
		-a "iommufd:${PNIC_PORTS[0]}" 2>&1)
	rc=$?
	echo "$out"
	[ $rc = 0 ] || fail "dpdk-test $t exited with $rc: $(grep -m1 "' failed" <<< "$out")"
	grep -q "Test OK" <<< "$out" || fail "dpdk-test did not report Test OK for $t"
	echo "ok: $t"
done
grep -q "pasidnic_autotest: 1 port(s) looped" <<< "$out" || fail "pasidnic_autotest tested no port"
echo "ok: the three autotests pass in stock dpdk-test"
