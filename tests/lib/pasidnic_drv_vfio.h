/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pasidnic_drv over a raw vfio cdev (tests/vm/vfio_util.h): BAR0 through
 * pread/pwrite of the device fd, the doorbell page mmap-ed, MSI-X vectors
 * routed to eventfds. The iommufd side (IOAS, attach, map) stays with the
 * test, through vfio_util.
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
	struct pnic_drv drv;       /**< the driver (irq_en set) */
	int efd[PNIC_NUM_VECS(PNIC_MAX_QP)]; /**< eventfd per MSI-X vector, or -1 */
};

/**
 * pnic_vfio_open() - open @cdev with a new iommufd, read the region layout,
 * check BAR0, map the doorbell page, set bus master, and initialise @v->drv
 * over them. Fails the test when any step fails.
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
/** pnic_vfio_irqs() - route every MSI-X vector to a new eventfd (@v->efd). */
void pnic_vfio_irqs(struct pnic_vfio *v);
/** pnic_vfio_irq_count() - read and reset vector @vec's eventfd; 0 when none fired. */
uint64_t pnic_vfio_irq_count(struct pnic_vfio *v, unsigned int vec);
/** pnic_vfio_pasid_enable() - set PASID Enable in the PASID extended capability. */
void pnic_vfio_pasid_enable(struct pnic_vfio *v);
/**
 * pnic_vfio_enable() - PASID Enable when the port has PASIDs
 * (pnic_vfio_pasid_enable()), then pnic_drv_enable() with @backend.
 */
void pnic_vfio_enable(struct pnic_vfio *v, uint32_t backend);

#endif /* PASIDNIC_DRV_VFIO_H */
