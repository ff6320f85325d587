#!/bin/bash
# vm-boot: physical
# SPDX-License-Identifier: BSD-3-Clause
# dpdk-testpasid conformance (issue 15 item 5) on a physical function (issue
# 17): a pasidnic_pci function bound to vfio-pci, taken by the iommufd bus's
# physical branch and driven by net_pasidnic. Every check PASSes, the
# physical ones included: the width from IOMMU_GET_HW_INFO, the RID on a
# PASID-capable HWPT, a PASID refused on a HWPT allocated without
# IOMMU_HWPT_ALLOC_PASID and taken on one with it, N PASIDs attached by
# HWPT id, replace, detach, out-of-range PASIDs refused, and through the
# PMD's DMA self-test (the device engine, translated by the module's IOMMU
# domains): the RID's DMA lands in DPDK memory, each PASID's only in its
# own IOAS, a detached PASID's DMA faults. The mdev version:
# conformance_pasidnic.sh.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/bus_lib.sh"
. "$TOP/tests/vm/conformance_lib.sh"
. "$TOP/tests/vm/physical_lib.sh"

[ -e /dev/iommu ] || fail "no /dev/iommu: the kernel lacks CONFIG_IOMMUFD"
phys_hugepages 64
phys_port pasid_width=20
conf_run "$PHYS_NAME" /tmp/conf-phys.log
conf_must "^conformance of $PHYS_NAME: physical, 1234:50a6, driver net_pasidnic, PASID width 20"
for c in pasid_width rid_hwpt pasid_hwpt pasid_attach pasid_replace pasid_detach \
	pasid_out_of_range dma_rid dma_isolation dma_detach; do
	conf_must "^PASS $c: "
done
conf_must "^result: 10 PASS, 0 FAIL, 0 SKIP"
echo "ok: every check passes on $PHYS_NAME, the physical ones included"
phys_done
