#!/bin/bash
# vm-boot: bus
# SPDX-License-Identifier: BSD-3-Clause
# A heap of 1 GiB pages maps them at 1 GiB-aligned IOVAs and the device DMAs
# through them; skips when the VM has no 1 GiB page.
. "$TOP/tests/vm/lib.sh"

edu_vfio
"$BUILD/tests/vm/mem-vm" 1g-pages "$EDU_CDEV"
