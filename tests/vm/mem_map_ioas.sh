#!/bin/bash
# vm-boot: bus
# SPDX-License-Identifier: BSD-3-Clause
# IOVAs handed out by a pasid_mem heap are where QEMU's edu device DMAs land,
# through vfio-pci, iommufd and the vIOMMU; they reach nothing from another IOAS.
. "$TOP/tests/vm/lib.sh"

edu_vfio
"$BUILD/tests/vm/mem-vm" map-ioas "$EDU_CDEV"
