#!/bin/bash
# vm-boot: bus
# SPDX-License-Identifier: BSD-3-Clause
# Multi-process PASID domains on one pasidnic port: a primary and three
# secondary processes (workers) that receive the bound fds from it. Each
# worker gets its own PASID and IOAS and loops frames through its queue
# pair; a SIGKILLed worker's PASID is quiesced, detached and its IOAS
# destroyed by the primary while the others keep moving data; a restarted
# worker gets a domain again; once the primary has exited, a worker's next
# domain request fails at once with an error that names the cause.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/bus_lib.sh"

[ -e /dev/iommu ] || fail "no /dev/iommu: the kernel lacks CONFIG_IOMMUFD"
pnic_ports 1 pasidnic-q4
PORT=${PNIC_PORTS[0]}
BIN=$BUILD/tests/vm/bus-mp
PREFIX=busmp
MP=("--file-prefix=$PREFIX" --log-level=bus.iommufd:info -a "iommufd:$PORT")
PROC_DIR=/tmp/bus_mp
. "$TOP/devtools/lib/proc.sh"

finish() {
	proc_cleanup
	rm -rf /dev/hugepages/${PREFIX}* "/run/dpdk/$PREFIX"
	pnic_remove_ports
}
trap finish EXIT

rm -rf "$PROC_DIR" "/run/dpdk/$PREFIX" /dev/hugepages/${PREFIX}*
mkdir -p "$PROC_DIR"

# start NAME ARGS...: run bus-mp with ARGS, reading commands from proc_send.
start() { proc_start_input "$1" "$BIN" "${@:2}"; }

# domains: the primary's domain list now, one "pasid ioas owner" a line.
domains() {
	local n
	n=$(grep -c 'list end' "$PROC_DIR/p.log")
	proc_send p list
	proc_wait_count p "list end" "$n" 30
	awk -v n="$n" '/list end/ { seen++; next }
		seen == n && /domain pasid=/ {
			for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			print v["pasid"], v["ioas"], v["owner"] }' "$PROC_DIR/p.log"
}

# worker NAME QP: start a worker on queue pair QP; its PASID and IOAS go to
# PASID[NAME] and IOAS[NAME].
declare -A PASID IOAS
worker() {
	local line
	start "$1" -l 1 "${MP[@]}" --proc-type=secondary -- worker "$2"
	proc_wait_log "$1" "worker qp $2: PASID [0-9]+ IOAS [0-9]+: frame 0 ok" 120
	line=$(grep -Eo "worker qp $2: PASID [0-9]+ IOAS [0-9]+" "$PROC_DIR/$1.log" | head -1)
	PASID[$1]=$(echo "$line" | awk '{ print $5 }')
	IOAS[$1]=$(echo "$line" | awk '{ print $7 }')
	echo "ok: $1 (pid ${PROC_PID[$1]}, queue pair $2): PASID ${PASID[$1]}, IOAS ${IOAS[$1]}," \
		"a frame looped through its PASID"
}

start p -l 0-1 "${MP[@]}" --proc-type=primary -- primary
proc_wait_log p "primary ready" 120
worker w0 0
worker w1 1
worker w2 2

[ "$(printf '%s\n' "${PASID[@]}" | sort -u | wc -l)" = 3 ] ||
	fail "the workers share a PASID: ${PASID[*]}"
[ "$(printf '%s\n' "${IOAS[@]}" | sort -u | wc -l)" = 3 ] ||
	fail "the workers share an IOAS: ${IOAS[*]}"
list=$(domains)
mapfile -t lines <<< "$list"
printf '  primary: domain %s\n' "${lines[@]}"
for w in w0 w1 w2; do
	echo "$list" | grep -qx "${PASID[$w]} ${IOAS[$w]} ${PROC_PID[$w]}" ||
		fail "the primary does not list $w's domain (PASID ${PASID[$w]}, IOAS ${IOAS[$w]}, pid ${PROC_PID[$w]})"
done
[ "$(echo "$list" | wc -l)" = 3 ] || fail "the primary lists $(echo "$list" | wc -l) domains, not 3"
echo "ok: distinct PASIDs and IOASes, listed by the primary with their owners"

# SIGKILL a worker: the primary quiesces, detaches, destroys; the others go on.
dead=${PROC_PID[w1]}
kill -9 "$dead"
wait "$dead" 2>/dev/null
proc_wait_log p "quiesce_domain: PASID ${PASID[w1]}: 2 queues reset" 60
proc_wait_log p "process $dead exited: PASID ${PASID[w1]} quiesced, detached, IOAS ${IOAS[w1]} destroyed, PASID freed" 60
grep -E "quiesce_domain|process $dead exited" "$PROC_DIR/p.log" | sed 's/^/  primary: /'
list=$(domains)
[ "$(echo "$list" | wc -l)" = 2 ] || fail "after the kill the primary lists: $list"
echo "$list" | grep -q " $dead\$" && fail "the dead worker's domain is still listed"
echo "ok: the killed worker's PASID was quiesced and detached and its IOAS destroyed"
proc_send w0 frame
proc_send w2 frame
proc_wait_log w0 "worker qp 0: PASID ${PASID[w0]} IOAS ${IOAS[w0]}: frame 1 ok" 60
proc_wait_log w2 "worker qp 2: PASID ${PASID[w2]} IOAS ${IOAS[w2]}: frame 1 ok" 60
echo "ok: the other workers still move data through their PASIDs"

old_pasid=${PASID[w1]}
worker w1b 1
[ "${PASID[w1b]}" = "$old_pasid" ] && echo "ok: the restarted worker reuses the freed PASID $old_pasid"
[ "$(domains | wc -l)" = 3 ] || fail "the restarted worker's domain is not listed"

# A worker that exits normally destroys its domain through the primary.
proc_send w0 exit
proc_wait_log w0 "domain of PASID ${PASID[w0]} destroyed" 60
proc_wait_exit w0 60
list=$(domains)
[ "$(echo "$list" | wc -l)" = 2 ] || fail "after w0's exit the primary lists: $list"
echo "ok: a worker's own domain destroy goes through the primary"

# The primary exits: the workers' next request fails fast, nothing hangs.
proc_send p quit
proc_wait_log p "primary exited cleanly" 60
proc_wait_exit p 60
t0=$(date +%s)
proc_send w2 domain
proc_wait_log w2 "domain request failed: .*\(errno 3\)" 30
grep -q "the primary process has exited" "$PROC_DIR/w2.log" ||
	fail "the worker's error does not name the cause: $(grep -i error "$PROC_DIR/w2.log" | tail -1)"
grep -E "cannot create a PASID domain|domain request failed" "$PROC_DIR/w2.log" | sed 's/^/  w2: /'
echo "ok: with the primary gone a domain request fails after $(($(date +%s) - t0)) s with ESRCH"
proc_send w2 exit
proc_send w1b exit
proc_wait_exit w2 60
proc_wait_exit w1b 60
echo "ok: the workers exit without their primary"
