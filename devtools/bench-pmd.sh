#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Packets per second through net_pasidnic against net_null (copy=1), io
# forwarding between two ports on one core, measured side by side in one VM
# run by 'dpdk-testpasid bench pmd' and printed as ratios: pasidnic on one
# queue pair / net_null ("ratio pasidnic/null:"), pasidnic on two queue pairs
# / on one ("ratio 2qp/1qp:"), and a healthy tenant's rate beside a tenant
# stuck in a userfaultfd page fault on the same port / its solo rate ("ratio
# beside-stuck/solo:"; needs CONFIG_USERFAULTFD, in both test kernels).
#
#   devtools/bench-pmd.sh [--seconds N] [--plain]
#
# --seconds N   measuring time per driver (default 10), after 2 s of warm-up
# --plain       the non-debug test kernel (built on first use, ~12 min, with
#               the module for it); default: the debug kernel, which slows
#               the pasidnic engine
#
# Needs a built project ($BUILD, default build/) and the pasidnic module.
# Under TCG only the ratio means something (doc/design.md).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# ---- guest side: devtools/bench-pmd.sh --guest SECONDS ----
guest() {
	local ports=() p rc=0
	LIB_FAIL=die
	. "$TOP/devtools/lib/pasidnic.sh"
	trap pnic_remove_ports EXIT
	pnic_ports 2 q2
	for p in "${PNIC_PORTS[@]}"; do
		ports+=(-a "iommufd:$p")
	done
	echo "kernel: $(uname -r)"
	"$BUILD/app/testpasid/dpdk-testpasid" -l 0-1 --in-memory --no-pci "${ports[@]}" \
		-- bench pmd --seconds "$1" || rc=$?
	return $rc
}

if [ "${1:-}" = --guest ]; then
	guest "$2"
	exit
fi

seconds=10
vmflags=()
while [ $# -gt 0 ]; do
	case "$1" in
	--seconds) seconds=$2; shift;;
	--plain) vmflags+=(--plain);;
	-h|--help) sed -n '3,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0;;
	*) die "unknown option '$1' (see --help)";;
	esac
	shift
done
BUILD=${BUILD:-$(default_build_dir)}
export BUILD
flavour=debug
[ ${#vmflags[@]} -gt 0 ] && flavour=plain
"$TOP/devtools/build.sh" "$flavour" > /dev/null
exec "$TOP/devtools/vm.sh" "${vmflags[@]}" --mem 3G --smp 2 --hugepages 512 -- \
	"$TOP/devtools/bench-pmd.sh" --guest "$seconds"
