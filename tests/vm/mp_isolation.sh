#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# Fault isolation between two PASID workers of one port: process A (stray,
# queue pair 0) posts, on TX and then on RX, a buffer IOVA that belongs to
# process B (victim, queue pair 1). The device faults both times (the IOVA
# is not mapped in A's domain; counted in xstats), B's buffer is
# byte-identical and B's traffic never stops, and A's queue pair works again
# after a queue restart. Both run tests/vm/mp-isolation as secondaries of
# the examples/pasid_workers primary, set up as its workers are (pw_queue.c).
. "$TOP/tests/vm/mp_lib.sh"

BIN=$BUILD/tests/vm/mp-isolation
[ -x "$BIN" ] || fail "no $BIN: build the project"
mp_setup mp_isolation q2
mp_primary 2

mp_eal victim
proc_start victim "$BIN" "${MP_EAL[@]}" -- victim "$MP_DIR"
proc_wait_file victim "$MP_DIR/victim.iova" 120
grep -E "\] victim:" "$MP_DIR/victim.log" | sed 's/^/  /'

mp_eal stray
proc_start stray "$BIN" "${MP_EAL[@]}" -- stray "$MP_DIR"
proc_wait_exit stray 120
grep -E "\] (stray:|ok:)" "$MP_DIR/stray.log" | sed 's/^/  /'
[ "${PROC_RC[stray]}" = 0 ] ||
	fail "stray: exit ${PROC_RC[stray]}: $(sed -n 's/.*REASON: //p' "$MP_DIR/stray.log" | tail -1)"

touch "$MP_DIR/go"
proc_wait_exit victim 60
grep -E "byte-identical|never faulted|\] ok:" "$MP_DIR/victim.log" | sed 's/^/  /'
[ "${PROC_RC[victim]}" = 0 ] ||
	fail "victim: exit ${PROC_RC[victim]}: $(sed -n 's/.*REASON: //p' "$MP_DIR/victim.log" | tail -1)"

# The driver logged both faults (the misc interrupt is the primary's).
iova=$(cut -d' ' -f1 "$MP_DIR/victim.iova")
grep -hE "DMA fault: |queue 0 faulted at" "$MP_DIR/p.log" "$MP_DIR/stray.log" | sed 's/^/  log: /'
grep -qh "DMA fault: TX queue 0, read of buffer at IOVA $iova" "$MP_DIR/p.log" "$MP_DIR/stray.log" ||
	fail "no 'DMA fault: TX queue 0, read of buffer at IOVA $iova' logged"
grep -qh "DMA fault: RX queue 0, write to buffer at IOVA" "$MP_DIR/p.log" "$MP_DIR/stray.log" ||
	fail "no 'DMA fault: RX queue 0, write to buffer' logged"
echo "ok: A's stray IOVA faulted on TX and RX, B's memory is untouched, A recovered"
proc_stop p 30
