/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interrupts: MSI/MSI-X vectors routed to eventfds with VFIO_DEVICE_SET_IRQS
 * and exposed through the device's rte_intr handle, so drivers and
 * applications use rte_intr_callback_register() and the rx-interrupt API.
 * The handle type is VFIO_MSI/VFIO_MSIX: EAL reads the eventfd counter
 * before it runs a callback.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include <linux/vfio.h>

#include <rte_errno.h>

#include "private.h"

int
iommufd_intr_init(struct iommufd_dev *d)
{
	d->pub.intr_handle = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (d->pub.intr_handle == NULL)
		return -ENOMEM;
	if (rte_intr_dev_fd_set(d->pub.intr_handle, d->pub.fd) != 0 ||
	    rte_intr_fd_set(d->pub.intr_handle, -1) != 0) {
		rte_intr_instance_free(d->pub.intr_handle);
		d->pub.intr_handle = NULL;
		return -EINVAL;
	}
	return 0;
}

static int
set_irqs(struct iommufd_dev *d, unsigned int index, const int32_t *fds, unsigned int n)
{
	size_t sz = sizeof(struct vfio_irq_set) + n * sizeof(int32_t);
	struct vfio_irq_set *set = calloc(1, sz);
	int ret = 0;

	if (set == NULL)
		return -ENOMEM;
	set->argsz = sz;
	set->flags = VFIO_IRQ_SET_ACTION_TRIGGER |
		     (n ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE);
	set->index = index;
	set->start = 0;
	set->count = n;
	if (n)
		memcpy(set->data, fds, n * sizeof(int32_t));
	if (iommufd_hook_ioctl(d->pub.fd, VFIO_DEVICE_SET_IRQS, set))
		ret = -errno;
	free(set);
	return ret;
}

static void
close_efds(struct iommufd_dev *d)
{
	struct rte_intr_handle *h = d->pub.intr_handle;
	unsigned int i;
	int fd;

	fd = rte_intr_fd_get(h);
	if (fd >= 0)
		close(fd);
	rte_intr_fd_set(h, -1);
	for (i = 1; i < d->irq_count; i++) {
		fd = rte_intr_efds_index_get(h, i - 1);
		if (fd >= 0)
			close(fd);
		rte_intr_efds_index_set(h, i - 1, -1);
	}
	rte_intr_nb_efd_set(h, 0);
	rte_intr_max_intr_set(h, 0);
	rte_intr_type_set(h, RTE_INTR_HANDLE_UNKNOWN);
}

int
rte_iommufd_intr_enable(struct rte_iommufd_device *dev, unsigned int irq_index,
			unsigned int nvec)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = irq_index };
	struct iommufd_dev *d;
	int32_t *fds;
	unsigned int i;
	int ret;

	if (dev == NULL || dev->fd < 0 || dev->intr_handle == NULL || nvec == 0 ||
	    (irq_index != VFIO_PCI_MSI_IRQ_INDEX && irq_index != VFIO_PCI_MSIX_IRQ_INDEX)) {
		rte_errno = EINVAL;
		return -1;
	}
	d = IOMMUFD_DEV(dev);
	if (d->irq_index != ~0u) {
		rte_errno = EBUSY;
		return -1;
	}
	if (iommufd_hook_ioctl(dev->fd, VFIO_DEVICE_GET_IRQ_INFO, &info) || info.count < nvec ||
	    !(info.flags & VFIO_IRQ_INFO_EVENTFD)) {
		IOMMUFD_LOG(ERR, "%s: %u %s vectors asked for, the device has %u", dev->name,
			    nvec, irq_index == VFIO_PCI_MSI_IRQ_INDEX ? "MSI" : "MSI-X",
			    info.count);
		rte_errno = ENOTSUP;
		return -1;
	}
	fds = calloc(nvec, sizeof(*fds));
	if (fds == NULL) {
		rte_errno = ENOMEM;
		return -1;
	}
	d->irq_count = nvec;
	/* A failure part way closes only what this call opened. */
	rte_intr_fd_set(dev->intr_handle, -1);
	for (i = 1; i < nvec; i++)
		rte_intr_efds_index_set(dev->intr_handle, i - 1, -1);
	rte_intr_type_set(dev->intr_handle, irq_index == VFIO_PCI_MSI_IRQ_INDEX ?
			  RTE_INTR_HANDLE_VFIO_MSI : RTE_INTR_HANDLE_VFIO_MSIX);
	for (i = 0; i < nvec; i++) {
		fds[i] = iommufd_hook_eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (fds[i] < 0) {
			ret = -errno;
			goto fail;
		}
		if (i == 0)
			rte_intr_fd_set(dev->intr_handle, fds[i]);
		else
			rte_intr_efds_index_set(dev->intr_handle, i - 1, fds[i]);
	}
	rte_intr_max_intr_set(dev->intr_handle, nvec);
	rte_intr_nb_efd_set(dev->intr_handle, nvec - 1);
	ret = set_irqs(d, irq_index, fds, nvec);
	if (ret < 0) {
		IOMMUFD_LOG(ERR, "%s: VFIO_DEVICE_SET_IRQS of %u vectors failed: %s", dev->name,
			    nvec, strerror(-ret));
		goto fail;
	}
	free(fds);
	d->irq_index = irq_index;
	return 0;
fail:
	close_efds(d);
	d->irq_count = 0;
	free(fds);
	rte_errno = -ret;
	return -1;
}

int
rte_iommufd_intr_disable(struct rte_iommufd_device *dev)
{
	struct iommufd_dev *d;
	int ret;

	if (dev == NULL || dev->intr_handle == NULL) {
		rte_errno = EINVAL;
		return -1;
	}
	d = IOMMUFD_DEV(dev);
	if (d->irq_index == ~0u)
		return 0;
	ret = set_irqs(d, d->irq_index, NULL, 0);
	close_efds(d);
	d->irq_index = ~0u;
	d->irq_count = 0;
	return iommufd_ret(ret);
}

void
iommufd_intr_fini(struct iommufd_dev *d)
{
	if (d->pub.intr_handle == NULL)
		return;
	rte_iommufd_intr_disable(&d->pub);
	rte_intr_instance_free(d->pub.intr_handle);
	d->pub.intr_handle = NULL;
}
