#!/bin/bash
# vm-boot: bus
# SPDX-License-Identifier: BSD-3-Clause
# The kernel's own iommufd selftest (tools/testing/selftests/iommu, built from
# the test kernel's source): a check that our kernel config gives a working
# iommufd. The default run takes the fixtures that cover what dpdk-pasid
# uses — the iommufd object basics, the IOAS tests (map/unmap/copy, access
# pin/rw) on an IOAS with a mock domain attached, mock domains and PASID
# attach, ~80 tests — since the whole suite takes minutes on the debug kernel
# under TCG. IOMMUFD_SELFTEST_ALL=1 runs everything.
. "$TOP/tests/vm/lib.sh"

bin=$KBUILD/selftests/iommufd
[ -x "$bin" ] || fail "the iommufd selftest was not built ($bin); rebuild with devtools/kernel.sh"
grep -q '^CONFIG_IOMMUFD_TEST=y' "$KBUILD/.config" ||
	fail "the test kernel lacks CONFIG_IOMMUFD_TEST (config/kernel/vm.config)"
old=$(cat /proc/sys/vm/nr_hugepages)
echo 256 > /proc/sys/vm/nr_hugepages
[ "$(cat /proc/sys/vm/nr_hugepages)" -ge 256 ] || fail "could not reserve the 256 hugepages the selftest needs"
args=()
[ "${IOMMUFD_SELFTEST_ALL:-0}" = 1 ] ||
	# The harness takes the first filter that matches: the -V excludes
	# narrow iommufd_ioas to its mock_domain variant.
	args=(-V no_domain -V two_mock_domain -V mock_domain_limit
		-f iommufd -f iommufd_ioas -f iommufd_mock_domain -f iommufd_device_pasid)
cd /tmp && "$bin" "${args[@]}" > /tmp/selftest.out 2>&1
rc=$?
echo "$old" > /proc/sys/vm/nr_hugepages
grep -E '^# (Totals|PASSED|FAILED)|^not ok' /tmp/selftest.out
totals=$(grep '^# Totals' /tmp/selftest.out | tail -1)
[ $rc = 0 ] || fail "iommufd selftest failed (exit $rc): $(grep -m3 '^not ok' /tmp/selftest.out | tr '\n' ' ') ${totals}"
echo "$totals" | grep -q 'pass:[1-9]' || fail "the iommufd selftest ran no test: $totals"
