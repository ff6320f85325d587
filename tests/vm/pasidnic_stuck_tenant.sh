#!/bin/bash
# vm-boot: hostile
# SPDX-License-Identifier: BSD-3-Clause
# No tenant waits for another (issue 11): tenant A's TX DMA blocks in a page
# fault that never completes (a userfaultfd range mapped with IOMMU_IOAS_MAP,
# its pager never answers); tenant B, on another PASID of the same port, keeps
# its counters advancing at >= 0.5x its rate just before, its register reads
# and KICKs return within 2 s, and it detaches and re-attaches its PASID. Then
# A is SIGKILLed and exits, the pager exits and the port is removed
# (pasidnic_stuck.c). A short hung-task timeout catches uninterruptible waits;
# the program's own watchdog catches the killable ones and fails cleanly.
# TEST_LONG=1 measures 30 s per phase instead of 3.
. "$TOP/tests/vm/pasidnic_common.sh"
prog=$BUILD/tests/vm/pasidnic-stuck
[ -x "$prog" ] || fail "no $prog: build the project (devtools/build.sh)"
secs=3
[ "${TEST_LONG:-0}" = 1 ] && secs=30
pnic_hung_task_timeout 10
pnic_load_fresh
u=$(pnic_create q2) || exit 1

echo "$(cut -d" " -f1 /proc/uptime) s: ports ready, starting ${prog##*/}"
"$prog" --seconds $secs "$u" & pid=$!
pnic_wait_bounded $pid $((3 * secs + 60)) "pasidnic-stuck"
rc=$?
echo "$(cut -d" " -f1 /proc/uptime) s: ${prog##*/} exited with status $rc"
if [ $rc != 0 ]; then
	pnic_cleanup_quiet "$u"
	[ $rc = 124 ] && fail "pasidnic-stuck did not finish within $((3 * secs + 60)) s"
	exit $rc
fi
pnic_remove_bounded "$u" 30
rmmod pasidnic || fail "rmmod pasidnic failed"
exit 0
