#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# Removing a device or unloading the module while userspace holds the device
# fd with queues running: rmmod is refused (EBUSY), device removal asks the
# user through the request interrupt and completes when the fd is closed.
. "$TOP/tests/vm/pasidnic_common.sh"
pnic_need_test
pnic_load
u=$(pnic_create q2) || exit 1
c=$(pnic_cdev "$u") || exit 1
ready=/tmp/pasidnic_hold.ready
rm -f "$ready"
"$PNIC_TEST" hold "$c" "$ready" & holder=$!
for _ in $(seq 100); do [ -e "$ready" ] && break; sleep 0.1; done
[ -e "$ready" ] || { kill $holder; fail "the holder did not get ready"; }

rmmod pasidnic 2>/dev/null && fail "rmmod succeeded while the device is open"
[ -d /sys/module/pasidnic ] || fail "module gone"

# Blocks until the holder, asked through the request eventfd, closes.
timeout 60 sh -c "echo 1 > /sys/bus/mdev/devices/$u/remove" ||
	fail "device removal did not complete"
wait $holder || fail "the holder failed"
[ -e "/sys/bus/mdev/devices/$u" ] && fail "device still present"

# A device never opened, and one opened and closed, go away at unload.
u=$(pnic_create q1) || exit 1
c=$(pnic_cdev "$u") || exit 1
"$PNIC_TEST" info "$c" || fail "info failed"
rmmod pasidnic || fail "rmmod after release failed"
exit 0
