/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A bound device's regions: config space and BARs read and written through
 * the device fd, BARs mapped into the process; and the last step of every
 * teardown, in the primary and in a secondary alike (BARs unmapped, device
 * fd closed, the context reference dropped).
 */
#include <errno.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/vfio.h>

#include <rte_errno.h>

#include "private.h"

void
iommufd_dev_release(struct iommufd_dev *d)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(d->bars); i++) {
		if (d->bars[i].va != NULL)
			munmap(d->bars[i].va, d->bars[i].size);
		d->bars[i].va = NULL;
	}
	close(d->pub.fd);
	d->pub.fd = -1;
	d->pub.devid = 0;
	d->rid_ioas = 0;
	d->pasid_mode = false;
	d->pasid_attach = false;
	iommufd_bus_ctx_put();
}

int
rte_iommufd_region_info(const struct rte_iommufd_device *dev, unsigned int index,
			struct rte_iommufd_region *region)
{
	struct vfio_region_info r = { .argsz = sizeof(r), .index = index };

	if (dev == NULL || dev->fd < 0 || region == NULL) {
		rte_errno = EINVAL;
		return -1;
	}
	if (iommufd_hook_ioctl(dev->fd, VFIO_DEVICE_GET_REGION_INFO, &r)) {
		rte_errno = errno;
		return -1;
	}
	region->size = r.size;
	region->offset = r.offset;
	region->flags = r.flags;
	return 0;
}

void *
rte_iommufd_bar_map(struct rte_iommufd_device *dev, unsigned int index, size_t *size)
{
	struct iommufd_dev *d;
	struct rte_iommufd_region r;
	void *va;

	if (dev == NULL || index >= RTE_DIM(d->bars) ||
	    rte_iommufd_region_info(dev, index, &r) < 0 || r.size == 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	d = IOMMUFD_DEV(dev);
	if (d->bars[index].va == NULL) {
		if (!(r.flags & VFIO_REGION_INFO_FLAG_MMAP)) {
			rte_errno = ENOTSUP;
			return NULL;
		}
		va = iommufd_hook_mmap(NULL, r.size, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd, r.offset);
		if (va == MAP_FAILED) {
			rte_errno = errno;
			IOMMUFD_LOG(ERR, "%s: mmap of BAR %u failed: %s", dev->name, index,
				    strerror(errno));
			return NULL;
		}
		d->bars[index].va = va;
		d->bars[index].size = r.size;
	}
	if (size != NULL)
		*size = d->bars[index].size;
	return d->bars[index].va;
}

static int
region_offset(const struct rte_iommufd_device *dev, unsigned int index, size_t len, off_t off,
	      off_t *pos)
{
	struct rte_iommufd_region r;

	if (index == VFIO_PCI_CONFIG_REGION_INDEX && dev->fd >= 0 &&
	    IOMMUFD_DEV(dev)->cfg_offset != 0) {
		*pos = IOMMUFD_DEV(dev)->cfg_offset + off;
		return 0;
	}
	if (rte_iommufd_region_info(dev, index, &r) < 0)
		return -1;
	if ((uint64_t)off + len > r.size) {
		rte_errno = EINVAL;
		return -1;
	}
	*pos = r.offset + off;
	return 0;
}

int
rte_iommufd_region_read(const struct rte_iommufd_device *dev, unsigned int index, void *buf,
			size_t len, off_t off)
{
	off_t pos;

	if (dev == NULL || region_offset(dev, index, len, off, &pos) < 0)
		return -1;
	if (pread(dev->fd, buf, len, pos) != (ssize_t)len) {
		rte_errno = EIO;
		return -1;
	}
	return 0;
}

int
rte_iommufd_region_write(const struct rte_iommufd_device *dev, unsigned int index,
			 const void *buf, size_t len, off_t off)
{
	off_t pos;

	if (dev == NULL || region_offset(dev, index, len, off, &pos) < 0)
		return -1;
	if (pwrite(dev->fd, buf, len, pos) != (ssize_t)len) {
		rte_errno = EIO;
		return -1;
	}
	return 0;
}
