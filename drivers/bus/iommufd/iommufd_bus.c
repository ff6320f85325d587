/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The work of the iommufd bus's ops (the table and EAL's view of it:
 * iommufd_bus_ops.c): scan, probe (open and bind every device found, then
 * hand it to a matching driver), hotplug, device lookup and the clean-up at
 * rte_eal_cleanup() in the safe order: quiesce (driver remove), interrupts
 * and bus mastering off, PASIDs detached, memory unmapped, domains
 * destroyed, RID detached, device closed, /dev/iommu closed.
 *
 * What differs between the primary and a secondary process is behind
 * struct iommufd_proc_ops, chosen here once (doc/design.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_devargs.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "private.h"

/* The primary serves the secondaries: their requests, their usage reports. */
static void
primary_start(void)
{
	iommufd_mp_server_init();
	iommufd_usage_server_init();
}

static void
primary_stop(void)
{
	iommufd_usage_server_fini();
	iommufd_mp_server_fini();
}

/* The primary owns the devices and serves the secondaries (iommufd_mp_server.c). */
static const struct iommufd_proc_ops primary_ops = {
	.start = primary_start, .stop = primary_stop,
	.dev_open = iommufd_dev_open, .dev_close = iommufd_dev_close,
	.domain_create = iommufd_domain_create, .domain_destroy = iommufd_domain_destroy,
	.owned = iommufd_domains_owned, .destroy_pasid = iommufd_domain_destroy_pasid,
};

/* A secondary borrows them from the primary (iommufd_secondary.c). */
static const struct iommufd_proc_ops secondary_ops = {
	.dev_open = iommufd_secondary_dev_open, .dev_close = iommufd_secondary_dev_close,
	.domain_create = iommufd_secondary_domain_create,
	.domain_destroy = iommufd_secondary_domain_destroy,
	.owned = iommufd_secondary_owned, .destroy_pasid = iommufd_secondary_destroy_pasid,
};

const struct iommufd_proc_ops *iommufd_proc = &primary_ops;

/* The first op EAL calls, in either process: decide the role here, once. */
int
iommufd_bus_scan(void)
{
	iommufd_proc = rte_eal_process_type() == RTE_PROC_PRIMARY ? &primary_ops :
		       &secondary_ops;
	iommufd_telemetry_init();
	return iommufd_scan();
}

bool
iommufd_driver_matches(const struct rte_iommufd_driver *drv,
		       const struct rte_iommufd_device *dev)
{
	const struct rte_iommufd_id *id;

	for (id = drv->id_table; id != NULL && id->vendor_id != 0; id++)
		if ((id->vendor_id == RTE_IOMMUFD_ANY_ID || id->vendor_id == dev->vendor_id) &&
		    (id->device_id == RTE_IOMMUFD_ANY_ID || id->device_id == dev->device_id))
			return true;
	return false;
}

static bool
selected(const struct iommufd_dev *d)
{
	return d->pub.device.devargs != NULL &&
	       d->pub.device.devargs->policy == RTE_DEV_ALLOWED;
}

/* Open the device and give it to @want, or (NULL) to the first driver that
 * matches. 0: probed or bound without a driver; < 0: error.
 */
static int
probe_one(struct iommufd_dev *d, struct rte_iommufd_driver *want)
{
	struct rte_iommufd_driver *drv;
	int ret;

	if (d->pub.driver != NULL)
		return -EEXIST;
	if (d->error[0] && d->pub.fd < 0) { /* bad devargs, found at scan */
		IOMMUFD_LOG(ERR, "%s: %s", d->pub.name, d->error);
		return -EINVAL;
	}
	ret = iommufd_proc->dev_open(d); /* a secondary never reopens a cdev */
	if (ret < 0) {
		if (selected(d))
			IOMMUFD_LOG(ERR, "%s cannot be used: %s", d->pub.name, d->error);
		else
			IOMMUFD_LOG(INFO, "%s skipped: %s", d->pub.name, d->error);
		return ret;
	}
	FOREACH_IOMMUFD_DRIVER(drv) {
		if ((want != NULL && drv != want) || !iommufd_driver_matches(drv, &d->pub))
			continue;
		if ((drv->drv_flags & RTE_IOMMUFD_DRV_NEED_PASID) && !d->pasid_mode) {
			IOMMUFD_LOG(ERR, "%s: driver %s needs PASID domains, which the device "
				    "cannot have here (see dpdk-testpasid list)", d->pub.name,
				    drv->driver.name);
			iommufd_proc->dev_close(d);
			return -ENOTSUP;
		}
		IOMMUFD_LOG(INFO, "%s: probing driver %s", d->pub.name, drv->driver.name);
		d->pub.driver = drv;
		ret = drv->probe(drv, &d->pub);
		if (ret < 0) {
			d->pub.driver = NULL;
			IOMMUFD_LOG(ERR, "%s: driver %s failed to probe: %s; device closed",
				    d->pub.name, drv->driver.name, strerror(-ret));
			/* Nothing left behind: a later rte_dev_probe() opens it again. */
			iommufd_proc->dev_close(d);
			return ret;
		}
		d->pub.device.driver = &drv->driver;
		return 0;
	}
	IOMMUFD_LOG(DEBUG, "%s: bound, no driver for %04x:%04x", d->pub.name,
		    d->pub.vendor_id, d->pub.device_id);
	return 0;
}

int
iommufd_probe(void)
{
	struct rte_iommufd_device *p;
	unsigned int n = 0, failed = 0;

	/* A cdev is bound by one file: the primary's. Secondaries receive its
	 * fds (probe_one); the primary answers them.
	 */
	if (iommufd_proc->start != NULL && !TAILQ_EMPTY(&iommufd_bus.devices))
		iommufd_proc->start();
	FOREACH_IOMMUFD_DEVICE(p) {
		if (p->device.devargs != NULL && p->device.devargs->policy == RTE_DEV_BLOCKED)
			continue;
		n++;
		if (probe_one(IOMMUFD_DEV(p), NULL) < 0 && selected(IOMMUFD_DEV(p))) {
			failed++;
			rte_errno = EINVAL;
		}
	}
	return n > 0 && failed == n ? -1 : 0;
}

/* Driver remove (the driver quiesces the device), then close.
 *
 * The device is marked closing under the bus lock first, so that from then
 * on the rte_mp handler refuses secondaries' requests on it with a clear
 * error and the worker watch leaves its quiesce to the driver's remove; the
 * primary's close (PASIDs detached, table freed, RID detached) runs under
 * the lock too (iommufd_dev_close(), B2). When the driver refuses, the
 * device stays probed, attached and usable: it is never closed under a
 * driver that still drives it (B1).
 */
static int
remove_one(struct iommufd_dev *d)
{
	struct rte_iommufd_driver *drv;
	int ret;

	pthread_mutex_lock(&iommufd_lock);
	d->closing = true;
	drv = d->pub.driver;
	pthread_mutex_unlock(&iommufd_lock);
	if (drv != NULL && drv->remove != NULL) {
		ret = drv->remove(&d->pub);
		if (ret < 0) {
			IOMMUFD_LOG(ERR, "%s: driver %s refused removal: %s; the device stays "
				    "probed", d->pub.name, drv->driver.name, strerror(-ret));
			pthread_mutex_lock(&iommufd_lock);
			d->closing = false;
			pthread_mutex_unlock(&iommufd_lock);
			return ret;
		}
	}
	pthread_mutex_lock(&iommufd_lock);
	d->pub.driver = NULL;
	d->pub.device.driver = NULL;
	pthread_mutex_unlock(&iommufd_lock);
	iommufd_proc->dev_close(d); /* the primary's takes the lock itself */
	pthread_mutex_lock(&iommufd_lock);
	d->closing = false;
	pthread_mutex_unlock(&iommufd_lock);
	return 0;
}

struct rte_device *
iommufd_find_device(const struct rte_device *start, rte_dev_cmp_t cmp, const void *data)
{
	struct rte_iommufd_device *p;

	if (start != NULL)
		p = TAILQ_NEXT(RTE_DEV_TO_IOMMUFD_CONST(start), next);
	else
		p = TAILQ_FIRST(&iommufd_bus.devices);
	for (; p != NULL; p = TAILQ_NEXT(p, next))
		if (cmp(&p->device, data) == 0)
			return &p->device;
	return NULL;
}

int
iommufd_plug(struct rte_device *dev, struct rte_iommufd_driver *drv)
{
	struct iommufd_dev *d = iommufd_dev_of(dev);
	char err[256];

	if (!iommufd_dev_exists(dev->name))
		return -ENOENT;
	if (iommufd_proc->start != NULL)
		iommufd_proc->start();
	/* The devargs may be new (rte_dev_probe): read them again. */
	d->pub.device.devargs = iommufd_devargs_lookup(dev->name);
	d->error[0] = '\0';
	if (iommufd_devargs_of(d->pub.device.devargs, &d->args, err, sizeof(err)) < 0) {
		IOMMUFD_LOG(ERR, "%s: bad devargs: %s", dev->name, err);
		return -EINVAL;
	}
	return probe_one(d, drv);
}

/* The device is closed but stays on the bus, unbound, until the bus cleanup:
 * a thread of the application (or, in a secondary process, EAL's hot-unplug
 * request from the primary) may still hold its rte_device, and then gets a
 * clear error (ENODEV, "removed") instead of a use after free; a later
 * rte_dev_probe() reuses it.
 */
int
iommufd_unplug(struct rte_device *dev)
{
	struct iommufd_dev *d = iommufd_dev_of(dev);
	int ret;

	ret = remove_one(d);
	if (ret < 0)
		return ret;
	rte_devargs_remove(dev->devargs);
	pthread_mutex_lock(&iommufd_lock);
	d->pub.device.devargs = NULL;
	pthread_mutex_unlock(&iommufd_lock);
	return 0;
}

/* Process exit: every device goes. A device whose driver refuses removal
 * is still closed (forced: PASIDs detached, IOASes destroyed, fd closed; the
 * device can issue no DMA once its fd is closed), but its memory is not
 * freed, since the driver still points at it (B1).
 */
int
iommufd_cleanup(void)
{
	struct rte_iommufd_device *p;
	int ret = 0;

	/* No more requests of secondaries, no more exit handling: the
	 * workers' domains go with the devices below.
	 */
	if (iommufd_proc->stop != NULL)
		iommufd_proc->stop();
	while ((p = TAILQ_FIRST(&iommufd_bus.devices)) != NULL) {
		struct iommufd_dev *d = IOMMUFD_DEV(p);

		pthread_mutex_lock(&iommufd_lock);
		TAILQ_REMOVE(&iommufd_bus.devices, p, next);
		pthread_mutex_unlock(&iommufd_lock);
		if (remove_one(d) == 0) {
			free(d);
			continue;
		}
		ret = -1;
		IOMMUFD_LOG(ERR, "%s: closing it anyway at process exit (its driver keeps a "
			    "reference: the device's memory is not freed)", p->name);
		pthread_mutex_lock(&iommufd_lock);
		d->closing = true;
		pthread_mutex_unlock(&iommufd_lock);
		iommufd_proc->dev_close(d);
	}
	return ret;
}

int
rte_iommufd_dev_info(const struct rte_device *dev, struct rte_iommufd_dev_info *info)
{
	const struct iommufd_dev *d;
	const struct rte_iommufd_domain *dom;

	if (dev == NULL || info == NULL || dev->bus != &iommufd_bus.bus) {
		rte_errno = EINVAL;
		return -1;
	}
	d = iommufd_dev_of(dev);
	memset(info, 0, sizeof(*info));
	info->name = d->pub.name;
	info->cdev = d->pub.cdev;
	info->driver = d->pub.driver ? d->pub.driver->driver.name : NULL;
	info->error = d->error;
	info->emulated = d->pub.kind == RTE_IOMMUFD_EMULATED;
	info->bound = d->pub.fd >= 0;
	info->vendor_id = d->pub.vendor_id;
	info->device_id = d->pub.device_id;
	info->pasid_log2 = d->pub.pasid_log2;
	info->pasid_mode = d->pasid_mode;
	info->default_ioas = d->rid_ioas;
	info->rid_hwpt = d->rid_hwpt;
	pthread_mutex_lock(&iommufd_lock);
	TAILQ_FOREACH(dom, &d->domains, next)
		info->nb_domains++;
	pthread_mutex_unlock(&iommufd_lock);
	return 0;
}

/* The first @n domains of @dev into @pasids or @info; the lists are kept in
 * ascending PASID order (iommufd_domain_link()), so these are the lowest.
 * The number of domains, or -1 with rte_errno EINVAL.
 */
static int
domains_copy(const struct rte_device *dev, uint32_t *pasids,
	     struct rte_iommufd_domain_info *info, unsigned int n)
{
	const struct iommufd_dev *d;
	const struct rte_iommufd_domain *dom;
	unsigned int i = 0;

	if (dev == NULL || dev->bus != &iommufd_bus.bus ||
	    (n > 0 && pasids == NULL && info == NULL)) {
		rte_errno = EINVAL;
		return -1;
	}
	d = iommufd_dev_of(dev);
	pthread_mutex_lock(&iommufd_lock);
	TAILQ_FOREACH(dom, &d->domains, next) {
		if (i < n && pasids != NULL) {
			pasids[i] = dom->pasid;
		} else if (i < n) {
			info[i].pasid = dom->pasid;
			info[i].ioas = dom->ioas;
			info[i].owner = dom->owner ? dom->owner : getpid();
		}
		i++;
	}
	pthread_mutex_unlock(&iommufd_lock);
	return (int)i;
}

int
rte_iommufd_dev_pasids(const struct rte_device *dev, uint32_t *pasids, unsigned int n)
{
	return domains_copy(dev, pasids, NULL, n);
}

int
rte_iommufd_dev_domains(const struct rte_device *dev, struct rte_iommufd_domain_info *info,
			unsigned int n)
{
	return domains_copy(dev, NULL, info, n);
}

