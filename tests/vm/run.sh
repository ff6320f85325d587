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
here=$(cd "$(dirname "$0")" && pwd)
logs=/run/vm/logs
mkdir -p "$logs"
results=/run/vm/results
kml=/sys/kernel/debug/kmemleak

# What counts as a kernel report (one place; doc/testing.md describes it).
REPORT_RE='BUG:|WARNING:|Oops|general protection fault|KASAN|UBSAN|kernel BUG|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|INFO: task .* blocked|refcount_t:|list_(add|del) corruption|unreferenced object'

kmemleak_scan() { # prints the first line of a new leak report, if any
	[ -w "$kml" ] || return 0
	echo scan > "$kml"
	head -1 "$kml"
}

if [ -w "$kml" ]; then
	# Boot-time objects are not ours: forget them.
	echo scan > "$kml"
	echo clear > "$kml"
fi

for name in "$@"; do
	script=$here/$name.sh
	log=$logs/$name.log
	dmesg -C
	start=$(date +%s.%N)
	if [ -f "$script" ]; then
		timeout -k 5 "${VMTEST_TIMEOUT:-600}" bash "$script" > "$log" 2>&1
		rc=$?
	else
		echo "REASON: no test script $script" > "$log"
		rc=1
	fi
	secs=$(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || echo '?')
	reason=$(sed -n 's/^REASON: //p' "$log" | tail -1)
	# Give kmemleak's minimum object age (5 s) time to pass, then scan.
	leak=
	if [ -w "$kml" ]; then
		sleep 5
		leak=$(kmemleak_scan)
		[ -n "$leak" ] && { cat "$kml" > "$logs/$name.kmemleak"; echo clear > "$kml"; }
	fi
	dmesg > "$logs/$name.dmesg"
	report=$(grep -E "$REPORT_RE" "$logs/$name.dmesg" | head -1)
	if [ -n "$report" ]; then
		line="FAIL $name: kernel report: ${report#\[*\] }"
	elif [ -n "$leak" ]; then
		line="FAIL $name: kmemleak: $leak (see logs/$name.kmemleak)"
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
exit 0
