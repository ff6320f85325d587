#!/bin/bash
# vm-boot: bus
# SPDX-License-Identifier: BSD-3-Clause
# Four PASID domains on a pasidnic port through the iommufd bus: distinct
# PASIDs and IOASes, a frame moved through each lands in that domain's
# memory only, replace, destroy and reuse, clean-up.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/bus_lib.sh"

[ -e /dev/iommu ] || fail "no /dev/iommu: the kernel lacks CONFIG_IOMMUFD"
pnic_ports 1 pasidnic-q4
"$BUILD/tests/vm/bus-pasid" "${EAL[@]}" -a "iommufd:${PNIC_PORTS[0]}" ||
	{ pnic_remove_ports; exit 1; }

# max_domains caps the PASIDs a device hands out.
out=$("$BUILD/app/testpasid/dpdk-testpasid" "${EAL[@]}" -a "iommufd:${PNIC_PORTS[0]},max_domains=2" \
	-- list --domains 3 2>&1)
echo "$out"
pnic_remove_ports
echo "$out" | grep -q "${PNIC_PORTS[0]}: no free PASID: 2 in use (PASID width 20, max_domains 2)" ||
	fail "max_domains=2 did not stop a third domain with the documented error"
echo "$out" | grep -q "^${PNIC_PORTS[0]} .*pasid 1,2\$" || fail "the two domains are not listed"
echo "ok: max_domains=2 allows two domains and refuses the third"
