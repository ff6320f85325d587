#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# Four workers of examples/pasid_workers (secondary processes) on one
# pasidnic-q4 port, each on its own queue pair with its own PASID, IOAS and
# hugepage heap, forward traffic at the same time: every worker's count
# grows; stopped (SIGTERM), every worker leaves cleanly with nothing lost
# in loopback and no foreign frame, the primary's summary agrees, and their
# heaps' hugepages are all free again.
. "$TOP/tests/vm/mp_lib.sh"

N=4
mp_setup mp_workers_traffic q4
mp_primary $N
mp_workers "$N"
mp_distinct
echo "hugepages with the workers running: $(mp_hp_line)"

# Traffic on each, at the same time: every count grows.
declare -A F0
for k in $(seq 0 $((N - 1))); do
	F0[$k]=$(mp_fwd "$k" "${PROC_PID[w$k]}")
done
for k in $(seq 0 $((N - 1))); do
	mp_wait_fwd "$k" "${PROC_PID[w$k]}" "${F0[$k]}" 30
	echo "worker $k: forwarded ${F0[$k]} -> $(mp_fwd "$k" "${PROC_PID[w$k]}")"
done
grep -E "worker [0-9]+ pid [0-9]+ PASID [0-9]+ IOAS" "$MP_DIR/p.log" | tail -n $N | sed 's/^/  primary: /'
echo "ok: all $N workers forward at the same time"

# Stop the primary (SIGTERM): it asks the workers to leave; each drains its
# window, gives its queue pair, pool, heap and domain back and prints its
# counts; the primary reports each one that left and a summary.
proc_stop p 60
total=0
for k in $(seq 0 $((N - 1))); do
	pid=${PROC_PID[w$k]}
	proc_wait_exit "w$k" 10
	line=$(grep -Eo "worker $k pid $pid PASID [0-9]+: forwarded [0-9]+, lost [0-9]+, foreign [0-9]+" \
		"$MP_DIR/w$k.log" | tail -1)
	echo "  w$k: $line (exit ${PROC_RC[w$k]})"
	[ -n "$line" ] || { proc_show "w$k"; fail "worker $k printed no final count"; }
	read -r f l x < <(echo "$line" | sed -E 's/.*forwarded ([0-9]+), lost ([0-9]+), foreign ([0-9]+).*/\1 \2 \3/')
	[ "$l" = 0 ] || fail "worker $k lost $l frames in loopback (forwarded $f)"
	[ "$x" = 0 ] || fail "worker $k received $x foreign frames"
	[ "$f" -gt 0 ] || fail "worker $k forwarded nothing"
	[ "${PROC_RC[w$k]}" = 0 ] || fail "worker $k exited with ${PROC_RC[w$k]}"
	grep -Eq "worker $k pid $pid left: forwarded $f, lost 0" "$MP_DIR/p.log" ||
		{ proc_show p; fail "the primary did not report worker $k leaving with $f forwarded"; }
	total=$((total + f))
done
grep -E "left:|died|did not leave|summary" "$MP_DIR/p.log" | sed 's/^/  primary: /'
sum=$(grep -Eo "summary: [0-9]+ workers seen, [0-9]+ packets forwarded, [0-9]+ lost, [0-9]+ died" \
	"$MP_DIR/p.log" | tail -1)
[ -n "$sum" ] || fail "the primary printed no summary"
[ "$sum" = "summary: $N workers seen, $total packets forwarded, 0 lost, 0 died" ] ||
	fail "the primary's '$sum' does not match the workers' ($N workers, $total forwarded, 0 lost, 0 died)"
[ "${PROC_RC[p]}" = 0 ] || fail "the primary exited with ${PROC_RC[p]}"
echo "ok: $N workers forwarded $total frames in loopback, none lost, none foreign; $sum"

heap=$(mp_heap_pages)
[ "$heap" = "$MP_HEAP0" ] ||
	fail "$((heap - MP_HEAP0)) hugepages still held outside DPDK's files after the workers left ($(mp_hp_line))"
echo "ok: the workers' heap hugepages are free again ($(mp_hp_line))"
