#!/bin/bash
# vm-boot: lifecycle
# SPDX-License-Identifier: BSD-3-Clause
# A port stop in the primary (SIGUSR1 to examples/pasid_workers' primary:
# rte_eth_dev_stop(), as testpmd's "port stop") while two workers forward and
# one of them is stopped (SIGSTOP) is refused with a clear error naming a
# worker (doc/multi_process.md): no worker's queue is touched, the running
# worker keeps forwarding, and so does the stopped one once continued. Once
# the workers have left (status 0, nothing lost), the same stop succeeds;
# the primary exits with status 0 and nothing leaks (hugepages, the port).
. "$TOP/tests/vm/mp_lib.sh"

N=2
mp_setup mp_primary_port_stop q4
# A table every 3 s: less for the loaded TCG guest to do.
mp_forwarding $N --interval 3

w0=${PROC_PID[w0]}
w1=${PROC_PID[w1]}
kill -STOP "$w1"
echo "[$(proc_now)] SIGSTOP to w1 (pid $w1); SIGUSR1 to the primary (port stop)"
kill -USR1 "${PROC_PID[p]}"
proc_wait_log p "primary: port stop refused" 10
grep -E "stop refused" "$MP_DIR/p.log" | sed 's/^/  primary: /'
grep -Eq "port [0-9]+: stop refused: 4 queue\(s\) belong to worker process ($w0|$w1) and others, which still runs" \
	"$MP_DIR/p.log" || { proc_show p; fail "the PMD did not name a worker in its refusal"; }
f0=$(mp_fwd 0 "$w0")
mp_wait_fwd 0 "$w0" "$((f0 + 10))" 15
echo "ok: stop refused; worker 0 forwards on: $f0 -> $(mp_fwd 0 "$w0")"
f1=$(mp_fwd 1 "$w1")
kill -CONT "$w1"
mp_wait_fwd 1 "$w1" "$((f1 + 10))" 15
echo "ok: worker 1, continued, forwards on: $f1 -> $(mp_fwd 1 "$w1")"

for k in $(seq 0 $((N - 1))); do
	proc_stop "w$k" 20
	[ "${PROC_RC[w$k]}" = 0 ] || { proc_show "w$k"; fail "worker $k exited with ${PROC_RC[w$k]}"; }
	grep -Eq "worker $k pid ${PROC_PID[w$k]} PASID [0-9]+: forwarded [0-9]+, lost 0, foreign 0" \
		"$MP_DIR/w$k.log" || { proc_show "w$k"; fail "worker $k lost frames"; }
done
echo "ok: both workers left (status 0, nothing lost)"
proc_wait_count p "worker [0-9] pid [0-9]+ left" 1 10
kill -USR1 "${PROC_PID[p]}"
proc_wait_log p "primary: port stopped \(no worker owned a queue pair\) and started again" 10
echo "ok: with no worker left, the port stop succeeds"
proc_stop p 30
[ "${PROC_RC[p]}" = 0 ] || { proc_show p; fail "the primary exited with ${PROC_RC[p]}"; }
mp_check_heaps
mp_check_unheld
mp_remove_port || fail "the port could not be removed"
echo "ok: hugepages back ($(mp_hp_line)), the port removed"
