#!/bin/bash
# vm-boot: lifecycle
# SPDX-License-Identifier: BSD-3-Clause
# The primary of examples/pasid_workers exits gracefully (SIGTERM) while two
# workers forward and one of them is stopped (SIGSTOP) (doc/multi_process.md,
# "Primary exit, stop, close and unplug"): the running worker leaves when
# asked (status 0); the PMD refuses the port stop while the stopped worker
# owns its queue pair, so the EAL cleanup removes the port (forced): the PMD
# tells the worker, waits 5 s for it, then leaves it the port's shared state
# instead of freeing it; the primary exits with status 1 (a worker did not
# leave). Continued after the primary has gone, the stopped worker finds the
# port gone and exits with status 3, no crash. Nothing leaks: no process
# left, nobody holds the port, every hugepage free, the port removable.
. "$TOP/tests/vm/mp_lib.sh"

N=2
mp_setup mp_primary_graceful_exit q4
# A table every 3 s: less for the loaded TCG guest to do.
mp_forwarding $N --stop-wait 2 --interval 3

w1=${PROC_PID[w1]}
kill -STOP "$w1"
echo "[$(proc_now)] SIGSTOP to w1 (pid $w1)"
proc_stop p 40
grep -E "did not leave|still own|stop refused|told|still attached|summary" "$MP_DIR/p.log" |
	sed 's/^/  primary: /'
[ "${PROC_RC[p]}" = 1 ] || { proc_show p; fail "the primary exited with ${PROC_RC[p]}, not 1 (a worker did not leave)"; }
for re in "worker 1 pid $w1 did not leave within 2 s" \
	"port [0-9]+: stop refused: 2 queue\(s\) belong to worker process $w1" \
	"device removal: told 1 worker process\(es\) \($w1\) that the port goes" \
	"1 worker process\(es\) \($w1\) still attached 5 s after they were told"; do
	grep -Eq -- "$re" "$MP_DIR/p.log" || { proc_show p; fail "the primary did not print '$re'"; }
done
echo "ok: stop refused, worker 1 told, waited for and left the port's state"

proc_wait_exit w0 10
[ "${PROC_RC[w0]}" = 0 ] || { proc_show w0; fail "worker 0 exited with ${PROC_RC[w0]}, not 0"; }
grep -Eq "worker 0 pid ${PROC_PID[w0]} PASID [0-9]+: forwarded [0-9]+, lost 0, foreign 0" \
	"$MP_DIR/w0.log" || { proc_show w0; fail "worker 0 did not leave cleanly"; }
echo "ok: worker 0 left when asked (status 0, nothing lost)"

proc_alive w1 || fail "the stopped worker 1 ended while stopped"
kill -CONT "$w1"
echo "[$(proc_now)] SIGCONT to w1 (pid $w1), after the primary's exit"
proc_wait_exit w1 20
msg=$(grep -E "worker 1: the primary process has exited; stopping" "$MP_DIR/w1.log" | head -1)
echo "  w1: exit ${PROC_RC[w1]}: $msg"
[ "${PROC_RC[w1]}" = 3 ] || { proc_show w1; fail "worker 1 exited with ${PROC_RC[w1]}, not 3"; }
[ -n "$msg" ] || { proc_show w1; fail "worker 1 did not say 'the primary process has exited'"; }
echo "ok: worker 1, continued after the primary had gone, exited with status 3"

procs=$(mp_procs | tr '\n' ' ')
[ -z "$procs" ] || fail "processes left running: $procs"
mp_check_unheld
echo "ok: no process left, nobody holds $MP_CDEV"
mp_check_heaps
mp_check_free
echo "ok: all hugepages free again: $MP_FREE0 of $(mp_hp HugePages_Total)"
timeout 20 bash -c "echo 1 > /sys/bus/mdev/devices/$MP_UUID/remove" ||
	fail "removing the port failed or hung"
[ ! -e "/sys/bus/mdev/devices/$MP_UUID" ] || fail "the port still exists after remove"
echo "ok: the port was removed"
