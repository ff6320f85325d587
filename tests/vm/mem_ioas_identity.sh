#!/bin/bash
# vm-boot: lifecycle
# SPDX-License-Identifier: BSD-3-Clause
# One heap per IOAS is checked by iommufd context, not fd number (issue 13,
# review M3): a dup of the iommufd is refused (EEXIST), the same IOAS number
# in another /dev/iommu context is not; a heap whose caller closed its
# iommufd keeps mapping into its own IOAS, not into a new context that reuses
# the fd and IOAS numbers; nothing leaks (tests/vm/mem_lifecycle.c).
. "$TOP/tests/vm/lib.sh"

[ -e /dev/iommu ] || fail "no /dev/iommu: the kernel lacks CONFIG_IOMMUFD"
"$BUILD/tests/vm/mem-lifecycle" ioas-identity
