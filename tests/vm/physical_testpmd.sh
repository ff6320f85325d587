#!/bin/bash
# vm-boot: physical
# SPDX-License-Identifier: BSD-3-Clause
# Stock static dpdk-testpmd on two physical functions (issue 17): two
# pasidnic_pci functions of 2 queue pairs bound to vfio-pci, taken by the
# iommufd bus's physical branch and driven by net_pasidnic through its
# register mailboxes, forward in loopback (io mode, two queues per port) as
# mdev ports do in pmd_testpmd_loopback: none lost, no mailbox write
# unacknowledged, no doorbell kick needed (the device engine polls).
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/pmd_lib.sh"
. "$TOP/tests/vm/physical_lib.sh"

[ -e /dev/iommu ] || fail "no /dev/iommu: the kernel lacks CONFIG_IOMMUFD"
phys_hugepages 128
phys_load 2 queue_pairs=2
for b in "${PHYS_BDFS[@]}"; do
	phys_vfio "$b"
done
pmd_testpmd_forward "pci-${PHYS_BDFS[0]}" "pci-${PHYS_BDFS[1]}"
for b in "${PHYS_BDFS[@]}"; do
	echo "$TESTPMD_OUT" | grep -q "pasidnic: pci-$b: port .*physical function (register mailboxes" ||
		fail "pci-$b was not probed as a physical function"
done
echo "$TESTPMD_OUT" | grep "not acknowledged\|not made" && fail "mailbox writes failed"
kicks=$(pmd_sum "$TESTPMD_OUT" 's/^ *[rt]x_q[0-9]*_kicks: *\([0-9]*\)$/\1/p')
[ -n "$kicks" ] || fail "no *_kicks in the ports' xstats"
[ "$kicks" = 0 ] || fail "$kicks doorbell kicks on a physical function (the engine polls)"
echo "ok: testpmd forwarded $TESTPMD_RX frames between two physical functions, none lost"
phys_done
