#!/bin/bash
# vm-boot: physical
# SPDX-License-Identifier: BSD-3-Clause
# PASID attach on a physical function (issue 17): a pasidnic_pci function
# bound to vfio-pci; the RID on a PASID-capable HWPT, 8 PASIDs (up to
# 2^width - 1) attached by HWPT id, replace, detach blocks DMA, an IOAS id
# refused for a PASID, a PASID of 2^width refused, all through the IOMMU
# core's set_dev_pasid into the module's IOMMU driver; DMA through the
# function's DMA port, translated by the domains (tests/vm/physical_pasid.c);
# then the iommufd bus's physical branch on it: PASID width from
# IOMMU_GET_HW_INFO, the RID on a PASID-capable HWPT, two PASID domains
# (tests/vm/physical_bus.c).
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/physical_lib.sh"

phys_load 1 pasid_width=12
phys_vfio "${PHYS_BDFS[0]}"
"$BUILD/tests/vm/physical-pasid" "$PHYS_CDEV" 12 "$PHYS_PORT" || exit 1

# The same through the iommufd bus's physical branch (tests/vm/physical_bus.c).
name=pci-${PHYS_BDFS[0]}
"$BUILD/tests/vm/physical-bus" "$PHYS_PORT" 12 -l 0-1 --no-huge -m 64 --file-prefix=physical-bus \
	--log-level=bus.iommufd:info -a "iommufd:$name" 2>&1 | tee /tmp/physical-bus.log
[ "${PIPESTATUS[0]}" = 0 ] || exit 1
grep -q "$name: bound .*RID on HWPT" /tmp/physical-bus.log ||
	fail "the bus did not put the RID of $name on a PASID-capable HWPT (see its log)"
echo "ok: the bus put the RID on a PASID-capable HWPT"
echo "${PHYS_BDFS[0]}" > "/sys/bus/pci/devices/${PHYS_BDFS[0]}/driver/unbind"
phys_unload
