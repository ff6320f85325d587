#!/bin/bash
# vm-boot: physical
# SPDX-License-Identifier: BSD-3-Clause
# pasidnic_pci's functions bind to vfio-pci (issue 17): two PCI functions on
# the module's own root bus (PCI domain >= 0x10000), each in an IOMMU group
# of the module's IOMMU, with the PASID capability enabled by it; vfio-pci
# binds with the usual sysfs steps and the cdev appears; through it
# IOMMU_GET_HW_INFO reports the PASID width and a PASID-capable HWPT takes
# the RID (tests/vm/physical_bind.c). Then: rmmod is refused while the
# functions exist, and functions and module go away cleanly.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/physical_lib.sh"

[ -e /dev/iommu ] || fail "no /dev/iommu: the kernel lacks CONFIG_IOMMUFD"
phys_load 2 pasid_width=16
for b in "${PHYS_BDFS[@]}"; do
	d=/sys/bus/pci/devices/$b
	dom=$((16#${b%%:*}))
	[ $dom -ge $((0x10000)) ] || fail "$b: PCI domain below 0x10000"
	[ "$(basename "$(readlink "$d/iommu")")" = pasidnic_pci ] ||
		fail "$b is not behind the pasidnic_pci IOMMU ($(readlink "$d/iommu"))"
	[ -e "$d/iommu_group" ] || fail "$b has no IOMMU group"
	grep -q "$b" /proc/iomem ||
		fail "$b's BARs are not in /proc/iomem"
	bind_vfio_pci "$b"
	cdev=$(vfio_cdev_of "$d") || fail "$b has no vfio cdev: the kernel lacks CONFIG_VFIO_DEVICE_CDEV"
	echo "ok: $b bound to vfio-pci, cdev $cdev, group $(basename "$(readlink "$d/iommu_group")")"
	"$BUILD/tests/vm/physical-bind" "$cdev" 16 || exit 1
done
if rmmod pasidnic_pci 2> /tmp/rmmod.err; then
	fail "rmmod pasidnic_pci succeeded while its functions existed"
fi
echo "ok: rmmod refused while functions exist ($(cat /tmp/rmmod.err))"
for b in "${PHYS_BDFS[@]}"; do
	echo "$b" > "/sys/bus/pci/devices/$b/driver/unbind"
done
phys_unload
[ ! -e "/sys/bus/pci/devices/${PHYS_BDFS[0]}" ] || fail "${PHYS_BDFS[0]} still exists after rmmod"
grep -q pasidnic_pci /proc/iomem && fail "the BAR window is still claimed after rmmod"
echo "ok: functions removed and module unloaded"
