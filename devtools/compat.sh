#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Build and test dpdk-pasid against several DPDK releases, one line each.
#
#   devtools/compat.sh [--vm | --vm-all] DPDK...
#
# DPDK is a DPDK source tree (22.11 or newer, e.g. a `git archive` of a tag:
# doc/dpdk_versions.md), or the word "default" for the project's own DPDK
# (Debian 12's 22.11 source package). For each, DPDK is built (or reused)
# by devtools/dpdk.sh (DPDK_PASID_DPDK_SRC), the project into its own build
# directory build/compat-<version>, and the host tests run; --vm also runs a
# representative VM subset (the bus with edu, the PMD and testpmd, the
# multi-process workers), --vm-all the whole suite. Logs of each version in
# build/compat-<version>/compat.log; the per-test lines as devtools/test.sh
# prints them. Exit 1 when anything failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# Two VM boots ('bus', 'pmd'): what differs between releases is the bus
# interface (scan, probe, hotplug, iteration, plugins in testpmd and
# dpdk-test), ethdev (the PMD's ops, stats, testpmd) and multi-process.
VM_SUBSET=(bus_scan_probe bus_pasid_domains bus_hotplug bus_mp_domains bus_testpmd_plugin
	bus_dpdk_test_autotest bus_physical_dma mem_heap_mempool
	pmd_testpmd_loopback pmd_queue_pasid pmd_features pmd_fault_recovery
	mp_workers_traffic mp_worker_crash mp_isolation)

mode=host
dirs=()
for a in "$@"; do
	case "$a" in
	--vm) mode=vm;;
	--vm-all) mode=all;;
	-h|--help) sed -n '3,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0;;
	-*) die "unknown option '$a' (see --help)";;
	*) dirs+=("$a");;
	esac
done
[ ${#dirs[@]} -gt 0 ] || die "no DPDK given: devtools/compat.sh [--vm|--vm-all] <dpdk-src-dir|default>..."

"$TOP/devtools/deps.sh" || die "installing the Debian packages failed"
summary=()
bad=0
for d in "${dirs[@]}"; do
	t0=$(date +%s)
	if [ "$d" = default ]; then
		unset DPDK_PASID_DPDK_SRC
		version=$DPDK_VERSION
	else
		[ -f "$d/VERSION" ] || die "$d: not a DPDK source tree (no VERSION file)"
		export DPDK_PASID_DPDK_SRC
		DPDK_PASID_DPDK_SRC=$(cd "$d" && pwd)
		version=$(cat "$d/VERSION")
	fi
	export BUILD=$TOP/build/compat-$version
	mkdir -p "$BUILD"
	clog=$BUILD/compat.log
	log "DPDK $version: building (log: $clog)"
	if ! "$TOP/devtools/build.sh" debug > "$clog" 2>&1; then
		summary+=("FAIL DPDK $version: build failed, $(grep -m1 -E 'error' "$clog")")
		bad=1
		continue
	fi
	# The host tests by name (no filter: everything, --vm-all), plus the VM subset.
	filters=()
	if [ "$mode" != all ]; then
		mapfile -t filters < <(host_test_names "$BUILD")
	fi
	[ "$mode" != vm ] || filters+=("${VM_SUBSET[@]}")
	"$TOP/devtools/test.sh" "${filters[@]}" 2>&1 | tee -a "$clog" | grep -E '^(PASS|FAIL|SKIP) '
	tail=$(tail -1 "$clog")
	line="DPDK $version ($mode): $tail in $(( $(date +%s) - t0 )) s"
	if grep -qE '^[0-9]+ passed, 0 failed' <<< "$tail"; then
		summary+=("ok   $line")
	else
		summary+=("FAIL $line (see $clog)")
		bad=1
	fi
done
echo
printf '%s\n' "${summary[@]}"
exit $bad
