#!/bin/bash
# vm-boot: bus
# SPDX-License-Identifier: BSD-3-Clause
# Growth and shrink map and unmap whole segments: partial unmaps are refused by
# the kernel, released segments no longer translate, destroy leaves the IOAS empty.
. "$TOP/tests/vm/lib.sh"

edu_vfio
"$BUILD/tests/vm/mem-vm" unmap-whole "$EDU_CDEV"
