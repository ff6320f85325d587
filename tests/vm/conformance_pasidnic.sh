#!/bin/bash
# vm-boot: host
# SPDX-License-Identifier: BSD-3-Clause
# dpdk-testpasid conformance on a pasidnic port (an mdev on the emulated
# path; issue 15 item 5): every check PASSes but the HWPT ones, which SKIP
# because the device is emulated: the width, N PASIDs on N IOASes, replace,
# detach, out-of-range PASIDs refused, and through net_pasidnic's DMA
# self-test: the RID's DMA lands in DPDK memory, each PASID's DMA only in
# its own IOAS, and a detached PASID's DMA faults. --json says the same.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/bus_lib.sh"
. "$TOP/tests/vm/conformance_lib.sh"

[ -e /dev/iommu ] || fail "no /dev/iommu: the kernel lacks CONFIG_IOMMUFD"
pnic_load_fresh
pnic_ports 1 pasidnic-q4
port=${PNIC_PORTS[0]}
trap 'pnic_remove_ports; rmmod pasidnic 2>/dev/null' EXIT
conf_run "$port" /tmp/conf-pnic.log
conf_must "^conformance of $port: emulated, 1234:50a5, driver net_pasidnic, PASID width 20"
for c in pasid_width pasid_attach pasid_replace pasid_detach pasid_out_of_range \
	dma_rid dma_isolation dma_detach; do
	conf_must "^PASS $c: "
done
for c in rid_hwpt pasid_hwpt; do
	conf_must "^SKIP $c: emulated device: .*run the HWPT checks on a physical function"
done
conf_must "^result: 8 PASS, 0 FAIL, 2 SKIP"
echo "ok: every check but the HWPT ones passes on $port"

# --json, with 8 domains, the device found without -a (the only one bound).
conf_tp "$port" --json --domains 8 > /tmp/conf-pnic.json 2>/dev/null || fail "conformance --json --domains 8 failed"
python3 - /tmp/conf-pnic.json <<'PY' || fail "conformance --json: $(tail -1 /tmp/conf-json.err)"
import json, sys
sys.stderr = open("/tmp/conf-json.err", "w")
j = json.load(open(sys.argv[1]))
res = {c["check"]: c for c in j["checks"]}
assert j["kind"] == "emulated" and j["fail"] == 0 and j["pass"] == 8, j
assert j["pasid_width"] == 20 and j["driver"] == "net_pasidnic", j
assert "8 PASIDs" in res["pasid_attach"]["reason"], res["pasid_attach"]
assert "8 PASIDs" in res["dma_isolation"]["reason"], res["dma_isolation"]
print("ok: --json, 8 domains:", res["dma_isolation"]["reason"])
PY

