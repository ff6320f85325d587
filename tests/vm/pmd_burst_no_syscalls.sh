#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# The bursts make no system call: stock dpdk-testpmd forwards (io mode, two
# queues per port) between two pasidnic ports in loopback while strace -c
# counts the system calls of its forwarding lcore thread for a few seconds.
# The only call allowed is the kick of a device engine that said it sleeps
# (one pwrite64, counted in the rx/tx_qN_kicks xstats): every other call
# fails the test, and pwrite64 calls beyond the kicks counted over the same
# window too. The kicks are reported. TEST_LONG=1 traces 30 s instead of 5.
. "$TOP/tests/vm/pmd_lib.sh"
. "$TOP/devtools/lib/proc.sh"

command -v strace > /dev/null || fail "strace not found: run devtools/deps.sh"
secs=5
[ "${TEST_LONG:-0}" = 1 ] && secs=30
PROC_DIR=$(mktemp -d)
trap 'proc_cleanup; pnic_remove_ports' EXIT

pmd_ports 2 q2
# Line-buffered: testpmd's replies reach the log as they are printed.
proc_start_input tp stdbuf -oL "$TESTPMD" "${PMD_EAL[@]}" -d "$BUS_PLUGIN" -d "$PMD_PLUGIN" \
	-a "iommufd:${PNIC_PORTS[0]}" -a "iommufd:${PNIC_PORTS[1]}" \
	-- -i --rxq=2 --txq=2 --nb-cores=1 --total-num-mbufs=8192 --forward-mode=io
proc_wait_log tp '^testpmd> ' 120
proc_send tp "start tx_first 4"
proc_wait_log tp 'io packet forwarding - ports' 30

# The forwarding lcore (1): "lcore-worker-1" (22.11) or "dpdk-worker1" (23.11+).
tid=
for t in /proc/"${PROC_PID[tp]}"/task/*; do
	grep -Eq 'worker-?1$' "$t/comm" 2> /dev/null && tid=${t##*/}
done
[ -n "$tid" ] || fail "no forwarding lcore thread in testpmd (threads: $(cat /proc/"${PROC_PID[tp]}"/task/*/comm | paste -sd' '))"

# xstats_sum NAME-REGEX N: the sum of the values of the N-th
# "show port xstats all" (both ports) for the xstats matching NAME-REGEX.
xstats_sum() {
	awk -v re="$1" -v n="$2" '
		/show port xstats all/ { k++ }
		k == n && $1 ~ re { s += $2 }
		END { print s + 0 }' "$PROC_DIR/tp.log"
}
show_xstats() { # N: the N-th listing, once printed
	proc_send tp "show port xstats all"
	proc_wait_count tp 'tx_q1_kicks' $(( 2 * $1 - 1 )) 30
}

show_xstats 1
timeout -s INT "$secs" strace -c -q -p "$tid" -o "$PROC_DIR/strace" ||
	[ $? = 124 ] || fail "strace -p $tid failed: $(cat "$PROC_DIR/strace")"
show_xstats 2
proc_send tp "stop"
proc_send tp "quit"
proc_wait_exit tp 60
[ "${PROC_RC[tp]}" = 0 ] || fail "dpdk-testpmd exited with ${PROC_RC[tp]}"

echo "strace -c of the forwarding thread ($tid) over $secs s:"
sed 's/^/  /' "$PROC_DIR/strace"
# Rows of the table: "% seconds usecs/call calls [errors] syscall".
calls() { awk -v re="$1" '$NF ~ re && $NF != "total" && $4 ~ /^[0-9]+$/ { s += $4 } END { print s + 0 }' "$PROC_DIR/strace"; }
pwrites=$(calls '^pwrite64$')
others=$(( $(calls '.') - pwrites ))
kicks=$(( $(xstats_sum '_kicks:$' 2) - $(xstats_sum '_kicks:$' 1) ))
rx=$(( $(xstats_sum '^rx_good_packets:$' 2) - $(xstats_sum '^rx_good_packets:$' 1) ))
echo "frames received meanwhile $rx, engine kicks $kicks, pwrite64 calls $pwrites, other calls $others"
[ "$rx" -gt 0 ] || fail "no traffic while tracing: received $rx frames"
[ "$others" = 0 ] || fail "the forwarding thread made $others system calls other than kicks: $(awk '$4 ~ /^[0-9]+$/ && $NF != "pwrite64" && $NF != "total" {print $NF}' "$PROC_DIR/strace" | paste -sd' ')"
[ "$pwrites" -le "$kicks" ] ||
	fail "$pwrites pwrite64 calls but only $kicks kicks counted: a write that is not a kick"
echo "ok: $rx frames forwarded in $secs s with no system call but $pwrites engine kicks"
