#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# Stock static dpdk-testpmd loads the bus and the PMD with -d and forwards
# (io mode, two queues per port) between two pasidnic ports in loopback:
# every frame sent is received, either by testpmd or still waiting in an RX
# ring (counted with rte_eth_rx_queue_count), and nothing is lost.
. "$TOP/tests/vm/pmd_lib.sh"

pmd_ports 2 q2
trap pnic_remove_ports EXIT
for p in "$BUS_PLUGIN" "$PMD_PLUGIN"; do
	readelf -d "$p" | grep -q 'NEEDED.*librte_[a-z]*\.so\.' && fail "$p links DPDK libraries"
done
out=$( {
	echo "start tx_first 4"
	sleep 8
	echo "stop"
	sleep 2
	echo "show port stats all"
	for port in 0 1; do
		for q in 0 1; do
			echo "show port $port rxq $q desc used count"
		done
	done
	echo "show port xstats 0"
	echo "quit"
} | timeout 300 "$TESTPMD" "${PMD_EAL[@]}" -d "$BUS_PLUGIN" -d "$PMD_PLUGIN" \
	-a "iommufd:${PNIC_PORTS[0]}" -a "iommufd:${PNIC_PORTS[1]}" \
	-- -i --rxq=2 --txq=2 --nb-cores=1 --total-num-mbufs=8192 --forward-mode=io 2>&1)
rc=$?
echo "$out"
[ $rc = 0 ] || fail "dpdk-testpmd exited with $rc"
for p in "${PNIC_PORTS[@]}"; do
	echo "$out" | grep -q "pasidnic: $p: port [0-9]*, 2 queue pairs" ||
		fail "testpmd did not probe $p with net_pasidnic"
done
# "show port stats all" lines only (the forwarding summary has RX-packets too).
sum() { echo "$out" | sed -n "$1" | paste -sd+ | bc; }
rx=$(sum 's/^ *RX-packets: *\([0-9]*\) *RX-missed.*/\1/p')
tx=$(sum 's/^ *TX-packets: *\([0-9]*\) *TX-errors.*/\1/p')
missed=$(sum 's/.*RX-missed: *\([0-9]*\).*/\1/p')
rxerr=$(sum 's/^ *RX-errors: *\([0-9]*\).*/\1/p')
txerr=$(sum 's/.*TX-errors: *\([0-9]*\).*/\1/p')
# "Used desc count = N" (22.11), "RxQ Q used desc count = N" (23.03+).
used=$(echo "$out" | sed -n 's/^\(RxQ [0-9]* used\|Used\) desc count = \([0-9]*\)/\2/p' | paste -sd+ | bc)
echo "sent $tx, received $rx, waiting in RX rings $used, missed $missed, errors $rxerr/$txerr"
if [ -z "$tx" ] || [ -z "$rx" ] || [ -z "$used" ]; then
	fail "no statistics in testpmd's output"
fi
[ "$tx" -gt 1000 ] || fail "only $tx frames sent in 8 s"
if [ "$missed" != 0 ] || [ "$rxerr" != 0 ] || [ "$txerr" != 0 ]; then
	fail "frames lost: missed $missed, RX errors $rxerr, TX errors $txerr"
fi
[ "$tx" = $((rx + used)) ] ||
	fail "sent $tx != received $rx + $used waiting in the RX rings"
echo "ok: testpmd forwarded $rx frames between two pasidnic ports, none lost"
