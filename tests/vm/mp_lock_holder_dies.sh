#!/bin/bash
# vm-boot: lifecycle
# SPDX-License-Identifier: BSD-3-Clause
# A worker SIGKILLed while it holds the port's shared queue lock (issue 13):
# the worker parks inside the lock in the middle of its RX queue start
# (DPDK_PASID_HOOK_PARK=qlock_start: device queue enabled, RX ring filled),
# the test kills it there. The lock is a robust mutex: the next taker (the
# primary, quiescing the dead worker's PASID) gets EOWNERDEAD, repairs the
# queue state and goes on. Every other process makes progress within 5 s
# of the kill: the primary repairs and quiesces, both other workers keep
# forwarding, and one of them then leaves through the lock (its queue pair
# release). Mempool accounting holds (every survivor's pool: all mbufs
# available, none in use, after its queue pair went back), nothing crashes
# (exit statuses), every heap hugepage comes back.
. "$TOP/tests/vm/mp_lib.sh"

N=3
VICTIM=2
PROGRESS_S=5
mp_setup mp_lock_holder_dies q4
mp_primary $N
mp_workers 2

# Worker 2 parks holding the lock, inside its RX queue start.
name=w$VICTIM
mp_eal "$name"
proc_start "$name" env DPDK_PASID_HOOK_PARK=qlock_start "$PW" "${MP_EAL[@]}" -- worker \
	--id "$VICTIM" --ready "$MP_DIR/$name.ready"
proc_wait_log "$name" "pasidnic: parked in qlock_start \(pid ${PROC_PID[$name]}," 120
dead=${PROC_PID[$name]}
echo "worker $VICTIM (pid $dead) parked holding the queue lock, in its RX queue start"

# The fast path takes no lock: the others forward while it is held.
for k in 0 1; do
	mp_wait_fwd "$k" "${PROC_PID[w$k]}" "$(mp_fwd "$k" "${PROC_PID[w$k]}")" "$PROGRESS_S"
done
echo "ok: workers 0 and 1 forward while the lock is held"

declare -A F0
for k in 0 1; do
	F0[$k]=$(mp_fwd "$k" "${PROC_PID[w$k]}")
done
kill -9 "$dead"
t_kill=$EPOCHREALTIME
proc_wait_exit "$name" 10
[ "${PROC_RC[$name]}" = 137 ] || fail "worker $VICTIM exited with ${PROC_RC[$name]}, not SIGKILL"
echo "SIGKILLed worker $VICTIM (pid $dead) inside the lock"

# The primary takes the lock over (EOWNERDEAD), repairs, quiesces the dead queues.
proc_wait_log p "the queue lock's holder \(process $dead\) died holding it, in a queue start of RX queue $VICTIM: repairing" "$PROGRESS_S"
proc_wait_log p "pasidnic: port [0-9]+: 2 queue\(s\) of PASID [0-9]+ stopped \(their process has exited\)" "$PROGRESS_S"
awk -v a="${t_kill/./}" -v b="${EPOCHREALTIME/./}" \
	'BEGIN { printf "ok: the primary repaired the lock and quiesced the dead queues %.1f s after the kill\n", (b - a) / 1e6 }'
grep -E "queue lock's holder|queue\(s\) of PASID|reclaimed|worker $VICTIM pid $dead" "$MP_DIR/p.log" |
	sed 's/^/  primary: /'
proc_wait_log p "worker $VICTIM pid $dead died" "$PROGRESS_S"

# The other workers: forwarding within 5 s of the kill.
for k in 0 1; do
	mp_wait_fwd "$k" "${PROC_PID[w$k]}" "${F0[$k]}" "$PROGRESS_S"
done
echo "ok: workers 0 and 1 kept forwarding ($(mp_fwd 0 "${PROC_PID[w0]}"), $(mp_fwd 1 "${PROC_PID[w1]}") frames)"

# Worker 1 leaves: its queue pair release takes the lock.
t0=$EPOCHREALTIME
proc_stop w1 30
[ "${PROC_RC[w1]}" = 0 ] || { proc_show w1; fail "worker 1 exited with ${PROC_RC[w1]}"; }
awk -v a="${t0/./}" -v b="${EPOCHREALTIME/./}" \
	'BEGIN { printf "ok: worker 1 released its queue pair and left in %.1f s\n", (b - a) / 1e6 }'
proc_wait_log p "worker 1 pid ${PROC_PID[w1]} left: forwarded [0-9]+, lost 0" 10

# The rest leave when the primary stops; one death, nothing lost.
proc_stop p 60
proc_wait_exit w0 30
[ "${PROC_RC[w0]}" = 0 ] || { proc_show w0; fail "worker 0 exited with ${PROC_RC[w0]}"; }
[ "${PROC_RC[p]}" = 0 ] || fail "the primary exited with ${PROC_RC[p]}"
grep -E "summary" "$MP_DIR/p.log" | sed 's/^/  primary: /'
grep -Eq "summary: $N workers seen, [0-9]+ packets forwarded, 0 lost, 1 died" "$MP_DIR/p.log" ||
	fail "the primary's summary is not '$N workers seen, ..., 0 lost, 1 died'"

# Mempool accounting of the survivors: every mbuf back in its pool.
for k in 0 1; do
	line=$(grep -E "pool pw$k\.[0-9]+: [0-9]+ available \+ [0-9]+ in use == [0-9]+" \
		"$MP_DIR/w$k.log" | tail -1)
	[ -n "$line" ] || { proc_show "w$k"; fail "worker $k did not report its pool"; }
	read -r avail used size < <(echo "$line" |
		sed -E 's/.*: ([0-9]+) available \+ ([0-9]+) in use == ([0-9]+)/\1 \2 \3/')
	if [ $((avail + used)) != "$size" ] || [ "$used" != 0 ]; then
		fail "worker $k's pool: $avail available + $used in use, size $size"
	fi
	echo "ok: worker $k's pool: $avail available + $used in use == $size"
done

[ "$(mp_heap_pages)" = "$MP_HEAP0" ] ||
	fail "hugepages still held outside DPDK's files after every worker left ($(mp_hp_line))"
echo "ok: nothing crashed, every heap hugepage is free ($(mp_hp_line))"
