#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Run every test of dpdk-pasid, or those whose names match the given globs:
#
#   devtools/test.sh [NAME-GLOB...]       e.g. devtools/test.sh 'bus_*' vm_smoke_iommufd
#
# Installs what is missing (apt), builds DPDK, the debug test kernel, the
# project and the kernel module (all cached), runs the host tests (meson) and
# the VM tests (tests/vm/*.sh, grouped by their "# vm-boot:" line into one VM
# boot per group). Prints "PASS name", "FAIL name: why" or "SKIP name: reason"
# per test and ends with "N passed, N failed, N skipped"; exits 1 when
# anything failed. Logs: build/test-logs/. TEST_VERBOSE=1 streams the VM
# consoles.
#
# TEST_LONG=1 selects the long variants of the tests that have one (the VM
# tests read TEST_LONG, which reaches the guest) and raises the time limits:
# per VM test (tests/vm/run.sh VMTEST_TIMEOUT) from 600 s to 3600 s and per
# VM boot (devtools/vm.sh --timeout) from 1200 s to 14400 s. VMTEST_TIMEOUT
# and VM_TIMEOUT, when set, override either limit.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

T0=$(date +%s)
BUILD=${BUILD:-$(default_build_dir)}
export BUILD
LOGS=$BUILD/test-logs
npass=0 nfail=0 nskip=0

result() { # "PASS name" | "FAIL name: why" | "SKIP name: reason"
	echo "$1"
	case "$1" in
	PASS*) npass=$((npass + 1));;
	FAIL*) nfail=$((nfail + 1));;
	SKIP*) nskip=$((nskip + 1));;
	esac
}
finish() {
	log "total time $(( $(date +%s) - T0 )) s; logs in $LOGS"
	echo "$npass passed, $nfail failed, $nskip skipped"
	[ $nfail = 0 ]
	exit
}
selected() {
	[ $# -ge 1 ] || return 1
	local name=$1 f
	shift
	[ ${#filters[@]} = 0 ] && return 0
	for f in "${filters[@]}"; do
		# shellcheck disable=SC2053
		[[ $name == $f ]] && return 0
	done
	return 1
}
filters=("$@")

# Time limits, and the long variants (TEST_LONG=1; doc/testing.md).
TEST_LONG=${TEST_LONG:-0}
if [ "$TEST_LONG" = 1 ]; then
	test_timeout=${VMTEST_TIMEOUT:-3600} vm_timeout=${VM_TIMEOUT:-14400}
	long_note=", TEST_LONG"
else
	test_timeout=${VMTEST_TIMEOUT:-600} vm_timeout=${VM_TIMEOUT:-1200}
fi
# What the guest runner gets: vm.sh passes no environment of its own.
# The replay knobs of the tests (seeds, counts; doc/testing.md) pass through
# when set: MP_SOAK_*, PNIC_*, IOMMUFD_SELFTEST_ALL, BUS_FAULT_*.
guest_env=(env TEST_LONG="$TEST_LONG" VMTEST_TIMEOUT="$test_timeout")
for v in $(compgen -v | grep -E '^(MP_SOAK_|PNIC_|BUS_FAULT_|IOMMUFD_SELFTEST_ALL$)'); do
	guest_env+=("$v=${!v}")
done

# ---- set-up: packages, DPDK, kernel, project, module ----
"$TOP/devtools/deps.sh" || { result "FAIL setup: installing the Debian packages failed"; finish; }
t=$(date +%s)
# One run at a time per build dir: runs share its logs and its VM shares.
mkdir -p "$BUILD"
exec 9> "$BUILD/.test.lock"
flock -n 9 || { log "another test.sh is running on $BUILD; waiting for it"; flock 9; }
"$TOP/devtools/build.sh" debug > /dev/null ||
	{ result "FAIL build: devtools/build.sh failed (output above)"; finish; }
log "build ready in $(( $(date +%s) - t )) s"
rm -rf "$LOGS"; mkdir -p "$LOGS"

# ---- host tests (meson) ----
mapfile -t host_tests < <(host_test_names "$BUILD")
sel=()
for n in "${host_tests[@]}"; do selected "$n" && sel+=("$n"); done
if [ ${#sel[@]} -gt 0 ]; then
	rm -f "$BUILD/meson-logs/host.json"
	/usr/bin/python3 /usr/bin/meson test -C "$BUILD" --no-rebuild --logbase host \
		"${sel[@]}" > "$LOGS/host-meson.log" 2>&1
	[ -f "$BUILD/meson-logs/host.json" ] ||
		result "FAIL host-tests: meson test did not run (see $LOGS/host-meson.log)"
	while IFS= read -r line; do result "$line"; done < <(/usr/bin/python3 - "$BUILD/meson-logs/host.json" <<-'PY'
	import json, os, sys
	if not os.path.exists(sys.argv[1]):
	    sys.exit(0)
	for raw in open(sys.argv[1]):
	    t = json.loads(raw)
	    out = (t.get("stdout") or "") + (t.get("stderr") or "")
	    lines = [l for l in out.splitlines() if l.strip()]
	    why = [l[8:] for l in lines if l.startswith("REASON: ")]
	    why = why[-1] if why else (lines[-1] if lines else "exit status %s" % t.get("returncode"))
	    r = t["result"]
	    if r == "OK":
	        print("PASS " + t["name"])
	    elif r == "SKIP":
	        print("SKIP %s: %s" % (t["name"], why))
	    else:
	        print("FAIL %s: %s (%s)" % (t["name"], why, r.lower()))
	PY
	)
fi

# ---- kernel style: checkpatch --strict on each out-of-tree module ----
KSRC=$(kernel_src)
for m in "$TOP"/kernel/linux/*/; do
	name=$(basename "$m")_checkpatch
	selected "$name" || continue
	[ -x "$KSRC/scripts/checkpatch.pl" ] ||
		{ result "FAIL $name: no kernel source with scripts/checkpatch.pl"; continue; }
	# shellcheck disable=SC2046
	out=$("$KSRC/scripts/checkpatch.pl" --strict --no-tree --quiet --terse \
		-f $(find "$m" -name '*.[ch]' | sort) 2>&1 | grep -E ': (ERROR|WARNING|CHECK):')
	if [ -z "$out" ]; then
		result "PASS $name"
	else
		echo "$out" > "$LOGS/$name.log"
		result "FAIL $name: $(echo "$out" | grep -c . ) checkpatch findings, first: $(echo "$out" | head -1)"
	fi
done

# ---- userspace gates: shellcheck, checkpatch with DPDK's options ----
for gate in shellcheck:shellcheck style:style_userspace; do
	name=${gate#*:}
	selected "$name" || continue
	if "$TOP/devtools/lint.sh" "${gate%%:*}" > "$LOGS/$name.log" 2>&1; then
		result "PASS $name"
	else
		result "FAIL $name: $(grep -c . "$LOGS/$name.log") findings (devtools/lint.sh ${gate%%:*}), first: $(head -1 "$LOGS/$name.log")"
	fi
done

# ---- VM tests, one boot per "# vm-boot:" group ----
declare -A boot_tests
for script in "$TOP"/tests/vm/*.sh; do
	name=$(basename "$script" .sh)
	boot=$(sed -n 's/^# vm-boot: *//p' "$script" | head -1)
	[ -n "$boot" ] || continue
	selected "$name" || continue
	boot_tests[$boot]+=" $name"
done
for boot in $(printf '%s\n' "${!boot_tests[@]}" | sort); do
	VM_ARGS=()
	conf=$TOP/tests/vm/boots/$boot.conf
	if [ -f "$conf" ]; then
		# shellcheck disable=SC1090
		. "$conf"
	fi
	# shellcheck disable=SC2206
	names=(${boot_tests[$boot]})
	t=$(date +%s)
	if [ "${TEST_VERBOSE:-0}" = 1 ]; then
		"$TOP/devtools/vm.sh" "${VM_ARGS[@]}" --timeout "$vm_timeout" --out "$LOGS/$boot" -- \
			"${guest_env[@]}" "$TOP/tests/vm/run.sh" "${names[@]}" 2>&1 | tee "$LOGS/$boot.console"
		rc=${PIPESTATUS[0]}
	else
		"$TOP/devtools/vm.sh" "${VM_ARGS[@]}" --timeout "$vm_timeout" --out "$LOGS/$boot" -- \
			"${guest_env[@]}" "$TOP/tests/vm/run.sh" "${names[@]}" > "$LOGS/$boot.console" 2>&1
		rc=$?
	fi
	log "VM boot '$boot' (${#names[@]} tests${long_note:-}) took $(( $(date +%s) - t )) s"
	for n in "${names[@]}"; do
		line=$(grep -E "^(PASS|FAIL|SKIP) $n(:|\$)" "$LOGS/$boot/results" 2>/dev/null | tail -1)
		[ -n "$line" ] || line="FAIL $n: VM boot '$boot' ended (status $rc) before the test reported; see $LOGS/$boot.console"
		result "$line"
	done
done
[ $((npass + nfail + nskip)) -gt 0 ] || result "FAIL select: no test matches '${filters[*]}'"
finish
