#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# A SIGKILLed worker of examples/pasid_workers, started again on the same
# queue pair, gets a PASID domain and forwards; two kill/restart cycles
# show that nothing piles up (domains, PASIDs, queue state, hugepages) that
# would block it, while another worker forwards throughout.
. "$TOP/tests/vm/mp_lib.sh"

CYCLES=2
mp_setup mp_worker_restart q2
mp_primary 2
mp_worker 0
mp_worker 1 w1.0
one=$(( $(mp_heap_pages) - MP_HEAP0 ))
files0=$(mp_file_pages)
echo "two workers: $(mp_hp_line)"
pasids=" ${MP_PASID[w1.0]}"
for c in $(seq 1 $CYCLES); do
	prev=w1.$((c - 1))
	pid=${PROC_PID[$prev]}
	mp_wait_fwd 1 "$pid" "$(mp_fwd 1 "$pid")" 30
	f0=$(mp_fwd 0 "${PROC_PID[w0]}")
	kill -9 "$pid"
	proc_wait_exit "$prev" 10
	proc_wait_log p "worker 1 pid $pid died: queue pair 1 quiesced, PASID ${MP_PASID[$prev]} detached, IOAS ${MP_IOAS[$prev]} destroyed" 30
	grep -E "worker 1 pid $pid died" "$MP_DIR/p.log" | sed 's/^/  primary: /'
	for ((i = 0; i < 50; i++)); do
		[ $(( $(mp_heap_pages) - MP_HEAP0 )) -le $((one / 2)) ] && break
		sleep 0.2
	done
	[ $(( $(mp_heap_pages) - MP_HEAP0 )) -le $((one / 2)) ] ||
		fail "cycle $c: the killed worker's hugepages did not return ($(mp_hp_line))"
	mp_worker 1 "w1.$c"
	mp_wait_fwd 1 "${PROC_PID[w1.$c]}" 0 30
	pasids+=" ${MP_PASID[w1.$c]}"
	mp_wait_fwd 0 "${PROC_PID[w0]}" "$f0" 30
	echo "ok: cycle $c: worker 1 killed (pid $pid) and restarted (pid ${PROC_PID[w1.$c]}," \
		"PASID ${MP_PASID[w1.$c]}, IOAS ${MP_IOAS[w1.$c]}), forwards; worker 0 went on" \
		"($f0 -> $(mp_fwd 0 "${PROC_PID[w0]}")); $(mp_hp_line)"
	held=$(( $(mp_heap_pages) - MP_HEAP0 ))
	[ "$held" -le "$one" ] ||
		fail "cycle $c: heaps hold $held hugepages, $one with the first two workers: pages pile up"
done
echo "worker 1's PASIDs over the cycles:$pasids"
# Known and bounded (doc/multi_process.md, "What a crashed worker leaves
# behind"): a crashed worker's mempool header and ring stay in DPDK's memory.
echo "DPDK's shared memory: $files0 hugepages before the crashes, $(mp_file_pages) after $CYCLES"

proc_stop p 60
grep -E "left:|died|summary" "$MP_DIR/p.log" | sed 's/^/  primary: /'
for n in w0 "w1.$CYCLES"; do
	proc_wait_exit "$n" 30
	[ "${PROC_RC[$n]}" = 0 ] || { proc_show "$n"; fail "$n exited with ${PROC_RC[$n]}"; }
done
grep -Eq "summary: $((CYCLES + 2)) workers seen, [0-9]+ packets forwarded, 0 lost, $CYCLES died" \
	"$MP_DIR/p.log" || fail "unexpected summary: $(grep summary "$MP_DIR/p.log")"
[ "${PROC_RC[p]}" = 0 ] || fail "the primary exited with ${PROC_RC[p]}"
[ "$(mp_heap_pages)" = "$MP_HEAP0" ] ||
	fail "hugepages still held outside DPDK's files at the end ($(mp_hp_line))"
echo "ok: $CYCLES kill/restart cycles, each restart got a domain and forwarded; all hugepages free"
