# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# Helpers for the pasidnic VM tests (sourced; no vm-boot line, not a test).
# Ports: devtools/lib/pasidnic.sh (pnic_load, pnic_create, pnic_ports...).
. "$TOP/tests/vm/lib.sh"
. "$TOP/devtools/lib/pasidnic.sh"

PNIC_TEST=$BUILD/tests/vm/pasidnic-test

pnic_need_test() {
	[ -x "$PNIC_TEST" ] || fail "no $PNIC_TEST: build the project (devtools/build.sh)"
}

# pnic_cdev UUID: the port's /dev/vfio/devices/vfioN.
pnic_cdev() {
	local c
	c=$(vfio_cdev_of "/sys/bus/mdev/devices/$1") || pnic_fail_ "port $1 has no vfio cdev"
	[ -c "$c" ] || pnic_fail_ "$c is not a character device"
	echo "$c"
}

# pnic_run_cmd CMD TYPE: on a fresh module and a new port of mdev type
# pasidnic-TYPE, run 'pasidnic-test CMD <cdev>'; then remove the port and
# unload the module.
pnic_run_cmd() {
	local u c
	pnic_need_test
	# shellcheck disable=SC2119 # no module parameters
	pnic_load
	u=$(pnic_create "$2") || exit 1
	c=$(pnic_cdev "$u") || exit 1
	"$PNIC_TEST" "$1" "$c" || exit 1
	pnic_remove "$u"
	rmmod pasidnic || fail "rmmod failed"
}

# pnic_wait_bounded PID SECONDS WHAT: wait for the background job PID at most
# SECONDS; return its status. A job still running then (a task stuck in the
# kernel) gets its kernel stacks printed and SIGKILL, and is not waited for
# (it may never die): return 124, so a stuck device fails the test instead
# of hanging the boot.
pnic_wait_bounded() {
	local pid=$1 end=$(( $(date +%s) + $2 )) t
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$(date +%s)" -ge "$end" ]; then
			echo "---- $3 (pid $pid) still running after $2 s: kernel stacks ----"
			for t in /proc/"$pid"/task/*; do
				echo "task ${t##*/} ($(cat "$t/comm" 2>/dev/null)):"
				cat "$t/stack" 2>/dev/null
			done
			kill -9 "$pid" 2>/dev/null
			return 124
		fi
		sleep 0.1
	done
	wait "$pid"
}

# pnic_remove_bounded UUID SECONDS: remove a port through sysfs, failing the
# test (without hanging) when the removal has not returned within SECONDS.
pnic_remove_bounded() {
	(echo 1 > "/sys/bus/mdev/devices/$1/remove") &
	pnic_wait_bounded $! "$2" "removal of port $1" || fail "removal of port $1 failed or did not return within $2 s"
	[ ! -e "/sys/bus/mdev/devices/$1" ] || fail "port $1 still exists after its removal"
}

# pnic_hung_task_timeout SECONDS: a short hung-task timeout for this test
# (CONFIG_DETECT_HUNG_TASK), restored when the script exits.
pnic_hung_task_timeout() {
	local f=/proc/sys/kernel/hung_task_timeout_secs
	[ -w $f ] || { echo "note: no $f (CONFIG_DETECT_HUNG_TASK off)"; return 0; }
	PNIC_HUNG_TASK_SAVED=$(cat $f)
	echo "$1" > $f
	trap 'echo "$PNIC_HUNG_TASK_SAVED" > /proc/sys/kernel/hung_task_timeout_secs' EXIT
}

# pnic_cleanup_quiet UUID...: after a failure, remove what is left (each
# removal bounded to 10 s) and unload the module, so the boot's next tests
# start clean; prints no REASON (the failure's stays the last one). When a
# task of the hostile tests is still stuck in the kernel, nothing is
# removed: a removal would wait for it forever holding the device lock, and
# the VM's power-off would wait for that lock.
pnic_cleanup_quiet() {
	local u c
	for c in /proc/[0-9]*/comm; do
		case "$(cat "$c" 2>/dev/null)" in
		pasidnic-hostil|pasidnic-stuck|stuck-tenant-a|stuck-pager)
			echo "note: ${c%/comm} ($(cat "$c" 2>/dev/null)) is still in the kernel: ports left in place"
			return 0;;
		esac
	done
	for u in "$@"; do
		[ -e "/sys/bus/mdev/devices/$u" ] || continue
		(echo 1 > "/sys/bus/mdev/devices/$u/remove") 2>/dev/null &
		pnic_wait_bounded $! 10 "removal of port $u" > /dev/null
	done
	rmmod pasidnic 2>/dev/null
	return 0
}

# pnic_load_fresh: pnic_load, failing with a clear reason when the module is
# still in use (an earlier test of the boot left a port or a stuck task).
pnic_load_fresh() {
	if [ -d /sys/module/pasidnic ] && ! rmmod pasidnic 2>/dev/null; then
		fail "pasidnic is still loaded and in use: an earlier test of this boot left a port or a task stuck in it (see that test's log)"
	fi
	pnic_load
}
