# shellcheck shell=bash disable=SC2034 # BUS_PLUGIN, TESTPMD, PMD_EAL, TESTPMD_*: read by the tests
# SPDX-License-Identifier: BSD-3-Clause
# Helpers of the net_pasidnic VM tests (tests/vm/pmd_*.sh). Sourced; no
# vm-boot line, not a test.
. "$TOP/tests/vm/pasidnic_common.sh"

BUS_PLUGIN=$(plugin_path "$BUILD/drivers/bus/iommufd/librte_bus_iommufd.so")
PMD_PLUGIN=$(plugin_path "$BUILD/drivers/net/pasidnic/librte_net_pasidnic.so")
TESTPMD=$DPDK_PREFIX/bin/dpdk-testpmd
# One DPDK process at a time, nothing left in /dev/hugepages.
PMD_EAL=(-l 0-1 --in-memory --no-pci --log-level=pmd.net.pasidnic:info)

# pmd_ports N TYPE: create N ports of mdev type pasidnic-TYPE for the PMD
# (pnic_ports: PNIC_UUIDS, PNIC_PORTS; removed by pnic_remove_ports).
pmd_ports() {
	[ -e /dev/iommu ] || fail "no /dev/iommu: the kernel lacks CONFIG_IOMMUFD"
	[ -f "$PMD_PLUGIN" ] || fail "no $PMD_PLUGIN: build the project"
	pnic_ports "$1" "$2"
}

# pmd_netdev UUID: the kernel interface of a port.
pmd_netdev() {
	cat "/sys/bus/mdev/devices/$1/pasidnic/netdev"
}

# pmd_testpmd_forward NAME0 NAME1: stock static dpdk-testpmd loads the bus and
# the PMD with -d and forwards (io mode, two queues per port) between the two
# bus devices in loopback for 8 s: both probe with net_pasidnic, more than
# 1000 frames are sent, and every frame sent is received, either by testpmd
# or still waiting in an RX ring (rte_eth_rx_queue_count): none lost.
# Prints testpmd's output; TESTPMD_OUT holds it.
pmd_testpmd_forward() {
	local out rc p port q rx tx missed rxerr txerr used
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
		echo "show port xstats 1"
		echo "quit"
	} | timeout 300 "$TESTPMD" "${PMD_EAL[@]}" -d "$BUS_PLUGIN" -d "$PMD_PLUGIN" \
		-a "iommufd:$1" -a "iommufd:$2" \
		-- -i --rxq=2 --txq=2 --nb-cores=1 --total-num-mbufs=8192 --forward-mode=io 2>&1)
	rc=$?
	TESTPMD_OUT=$out
	echo "$out"
	[ $rc = 0 ] || fail "dpdk-testpmd exited with $rc"
	for p in "$1" "$2"; do
		echo "$out" | grep -q "pasidnic: $p: port [0-9]*, 2 queue pairs" ||
			fail "testpmd did not probe $p with net_pasidnic"
	done
	# "show port stats all" lines only (the forwarding summary has RX-packets too).
	rx=$(pmd_sum "$out" 's/^ *RX-packets: *\([0-9]*\) *RX-missed.*/\1/p')
	tx=$(pmd_sum "$out" 's/^ *TX-packets: *\([0-9]*\) *TX-errors.*/\1/p')
	missed=$(pmd_sum "$out" 's/.*RX-missed: *\([0-9]*\).*/\1/p')
	rxerr=$(pmd_sum "$out" 's/^ *RX-errors: *\([0-9]*\).*/\1/p')
	txerr=$(pmd_sum "$out" 's/.*TX-errors: *\([0-9]*\).*/\1/p')
	# "Used desc count = N" (22.11), "RxQ Q used desc count = N" (23.03+).
	used=$(pmd_sum "$out" 's/^\(RxQ [0-9]* used\|Used\) desc count = \([0-9]*\)/\2/p')
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
	TESTPMD_RX=$rx
}

# pmd_sum TEXT SED: the sum of the numbers sed script SED prints from TEXT.
pmd_sum() {
	echo "$1" | sed -n "$2" | paste -sd+ | bc
}
