#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Guest-side test runner: tests/vm/run.sh NAME... (inside devtools/vm.sh).
#
# Runs tests/vm/NAME.sh one after the other, each with its output in
# /run/vm/logs/NAME.log, and prints and appends to /run/vm/results one line
# per test: "PASS name", "FAIL name: why" or "SKIP name: reason". A test that
# passed still fails when the kernel logged a KASAN, lockdep, kmemleak, BUG,
# WARN or Oops report while it ran.
set -u
# VMTEST_DIR, VMTEST_LOGS and VMTEST_RESULTS let the harness test itself.
here=${VMTEST_DIR:-$(cd "$(dirname "$0")" && pwd)}
logs=${VMTEST_LOGS:-/run/vm/logs}
mkdir -p "$logs"
results=${VMTEST_RESULTS:-/run/vm/results}
kml=/sys/kernel/debug/kmemleak

# What counts as a kernel report (one place; doc/testing.md describes it).
REPORT_RE='BUG:|WARNING:|Oops|general protection fault|KASAN|UBSAN|kernel BUG|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|INFO: task .* blocked|refcount_t:|list_(add|del) corruption|unreferenced object'

uptime_s() { cut -d' ' -f1 /proc/uptime; }

if [ -w "$kml" ] && [ -z "${VMTEST_RESULTS:-}" ]; then
	# Boot-time objects are not ours: forget them.
	echo scan > "$kml"
	echo clear > "$kml"
fi

# kmemleak only reports objects older than 5 s, so one scan after the last
# test (instead of a 5 s wait after each) finds the leaks of all of them;
# each leak is charged to the test that was running when the object was
# allocated (its "jiffies" stamp, converted to uptime; jiffies start at
# 2^32 - 300 * HZ). Prints "name<TAB>first line" per leaking test.
kmemleak_attribute() {
	local hz now wait
	hz=$(grep -E '^CONFIG_HZ=' "$KBUILD/.config" | cut -d= -f2)
	now=$(uptime_s)
	wait=$(echo "5.5 - ($now - ${ends[-1]})" | bc)
	[ "$(echo "$wait > 0" | bc)" = 1 ] && sleep "$wait"
	echo scan > "$kml"
	cat "$kml" > "$logs/kmemleak.txt"
	awk -v hz="${hz:-250}" -v starts="${starts[*]}" -v names="${ran[*]}" '
		BEGIN { n = split(starts, st, " "); split(names, nm, " ") }
		/^unreferenced object/ { obj = $0 }
		/^  comm / {
			j = $NF; t = (j - (4294967296 - 300 * hz)) / hz
			who = nm[1]
			for (i = 1; i <= n; i++) if (t >= st[i]) who = nm[i]
			if (!(who in seen)) { seen[who] = 1; print who "\t" obj " " $0 }
		}' "$logs/kmemleak.txt"
}

starts=() ends=() ran=()
for name in "$@"; do
	script=$here/$name.sh
	log=$logs/$name.log
	dmesg -C
	start=$(date +%s.%N)
	starts+=("$(uptime_s)")
	ran+=("$name")
	if [ -f "$script" ]; then
		timeout -k 5 "${VMTEST_TIMEOUT:-600}" bash "$script" > "$log" 2>&1
		rc=$?
	else
		echo "REASON: no test script $script" > "$log"
		rc=1
	fi
	secs=$(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || echo '?')
	reason=$(sed -n 's/^REASON: //p' "$log" | tail -1)
	ends+=("$(uptime_s)")
	dmesg > "$logs/$name.dmesg"
	report=$(grep -E "$REPORT_RE" "$logs/$name.dmesg" | head -1)
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
