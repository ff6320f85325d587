#!/bin/bash
# vm-boot: bus
# SPDX-License-Identifier: BSD-3-Clause
# The iommufd bus finds edu (physical, behind the vIOMMU) and pasidnic ports
# (emulated), binds them, and dpdk-testpasid list reports each one's cdev,
# kind, PASID width and state, as a table and as JSON.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/bus_lib.sh"

edu_vfio
edu=pci-$EDU_BDF
"$BUILD/app/testpasid/dpdk-testpasid" "${EAL[@]}" -- list --json > /tmp/list.json 2>/tmp/list.err ||
	{ cat /tmp/list.err; fail "dpdk-testpasid list --json failed"; }
cat /tmp/list.json
python3 - /tmp/list.json "$edu" <<'PY' || fail "dpdk-testpasid list --json: $(tail -1 /tmp/check.err)"
import json, sys
devs = {d["name"]: d for d in json.load(open(sys.argv[1]))["devices"]}
e = devs.get(sys.argv[2])
def need(c, m):
    if not c:
        open("/tmp/check.err", "w").write(m + "\n"); sys.exit(1)
need(e is not None, "edu %s is not listed" % sys.argv[2])
need(e["kind"] == "physical", "edu kind %s" % e["kind"])
need(e["cdev"].startswith("/dev/vfio/devices/vfio"), "edu cdev %r" % e["cdev"])
need(e["bound"], "edu not bound: %s" % e["error"])
need((e["vendor_id"], e["device_id"]) == ("0x1234", "0x11e8"), "edu id %s:%s" % (e["vendor_id"], e["device_id"]))
need(e["pasid_width"] == 0 and not e["pasid_domains"], "edu PASID width %d" % e["pasid_width"])
need(e["domains"] == [], "edu has domains %r" % e["domains"])
others = [n for n in devs if n != sys.argv[2] and not n.startswith("mdev-")]
need(not others, "functions not on vfio-pci were listed: %s" % others)
PY
grep -q "cannot be used" /tmp/list.err && fail "functions not on vfio-pci were not ignored quietly"
echo "ok: edu listed as a bound physical device without PASID"
table=$("$BUILD/app/testpasid/dpdk-testpasid" "${EAL[@]}" -- list 2>&1) || fail "dpdk-testpasid list failed"
echo "$table"
echo "$table" | grep -q "^$edu .*physical .*/dev/vfio/devices/vfio.*  bound" ||
	fail "the table does not show $edu as a bound physical device"

pnic_ports 2 pasidnic-q4
"$BUILD/app/testpasid/dpdk-testpasid" "${EAL[@]}" -- list --json --domains 2 > /tmp/list.json 2>/tmp/list.err ||
	{ cat /tmp/list.err; pnic_remove_ports; fail "dpdk-testpasid list --json --domains 2 failed"; }
cat /tmp/list.json
python3 - /tmp/list.json "${PNIC_PORTS[@]}" <<'PY' || { pnic_remove_ports; fail "pasidnic ports: $(tail -1 /tmp/check.err)"; }
import json, sys
devs = {d["name"]: d for d in json.load(open(sys.argv[1]))["devices"]}
def need(c, m):
    if not c:
        open("/tmp/check.err", "w").write(m + "\n"); sys.exit(1)
for name in sys.argv[2:]:
    p = devs.get(name)
    need(p is not None, "%s is not listed" % name)
    need(p["kind"] == "emulated", "%s kind %s" % (name, p["kind"]))
    need(p["bound"], "%s not bound: %s" % (name, p["error"]))
    need(p["pasid_width"] > 0 and p["pasid_domains"], "%s PASID width %d" % (name, p["pasid_width"]))
    need(sorted(d["pasid"] for d in p["domains"]) == [1, 2], "%s domains %r" % (name, p["domains"]))
PY
pnic_remove_ports
echo "ok: pasidnic ports listed as emulated with PASID, two domains each"
