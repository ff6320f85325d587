#!/bin/bash
# vm-boot: physical
# SPDX-License-Identifier: BSD-3-Clause
# A pasidnic_pci function in use (issue 17): its cdev bound, the RID and a
# PASID attached, DMA of both flowing (tests/vm/physical_hold.c), while
# - vfio-pci is unbound: the kernel asks the user (vfio REQ), the user
#   releases, the unbind completes;
# - the function is removed under a user that does not release it: the removal
#   waits (DMA still flows) and completes when the user is SIGKILLed;
# - the module is unloaded while a function is open: refused (EBUSY).
# Then a rescan brings the removed function back, everything goes away, and
# nothing is left (functions, BAR window, debugfs, IOMMU; kmemleak by the
# runner).
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/physical_lib.sh"
. "$TOP/devtools/lib/proc.sh"

PROC_DIR=/tmp/physical_unbind_busy
rm -rf "$PROC_DIR"; mkdir -p "$PROC_DIR"
HOLD=$BUILD/tests/vm/physical-hold

phys_load 2
trap 'proc_kill_all; phys_cleanup' EXIT
b0=${PHYS_BDFS[0]} b1=${PHYS_BDFS[1]}

phys_vfio "$b0"
proc_start hold0 "$HOLD" "$PHYS_CDEV" "$PHYS_PORT" release
proc_wait_count hold0 '^dma ' 1 60
proc_start unbind0 sh -c "echo $b0 > /sys/bus/pci/devices/$b0/driver/unbind"
proc_wait_exits 60 hold0 unbind0
[ "${PROC_RC[hold0]}" = 0 ] || fail "the user failed (status ${PROC_RC[hold0]}): $(proc_reason hold0)"
[ "${PROC_RC[unbind0]}" = 0 ] || fail "the unbind failed (status ${PROC_RC[unbind0]})"
grep -q '^released on request' "$PROC_DIR/hold0.log" ||
	fail "the user was not asked to release the device (vfio REQ)"
[ ! -e "/sys/bus/pci/devices/$b0/driver" ] || fail "$b0 still has a driver after the unbind"
echo "ok: unbind while in use: the user was asked, released, the unbind completed"

phys_vfio "$b0"
proc_start hold1 "$HOLD" "$PHYS_CDEV" "$PHYS_PORT" keep
proc_wait_count hold1 '^dma ' 1 60
proc_start remove0 sh -c "echo 1 > /sys/bus/pci/devices/$b0/remove"
n=$(grep -c '^dma ' "$PROC_DIR/hold1.log")
proc_wait_count hold1 '^dma ' $((n + 2)) 60
proc_alive remove0 || fail "$b0 was removed while its user still had it open"
echo "ok: the removal waits while the user keeps the function (DMA still flows)"
kill -9 "${PROC_PID[hold1]}"
proc_wait_exits 60 hold1 remove0
[ "${PROC_RC[remove0]}" = 0 ] || fail "the removal failed (status ${PROC_RC[remove0]})"
[ ! -e "/sys/bus/pci/devices/$b0" ] || fail "$b0 still exists after its removal"
echo "ok: the user SIGKILLed, the removal completed"

phys_vfio "$b1"
proc_start hold2 "$HOLD" "$PHYS_CDEV" "$PHYS_PORT" keep
proc_wait_log hold2 '^ready' 60
if rmmod pasidnic_pci 2> "$PROC_DIR/rmmod.err"; then
	fail "rmmod pasidnic_pci succeeded while $b1 was open"
fi
grep -q "in use" "$PROC_DIR/rmmod.err" || fail "rmmod: $(cat "$PROC_DIR/rmmod.err")"
kill -9 "${PROC_PID[hold2]}"
proc_wait_exit hold2 30
echo "ok: rmmod refused while a function is open ($(cat "$PROC_DIR/rmmod.err"))"

echo 1 > /sys/bus/pci/rescan
[ -e "/sys/bus/pci/devices/$b0" ] || fail "a rescan did not bring $b0 back"
[ "$(basename "$(readlink "/sys/bus/pci/devices/$b0/iommu")")" = pasidnic_pci ] ||
	fail "$b0 is not behind the pasidnic_pci IOMMU after the rescan"
echo "$b1" > "/sys/bus/pci/devices/$b1/driver/unbind"
phys_unload
[ ! -e /sys/kernel/debug/pasidnic_pci ] || fail "the DMA ports are still in debugfs"
[ ! -e /sys/class/iommu/pasidnic_pci ] || fail "the IOMMU is still registered"
if grep -q pasidnic_pci /proc/iomem; then fail "the BAR window is still claimed"; fi
echo "ok: rescan, then functions and module gone, nothing left"
