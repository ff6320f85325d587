#!/bin/bash
# vm-boot: bus
# SPDX-License-Identifier: BSD-3-Clause
# iommufd + vfio cdev on QEMU's edu device behind the vIOMMU: bind, IOAS,
# hugepage IOMMU_IOAS_MAP, DMA round trip, MSI on an eventfd, DMA to
# unmapped IOVAs leaves memory untouched.
. "$TOP/tests/vm/lib.sh"

edu_vfio
[ "$(cat /proc/sys/vm/nr_hugepages)" -gt 0 ] || echo 4 > /proc/sys/vm/nr_hugepages
"$BUILD/tests/vm/smoke-iommufd" "$EDU_CDEV" || exit 1
dmesg | grep -q 'DMAR.*fault' || fail "the DMA to an unmapped IOVA raised no DMAR fault"
