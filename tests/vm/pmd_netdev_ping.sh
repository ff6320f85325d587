#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# The kernel pings examples/pasid_responder through a pasidnic port's netdev
# backend (devargs backend=netdev in the driver layer): ARP is resolved and
# every ICMP echo request is answered.
. "$TOP/tests/vm/pmd_lib.sh"

RESPONDER=$BUILD/examples/pasid_responder/dpdk-pasid-responder
[ -x "$RESPONDER" ] || fail "no $RESPONDER: build the project"
command -v ip > /dev/null || skip "no ip (iproute2)"
command -v busybox > /dev/null || skip "no busybox (for ping)"
pmd_ports 1 q1
nd=$(pmd_netdev "${PNIC_UUIDS[0]}") || fail "no netdev for the port"
ready=/tmp/pmd_netdev_ping.ready
log=/tmp/pmd_netdev_ping.log
rm -f "$ready" "$log"
"$RESPONDER" "${PMD_EAL[@]}" \
	-a "bus=iommufd,name=${PNIC_PORTS[0]}/driver=net_pasidnic,backend=netdev" \
	-- --ip 10.99.0.2 --ready "$ready" --duration 240 > "$log" 2>&1 & resp=$!
cleanup() {
	kill -INT $resp 2> /dev/null
	wait $resp 2> /dev/null
	cat "$log"
	pnic_remove_ports
}
trap cleanup EXIT
for _ in $(seq 600); do
	[ -e "$ready" ] && break
	kill -0 $resp 2> /dev/null || fail "the responder exited before it was ready"
	sleep 0.1
done
[ -e "$ready" ] || fail "the responder did not get ready in 60 s"
ip link set lo up
ip addr add 10.99.0.1/24 dev "$nd" || fail "ip addr add failed"
ip link set "$nd" up || fail "ip link set $nd up failed"
out=$(busybox ping -c 10 -W 5 10.99.0.2 2>&1)
echo "$out"
echo "$out" | grep -q "10 packets transmitted, 10 packets received" ||
	fail "not every echo request was answered: $(echo "$out" | grep transmitted)"
ip neigh show dev "$nd" | grep -q "10.99.0.2 .*lladdr" || fail "no ARP entry for the responder"
kill -INT $resp
wait $resp
rc=$?
trap pnic_remove_ports EXIT
cat "$log"
[ $rc = 0 ] || fail "the responder exited with $rc"
grep -q "ICMP echo replies 10," "$log" || grep -q "ICMP echo replies 1[0-9]," "$log" ||
	fail "the responder did not count 10 echo replies"
echo "ok: the kernel pinged the responder through $nd: 10 of 10 answered"
