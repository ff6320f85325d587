# shellcheck shell=bash disable=SC2034 # MP_HEAP0... are read by the tests
# SPDX-License-Identifier: BSD-3-Clause
# Helpers of the multi-process worker VM tests (tests/vm/mp_*.sh): one
# pasidnic port, the primary of examples/pasid_workers and its workers (or
# other secondaries) as real processes, their logs in MP_DIR, hugepage
# accounting and a cleanup that runs however the test ends. Sourced; no
# vm-boot line, not a test.
#
#   mp_setup NAME TYPE   ports, dirs, baseline, trap (call first); on a
#                        physical function: phys_mp_setup (physical_lib.sh)
#   mp_primary N [ARGS]  start the primary for N workers, wait until it runs
#   mp_worker K [NAME]   start worker K (process NAME, default wK), wait until it forwards
#   mp_workers N         start workers 0..N-1
#   mp_wait_fwd / mp_fwd / mp_heap_pages ...
#   mp_distinct          the workers' PASIDs and IOASes are all different
#   mp_crash N VICTIM    the whole worker-crash scenario
# The processes are started, watched and stopped with devtools/lib/proc.sh
# (proc_start, proc_wait_log, proc_wait_exit, PROC_PID, PROC_RC...).
. "$TOP/tests/vm/pmd_lib.sh"
PROC_STAMP=1
. "$TOP/devtools/lib/proc.sh"

PW=$BUILD/examples/pasid_workers/dpdk-pasid-workers
MP_DIR=
MP_PREFIX=
MP_UUID=
MP_PORT=
MP_CDEV=
MP_HEAP0=
MP_FREE0=

# mp_setup NAME TYPE: a fresh port of mdev type pasidnic-TYPE (MP_PORT, its
# cdev MP_CDEV), MP_DIR=/tmp/NAME for logs, DPDK file prefix NAME, the cleanup
# trap, MP_HEAP0 = hugepages held outside DPDK's files and MP_FREE0 = free
# hugepages before we start.
mp_setup() {
	mp_begin "$1"
	pmd_ports 1 "$2"
	MP_UUID=${PNIC_UUIDS[0]}
	MP_PORT=${PNIC_PORTS[0]}
	MP_CDEV=$(vfio_cdev_of "/sys/bus/mdev/devices/$MP_UUID") ||
		fail "port $MP_UUID has no vfio cdev"
	mp_baseline
}

# mp_begin NAME: the first half of mp_setup, before the port: MP_DIR,
# the file prefix, the cleanup trap. A port made otherwise (a physical
# function: phys_mp_setup, tests/vm/physical_lib.sh) sets MP_PORT, MP_CDEV
# and MP_CLEANUP (a command mp_cleanup runs last), then calls mp_baseline.
MP_CLEANUP=
mp_begin() {
	MP_DIR=/tmp/$1
	PROC_DIR=$MP_DIR
	MP_PREFIX=$1
	[ -x "$PW" ] || fail "no $PW: build the project (examples/pasid_workers)"
	trap mp_cleanup EXIT
	rm -rf "$MP_DIR" "/run/dpdk/$MP_PREFIX" /dev/hugepages/"$MP_PREFIX"*
	mkdir -p "$MP_DIR"
}

# mp_baseline: the second half of mp_setup, once the port exists: MP_HEAP0,
# MP_FREE0.
mp_baseline() {
	MP_HEAP0=$(mp_heap_pages)
	MP_FREE0=$(mp_hp HugePages_Free)
	echo "port $MP_PORT ($MP_CDEV), hugepages: $(mp_hp_line)"
}

# mp_eal NAME: the EAL options of process NAME. Every process floats on both
# CPUs with an lcore id of its own (the workers busy-poll; with -l 1 they
# would all be pinned to one CPU).
mp_eal() {
	local lc
	case $1 in
	p) lc=0;;
	w[0-9]*) lc=$((1 + ${1//[!0-9]/}));;
	*) lc=$((20 + ${#PROC_PID[@]}));;
	esac
	MP_EAL=(--lcores "$lc@(0-1)" --file-prefix "$MP_PREFIX" --no-pci -a "iommufd:$MP_PORT"
		--log-level=bus.iommufd:info --log-level=pmd.net.pasidnic:info)
	# The primary preallocates DPDK memory (-m): memory allocated at start is
	# never handed back, so no worker's rte_malloc/rte_free needs a memory
	# hotplug round trip through the primary (doc/multi_process.md).
	if [ "$1" = p ]; then
		MP_EAL+=(-m 64)
	else
		MP_EAL+=(--proc-type=secondary)
	fi
}

# mp_primary N [ARGS...]: start the primary for N workers (a report every
# second) and wait until it runs.
mp_primary() {
	local n=$1
	shift
	mp_eal p
	rm -f "$MP_DIR/p.ready"
	proc_start p "$PW" "${MP_EAL[@]}" -- primary --workers "$n" --interval 1 \
		--ready "$MP_DIR/p.ready" "$@"
	proc_wait_file p "$MP_DIR/p.ready" 120
	echo "primary running (pid ${PROC_PID[p]}, $n queue pairs)"
}

# mp_worker K [NAME]: start worker K as process NAME (default wK) and wait
# until it forwards; its PASID and IOAS (from the primary's report) go to
# MP_PASID[NAME] and MP_IOAS[NAME].
declare -A MP_PASID MP_IOAS
mp_worker() {
	mp_worker_start "$1" "${2:-w$1}"
	mp_worker_wait "$1" "${2:-w$1}"
}

# mp_worker_start K NAME: start worker K as process NAME; no wait.
mp_worker_start() {
	mp_eal "w$1"
	rm -f "$MP_DIR/$2.ready"
	proc_start "$2" "$PW" "${MP_EAL[@]}" -- worker --id "$1" --ready "$MP_DIR/$2.ready"
}

# mp_worker_wait K NAME: wait until worker K (process NAME) forwards, as
# mp_worker.
mp_worker_wait() {
	local k=$1 name=$2 line
	proc_wait_file "$name" "$MP_DIR/$name.ready" 120
	proc_wait_log p "worker $k pid ${PROC_PID[$name]} PASID [0-9]+ IOAS [0-9]+: forwarded" 30
	line=$(grep -Eo "worker $k pid ${PROC_PID[$name]} PASID [0-9]+ IOAS [0-9]+" "$MP_DIR/p.log" |
		tail -1)
	MP_PASID[$name]=$(echo "$line" | awk '{ print $6 }')
	MP_IOAS[$name]=$(echo "$line" | awk '{ print $8 }')
	echo "worker $k forwards: pid ${PROC_PID[$name]}, PASID ${MP_PASID[$name]}," \
		"IOAS ${MP_IOAS[$name]}"
}

# mp_workers N: start workers 0..N-1 (processes w0..wN-1) at once (most of
# a start is the worker's own EAL init), then wait until each forwards.
mp_workers() {
	local k
	for ((k = 0; k < $1; k++)); do
		mp_worker_start "$k" "w$k"
	done
	for ((k = 0; k < $1; k++)); do
		mp_worker_wait "$k" "w$k"
	done
}

# mp_fwd K [PID]: the last count the primary reported for worker K (of pid
# PID), 0 when none yet.
mp_fwd() {
	local re="worker $1 pid ${2:-[0-9]+} PASID [0-9]+ IOAS [0-9]+: forwarded [0-9]+"
	local n
	n=$(grep -Eo "$re" "$MP_DIR/p.log" | tail -1 | awk '{ print $NF }')
	echo "${n:-0}"
}

# mp_wait_fwd K PID MIN [SECONDS]: wait until the primary reports worker K
# (pid PID) with more than MIN frames forwarded.
mp_wait_fwd() {
	local k=$1 pid=$2 min=$3 t=${4:-60} end
	end=$(( ${EPOCHREALTIME/./} + t * 1000000 ))
	while [ "${EPOCHREALTIME/./}" -lt "$end" ]; do
		[ "$(mp_fwd "$k" "$pid")" -gt "$min" ] && return 0
		proc_alive p || { proc_show p; fail "the primary ended ($(proc_reason p))"; }
		sleep 0.2
	done
	proc_show p
	fail "worker $k (pid $pid) did not forward beyond $min frames within $t s" \
		"(the primary reports $(mp_fwd "$k" "$pid"))"
}

# Hugepage accounting, in 2 MiB pages. DPDK's own memory is in files
# /dev/hugepages/<prefix>*; a pasid_mem heap is a memfd. mp_heap_pages: the
# pages in use that are in no DPDK file, i.e. held by heaps (or leaked).
mp_hp() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
mp_file_pages() {
	local kb
	kb=$(du -ck /dev/hugepages/"$MP_PREFIX"* 2> /dev/null | tail -1 | cut -f1)
	echo $(( ${kb:-0} / 2048 ))
}
mp_heap_pages() {
	echo $(( $(mp_hp HugePages_Total) - $(mp_hp HugePages_Free) + $(mp_hp HugePages_Rsvd) -
		$(mp_file_pages) ))
}
mp_hp_line() {
	echo "HugePages_Total $(mp_hp HugePages_Total), Free $(mp_hp HugePages_Free)," \
		"Rsvd $(mp_hp HugePages_Rsvd), in $MP_PREFIX files $(mp_file_pages)," \
		"in heaps $(mp_heap_pages)"
}

# mp_check_heaps: fail unless every hugepage outside DPDK's files is back.
mp_check_heaps() {
	[ "$(mp_heap_pages)" = "$MP_HEAP0" ] ||
		fail "$(( $(mp_heap_pages) - MP_HEAP0 )) hugepages held outside DPDK's files ($(mp_hp_line))"
}

# mp_rm_prefix: remove DPDK's runtime and hugepage files of the test's prefix
# (a primary leaves them for later secondaries).
mp_rm_prefix() { rm -rf "/run/dpdk/$MP_PREFIX" /dev/hugepages/"$MP_PREFIX"*; }

# mp_check_free: remove DPDK's files of the prefix and fail unless every
# hugepage is free again.
mp_check_free() {
	mp_rm_prefix
	[ "$(mp_hp HugePages_Free)" = "$MP_FREE0" ] ||
		fail "$(mp_hp HugePages_Free) hugepages free, $MP_FREE0 before the test ($(mp_hp_line))"
}

# mp_check_unheld: fail if a process still holds the port's vfio cdev.
mp_check_unheld() {
	local holders
	holders=$(mp_holders | tr '\n' ' ')
	[ -z "$holders" ] || fail "$MP_CDEV still held open by pid(s) $holders"
}

# mp_forwarding N PRIMARY-ARGS...: a primary with PRIMARY-ARGS and N workers,
# each reported forwarding; the EXIT trap shows the logs if the runner's
# timeout kills the test.
mp_forwarding() {
	local n=$1 k
	shift
	trap 'echo "REASON: killed (timeout)"; exit 1' TERM
	mp_primary "$n" "$@"
	mp_workers "$n"
	for ((k = 0; k < n; k++)); do
		mp_wait_fwd "$k" "${PROC_PID[w$k]}" "$(mp_fwd "$k" "${PROC_PID[w$k]}")" 30
	done
	echo "$n workers forward; $(mp_hp_line)"
}

# mp_procs: pids of any process still running one of our programs.
mp_procs() {
	local p e
	for p in /proc/[0-9]*; do
		e=$(readlink "$p/exe" 2> /dev/null) || continue
		case $e in
		"$PW" | "$BUILD/tests/vm/mp-isolation") echo "${p#/proc/}";;
		esac
	done
}

# mp_holders: pids of the processes that hold the port's vfio cdev open.
# (One find for all of them: a readlink per fd costs seconds in the debug VM.)
mp_holders() {
	[ -n "$MP_CDEV" ] || return 0
	{ find /proc/[0-9]*/fd -mindepth 1 -maxdepth 1 -lname "$MP_CDEV" 2> /dev/null || true; } |
		cut -d/ -f3 | sort -u
}

# mp_remove_port: remove the port, after checking nobody holds it (a
# removal with an open fd would block until it is closed).
mp_remove_port() {
	local h
	h=$(mp_holders | tr '\n' ' ')
	[ -z "$h" ] || return 1
	pnic_remove_ports
	[ ! -e "/sys/bus/mdev/devices/$MP_UUID" ]
}

# The EXIT trap: SIGKILL the processes we started that still run, show their
# logs when the test failed, remove DPDK's files of our prefix and the port
# (an mdev port; a port made otherwise by MP_CLEANUP).
mp_cleanup() {
	local rc=$?
	(exit "$rc")
	proc_cleanup
	[ -n "$MP_PREFIX" ] && mp_rm_prefix
	if [ -n "$MP_UUID" ] && [ -e "/sys/bus/mdev/devices/$MP_UUID" ]; then
		mp_remove_port ||
			echo "cleanup: port $MP_UUID not removed: still held by pid(s) $(mp_holders | tr '\n' ' ')"
	fi
	[ -n "$MP_CLEANUP" ] && $MP_CLEANUP
	exit "$rc"
}

# mp_distinct: fail unless the workers started by mp_worker(s) have PASIDs
# and IOASes of their own.
mp_distinct() {
	local n=${#MP_PASID[@]}
	[ "$(printf '%s\n' "${MP_PASID[@]}" | sort -u | wc -l)" = "$n" ] ||
		fail "the workers share a PASID: ${MP_PASID[*]}"
	[ "$(printf '%s\n' "${MP_IOAS[@]}" | sort -u | wc -l)" = "$n" ] ||
		fail "the workers share an IOAS: ${MP_IOAS[*]}"
	echo "ok: $n workers, PASIDs ${MP_PASID[*]}, IOASes ${MP_IOAS[*]}: all distinct"
}

# mp_crash N VICTIM: the worker-crash scenario on the port of mp_setup (or
# phys_mp_setup): a primary and N workers forwarding, each in a PASID domain
# of its own; worker VICTIM SIGKILLed in the middle of its traffic; the
# primary (through the bus's pidfd watch) quiesces its queue pair (the
# PMD's quiesce_domain op stops both queues), detaches its PASID, destroys
# its IOAS, and its heap's hugepages return; the others keep forwarding,
# then leave cleanly (SIGTERM to the primary) with nothing lost, the
# primary counts one death, and every heap hugepage is back.
mp_crash() {
	local n=$1 victim=$2 before running now dead pasid ioas f i k
	local -A at_kill
	mp_primary "$n"
	before=$(mp_heap_pages)
	mp_workers "$n"
	echo "[$(proc_now)] $n workers forward"
	mp_distinct
	dead=${PROC_PID[w$victim]}
	pasid=${MP_PASID[w$victim]}
	ioas=${MP_IOAS[w$victim]}
	mp_wait_fwd "$victim" "$dead" "$(mp_fwd "$victim" "$dead")" 30
	running=$(mp_heap_pages)
	echo "with $n workers: $(mp_hp_line)"
	[ "$running" -gt "$before" ] || fail "the workers' heaps hold no hugepages ($(mp_hp_line))"

	# SIGKILL the victim while it forwards.
	for ((k = 0; k < n; k++)); do
		at_kill[$k]=$(mp_fwd "$k" "${PROC_PID[w$k]}")
	done
	kill -9 "$dead"
	proc_wait_exit "w$victim" 10
	[ "${PROC_RC[w$victim]}" = 137 ] || fail "worker $victim exited with ${PROC_RC[w$victim]}, not SIGKILL"
	echo "SIGKILLed worker $victim (pid $dead, PASID $pasid, IOAS $ioas) after ${at_kill[$victim]} frames"
	proc_wait_log p "worker $victim pid $dead died" 30
	grep -E "worker $victim pid $dead died|process $dead exited" "$MP_DIR/p.log" | sed 's/^/  primary: /'
	grep -Eq "worker $victim pid $dead died: .*PASID $pasid still attached" "$MP_DIR/p.log" &&
		fail "the primary reports PASID $pasid still attached"
	proc_wait_log p "worker $victim pid $dead died: queue pair $victim quiesced, PASID $pasid detached, IOAS $ioas destroyed; hugepages free [0-9]+ -> [0-9]+" 10
	proc_wait_log p "process $dead exited: PASID $pasid quiesced, detached, IOAS $ioas destroyed, PASID freed" 10
	proc_wait_log p "pasidnic: port [0-9]+: 2 queue\(s\) of PASID $pasid stopped \(their process has exited\)" 10
	echo "ok: the dead worker's queue pair was quiesced, PASID $pasid detached, IOAS $ioas destroyed"

	# Its heap's hugepages are back (the others still hold theirs).
	for ((i = 0; i < 50; i++)); do
		now=$(mp_heap_pages)
		[ $((running - now)) -ge $(((running - before) / n)) ] && break
		sleep 0.2
	done
	echo "after the kill: $(mp_hp_line)"
	[ $((running - now)) -ge $(((running - before) / n)) ] ||
		fail "the dead worker's hugepages did not return: heaps held $running pages, now $now (one worker's share: $(((running - before) / n)))"
	echo "ok: $((running - now)) hugepages of the dead worker's heap returned to the pool"

	# The others keep going.
	for ((k = 0; k < n; k++)); do
		[ "$k" = "$victim" ] && continue
		f=$(mp_fwd "$k" "${PROC_PID[w$k]}")
		mp_wait_fwd "$k" "${PROC_PID[w$k]}" "$f" 30
		proc_alive "w$k" || fail "worker $k ended after worker $victim was killed"
		echo "worker $k: ${at_kill[$k]} at the kill, $f after the cleanup, $(mp_fwd "$k" "${PROC_PID[w$k]}") now"
	done
	echo "ok: the other $((n - 1)) workers keep forwarding"

	# The survivors leave cleanly, nothing lost; the primary counts one death.
	proc_stop p 60
	grep -E "left:|summary" "$MP_DIR/p.log" | sed 's/^/  primary: /'
	for ((k = 0; k < n; k++)); do
		[ "$k" = "$victim" ] && continue
		proc_wait_exit "w$k" 30
		[ "${PROC_RC[w$k]}" = 0 ] || { proc_show "w$k"; fail "worker $k exited with ${PROC_RC[w$k]}"; }
		grep -Eq "worker $k pid ${PROC_PID[w$k]} left: forwarded [0-9]+, lost 0" "$MP_DIR/p.log" ||
			fail "the primary did not report worker $k leaving with nothing lost"
	done
	grep -Eq "summary: $n workers seen, [0-9]+ packets forwarded, 0 lost, 1 died" "$MP_DIR/p.log" ||
		fail "the primary's summary is not '$n workers seen, ..., 0 lost, 1 died': $(grep summary "$MP_DIR/p.log")"
	[ "${PROC_RC[p]}" = 0 ] || fail "the primary exited with ${PROC_RC[p]}"
	[ "$(mp_heap_pages)" = "$MP_HEAP0" ] ||
		fail "hugepages still held outside DPDK's files after every worker left ($(mp_hp_line))"
	echo "ok: the survivors left cleanly and every heap hugepage is free ($(mp_hp_line))"
}
