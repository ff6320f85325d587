#!/bin/bash
# vm-boot: lifecycle
# SPDX-License-Identifier: BSD-3-Clause
# Fault injection over the bring-up sequence (issue 13, item 6): with the
# test hook armed (DPDK_PASID_HOOK_FAIL=any:0, doc/testing.md "Test hooks"),
# tests/vm/bus_fault.c fails the Nth open/ioctl/mmap/eventfd/memfd_create/
# rte_mp call of our own code for N = 1, 2, ... until the sequence gets
# through: in the primary (rte_dev_probe of the port, configure and start,
# domain, heap, queue set-up and start) and then in a worker (domain through
# the primary, heap, queue set-up and start). Each failure must name its
# step, a retry in place must succeed, and the open files and the free
# hugepages must be back at their baseline after each round.
#
# Replay (doc/testing.md): BUS_FAULT_FROM=N, BUS_FAULT_ONLY=N and
# BUS_FAULT_ROUNDS=R reach both programs (devtools/test.sh passes BUS_FAULT_*
# into the guest).
. "$TOP/tests/vm/mp_lib.sh"
# Unstamped logs: proc.sh's stamping copy is asynchronous, so a stamped log
# can miss lines its process had already written when p.ready appeared or the
# process exited (the old "the primary did not report its injections" and its
# "silent death"). The checks read the reports that the programs write
# themselves (DIR/primary.report, DIR/worker.report).
PROC_STAMP=0

BIN=$BUILD/tests/vm/bus-fault
[ -x "$BIN" ] || fail "no $BIN: build the project"
mp_setup bus_fault q2
# A failed run keeps the whole logs and reports where the host sees them.
bf_cleanup() {
	local rc=$? keep=${VMTEST_LOGS:-/run/vm/logs}/bus_fault_injection.d
	if [ "$rc" != 0 ] && [ -d "${keep%/*}" ]; then
		mkdir -p "$keep" && cp "$MP_DIR"/*.log "$MP_DIR"/*.report "$keep/" 2> /dev/null &&
			echo "the processes' logs and reports: $keep"
	fi
	(exit "$rc")
	mp_cleanup
}
trap bf_cleanup EXIT
HOOK=(env DPDK_PASID_HOOK_FAIL=any:0)
EAL=(--file-prefix "$MP_PREFIX" --no-pci --log-level=bus.iommufd:info
	--log-level=pmd.net.pasidnic:info)

# bf_ended NAME WHO WHAT: process NAME (the program's WHO) ended before WHAT
# or with a failure: fail with its exit status (or the signal that killed it)
# and the end of its report, which says where its loop was when it died.
bf_ended() {
	local rc
	[ -n "${PROC_RC[$1]:-}" ] || proc_wait_exit "$1" 10
	rc=${PROC_RC[$1]}
	[ "$rc" -le 128 ] || rc="$rc: killed by SIG$(kill -l $((rc - 128)))"
	echo "  --- $MP_DIR/$2.report, the end:"
	tail -n 12 "$MP_DIR/$2.report" 2> /dev/null | sed 's/^/  | /'
	proc_show "$1" 25
	fail "$2 ($1) $3 (exit status $rc): $(proc_reason "$1")"
}

# bf_summary WHO: its first injections and its last line.
bf_summary() {
	grep -E "^($1: N=|ok:)" "$MP_DIR/$1.report" | sed -n '1,3p;$p' | sed 's/^/  /'
	grep -q "^ok: $1:" "$MP_DIR/$1.report" ||
		fail "$1 did not report its injections ($MP_DIR/$1.report)"
}

t0=$(date +%s)
# The primary: the port blocked at start, so that probing it is a step. Its
# DPDK memory is 4 hugepages (-m 8), allocated at start and kept: the probe
# maps each into the RID's IOAS, one injection point per page, and 4 pages
# cover a failure at the first and at a later one without making the loop
# long.
proc_start p "${HOOK[@]}" "$BIN" --lcores "0@(0-1)" -m 8 "${EAL[@]}" \
	-b "iommufd:$MP_PORT" -- primary "$MP_PORT" "$MP_DIR"
# Bounded below the runner's 600 s, so that a slow run fails with its log
# (wall-clock time, as proc.sh's waits: a loaded VM stretches each sleep).
end=$(( ${EPOCHREALTIME/./} + 400 * 1000000 ))
while [ "${EPOCHREALTIME/./}" -lt "$end" ]; do
	[ -e "$MP_DIR/p.ready" ] && break
	proc_alive p || [ -e "$MP_DIR/p.ready" ] || bf_ended p primary "ended before it was ready"
	sleep 0.2
done
[ -e "$MP_DIR/p.ready" ] || bf_ended p primary "was not ready within 400 s"
bf_summary primary
np=$(grep -c "^primary: N=.*failed at .* (hook: " "$MP_DIR/primary.report")
[ "$np" -gt 0 ] || fail "the primary injected no failure"
# Every failure names a step, and the hook's line names the failed call.
hooks=$(grep -c "test hook (DPDK_PASID_HOOK_FAIL): failing" "$MP_DIR/p.log")
[ "$hooks" -ge "$np" ] || fail "$np failures, only $hooks hook reports"
echo "ok: primary: $np injected failures, each named and retried, in $(($(date +%s) - t0)) s"

t1=$(date +%s)
proc_start w "${HOOK[@]}" "$BIN" --lcores "1@(0-1)" "${EAL[@]}" --proc-type=secondary \
	-a "iommufd:$MP_PORT" -- worker "$MP_DIR"
proc_wait_exit w 150
[ "${PROC_RC[w]}" = 0 ] || bf_ended w worker "failed"
bf_summary worker
nw=$(grep -c "^worker: N=.*failed at .* (hook: " "$MP_DIR/worker.report")
echo "ok: worker: $nw injected failures, each named and retried, in $(($(date +%s) - t1)) s"

touch "$MP_DIR/p.quit"
proc_wait_exit p 60
[ "${PROC_RC[p]}" = 0 ] || bf_ended p primary "failed at its end"
mp_check_free
echo "ok: both processes exited cleanly, every hugepage is back"
