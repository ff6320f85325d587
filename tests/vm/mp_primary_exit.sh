#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# The primary of examples/pasid_workers SIGKILLed while its workers forward:
# every worker stops within a few seconds with a clear error (exit status 3,
# "the primary process has exited"), nothing hangs and no process is left,
# the hugepages are all free again once the dead primary's DPDK files are
# removed, and every fd of the port is released: the mdev port can be removed.
. "$TOP/tests/vm/mp_lib.sh"

N=3
mp_setup mp_primary_exit q4
mp_primary $N
mp_workers "$N"
for k in $(seq 0 $((N - 1))); do
	mp_wait_fwd "$k" "${PROC_PID[w$k]}" "$(mp_fwd "$k" "${PROC_PID[w$k]}")" 30
done
echo "$N workers forward; $(mp_hp_line)"

kill -9 "${PROC_PID[p]}"
t0=$(proc_now)
proc_wait_exit p 10
echo "SIGKILLed the primary (pid ${PROC_PID[p]})"
for k in $(seq 0 $((N - 1))); do
	proc_wait_exit "w$k" 20
	secs=$(printf '%.1f' "$(echo "$(proc_now) - $t0" | bc)")
	msg=$(grep -E "worker $k: the primary process has exited" "$MP_DIR/w$k.log" | head -1)
	echo "  w$k: exit ${PROC_RC[w$k]} within $secs s: $msg"
	[ -n "$msg" ] || { proc_show "w$k"; fail "worker $k did not say 'worker $k: the primary process has exited'"; }
	[ "${PROC_RC[w$k]}" = 3 ] || { proc_show "w$k"; fail "worker $k exited with ${PROC_RC[w$k]}, not 3"; }
done
secs=$(printf '%.1f' "$(echo "$(proc_now) - $t0" | bc)")
[ "$(echo "$secs <= 10" | bc)" = 1 ] || fail "the workers took $secs s to stop"
echo "ok: all $N workers stopped with status 3 within $secs s of the primary's death"

procs=$(mp_procs | tr '\n' ' ')
[ -z "$procs" ] || fail "processes left running: $procs"
mp_check_unheld
echo "ok: no process left, nobody holds $MP_CDEV"

# The dead primary cannot remove its DPDK files; its workers' heaps are gone.
echo "after the exits: $(mp_hp_line)"
mp_check_heaps
free0=$(mp_hp HugePages_Free)
mp_rm_prefix
echo "removed the dead primary's DPDK files: $(mp_hp_line)"
[ "$(mp_hp HugePages_Free)" = "$MP_FREE0" ] ||
	fail "$(mp_hp HugePages_Free) hugepages free, $MP_FREE0 before the test (and $free0 before removing the DPDK files)"
echo "ok: all hugepages free again: $MP_FREE0 of $(mp_hp HugePages_Total), as before the test"

# Every fd is closed: the port goes away at once.
timeout 20 bash -c "echo 1 > /sys/bus/mdev/devices/$MP_UUID/remove" ||
	fail "removing the port failed or hung"
[ ! -e "/sys/bus/mdev/devices/$MP_UUID" ] || fail "the port still exists after remove"
echo "ok: the port was removed"
