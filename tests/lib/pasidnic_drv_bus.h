/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pasidnic_drv through the iommufd bus, for the bus tests (bus_pasid.c,
 * bus_mp.c): a test driver registered on the bus (RTE_PMD_REGISTER_IOMMUFD,
 * PASID domains wanted) takes the first pasidnic port, and BAR0 is reached
 * with rte_iommufd_region_read/write. Queue tails go through PNIC_Q_TAIL.
 *
 * The driver's remove resets the device (primary process only); its
 * quiesce_domain op (primary: a worker died) resets every queue tagged
 * with the dead worker's PASID and prints
 * "[pid] quiesce_domain: PASID <p>: <n> queues reset".
 */
#ifndef PASIDNIC_DRV_BUS_H
#define PASIDNIC_DRV_BUS_H

#include "pasidnic_drv.h"

struct rte_iommufd_device;

/** The pasidnic port the test driver probed, NULL before rte_eal_init() or without one. */
extern struct rte_iommufd_device *pnic_bus_dev;

/**
 * pnic_bus_drv() - the driver of @dev (fails the test when @dev is NULL:
 * no port probed); the same struct on every call.
 */
struct pnic_drv *pnic_bus_drv(struct rte_iommufd_device *dev);

/**
 * pnic_bus_pasid_enable() - set PASID Enable in @dev's config space.
 * Fails the test when the write fails.
 */
void pnic_bus_pasid_enable(struct rte_iommufd_device *dev);

#endif /* PASIDNIC_DRV_BUS_H */
