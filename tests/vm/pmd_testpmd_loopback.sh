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
pmd_testpmd_forward "${PNIC_PORTS[0]}" "${PNIC_PORTS[1]}"
echo "ok: testpmd forwarded $TESTPMD_RX frames between two pasidnic ports, none lost"
