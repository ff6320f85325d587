#!/bin/bash
# vm-boot: bus
# SPDX-License-Identifier: BSD-3-Clause
# The guest runner must fail a test whose run left a kernel report (WARN,
# KASAN, lockdep...) in the kernel log, even when the test itself passed.
# A fake test writes a WARN-shaped line to /dev/kmsg; a clean one does not.
. "$TOP/tests/vm/lib.sh"

d=$(mktemp -d)
cat > "$d/warns.sh" <<'T'
echo "WARNING: CPU: 0 PID: $$ at harness/selftest.c:1 injected by vm_harness_kernel_report" > /dev/kmsg
exit 0
T
echo 'exit 0' > "$d/clean.sh"
VMTEST_DIR=$d VMTEST_LOGS=$d/logs VMTEST_RESULTS=$d/results "$TOP/tests/vm/run.sh" warns clean > "$d/out" 2>&1
cat "$d/results"
grep -q '^FAIL warns: kernel report: WARNING: CPU: 0 PID: .* injected by vm_harness_kernel_report' "$d/results" ||
	fail "a passing test that left a WARN in the kernel log was not failed: $(head -1 "$d/results")"
grep -qx 'PASS clean' "$d/results" || fail "a clean test did not pass: $(tail -1 "$d/results")"
rm -rf "$d"
# Our own injected line must not fail this test: clear it from the log.
dmesg -C
