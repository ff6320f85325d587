#!/bin/bash
# vm-boot: mem
# SPDX-License-Identifier: BSD-3-Clause
# IOVAs handed out by a pasid_mem heap are where QEMU's edu device DMAs land,
# through vfio-pci, iommufd and the vIOMMU; they reach nothing from another IOAS.
. "$TOP/tests/vm/lib.sh"

[ -e /dev/iommu ] || fail "no /dev/iommu: the kernel lacks CONFIG_IOMMUFD"
bdf=$(edu_bdf) || fail "no edu device in the VM (vm.sh --edu)"
bind_vfio_pci "$bdf"
cdev=$(vfio_cdev_of "/sys/bus/pci/devices/$bdf") ||
	fail "$bdf has no vfio cdev: the kernel lacks CONFIG_VFIO_DEVICE_CDEV"
"$BUILD/tests/vm/mem-vm" map-ioas "$cdev"
