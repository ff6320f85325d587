#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The dpdk-pasid demo: PASID-isolated DPDK worker processes on one NIC.
#
#   devtools/demo.sh                 install what is missing, build (cached in
#                                    ~/.cache/dpdk-pasid), run the demo in the test VM
#   devtools/demo.sh --physical      the same demo in the test VM on a physical function:
#                                    a PCI function of kernel/linux/pasidnic_pci behind its
#                                    own IOMMU, bound to vfio-pci (boot 'physical')
#   devtools/demo.sh --host -a DEV   run the same scenario on this machine (as root) on
#                                    the device DEV (EAL -a syntax, e.g. iommufd:mdev-<uuid>)
#
# In the test VM (Linux 7.2 debug kernel under QEMU) the demo loads the
# companion module, creates one emulated PASID-capable NIC port (mdev type
# pasidnic-q4: four queue pairs) and runs examples/pasid_workers on it
# (doc/multi_process.md): a DPDK primary that binds the device, and four
# worker processes, each with its own queue pair in its own PCI PASID, I/O
# address space and hugepage heap, forwarding frames in loopback. It then
# SIGKILLs one worker (its PASID is quiesced, detached and its IOAS destroyed
# while the others keep forwarding), restarts it (it gets a PASID again) and
# stops the primary (the workers leave first), and sums up.
#
# --physical runs the same scenario in the test VM of the physical_* tests
# (tests/vm/boots/physical.conf: no vIOMMU, the BAR window reserved with
# memmap=): it loads the test-only module kernel/linux/pasidnic_pci, which
# presents a pasidnic port as a PCI function (1234:50a6) on a root bus of its
# own behind an IOMMU driver of its own, binds it to vfio-pci, and reserves
# the hugepages that boot does not. The iommufd bus takes its physical branch
# (PASID width from IOMMU_GET_HW_INFO, each worker's PASID attached by HWPT
# id to a PASID-capable HWPT) and the module's engine translates every DMA
# through the IOMMU domain of the queue's PASID (doc/pasidnic.md §13).
#
# --host: the machine's kernel must have iommufd, vfio cdevs and PASID attach
# through vfio (>= 6.15; README.md, "Real hardware"), hugepages reserved, and
# DEV must be a port driven by net_pasidnic: the example needs a PMD that
# puts queue pairs in PASID domains, and net_pasidnic is the only one. On a
# host that means the companion module built for the running kernel:
#
#   make -C /lib/modules/$(uname -r)/build M=$PWD/kernel/linux/pasidnic modules
#   modprobe mdev; insmod kernel/linux/pasidnic/pasidnic.ko
#   u=$(cat /proc/sys/kernel/random/uuid)
#   echo $u > /sys/class/mdev_bus/pasidnic/mdev_supported_types/pasidnic-q4/create
#   devtools/demo.sh --host -a iommufd:mdev-$u
#
# CI exercises the VM paths only. The host path runs the same commands on the
# host's kernel; a physical PASID-capable NIC is not supported by the example
# (no PMD for one): the PASID path on physical functions is tested in the VM
# on pasidnic_pci's functions (--physical, tests/vm/physical_*.sh,
# doc/testing.md).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
LIB_FAIL=die
PROC_QUIET=1
. "$TOP/devtools/lib/proc.sh"
. "$TOP/devtools/lib/pasidnic.sh"

WORKERS=4
VICTIM=1

# ---------------------------------------------------------------------------
# The scenario itself (runs in the VM, or on the host with --host).

say() { printf '\n== %s\n' "$*"; }
note() { printf '   %s\n' "$*"; }

# The EAL options of process lcore $1 (every process floats on all CPUs with
# an lcore id of its own: the workers busy-poll).
eal() {
	EAL=(--lcores "$1@(0-$(($(nproc) - 1)))" --file-prefix "$PREFIX" --no-pci -a "$DEV"
		--log-level=bus.iommufd:notice --log-level=pmd.net.pasidnic:notice)
}

# worker NAME K: start worker K as process NAME and wait until it forwards.
worker() {
	eal $((1 + $2))
	rm -f "$PROC_DIR/$1.ready"
	proc_start "$1" "$PW" "${EAL[@]}" --proc-type=secondary -- worker --id "$2" \
		--ready "$PROC_DIR/$1.ready"
	proc_wait_file "$1" "$PROC_DIR/$1.ready" 120
	note "$1: $(grep -E '^worker [0-9]+ pid' "$PROC_DIR/$1.log" | head -1)"
}

# reports NAME: how many forwarding reports the primary printed on process NAME.
reports() { grep -Ec "^worker [0-9]+ pid ${PROC_PID[$1]} .*forwarded" "$PROC_DIR/p.log" || true; }

# wait_reports NAME N: wait until the primary has reported on NAME more than N times.
wait_reports() {
	proc_wait_count p "^worker [0-9]+ pid ${PROC_PID[$1]} .*forwarded" "$2" 60
}

# telemetry: the primary's /iommufd/domains of the port, read with DPDK's
# stock dpdk-telemetry.py (when this DPDK installed it), one line per domain.
telemetry() {
	local tel=${DPDK_PREFIX:-}/bin/dpdk-telemetry.py name=${DEV#iommufd:}
	[ -f "$tel" ] || return 0
	note "the primary's telemetry (dpdk-telemetry.py: /iommufd/domains,$name):"
	echo "/iommufd/domains,$name" | python3 "$tel" -f "$PREFIX" -i 0 2>&1 |
		python3 -c 'import json, sys
out = sys.stdin.read()
try:
    doms = json.loads(out.strip().splitlines()[-1])["/iommufd/domains"]
except (ValueError, KeyError, IndexError):
    sys.exit("     (no answer from the primary'"'"'s telemetry socket: %s)" % " ".join(out.split())[:300])
for k, d in doms.items():
    print("     %s: IOAS %s, owner pid %s, heap %s, %d MiB mapped" % (k, d["ioas"],
          d["owner_pid"], d["heap"], d["bytes_mapped"] >> 20))' || true
}

cleanup() {
	proc_kill_all
	rm -rf "/run/dpdk/$PREFIX" /dev/hugepages/"$PREFIX"*
	pnic_remove_ports
	[ -z "${PHYSICAL:-}" ] || phys_cleanup
}

# physical_port: the demo's port on a physical function (--physical): the
# hugepages the boot does not reserve, pasidnic_pci with one function of
# $WORKERS queue pairs bound to vfio-pci (tests/vm/physical_lib.sh).
physical_port() {
	. "$TOP/tests/vm/lib.sh"
	. "$TOP/tests/vm/physical_lib.sh"
	fail() { die "$@"; }
	phys_hugepages 256
	phys_port queue_pairs=$WORKERS
	trap cleanup EXIT
	DEV=iommufd:$PHYS_NAME
	note "pasidnic_pci loaded; function ${PHYS_BDFS[0]} on its own root bus behind the" \
		"pasidnic_pci IOMMU, bound to vfio-pci ($PHYS_CDEV), port $DEV, $WORKERS queue" \
		"pairs, loopback backend; 256 hugepages reserved"
}

scenario() {
	PW=$BUILD/examples/pasid_workers/dpdk-pasid-workers
	PREFIX=pwdemo
	PROC_DIR=$(mktemp -d /tmp/pwdemo.XXXXXX)
	[ -x "$PW" ] || die "no $PW: build the project (devtools/build.sh)"
	[ -e /dev/iommu ] || die "no /dev/iommu: the kernel lacks CONFIG_IOMMUFD"
	trap cleanup EXIT
	rm -rf "/run/dpdk/$PREFIX" /dev/hugepages/"$PREFIX"*
	if [ -n "${PHYSICAL:-}" ]; then
		physical_port
	elif [ -z "${DEV:-}" ]; then
		pnic_ports 1 "q$WORKERS"
		DEV=iommufd:${PNIC_PORTS[0]}
		note "companion module loaded; port $DEV (/dev/vfio/devices/$(ls \
			"/sys/bus/mdev/devices/${PNIC_UUIDS[0]}/vfio-dev")), $WORKERS queue pairs," \
			"loopback backend"
	fi
	local hp0
	hp0=$(awk '$1 == "HugePages_Free:" { print $2 }' /proc/meminfo)

	say "1. the primary binds the device and starts the port with no queue set up"
	eal 0
	proc_start p "$PW" "${EAL[@]}" -m 64 -- primary --workers $WORKERS --interval 1 \
		--stats --ready "$PROC_DIR/p.ready"
	proc_wait_file p "$PROC_DIR/p.ready" 120
	note "$(grep '^primary pid' "$PROC_DIR/p.log")"
	note "from here on the primary's output is shown as it comes, after 'primary |'"
	# Ends by itself when the primary does.
	tail --pid="${PROC_PID[p]}" -n +1 -f "$PROC_DIR/p.log" 2> /dev/null |
		grep --line-buffered -Ev '^(primary pid|EAL: (Detected|Selected|VFIO support|Multi-proc)|TELEMETRY)' |
		sed -u 's/^/   primary | /' &
	local shown=$! k n dead died bus

	say "2. $WORKERS workers: each opens its queue pair in a PASID domain of its own"
	for k in $(seq 0 $((WORKERS - 1))); do
		worker "w$k" "$k"
	done
	for k in $(seq 0 $((WORKERS - 1))); do
		wait_reports "w$k" 2
	done
	telemetry

	say "3. SIGKILL worker $VICTIM (pid ${PROC_PID[w$VICTIM]}): no chance to clean up"
	dead=${PROC_PID[w$VICTIM]}
	kill -9 "$dead"
	wait "$dead" 2> /dev/null || true     # (no "Killed" job message)
	proc_wait_log p "worker $VICTIM pid $dead died" 30
	died=$(grep -E "worker $VICTIM pid $dead died" "$PROC_DIR/p.log" | head -1) || true
	bus=$(grep -E "process $dead exited" "$PROC_DIR/p.log" | head -1) || true
	for k in $(seq 0 $((WORKERS - 1))); do
		[ "$k" = $VICTIM ] && continue
		n=$(reports "w$k")
		wait_reports "w$k" $((n + 1))
	done
	note "the other workers kept forwarding (their counts above kept growing)"

	say "4. restart worker $VICTIM: it gets a PASID domain again"
	worker "w${VICTIM}b" "$VICTIM"
	wait_reports "w${VICTIM}b" 1

	say "5. SIGTERM the primary: the workers leave first, then the port stops"
	proc_stop p 60
	wait "$shown" || true     # the last lines of the primary's output
	for n in $(printf '%s\n' "${!PROC_PID[@]}" | sort); do
		if [ "$n" != p ] && [ "$n" != "w$VICTIM" ]; then
			proc_wait_exit "$n" 30
			note "$n (exit ${PROC_RC[$n]}): $(grep -E 'forwarded [0-9]+, lost' \
				"$PROC_DIR/$n.log" | tail -1)"
		fi
	done

	say "summary"
	note "PASIDs and IOASes of the workers:"
	grep -Eo "^worker [0-9]+ pid [0-9]+ PASID [0-9]+ IOAS [0-9]+" "$PROC_DIR/p.log" | sort -u |
		sed 's/^/     /' || true
	note "the bus, on the killed worker:  ${bus#*iommufd: }"
	note "the primary, on it:             $died"
	note "the primary at the end:         $(grep '^summary:' "$PROC_DIR/p.log")"
	if grep -q "Could not detach fbarray" "$PROC_DIR/p.log"; then
		note "(EAL's \"Could not detach fbarray\" at the primary's exit: the memseg list of the"
		note " killed worker's heap, which stays in DPDK's shared config: doc/multi_process.md)"
	fi
	note "exit status: primary ${PROC_RC[p]}, workers 0 = left cleanly with nothing lost"
	rm -rf "/run/dpdk/$PREFIX" /dev/hugepages/"$PREFIX"*   # DPDK's own files of the prefix
	if [ -n "${PHYSICAL:-}" ]; then
		hp0=$(awk '$1 == "HugePages_Free:" { print $2 }' /proc/meminfo)
		phys_done
		note "hugepages: all $hp0 reserved were free again and are given back; the function"
		note "unbound from vfio-pci, removed, and pasidnic_pci unloaded"
	else
		note "hugepages free: $hp0 before the demo, $(awk '$1 == "HugePages_Free:" \
			{ print $2 }' /proc/meminfo) after (every worker's heap and DPDK's memory back)"
	fi
	if [ "${PROC_RC[p]}" = 0 ] && [ -n "$bus" ]; then
		echo "demo finished: every worker had its own PASID; a crashed worker's PASID was" \
			"torn down while the others kept forwarding"
	else
		die "demo finished with errors (logs in $PROC_DIR)"
	fi
}

case ${1:-} in
--in-vm)
	[ "${2:-}" != --physical ] || PHYSICAL=1
	scenario
	exit 0
	;;
--host)
	if [ "${2:-}" != -a ] || [ -z "${3:-}" ]; then
		die "usage: $0 --host -a <devargs>"
	fi
	[ "$(id -u)" = 0 ] || die "--host: run as root"
	BUILD=${BUILD:-$(default_build_dir)}
	DEV=$3
	[ -x "$BUILD/examples/pasid_workers/dpdk-pasid-workers" ] ||
		die "--host: build first (BUILD=$BUILD devtools/build.sh)"
	scenario
	exit 0
	;;
--physical) PHYSICAL=1;;
"") ;;
*)
	die "usage: $0 [--physical | --host -a <devargs>]"
	;;
esac

"$TOP/devtools/deps.sh"
log "building (cold: ~25 min on 2 cores; cached afterwards)"
"$TOP/devtools/build.sh" debug > /dev/null
if [ -n "${PHYSICAL:-}" ]; then
	. "$TOP/tests/vm/boots/physical.conf"
	port="a physical function (pasidnic_pci: a PCI function
behind an IOMMU driver of its own, bound to vfio-pci) driven through
/dev/iommu and its vfio cdev, each PASID on a PASID-capable HWPT"
else
	. "$TOP/tests/vm/boots/pmd.conf"
	port="one emulated PASID-capable NIC port driven through
/dev/iommu and its vfio cdev"
fi
cat <<TXT

== dpdk-pasid demo: PASID-isolated DPDK worker processes on one NIC ==
In the test VM (Linux 7.2 debug kernel under QEMU), on $port:
  1. a DPDK primary process binds the device and starts the port;
  2. $WORKERS worker processes (DPDK secondaries) each take a queue pair, put it
     in a PCI PASID of their own with its own I/O address space and hugepage
     heap, and forward frames through it; every second the primary prints,
     per worker, its PASID, IOAS, state, rx/tx rates and faults (--stats),
     and its telemetry lists the PASID domains with their heaps;
  3. worker $VICTIM is SIGKILLed: the primary's bus quiesces its queue pair,
     detaches its PASID and destroys its IOAS; the others keep forwarding;
  4. worker $VICTIM is restarted and gets a PASID again;
  5. the primary is stopped (SIGTERM): the workers leave first, then it sums up.
TXT
exec "$TOP/devtools/vm.sh" "${VM_ARGS[@]}" -- "$TOP/devtools/demo.sh" --in-vm \
	${PHYSICAL:+--physical}
