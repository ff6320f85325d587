#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# Netdev backend: the kernel talks to a userspace driver of the port through
# the port's network interface: ARP resolution, UDP echoed back, and ICMP
# echo (a ping from a raw socket; the host root has no ping binary).
. "$TOP/tests/vm/pasidnic_common.sh"
pnic_need_test
command -v python3 > /dev/null || skip "no python3"
command -v ip > /dev/null || skip "no ip (iproute2)"
pnic_load
u=$(pnic_create q1) || exit 1
c=$(pnic_cdev "$u") || exit 1
nd=$(cat "/sys/bus/mdev/devices/$u/pasidnic/netdev")
ready=/tmp/pasidnic_netdev.ready
rm -f "$ready"
"$PNIC_TEST" netdev "$c" "$ready" 20 & drv=$!
for _ in $(seq 100); do [ -e "$ready" ] && break; sleep 0.1; done
[ -e "$ready" ] || { kill $drv; fail "the driver did not get ready"; }
ip link set lo up
ip addr add 10.99.0.1/24 dev "$nd" || fail "ip addr add failed"
ip link set "$nd" up || fail "ip link set up failed"
python3 - <<'PY' || { kill $drv; fail "no UDP echo through $nd"; }
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.99.0.1", 0))
s.settimeout(2)
for i in range(5):
    msg = b"pasidnic-%d" % i
    s.sendto(msg, ("10.99.0.2", 9999))
    try:
        data, addr = s.recvfrom(2048)
    except socket.timeout:
        continue
    if data == msg and addr[0] == "10.99.0.2":
        print("echo OK:", data)
        sys.exit(0)
sys.exit(1)
PY
# A kernel ping (ICMP echo from a raw socket, as ping(8) sends it).
python3 - <<'PY' || { kill $drv; fail "no ICMP echo reply through $nd"; }
import os, socket, struct, sys, time
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.settimeout(2)
ident = os.getpid() & 0xffff
ok = 0
for seq in range(3):
    payload = b"pasidnic ping %d" % seq
    hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    pkt = struct.pack("!BBHHH", 8, 0, csum(hdr + payload), ident, seq) + payload
    t0 = time.time()
    s.sendto(pkt, ("10.99.0.2", 0))
    while time.time() - t0 < 2:
        try:
            data, addr = s.recvfrom(2048)
        except socket.timeout:
            break
        icmp = data[(data[0] & 0xf) * 4:]
        typ, code, _, rid, rseq = struct.unpack("!BBHHH", icmp[:8])
        if typ == 0 and rid == ident and rseq == seq and icmp[8:] == payload:
            print("64 bytes from %s: icmp_seq=%d time=%.1f ms" % (addr[0], seq, (time.time() - t0) * 1000))
            ok += 1
            break
sys.exit(0 if ok == 3 else 1)
PY
kill $drv 2>/dev/null; wait $drv 2>/dev/null
pnic_remove "$u"
rmmod pasidnic || fail "rmmod failed"
