#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# A TX frame with an IOVA mapped nowhere faults TX queue 1 of a pasidnic port:
# the fault is counted in xstats (tx_q1_faults, fault_count) and logged,
# queue pair 0 keeps looping frames throughout, and queue 1 works again after
# rte_eth_dev_tx_queue_stop/start.
. "$TOP/tests/vm/pmd_lib.sh"

pmd_ports 1 q2
trap pnic_remove_ports EXIT
out=$("$BUILD/tests/vm/pmd-queues" "${PMD_EAL[@]}" -a "iommufd:${PNIC_PORTS[0]}" -- fault 2>&1)
rc=$?
echo "$out"
[ $rc = 0 ] || exit $rc
echo "$out" | grep -q "pasidnic: port 0: DMA fault: TX queue 1, read of buffer at IOVA 0x1000" ||
	fail "the fault was not logged"
echo "$out" | grep -q "pasidnic: port 0: TX queue 1 faulted" ||
	fail "the faulted queue was not logged"
