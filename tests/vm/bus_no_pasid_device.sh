#!/bin/bash
# vm-boot: bus
# SPDX-License-Identifier: BSD-3-Clause
# edu has no PASID capability: a PASID domain asked for through the API
# fails with ENOTSUP and the documented message; pasid=on in the devargs
# makes the device unusable with the documented error.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/bus_lib.sh"

edu_vfio
edu=pci-$EDU_BDF
"$BUILD/tests/vm/bus-edu" nopasid "${EAL[@]}" -a "iommufd:$edu" > /tmp/np.log 2>&1
rc=$?
cat /tmp/np.log
[ $rc = 0 ] || exit 1
grep -q "$edu: cannot create a PASID domain: the device has no PASID support" /tmp/np.log ||
	fail "the domain error does not say the device has no PASID support"
echo "ok: the API error names the missing PASID support"

out=$("$BUILD/app/testpasid/dpdk-testpasid" "${EAL[@]}" -a "iommufd:$edu,pasid=on" -- list 2>&1)
echo "$out"
echo "$out" | grep -q "$edu cannot be used: pasid=on but the device has no PASID support" ||
	fail "pasid=on on edu did not give the documented error"
echo "$out" | grep -q "^$edu .* not bound" || fail "edu was bound although pasid=on cannot be met"
echo "ok: pasid=on on edu is refused with the documented error"
