#!/bin/bash
# vm-boot: host
# SPDX-License-Identifier: BSD-3-Clause
# bus_option: --bus iommufd[,name=<device>,key=value...] (doc/bus_iommufd.md,
# "--bus iommufd"), rewritten by the bus's rte_iommufd_eal_args():
#  - dpdk-testpasid --bus iommufd probes the pasidnic ports (net_pasidnic)
#    and binds edu on vfio-pci; the PCI bus is off (--no-pci added);
#  - --bus iommufd,name=... selects those devices only, with their keys;
#    with a PCI function of the user's (-a) the PCI bus stays on, limited
#    to it, and edu is still the iommufd bus's;
#  - usertools/dpdk-pasid-run with stock static dpdk-testpmd adds the build
#    tree's plugins (-d), probes the ports and forwards between them;
#  - the bad forms (another bus, an unknown key, keys without a device, -a
#    of edu for the PCI bus, -b with named devices) fail before EAL starts
#    with a message that names the fix, through both.
. "$TOP/tests/vm/pasidnic_common.sh"

TESTPASID=$BUILD/app/testpasid/dpdk-testpasid
RUN=$BUILD/usertools/dpdk-pasid-run
TESTPMD=$DPDK_PREFIX/bin/dpdk-testpmd
# One DPDK process at a time, nothing left in /dev/hugepages.
EAL=(-l 0-1 --in-memory --log-level=bus.iommufd:info --log-level=pmd.net.pasidnic:info)
[ -x "$RUN" ] || fail "no $RUN: build the project (devtools/build.sh)"

edu_vfio
edu=pci-$EDU_BDF
pnic_ports 2 q1
trap pnic_remove_ports EXIT
echo "edu $EDU_BDF on vfio-pci, ports ${PNIC_PORTS[*]} [${SECONDS}s]"
p0=${PNIC_PORTS[0]} p1=${PNIC_PORTS[1]}

# A PCI function of the VM that is not on vfio-pci, for the user's own -a.
other=
for d in /sys/bus/pci/devices/*; do
	[ "${d##*/}" = "$EDU_BDF" ] || [ -e "$d/vfio-dev" ] || { other=${d##*/}; break; }
done
[ -n "$other" ] || fail "the VM has no PCI function besides edu"

# ---- dpdk-testpasid --bus iommufd: every device ----
out=$("$TESTPASID" --bus iommufd "${EAL[@]}" -- list 2>&1) ||
	{ echo "$out"; fail "dpdk-testpasid --bus iommufd list failed"; }
echo "$out"
for p in "$p0" "$p1"; do
	echo "$out" | grep -q "^$p .*emulated.*bound, driver net_pasidnic" ||
		fail "--bus iommufd: $p was not probed by net_pasidnic"
done
echo "$out" | grep -q "^$edu .*physical .*/dev/vfio/devices/vfio.*  bound" ||
	fail "--bus iommufd: edu was not bound by the iommufd bus"
echo "ok: dpdk-testpasid --bus iommufd probed both ports and bound edu [${SECONDS}s]"

# The PCI bus is off: the rewrite added --no-pci (the same helper in
# dpdk-pasid-eal-args).
cmd=$("$RUN" --dry-run "$TESTPMD" --bus iommufd "${EAL[@]}" -- -i) ||
	fail "dpdk-pasid-run --dry-run failed"
echo "$cmd"
[[ "$cmd" == *" --no-pci -- -i "* ]] || fail "--bus iommufd did not turn the PCI bus off: $cmd"

# ---- named devices with keys; a PCI function of the user's ----
out=$("$TESTPASID" --bus "iommufd,name=$p0,pasid=off" --bus "iommufd,name=$edu" \
	-a "$other" "${EAL[@]}" -- list 2>&1) ||
	{ echo "$out"; fail "dpdk-testpasid --bus iommufd,name=... -a $other failed"; }
echo "$out"
echo "$out" | grep -q "^$p0 .* no .*bound, driver net_pasidnic" ||
	fail "--bus iommufd,name=$p0,pasid=off: the port is not bound RID-only"
echo "$out" | grep -q "^$p1 .*  bound" && fail "--bus iommufd,name=...: $p1 was bound but not named"
echo "$out" | grep -q "^$edu .*physical .*  bound" ||
	fail "--bus iommufd,name=$edu with -a $other: edu was not bound by the iommufd bus"
echo "ok: named devices only, pasid=off honoured, edu the iommufd bus's beside the PCI bus's $other [${SECONDS}s]"

# ---- stock dpdk-testpmd through dpdk-pasid-run: probe and forward ----
# Commands go in through a FIFO once testpmd shows its prompt (its EAL start
# under TCG takes seconds: commands written at once would start and stop the
# forwarding before the first frame came back).
tp=$(mktemp -d /tmp/bus_option.XXXXXX)
mkfifo "$tp/in"
timeout 120 "$RUN" "$TESTPMD" --bus iommufd "${EAL[@]}" \
	-- -i --nb-cores=1 --total-num-mbufs=8192 --forward-mode=io < "$tp/in" > "$tp/out" 2>&1 &
tp_pid=$!
exec {tp_fd}> "$tp/in"
for _ in $(seq 1200); do
	grep -q "testpmd> " "$tp/out" && break
	kill -0 "$tp_pid" 2> /dev/null || break
	sleep 0.1
done
echo "start tx_first 4" >&"$tp_fd"
sleep 3
printf '%s\n' "stop" "show port stats all" "quit" >&"$tp_fd"
exec {tp_fd}>&-
rc=0
wait "$tp_pid" || rc=$?
out=$(cat "$tp/out")
rm -rf "$tp"
echo "$out"
[ $rc = 0 ] || fail "dpdk-pasid-run dpdk-testpmd --bus iommufd exited with $rc"
for p in "$p0" "$p1"; do
	echo "$out" | grep -q "pasidnic: $p: port [0-9]*" || fail "testpmd did not probe $p"
done
echo "$out" | grep -q "iommufd: $edu: bound /dev/vfio/devices/vfio" ||
	fail "testpmd's iommufd bus did not bind edu"
rx=$(echo "$out" | sed -n 's/^ *RX-packets: *\([0-9]*\) *RX-missed.*/\1/p' | paste -sd+ | bc)
tx=$(echo "$out" | sed -n 's/^ *TX-packets: *\([0-9]*\) *TX-errors.*/\1/p' | paste -sd+ | bc)
echo "testpmd: sent ${tx:-?}, received ${rx:-?}"
{ [ -n "$rx" ] && [ -n "$tx" ]; } || fail "no port statistics in testpmd's output"
# tx_first sent 4 bursts of 32 on each port: what is sent beyond those 256
# was received and forwarded (io mode, port 0 <-> port 1).
{ [ "$rx" -gt 0 ] && [ "$tx" -gt 256 ]; } ||
	fail "testpmd did not forward: sent $tx (256 of them by tx_first), received $rx"
echo "ok: dpdk-pasid-run dpdk-testpmd --bus iommufd probed both ports, received $rx frames and forwarded $((tx - 256)) [${SECONDS}s]"

# ---- bad forms: refused before EAL starts, the fix named ----
# bad WHAT MUST ARGS...: both dpdk-testpasid and dpdk-pasid-run (testpmd)
# refuse ARGS with a message containing MUST.
bad() {
	local what=$1 must=$2 o
	shift 2
	for run in "$TESTPASID" "$RUN $TESTPMD"; do
		# shellcheck disable=SC2086 # $run is a command and its first argument
		if o=$(timeout 30 $run "$@" "${EAL[@]}" -- list 2>&1 < /dev/null); then
			echo "$o"
			fail "$what: $run accepted $*"
		fi
		echo "$o" | grep -qF -- "$must" || { echo "$o"; fail "$what: $run did not say '$must'"; }
		echo "$o" | grep -q "EAL: Detected" && fail "$what: $run started EAL"
	done
	echo "ok: $what refused: $(echo "$o" | grep -F -- "$must" | head -1)"
}
bad "another bus" "unknown bus 'pci': --bus selects the devices of the iommufd bus" --bus pci
bad "an unknown key" "unknown key 'foo' (known: name, pasid, max_domains, dpdk_mem)" \
	--bus "iommufd,name=$p0,foo=1"
bad "keys without a device" "no device named" --bus iommufd,pasid=off
bad "-a of edu for the PCI bus" "PCI function $EDU_BDF is a device of the iommufd bus" \
	--bus iommufd -a "$EDU_BDF"
bad "-b with named devices" "EAL refuses -a and -b on one command line" \
	--bus "iommufd,name=$p0" -b "$other"
echo "ok: --bus iommufd in dpdk-testpasid and through dpdk-pasid-run [${SECONDS}s]"
