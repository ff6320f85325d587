/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pasidnic_drv over a raw vfio cdev (tests/vm/vfio_util.h): BAR0 through
 * pread/pwrite of the device fd, the doorbell page mmap-ed, MSI-X vectors
 * routed to eventfds. The iommufd side (IOAS, attach, map) stays with the
 * test, through vfio_util.
 *
 * Both kinds of port open the same way: an mdev port of kernel/linux/pasidnic
 * (device 0x50a5, trapped BAR0, MSI-X, PASIDs attached to IOASes) and a PCI
 * function of kernel/linux/pasidnic_pci bound to vfio-pci (device 0x50a6,
 * @phys: BAR0 writes through the mailbox, no interrupts, PASIDs attached to
 * PASID-capable HWPTs; doc/pasidnic.md §13).
 */
#ifndef PASIDNIC_DRV_VFIO_H
#define PASIDNIC_DRV_VFIO_H

#include "pasidnic_drv.h"
#include "vfio_util.h"

#include <stddef.h>

/** A pasidnic device opened through its vfio cdev. */
struct pnic_vfio {
	struct vu_device dev;      /**< the cdev, bound to its own iommufd */
	char cdev[64];             /**< /dev/vfio/devices/vfioN */
	struct vu_bar db;          /**< the doorbell page (BAR2) */
	uint64_t off[VFIO_PCI_NUM_REGIONS];  /**< file offset of each region */
	uint64_t size[VFIO_PCI_NUM_REGIONS]; /**< size of each region (0: none) */
	struct pnic_drv drv;       /**< the driver (irq_en set on mdev ports) */
	bool phys;                 /**< a pasidnic_pci function (device 0x50a6) */
	int efd[PNIC_NUM_VECS(PNIC_MAX_QP)]; /**< eventfd per MSI-X vector, or -1 */
};

/**
 * pnic_vfio_open() - open @cdev with a new iommufd, read the region layout,
 * check BAR0, map the doorbell page, set bus master, and initialise @v->drv
 * over them (on a physical function: once the device has published its
 * registers, writes through the mailbox). Fails the test when any step
 * fails; on a physical function a write the device does not apply within
 * 2 s fails with -ETIMEDOUT.
 */
void pnic_vfio_open(struct pnic_vfio *v, const char *cdev);
/**
 * pnic_mdev_cdev() - the vfio cdev of the pasidnic port (mdev) @uuid into
 * @buf (@n bytes). Return: 0, or -ENOENT when the port or its cdev does not exist.
 */
int pnic_mdev_cdev(const char *uuid, char *buf, size_t n);
/** pnic_vfio_open_mdev() - pnic_vfio_open() of the cdev of the port @uuid. */
void pnic_vfio_open_mdev(struct pnic_vfio *v, const char *uuid);
/**
 * pnic_vfio_close() - unmap the doorbell page, close the MSI-X eventfds, the
 * device and its iommufd.
 */
void pnic_vfio_close(struct pnic_vfio *v);
/**
 * pnic_vfio_irqs() - route every MSI-X vector to a new eventfd (@v->efd).
 * A physical function has no MSI-X (drivers poll PNIC_REG_IRQ_CAUSE): nothing
 * is routed and pnic_vfio_irq_count() stays 0.
 */
void pnic_vfio_irqs(struct pnic_vfio *v);
/** pnic_vfio_irq_count() - read and reset vector @vec's eventfd; 0 when none fired. */
uint64_t pnic_vfio_irq_count(struct pnic_vfio *v, unsigned int vec);
/**
 * pnic_vfio_pasid_enable() - set PASID Enable in the PASID extended capability.
 * On a physical function the IOMMU driver enabled PASID when the function
 * appeared (pci_enable_pasid()) and vfio-pci hides the capability: no-op.
 */
void pnic_vfio_pasid_enable(struct pnic_vfio *v);
/**
 * pnic_vfio_enable() - PASID Enable when the port has PASIDs
 * (pnic_vfio_pasid_enable()), then pnic_drv_enable() with @backend.
 */
void pnic_vfio_enable(struct pnic_vfio *v, uint32_t backend);

/**
 * pnic_vfio_pasid_pt() - the page table to attach a PASID to for IOAS @ioas:
 * the IOAS itself on an mdev port (the emulated path), a new PASID-capable
 * HWPT on it (IOMMU_HWPT_ALLOC_PASID) on a physical function, where the
 * kernel refuses an IOAS id for a PASID. The HWPT goes with the iommufd
 * (pnic_vfio_close()). Fails the test when the HWPT cannot be allocated.
 */
uint32_t pnic_vfio_pasid_pt(struct pnic_vfio *v, uint32_t ioas);

#endif /* PASIDNIC_DRV_VFIO_H */
