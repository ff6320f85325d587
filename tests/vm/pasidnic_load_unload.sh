#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# Load the pasidnic module, check its mdev types, create and remove devices
# of every type (cdev, netdev, config space), unload; the pasid_width
# parameter; unloading with devices present removes them.
. "$TOP/tests/vm/pasidnic_common.sh"
pnic_need_test

insmod "$PNIC_KO" pasid_width=21 2>/dev/null && fail "pasid_width=21 was accepted"
pnic_load
for t in q1 q2 q4 q8; do
	d=$PNIC_PARENT/mdev_supported_types/pasidnic-$t
	[ -d "$d" ] || fail "no mdev type pasidnic-$t"
	[ "$(cat "$d/device_api")" = vfio-pci ] || fail "pasidnic-$t device_api is not vfio-pci"
	[ "$(cat "$d/available_instances")" = 16 ] || fail "pasidnic-$t available_instances"
done

for t in q1 q8; do
	u=$(pnic_create $t) || exit 1
	c=$(pnic_cdev "$u") || exit 1
	s=/sys/bus/mdev/devices/$u/pasidnic
	nd=$(cat "$s/netdev")
	[ -n "$nd" ] || fail "device $u has no network interface"
	[ -d "/sys/class/net/$nd" ] || fail "device $u has no network interface"
	[ "$(cat "$s/num_qp")" = "${t#q}" ] || fail "num_qp of a pasidnic-$t is $(cat "$s/num_qp")"
	[ "$(cat "$s/pasid_width")" = 20 ] || fail "default pasid_width is not 20"
	"$PNIC_TEST" info "$c" || fail "pasidnic-test info failed on pasidnic-$t"
	pnic_remove "$u"
	[ -d "/sys/class/net/$nd" ] && fail "interface $nd survived its device"
done
[ "$(cat "$PNIC_PARENT/mdev_supported_types/pasidnic-q1/available_instances")" = 16 ] ||
	fail "instances leaked"

# Unload with devices present (not open): they are removed.
u1=$(pnic_create q2) || exit 1
pnic_create q4 > /dev/null || exit 1
rmmod pasidnic || fail "rmmod with idle devices failed"
[ -e "/sys/bus/mdev/devices/$u1" ] && fail "device $u1 survived rmmod"

# No PASID: the capability is absent.
pnic_load pasid_width=0
u=$(pnic_create q1) || exit 1
c=$(pnic_cdev "$u") || exit 1
"$PNIC_TEST" info "$c" || fail "pasidnic-test info failed with pasid_width=0"
pnic_remove "$u"
rmmod pasidnic || fail "rmmod failed"
[ -d /sys/module/pasidnic ] && fail "module still loaded"
exit 0
