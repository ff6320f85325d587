#!/bin/bash
# vm-boot: hostile
# SPDX-License-Identifier: BSD-3-Clause
# Hostile vfio fd holders cannot hurt the kernel (issue 11): two ports driven
# at once by fuzzers doing random but plausible operations (pasidnic_hostile.c:
# registers, every region, doorbells, descriptors, config space, SET_IRQS,
# IOAS churn, PASID attach/replace/detach, reset), 200,000 operations per port
# (TEST_LONG=1: 5,000,000), a third port removed through sysfs while its
# fuzzer is SIGKILLed; then the ports are removed and the module unloaded.
# Passes with no kernel report (run.sh), no operation over its watchdog
# (PNIC_WD_SECONDS, default 10 s) and a clean rmmod. The seed is printed;
# PNIC_SEED=S replays it (PNIC_FUZZ_TRACE=1 prints every operation).
. "$TOP/tests/vm/pasidnic_common.sh"
prog=$BUILD/tests/vm/pasidnic-hostile
[ -x "$prog" ] || fail "no $prog: build the project (devtools/build.sh)"
ops=${PNIC_OPS:-200000} max=480
[ "${TEST_LONG:-0}" = 1 ] && ops=${PNIC_OPS:-5000000} max=3300
export PNIC_MAX_SECONDS=${PNIC_MAX_SECONDS:-$max}
pnic_hung_task_timeout 10
pnic_load_fresh
u1=$(pnic_create q2) || exit 1
u2=$(pnic_create q4) || exit 1
u3=$(pnic_create q1) || exit 1

echo "$(cut -d" " -f1 /proc/uptime) s: ports ready, starting ${prog##*/}"
"$prog" --ops "$ops" --kill "$u3" "$u1" "$u2" & pid=$!
pnic_wait_bounded $pid $((PNIC_MAX_SECONDS + 30)) "the fuzzers"
rc=$?
echo "$(cut -d" " -f1 /proc/uptime) s: ${prog##*/} exited with status $rc"
if [ $rc != 0 ]; then
	pnic_cleanup_quiet "$u1" "$u2" "$u3"
	[ $rc = 124 ] && fail "the fuzzers did not finish within $((PNIC_MAX_SECONDS + 30)) s"
	exit $rc
fi
[ -e "/sys/bus/mdev/devices/$u3" ] && fail "port $u3 still exists after its removal"

pnic_remove_bounded "$u1" 30
pnic_remove_bounded "$u2" 30
rmmod pasidnic || fail "rmmod pasidnic failed after the fuzzing"
exit 0
