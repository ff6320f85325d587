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
pasidnic_ports 1 pasidnic-q4
PORT=${PORTS[0]}
BIN=$BUILD/tests/vm/bus-mp
D=/tmp/bus_mp
PREFIX=busmp
MP=(--file-prefix=$PREFIX --log-level=bus.iommufd:info -a "iommufd:$PORT")
declare -A PID FD

finish() {
	local p
	for p in "${PID[@]}"; do
		kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf /dev/hugepages/${PREFIX}* "/run/dpdk/$PREFIX"
	pasidnic_remove_ports
}
trap finish EXIT

rm -rf "$D" "/run/dpdk/$PREFIX" /dev/hugepages/${PREFIX}*
mkdir -p "$D"

# start NAME ARGS...: run bus-mp with ARGS, stdin from a fifo we keep open.
start() {
	local name=$1 fd
	shift
	rm -f "$D/$name.in"
	mkfifo "$D/$name.in"
	"$BIN" "$@" < "$D/$name.in" > "$D/$name.log" 2>&1 &
	PID[$name]=$!
	exec {fd}> "$D/$name.in"
	FD[$name]=$fd
}

# send NAME CMD: one command line to a process.
send() { echo "$2" >&"${FD[$1]}"; }

# wait_log NAME REGEX [SECONDS]: wait for a line of NAME's output; fail
# with its log when it does not come or the process ends first.
wait_log() {
	local name=$1 re=$2 t=${3:-120} i
	for ((i = 0; i < t * 5; i++)); do
		grep -Eq -- "$re" "$D/$name.log" && return 0
		if ! kill -0 "${PID[$name]}" 2>/dev/null; then
			grep -Eq -- "$re" "$D/$name.log" && return 0
			sed 's/^/  | /' "$D/$name.log"
			fail "$name ended without printing '$re' ($(grep REASON "$D/$name.log" |
				sed 's/REASON: //'))"
		fi
		sleep 0.2
	done
	sed 's/^/  | /' "$D/$name.log"
	fail "$name did not print '$re' within $t s"
}

# wait_exit NAME SECONDS: the process must end in time.
wait_exit() {
	local i
	for ((i = 0; i < $2 * 5; i++)); do
		kill -0 "${PID[$1]}" 2>/dev/null || { wait "${PID[$1]}"; return; }
		sleep 0.2
	done
	sed 's/^/  | /' "$D/$1.log"
	fail "$1 hangs: still running after $2 s"
}

# domains: the primary's domain list now, one "pasid ioas owner" a line.
domains() {
	local n
	n=$(grep -c 'list end' "$D/p.log")
	send p list
	wait_log p "list end" 30
	for ((i = 0; i < 150; i++)); do
		[ "$(grep -c 'list end' "$D/p.log")" -gt "$n" ] && break
		sleep 0.2
	done
	awk -v n="$n" '/list end/ { seen++; next }
		seen == n && /domain pasid=/ {
			for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			print v["pasid"], v["ioas"], v["owner"] }' "$D/p.log"
}

# worker NAME QP: start a worker on queue pair QP; its PASID and IOAS go to
# PASID[NAME] and IOAS[NAME].
declare -A PASID IOAS
worker() {
	local line
	start "$1" -l 1 "${MP[@]}" --proc-type=secondary -- worker "$2"
	wait_log "$1" "worker qp $2: PASID [0-9]+ IOAS [0-9]+: frame 0 ok"
	line=$(grep -Eo "worker qp $2: PASID [0-9]+ IOAS [0-9]+" "$D/$1.log" | head -1)
	PASID[$1]=$(echo "$line" | awk '{ print $5 }')
	IOAS[$1]=$(echo "$line" | awk '{ print $7 }')
	echo "ok: $1 (pid ${PID[$1]}, queue pair $2): PASID ${PASID[$1]}, IOAS ${IOAS[$1]}," \
		"a frame looped through its PASID"
}

start p -l 0-1 "${MP[@]}" --proc-type=primary -- primary
wait_log p "primary ready"
worker w0 0
worker w1 1
worker w2 2

[ "$(printf '%s\n' "${PASID[@]}" | sort -u | wc -l)" = 3 ] ||
	fail "the workers share a PASID: ${PASID[*]}"
[ "$(printf '%s\n' "${IOAS[@]}" | sort -u | wc -l)" = 3 ] ||
	fail "the workers share an IOAS: ${IOAS[*]}"
list=$(domains)
echo "$list" | sed 's/^/  primary: domain /'
for w in w0 w1 w2; do
	echo "$list" | grep -qx "${PASID[$w]} ${IOAS[$w]} ${PID[$w]}" ||
		fail "the primary does not list $w's domain (PASID ${PASID[$w]}, IOAS ${IOAS[$w]}, pid ${PID[$w]})"
done
[ "$(echo "$list" | wc -l)" = 3 ] || fail "the primary lists $(echo "$list" | wc -l) domains, not 3"
echo "ok: distinct PASIDs and IOASes, listed by the primary with their owners"

# SIGKILL a worker: the primary quiesces, detaches, destroys; the others go on.
dead=${PID[w1]}
kill -9 "$dead"
wait "$dead" 2>/dev/null
wait_log p "quiesce_domain: PASID ${PASID[w1]}: 2 queues reset" 60
wait_log p "process $dead exited: PASID ${PASID[w1]} quiesced, detached, IOAS ${IOAS[w1]} destroyed, PASID freed" 60
grep -E "quiesce_domain|process $dead exited" "$D/p.log" | sed 's/^/  primary: /'
list=$(domains)
[ "$(echo "$list" | wc -l)" = 2 ] || fail "after the kill the primary lists: $list"
echo "$list" | grep -q " $dead\$" && fail "the dead worker's domain is still listed"
echo "ok: the killed worker's PASID was quiesced and detached and its IOAS destroyed"
send w0 frame
send w2 frame
wait_log w0 "worker qp 0: PASID ${PASID[w0]} IOAS ${IOAS[w0]}: frame 1 ok" 60
wait_log w2 "worker qp 2: PASID ${PASID[w2]} IOAS ${IOAS[w2]}: frame 1 ok" 60
echo "ok: the other workers still move data through their PASIDs"

old_pasid=${PASID[w1]}
worker w1b 1
[ "${PASID[w1b]}" = "$old_pasid" ] && echo "ok: the restarted worker reuses the freed PASID $old_pasid"
[ "$(domains | wc -l)" = 3 ] || fail "the restarted worker's domain is not listed"

# A worker that exits normally destroys its domain through the primary.
send w0 exit
wait_log w0 "domain of PASID ${PASID[w0]} destroyed" 60
wait_exit w0 60
list=$(domains)
[ "$(echo "$list" | wc -l)" = 2 ] || fail "after w0's exit the primary lists: $list"
echo "ok: a worker's own domain destroy goes through the primary"

# The primary exits: the workers' next request fails fast, nothing hangs.
send p quit
wait_log p "primary exited cleanly" 60
wait_exit p 60
t0=$(date +%s)
send w2 domain
wait_log w2 "domain request failed: .*\(errno 3\)" 30
grep -q "the primary process has exited" "$D/w2.log" ||
	fail "the worker's error does not name the cause: $(grep -i error "$D/w2.log" | tail -1)"
grep -E "cannot create a PASID domain|domain request failed" "$D/w2.log" | sed 's/^/  w2: /'
echo "ok: with the primary gone a domain request fails after $(($(date +%s) - t0)) s with ESRCH"
send w2 exit
send w1b exit
wait_exit w2 60
wait_exit w1b 60
echo "ok: the workers exit without their primary"
