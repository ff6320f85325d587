#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# A worker of examples/pasid_workers SIGKILLed in the middle of its traffic:
# the other three keep forwarding, and the primary (through the bus's pidfd
# watch) quiesces the dead worker's queue pair, detaches its PASID and
# destroys its IOAS, and the hugepages of its heap return to the pool.
. "$TOP/tests/vm/mp_lib.sh"

N=4
VICTIM=2
mp_setup mp_worker_crash q4
mp_primary $N
before=$(mp_heap_pages)
mp_workers "$N"
dead=${PROC_PID[w$VICTIM]}
pasid=${MP_PASID[w$VICTIM]}
ioas=${MP_IOAS[w$VICTIM]}
mp_wait_fwd "$VICTIM" "$dead" "$(mp_fwd "$VICTIM" "$dead")" 30
running=$(mp_heap_pages)
echo "with $N workers: $(mp_hp_line)"
[ "$running" -gt "$before" ] || fail "the workers' heaps hold no hugepages ($(mp_hp_line))"

# SIGKILL worker 2 while it forwards.
declare -A F0
for k in $(seq 0 $((N - 1))); do
	F0[$k]=$(mp_fwd "$k" "${PROC_PID[w$k]}")
done
kill -9 "$dead"
proc_wait_exit "w$VICTIM" 10
[ "${PROC_RC[w$VICTIM]}" = 137 ] || fail "worker $VICTIM exited with ${PROC_RC[w$VICTIM]}, not SIGKILL"
echo "SIGKILLed worker $VICTIM (pid $dead, PASID $pasid, IOAS $ioas) after ${F0[$VICTIM]} frames"
proc_wait_log p "worker $VICTIM pid $dead died" 30
grep -E "worker $VICTIM pid $dead died|process $dead exited" "$MP_DIR/p.log" | sed 's/^/  primary: /'
grep -Eq "worker $VICTIM pid $dead died: .*PASID $pasid still attached" "$MP_DIR/p.log" &&
	fail "the primary reports PASID $pasid still attached"
proc_wait_log p "worker $VICTIM pid $dead died: queue pair $VICTIM quiesced, PASID $pasid detached, IOAS $ioas destroyed; hugepages free [0-9]+ -> [0-9]+" 10
proc_wait_log p "process $dead exited: PASID $pasid quiesced, detached, IOAS $ioas destroyed, PASID freed" 10
# The PMD's quiesce_domain op stopped both queues of the pair (RX and TX).
proc_wait_log p "pasidnic: port [0-9]+: 2 queue\(s\) of PASID $pasid stopped \(their process has exited\)" 10
echo "ok: the dead worker's queue pair was quiesced, PASID $pasid detached, IOAS $ioas destroyed"

# Its heap's hugepages are back (the other three still hold theirs).
for ((i = 0; i < 50; i++)); do
	now=$(mp_heap_pages)
	[ $((running - now)) -ge $(((running - before) / N)) ] && break
	sleep 0.2
done
echo "after the kill: $(mp_hp_line)"
[ $((running - now)) -ge $(((running - before) / N)) ] ||
	fail "the dead worker's hugepages did not return: heaps held $running pages, now $now (one worker's share: $(((running - before) / N)))"
echo "ok: $((running - now)) hugepages of the dead worker's heap returned to the pool"

# The others keep going.
for k in $(seq 0 $((N - 1))); do
	[ "$k" = "$VICTIM" ] && continue
	f=$(mp_fwd "$k" "${PROC_PID[w$k]}")
	mp_wait_fwd "$k" "${PROC_PID[w$k]}" "$f" 30
	proc_alive "w$k" || fail "worker $k ended after worker $VICTIM was killed"
	echo "worker $k: ${F0[$k]} at the kill, $f after the cleanup, $(mp_fwd "$k" "${PROC_PID[w$k]}") now"
done
echo "ok: the other $((N - 1)) workers keep forwarding"

# The survivors leave cleanly, nothing lost; the primary counts one death.
proc_stop p 60
grep -E "left:|summary" "$MP_DIR/p.log" | sed 's/^/  primary: /'
for k in $(seq 0 $((N - 1))); do
	[ "$k" = "$VICTIM" ] && continue
	proc_wait_exit "w$k" 30
	[ "${PROC_RC[w$k]}" = 0 ] || { proc_show "w$k"; fail "worker $k exited with ${PROC_RC[w$k]}"; }
	grep -Eq "worker $k pid ${PROC_PID[w$k]} left: forwarded [0-9]+, lost 0" "$MP_DIR/p.log" ||
		fail "the primary did not report worker $k leaving with nothing lost"
done
grep -Eq "summary: $N workers seen, [0-9]+ packets forwarded, 0 lost, 1 died" "$MP_DIR/p.log" ||
	fail "the primary's summary is not '$N workers seen, ..., 0 lost, 1 died': $(grep summary "$MP_DIR/p.log")"
[ "${PROC_RC[p]}" = 0 ] || fail "the primary exited with ${PROC_RC[p]}"
[ "$(mp_heap_pages)" = "$MP_HEAP0" ] ||
	fail "hugepages still held outside DPDK's files after every worker left ($(mp_hp_line))"
echo "ok: the survivors left cleanly and every heap hugepage is free ($(mp_hp_line))"
