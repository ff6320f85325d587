# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# Helpers of the conformance VM tests (sourced; no vm-boot line, not a test).
# Source it after lib.sh and bus_lib.sh.
#   conf_tp DEV ARGS...      dpdk-testpasid conformance ARGS on DEV (given to EAL)
#   conf_run DEV LOG         conf_tp DEV -a DEV into LOG (stderr LOG.err), printed;
#                            fails the test unless it exits 0
#   conf_must PATTERN        fails the test unless the last conf_run's LOG has it

conf_tp() {
	local dev=$1
	shift
	"$BUILD/app/testpasid/dpdk-testpasid" "${EAL[@]}" -a "iommufd:$dev" -- conformance "$@"
}

conf_run() {
	local rc
	CONF_LOG=$2
	conf_tp "$1" -a "$1" > "$CONF_LOG" 2> "$CONF_LOG.err"
	rc=$?
	cat "$CONF_LOG"
	[ $rc = 0 ] || { cat "$CONF_LOG.err"; fail "conformance of $1 failed (exit $rc)"; }
}

conf_must() {
	grep -q "$1" "$CONF_LOG" || fail "no '$1' in the conformance output"
}
