#!/bin/bash
# vm-boot: mem
# SPDX-License-Identifier: BSD-3-Clause
# A heap of 1 GiB pages maps them at 1 GiB-aligned IOVAs and the device DMAs
# through them; skips when the VM has no 1 GiB page.
. "$TOP/tests/vm/lib.sh"

[ -e /dev/iommu ] || fail "no /dev/iommu: the kernel lacks CONFIG_IOMMUFD"
bdf=$(edu_bdf) || fail "no edu device in the VM (vm.sh --edu)"
bind_vfio_pci "$bdf"
cdev=$(vfio_cdev_of "/sys/bus/pci/devices/$bdf") ||
	fail "$bdf has no vfio cdev: the kernel lacks CONFIG_VFIO_DEVICE_CDEV"
"$BUILD/tests/vm/mem-vm" 1g-pages "$cdev"
