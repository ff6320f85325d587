/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a conformance run (app/testpasid/conformance*.c) needs of the bus
 * beyond the domain API: the DMA self-test of a device's driver (struct
 * rte_iommufd_driver dma_selftest; the bus only finds the driver and passes
 * the request on, the caller checks where the bytes landed) and the
 * process's iommufd for ioctls of its own.
 */
#include <errno.h>

#include <rte_errno.h>

#include "private.h"

int
rte_iommufd_dma_selftest(struct rte_device *dev, struct rte_iommufd_dma_test *t)
{
	struct iommufd_dev *d;
	struct rte_iommufd_driver *drv;

	if (dev == NULL || t == NULL || dev->bus != &iommufd_bus.bus) {
		rte_errno = EINVAL;
		return -1;
	}
	d = iommufd_bound_dev(dev);
	drv = d != NULL ? d->pub.driver : NULL;
	if (drv == NULL) {
		IOMMUFD_LOG(ERR, "%s: DMA self-test: the device is not bound or no driver "
			    "probed it", dev->name);
		rte_errno = ENODEV;
		return -1;
	}
	if (drv->dma_selftest == NULL) {
		rte_errno = ENOTSUP;
		return -1;
	}
	return iommufd_ret(drv->dma_selftest(&d->pub, t));
}

int
rte_iommufd_ctx_fd(void)
{
	if (iommufd_bus_ctx.fd < 0) {
		rte_errno = ENODEV;
		return -1;
	}
	return iommufd_bus_ctx.fd;
}
