#!/bin/bash
# vm-boot: host
# SPDX-License-Identifier: BSD-3-Clause
# The bus's telemetry, read with DPDK's stock usertools/dpdk-telemetry.py
# from the primary of examples/pasid_workers while two workers forward on a
# pasidnic port: /iommufd/devices lists the port, /iommufd/device,<name> its
# cdev, PASID width and the workers' PASIDs, /iommufd/domains,<name> each
# worker's PASID with its IOAS, owner pid, heap and bytes mapped. The
# primary's --stats view shows both workers running with traffic. A worker
# killed disappears from the domains once the bus has cleaned up, and the
# view says it died; an unknown device gets no data.
. "$TOP/tests/vm/mp_lib.sh"

TEL=$DPDK_PREFIX/bin/dpdk-telemetry.py
[ -x "$TEL" ] || [ -f "$TEL" ] || fail "no $TEL in the DPDK install (usertools)"

N=2
mp_setup telemetry_domains q2
mp_primary $N --stats
mp_workers $N
DEV=mdev-$MP_UUID

# tel CMD...: the primary's replies (instance 0) through the stock script, one JSON line each.
tel() {
	printf '%s\n' "$@" | python3 "$TEL" -f "$MP_PREFIX" -i 0 2>&1 | tail -n "$#"
}
UNKNOWN=mdev-00000000-0000-0000-0000-000000000000
# check LIVE...: the replies in $out (devices, device, domains, domains of an
# unknown device) against the workers LIVE ("k:pid:pasid:ioas"); one python
# process (python starts slowly in the debug VM).
CHECK_PY=$(cat <<'PY'
import json, sys
dev, cdev, live = sys.argv[1], sys.argv[2], [w.split(":") for w in sys.argv[3:]]
lines = [json.loads(x) for x in sys.stdin.read().splitlines()]
def bad(msg):
    print("REASON: %s" % msg)
    sys.exit(1)
if len(lines) != 4:
    bad("dpdk-telemetry.py gave %d replies, not 4" % len(lines))
devs, d, doms, unk = (list(x.values())[0] for x in lines)
if dev not in devs:
    bad("/iommufd/devices does not list %s: %s" % (dev, devs))
print("/iommufd/device,%s: %s" % (dev, json.dumps(d)))
if d["cdev"] != cdev or d["pasid_width"] <= 0:
    bad("/iommufd/device: want cdev %s and a PASID width: %s" % (cdev, d))
if sorted(d["pasids"]) != sorted(int(w[2]) for w in live):
    bad("/iommufd/device: PASIDs %s, the workers have %s" % (d["pasids"], [w[2] for w in live]))
for k, pid, pasid, ioas in live:
    x = doms.get("pasid_" + pasid)
    print("  worker %s: %s" % (k, json.dumps(x)))
    want = {"pasid": int(pasid), "ioas": int(ioas), "owner_pid": int(pid),
            "heap": "pw%s.%s" % (k, pid), "state": "attached"}
    if x is None or any(x[f] != v for f, v in want.items()) or x["bytes_mapped"] <= 0:
        bad("domain of worker %s: want %s and bytes mapped" % (k, want))
if len(doms) != len(live):
    bad("/iommufd/domains lists %d domains, %d workers run: %s" % (len(doms), len(live), doms))
if unk is not None:
    bad("/iommufd/domains of an unknown device gave data: %s" % unk)
print("unknown device: no data")
PY
)
check() {
	local out
	out=$(tel /iommufd/devices "/iommufd/device,$DEV" "/iommufd/domains,$DEV" \
		"/iommufd/domains,$UNKNOWN")
	python3 -c "$CHECK_PY" "$DEV" "$MP_CDEV" "$@" <<< "$out" || fail "telemetry: see above"
}
w() { echo "$1:${PROC_PID[w$1]}:${MP_PASID[w$1]}:${MP_IOAS[w$1]}"; }

check "$(w 0)" "$(w 1)"

# The live view: both workers running with traffic.
proc_wait_log p "worker 1 pid ${PROC_PID[w1]} PASID [0-9]+ IOAS [0-9]+: .* running +rx +[1-9][0-9]* pps" 20
grep -E "worker [01] pid [0-9]+( PASID [0-9]+ IOAS [0-9]+)?: .* pps" "$MP_DIR/p.log" | tail -2 | sed 's/^/  view: /'

# A worker killed: its domain goes (the bus's cleanup), the view says it died,
# the other worker keeps its domain.
kill -KILL "${PROC_PID[w1]}"
wait "${PROC_PID[w1]}" 2> /dev/null || true
proc_wait_log p "worker 1 pid ${PROC_PID[w1]} died" 30
proc_wait_log p "worker 1 pid ${PROC_PID[w1]}: died " 10
echo "after worker 1 died:"
check "$(w 0)"
grep -E "worker [01] pid [0-9]+( PASID [0-9]+ IOAS [0-9]+)?: .* pps" "$MP_DIR/p.log" | tail -2 | sed 's/^/  view: /'

proc_stop p 60
proc_wait_exit w0 10
mp_check_unheld
echo "ok: telemetry lists the workers' domains; the view shows them live and dead"
