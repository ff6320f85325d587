#!/bin/bash
# vm-boot: bus
# SPDX-License-Identifier: BSD-3-Clause
# mbufs of rte_pktmbuf_pool_create on a pasid_mem heap carry the heap's IOVAs
# and the edu device DMAs between them correctly.
. "$TOP/tests/vm/lib.sh"

edu_vfio
"$BUILD/tests/vm/mem-vm" heap-mempool "$EDU_CDEV"
