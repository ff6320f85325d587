#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Run 'dpdk-testpasid bench mem' and/or 'bench workers' in one test VM (the
# plain, non-debug kernel by default) and print their lines (doc/performance.md).
#
#   devtools/bench.sh [options] [mem] [workers]      (default: both)
#
#   --seg-mb MB      bench mem: segment size (default 256)
#   --rounds N       bench mem: rounds, medians printed (default 9)
#   --domains LIST   bench workers: domain counts (default 1,2,4,8,16)
#   --heap-mb MB     bench workers: heap per domain (default 16)
#   --wrounds N      bench workers: rounds per count (default 3)
#   --debug          the debug kernel instead of the plain one
#   --out FILE       also write the output to FILE
#
# bench mem needs QEMU's edu device behind the vIOMMU bound to vfio-pci (the
# script binds it in the VM); bench workers needs a pasidnic port (created
# and removed here, the module built for the kernel by devtools/build.sh).
# For 'bench pmd' use devtools/bench-pmd.sh. Under TCG only ratios mean
# something (doc/performance.md says how to read them).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

TESTPASID=dpdk-testpasid

# ---- guest side: devtools/bench.sh --guest SEG ROUNDS DOMAINS HEAP WROUNDS WHAT... ----
guest() {
	local seg=$1 rounds=$2 domains=$3 heap=$4 wrounds=$5 rc=0 w
	shift 5
	TESTPASID=$BUILD/app/testpasid/dpdk-testpasid
	echo "$(date -u '+%F %H:%M UTC'), kernel $(uname -r), $(nproc) CPUs, commit $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo '?')"
	for w in "$@"; do
		case "$w" in
		mem) guest_mem "$seg" "$rounds" || rc=1;;
		workers) guest_workers "$domains" "$heap" "$wrounds" || rc=1;;
		esac
	done
	return $rc
}

guest_mem() (
	. "$TOP/tests/vm/lib.sh"
	set -e
	edu_vfio
	echo "== bench mem (edu $EDU_BDF, $EDU_CDEV)"
	"$TESTPASID" -l 0 --no-huge -m 512 --no-pci --no-shconf \
		-b "bus=iommufd,name=pci-$EDU_BDF" --log-level=lib.eal:warning \
		-- bench mem --cdev "$EDU_CDEV" --seg-mb "$1" --rounds "$2"
)

guest_workers() (
	LIB_FAIL=die
	. "$TOP/devtools/lib/pasidnic.sh"
	trap pnic_remove_ports EXIT
	pnic_ports 1 q2
	echo "== bench workers (port ${PNIC_PORTS[0]})"
	# Not --in-memory: the secondaries of --secondaries attach to this primary.
	"$TESTPASID" -l 0 --file-prefix bench_workers -m 128 --no-pci \
		-a "iommufd:${PNIC_PORTS[0]}" --log-level=lib.eal:warning \
		-- bench workers --domains "$1" --heap-mb "$2" --rounds "$3" --secondaries
)

if [ "${1:-}" = --guest ]; then
	shift
	guest "$@"
	exit
fi

seg=256 rounds=9 domains=1,2,4,8,16 heap=16 wrounds=3 out=''
vmflags=(--plain)
what=()
while [ $# -gt 0 ]; do
	case "$1" in
	--seg-mb) seg=$2; shift;;
	--rounds) rounds=$2; shift;;
	--domains) domains=$2; shift;;
	--heap-mb) heap=$2; shift;;
	--wrounds) wrounds=$2; shift;;
	--debug) vmflags=();;
	--out) out=$2; shift;;
	mem|workers) what+=("$1");;
	-h|--help) sed -n '3,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0;;
	*) die "unknown option '$1' (see --help)";;
	esac
	shift
done
[ ${#what[@]} -gt 0 ] || what=(mem workers)
BUILD=${BUILD:-$(default_build_dir)}
export BUILD
flavour=debug
[ ${#vmflags[@]} -gt 0 ] && flavour=plain
"$TOP/devtools/build.sh" "$flavour" > /dev/null
# Hugepages: a segment of bench mem twice (heap and raw side by side at most),
# or the workers' heaps, plus room; 3 GiB of guest memory.
hp=$(( (seg * 2 + 64) / 2 ))
[ $(( (heap * 16 * 2 + 128) / 2 )) -gt "$hp" ] && hp=$(( (heap * 16 * 2 + 128) / 2 ))
cmd=("$TOP/devtools/vm.sh" "${vmflags[@]}" --edu --mem 3G --smp 2 --hugepages "$hp" --
	"$TOP/devtools/bench.sh" --guest "$seg" "$rounds" "$domains" "$heap" "$wrounds" "${what[@]}")
if [ -n "$out" ]; then
	"${cmd[@]}" | tee "$out"
else
	exec "${cmd[@]}"
fi
