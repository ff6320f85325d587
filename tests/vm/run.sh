#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Guest-side test runner: tests/vm/run.sh NAME... (inside devtools/vm.sh).
#
# Runs tests/vm/NAME.sh one after the other, each with its output in
# /run/vm/logs/NAME.log, and prints and appends to /run/vm/results one line
# per test: "PASS name", "FAIL name: why" or "SKIP name: reason". A test that
# passed still fails when the kernel logged a KASAN, lockdep, kmemleak, BUG,
# WARN or Oops report while it ran.
#
# Every process costs a fraction of a second in the debug VM under TCG, so
# the per-test bookkeeping of a passing test takes two processes (dmesg,
# grep) besides the test itself, and bash builtins.
set -u
# VMTEST_DIR, VMTEST_LOGS and VMTEST_RESULTS let the harness test itself;
# such a nested run leaves kmemleak to the outer one.
here=${VMTEST_DIR:-$(cd "$(dirname "$0")" && pwd)}
logs=${VMTEST_LOGS:-/run/vm/logs}
mkdir -p "$logs"
results=${VMTEST_RESULTS:-/run/vm/results}
kml=/sys/kernel/debug/kmemleak
[ -z "${VMTEST_RESULTS:-}" ] || kml=/nonexistent

# What counts as a kernel report (one place; doc/testing.md describes it).
REPORT_RE='BUG:|WARNING:|Oops|general protection fault|KASAN|UBSAN|kernel BUG|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|INFO: task .* blocked|refcount_t:|list_(add|del) corruption|unreferenced object'

# uptime_cs VAR: the uptime in hundredths of a second (/proc/uptime's
# resolution) into VAR.
uptime_cs() {
	local up _
	read -r up _ < /proc/uptime
	printf -v "$1" %d "$((10#${up%.*} * 100 + 10#${up#*.}))"
}
# cs_to_s VAR CS: CS hundredths as "S.hh" seconds into VAR.
cs_to_s() { printf -v "$1" '%d.%02d' $(($2 / 100)) $(($2 % 100)); }

# kmemleak only reports objects older than 5 s, so one scan after the last
# test (instead of a 5 s wait after each) finds the leaks of all of them;
# each leak is charged to the test that was running when the object was
# allocated (its "jiffies" stamp, converted to uptime; jiffies start at
# 2^32 - 300 * HZ), an object allocated before the first test (at boot) to
# the first test. There is no scan before the first test: it would cost as
# much as the final one, and this kernel boots without leaks (a boot-time
# leak fails the first test, naming itself as allocated at boot). Prints
# "name<TAB>first line" per leaking test.
kmemleak_attribute() {
	local hz now wait
	hz=$(grep -E '^CONFIG_HZ=' "$KBUILD/.config" | cut -d= -f2)
	uptime_cs now
	wait=$((550 - (now - ends[-1])))
	if [ $wait -gt 0 ]; then
		cs_to_s wait $wait
		sleep "$wait"
	fi
	uptime_cs now
	echo scan > "$kml"
	cat "$kml" > "$logs/kmemleak.txt"
	uptime_cs wait
	cs_to_s wait $((wait - now))
	echo "VMTEST: kmemleak scan took ${wait}s" >&2
	awk -v hz="${hz:-250}" -v starts="${starts[*]}" -v names="${ran[*]}" '
		BEGIN { n = split(starts, st, " "); split(names, nm, " ") }
		/^unreferenced object/ { obj = $0 }
		/^  comm / {
			j = $NF; t = (j - (4294967296 - 300 * hz)) / hz
			who = nm[1]; when = t < st[1] / 100 ? " (allocated at boot, before the first test)" : ""
			for (i = 1; i <= n; i++) if (t >= st[i] / 100) who = nm[i]
			if (!(who in seen)) { seen[who] = 1; print who "\t" obj " " $0 when }
		}' "$logs/kmemleak.txt"
}

# snapshot: each process's state, wait channel and kernel stack, and the
# last lines of the test's own logs: the timeout's post-mortem.
snapshot() {
	local p cmd
	echo "VMTEST: test about to time out; processes:"
	ps -eo pid,ppid,stat,wchan:32,etimes,time,args --sort=pid | awk '$NF !~ /^\[.*\]$/'
	for p in /proc/[0-9]*; do
		cmd=$(tr '\0' ' ' < "$p/cmdline" 2> /dev/null | cut -c1-120)
		if [ -n "$cmd" ] && grep -q "^State:.*[DST]" "$p/status" 2> /dev/null; then
			echo "--- ${p#/proc/} $cmd"
			sed 's/^/  /' "$p/stack" 2> /dev/null
		fi
	done
	for p in /tmp/*/*.log; do
		if [ -f "$p" ]; then
			echo "--- tail of $p"
			tail -5 "$p" | cut -c1-200
		fi
	done
}

starts=() ends=() ran=() start=0 end=0 secs=
# Each test's kernel log is what dmesg -c read and cleared after it.
dmesg -C
uptime_cs start
cs_to_s secs "$start"
echo "VMTEST: runner started at ${secs}s"
for name in "$@"; do
	script=$here/$name.sh
	log=$logs/$name.log
	uptime_cs start
	starts+=("$start")
	ran+=("$name")
	if [ -f "$script" ]; then
		# 15 s before the limit, what every process is doing goes to the
		# log (a hang is otherwise lost when the timeout kills the test).
		(sleep $(("${VMTEST_TIMEOUT:-600}" - 15)) && snapshot >> "$log" 2>&1) &
		snap=$!
		timeout -k 5 "${VMTEST_TIMEOUT:-600}" bash "$script" > "$log" 2>&1
		rc=$?
		kill "$snap" 2> /dev/null
		wait "$snap" 2> /dev/null
	else
		echo "REASON: no test script $script" > "$log"
		rc=1
	fi
	uptime_cs end
	ends+=("$end")
	dmesg -c > "$logs/$name.dmesg"
	report=$(grep -m1 -E "$REPORT_RE" "$logs/$name.dmesg")
	reason=
	[ $rc = 0 ] || reason=$(sed -n 's/^REASON: //p' "$log" | tail -1)
	if [ -n "$report" ]; then
		line="FAIL $name: kernel report: ${report#\[*\] }"
	elif [ $rc = 0 ]; then
		line="PASS $name"
	elif [ $rc = 77 ]; then
		line="SKIP $name: ${reason:-skipped}"
	elif [ $rc = 124 ] || [ $rc = 137 ]; then
		line="FAIL $name: timed out after ${VMTEST_TIMEOUT:-600} s"
	else
		line="FAIL $name: ${reason:-exit status $rc; see logs/$name.log}"
	fi
	case "$line" in
	FAIL*)
		echo "---- $name: last lines of its log ----"
		tail -25 "$log"
		[ -n "$report" ] && { echo "---- kernel log ----"; grep -E -A12 "$REPORT_RE" "$logs/$name.dmesg" | head -40; }
		;;
	esac
	cs_to_s secs $((end - start))
	echo "VMRESULT $line (${secs}s)"
	echo "$line" >> "$results"
done

# A leak turns an earlier result into a failure: the host takes the last
# line per test.
if [ -w "$kml" ] && [ ${#ran[@]} -gt 0 ]; then
	while IFS=$'\t' read -r name leak; do
		[ -n "$name" ] || continue
		line="FAIL $name: kmemleak: $leak (see logs/kmemleak.txt)"
		echo "VMRESULT $line"
		echo "$line" >> "$results"
	done < <(kmemleak_attribute)
fi
exit 0
