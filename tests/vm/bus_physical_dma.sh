#!/bin/bash
# vm-boot: bus
# SPDX-License-Identifier: BSD-3-Clause
# edu through the iommufd bus: rte_malloc memory mapped by the bus, a DMA
# round trip, the MSI through rte_intr, rte_dev_dma_map/unmap, clean-up.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/bus_lib.sh"

edu_vfio
edu=pci-$EDU_BDF
"$BUILD/tests/vm/bus-edu" dma "${EAL[@]}" -a "iommufd:$edu" 2>&1 | tee /tmp/edu.log
[ "${PIPESTATUS[0]}" = 0 ] || exit 1
grep -q "$edu: bound .*RID on HWPT" /tmp/edu.log ||
	fail "the RID of edu was not put on a PASID-capable HWPT (see the bus log)"
echo "ok: the RID was on a PASID-capable HWPT"
