#!/bin/bash
# vm-boot: lifecycle
# SPDX-License-Identifier: BSD-3-Clause
# A heap whose IOAS unmap fails (issue 13, review M1/M2; the heap's iommufd
# is replaced by /dev/null) keeps the segment and its IOVA: shrink fails with
# the unmap's errno, destroy fails with EBUSY and leaves the heap usable,
# growth does not collide with the kept IOVAs, and once unmapping works again
# destroy releases everything (tests/vm/mem_lifecycle.c).
. "$TOP/tests/vm/lib.sh"

[ -e /dev/iommu ] || fail "no /dev/iommu: the kernel lacks CONFIG_IOMMUFD"
"$BUILD/tests/vm/mem-lifecycle" release-failure
