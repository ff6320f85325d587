#!/bin/bash
# vm-boot: lifecycle
# SPDX-License-Identifier: BSD-3-Clause
# Hot-unplug in the primary while workers create and destroy PASID domains
# in a loop (issue 13): tests/vm/bus_mp.c's primary (the test driver of
# tests/lib/pasidnic_drv_bus.c) runs rte_dev_remove() of the port while
# three 'churn' workers (secondary processes) loop on
# rte_iommufd_domain_create/destroy. Nothing may crash; every worker stops
# on a clear error (ENODEV: the device is being or was removed), none of the
# IOASes it was given still exists, the primary is left with no domain, and
# everything exits cleanly and gives its hugepages back.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/pasidnic_common.sh"

[ -e /dev/iommu ] || fail "no /dev/iommu: the kernel lacks CONFIG_IOMMUFD"
BIN=$BUILD/tests/vm/bus-mp
[ -x "$BIN" ] || fail "no $BIN: build the project"
pnic_ports 1 pasidnic-q4
PORT=${PNIC_PORTS[0]}
PREFIX=mp_unplug
MP=("--file-prefix=$PREFIX" --no-pci --log-level=bus.iommufd:info -a "iommufd:$PORT")
PROC_DIR=/tmp/mp_unplug
. "$TOP/devtools/lib/proc.sh"

finish() {
	local rc=$?
	proc_cleanup
	rm -rf /dev/hugepages/${PREFIX}* "/run/dpdk/$PREFIX"
	pnic_remove_ports
	exit "$rc"
}
trap finish EXIT
rm -rf "$PROC_DIR" "/run/dpdk/$PREFIX" /dev/hugepages/${PREFIX}*
mkdir -p "$PROC_DIR"
free0=$(awk '$1 == "HugePages_Free:" { print $2 }' /proc/meminfo)

proc_start_input p "$BIN" -l 0 -m 64 "${MP[@]}" --proc-type=primary -- primary
proc_wait_log p "primary ready" 120
for w in c0 c1 c2; do
	proc_start_input "$w" "$BIN" -l 1 "${MP[@]}" --proc-type=secondary -- churn
done
for w in c0 c1 c2; do
	proc_wait_log "$w" "churn: 100 domains created and destroyed" 120
done
echo "ok: three workers create and destroy domains in a loop"

t0=$(date +%s)
proc_send p unplug
proc_wait_log p "unplug done" 60
grep -E "unplug" "$PROC_DIR/p.log" | sed 's/^/  primary: /'
grep -q "unplug done: 0 domains left" "$PROC_DIR/p.log" ||
	fail "the primary has domains left after the unplug: $(grep 'unplug done' "$PROC_DIR/p.log")"
for w in c0 c1 c2; do
	proc_wait_log "$w" "churn: stopped after" 60
	proc_send "$w" check
	proc_wait_exit "$w" 60
	grep -E "churn: (create|destroy) [0-9]+ failed|churn: [0-9]+ IOASes" "$PROC_DIR/$w.log" |
		sed "s/^/  $w: /"
	[ "${PROC_RC[$w]}" = 0 ] ||
		fail "$w: exit ${PROC_RC[$w]}: $(sed -n 's/.*REASON: //p' "$PROC_DIR/$w.log" | tail -1)"
	# The bus's own message names the cause.
	grep -Eq "being removed \(hot-unplug\)|is not bound in the primary|it was removed \(hot-unplug\)" \
		"$PROC_DIR/$w.log" || fail "$w: no error naming the unplug in its log"
done
echo "ok: the unplug took $(($(date +%s) - t0)) s; each worker stopped on a clear error" \
	"(ENODEV), no IOAS of its domains left"

proc_send p quit
proc_wait_log p "primary exited cleanly" 60
proc_wait_exit p 60
[ "${PROC_RC[p]}" = 0 ] || fail "primary: exit ${PROC_RC[p]}"
rm -rf /dev/hugepages/${PREFIX}*
free1=$(awk '$1 == "HugePages_Free:" { print $2 }' /proc/meminfo)
[ "$free1" = "$free0" ] || fail "free hugepages $free1, $free0 before"
echo "ok: every process exited cleanly, every hugepage is back"
