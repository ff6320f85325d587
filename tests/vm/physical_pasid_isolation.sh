#!/bin/bash
# vm-boot: physical
# SPDX-License-Identifier: BSD-3-Clause
# PASID isolation on a physical function (issue 17): a pasidnic_pci function
# bound to vfio-pci, PASIDs 7 (A) and 8 (B) attached by HWPT id to
# PASID-capable HWPTs of two IOASes, queues programmed through the BAR0
# mailbox (tests/lib/pasidnic_drv_vfio.c), the device engine translating
# every DMA through the module's IOMMU domain of the queue's PASID. A's
# frames loop back TX->RX; A's RX to an IOVA mapped only in B's IOAS faults
# (queue FAULTED, FAULT_INFO/FAULT_PASID/FAULT_IOVA: PASID 7, that IOVA, a
# write; IRQ_CAUSE FAULT, polled: no MSI-X), so does A's TX from B's IOVA
# (a read, ENOENT); B's memory stays byte-identical, and after a queue reset
# A's own DMA works again. The same command as the mdev test
# pasidnic_pasid_isolation (tests/vm/pasidnic_dma.c, cmd_pasid_isolation).
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/physical_lib.sh"

phys_port pasid_width=8
"$BUILD/tests/vm/pasidnic-test" pasid_isolation "$PHYS_CDEV" || exit 1
phys_done
echo "ok: function unbound and module unloaded"
