#!/bin/bash
# vm-boot: core
# SPDX-License-Identifier: BSD-3-Clause
# iommufd + vfio cdev on QEMU's edu device behind the vIOMMU: bind, IOAS,
# hugepage IOMMU_IOAS_MAP, DMA round trip, MSI on an eventfd, DMA to
# unmapped IOVAs leaves memory untouched.
. "$TOP/tests/vm/lib.sh"

[ -e /dev/iommu ] || fail "no /dev/iommu: the kernel lacks CONFIG_IOMMUFD"
bdf=$(edu_bdf) || fail "no edu device in the VM (vm.sh --edu)"
bind_vfio_pci "$bdf"
cdev=$(vfio_cdev_of "/sys/bus/pci/devices/$bdf") ||
	fail "$bdf has no vfio cdev: the kernel lacks CONFIG_VFIO_DEVICE_CDEV"
[ "$(cat /proc/sys/vm/nr_hugepages)" -gt 0 ] || echo 4 > /proc/sys/vm/nr_hugepages
"$BUILD/tests/vm/smoke-iommufd" "$cdev" || exit 1
dmesg | grep -q 'DMAR.*fault' || fail "the DMA to an unmapped IOVA raised no DMAR fault"
