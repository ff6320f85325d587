#!/bin/bash
# vm-boot: bus
# SPDX-License-Identifier: BSD-3-Clause
# Without CAP_IPC_LOCK and with a 5 MiB RLIMIT_MEMLOCK, heaps fail with ENOMEM and
# a message giving the limit and the fix, both before and inside the kernel.
. "$TOP/tests/vm/lib.sh"

edu_vfio
"$BUILD/tests/vm/mem-vm" memlock "$EDU_CDEV"
