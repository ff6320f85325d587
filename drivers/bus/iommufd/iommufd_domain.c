/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PASID domains: one PASID of one device with its own IOAS. Here: the bus
 * lock, creating a domain, moving it to another IOAS, and what a domain
 * handle gives (its PASID, IOAS, device, DMA mappings). The end of domains
 * (destroy by handle, by PASID, all of a device's), the list of a process's
 * own domains and whether an owner still runs: iommufd_domain_destroy.c.
 * The attach ioctls: iommufd_attach.c.
 *
 * Physical devices: IOMMU_IOAS_ALLOC, IOMMU_HWPT_ALLOC(IOMMU_HWPT_ALLOC_PASID)
 * on it, then VFIO_DEVICE_ATTACH_IOMMUFD_PT{VFIO_DEVICE_ATTACH_PASID} with
 * the HWPT (an IOAS id is refused for a physical PASID attach). The RID was
 * put on a PASID-capable HWPT when the device was opened.
 * Emulated devices: the PASID is attached to the IOAS id itself (the module
 * creates an iommufd access per PASID, and accesses take only IOAS ids).
 *
 * A second attach of an attached PASID is a hitless replace. Detach blocks
 * the PASID's DMA. Teardown order: detach, unmap, destroy HWPT, destroy IOAS.
 *
 * The primary process owns the PASID allocator: it also creates and destroys
 * the domains of secondary processes (iommufd_mp_server.c, iommufd_watch.c),
 * recorded with their owner's pid. iommufd_lock serialises it with the EAL
 * threads that do so. A secondary's rte_iommufd_domain_create/destroy go
 * to the primary through iommufd_proc (iommufd_secondary.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>

#include "private.h"

pthread_mutex_t iommufd_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

/* The page table a PASID of @d is attached to for IOAS @ioas: a new HWPT
 * for physical devices (in *@hwpt), the IOAS for emulated ones.
 */
static int
pt_for(struct iommufd_dev *d, uint32_t ioas, uint32_t *hwpt, uint32_t *pt)
{
	int ret;

	*hwpt = 0;
	if (d->pub.kind == RTE_IOMMUFD_EMULATED) {
		*pt = ioas;
		return 0;
	}
	ret = iommufd_hwpt_alloc_pasid(d, ioas, hwpt);
	*pt = *hwpt;
	return ret;
}

struct iommufd_dev *
iommufd_bound_dev(struct rte_device *dev)
{
	struct iommufd_dev *d;

	if (dev == NULL || dev->bus != &iommufd_bus.bus)
		return NULL;
	d = iommufd_dev_of(dev);
	return d->pub.fd >= 0 ? d : NULL;
}

const char *
iommufd_why_no_pasid(const struct iommufd_dev *d)
{
	if (d->args.pasid == IOMMUFD_PASID_OFF)
		return "it was opened RID-only (devargs pasid=off)";
	if (d->pub.pasid_log2 == 0)
		return d->pub.kind == RTE_IOMMUFD_PHYSICAL ?
		       "the device has no PASID support (IOMMU_GET_HW_INFO: "
		       "out_max_pasid_log2 = 0)" :
		       "the emulated device has no PCI PASID capability";
	if (d->pub.kind == RTE_IOMMUFD_PHYSICAL && !iommufd_bus_ctx.features.hwpt_alloc)
		return "the kernel lacks IOMMU_HWPT_ALLOC (probed; Linux 6.6+)";
	return "the kernel cannot attach PASIDs through vfio (probed at open; needs Linux "
	       "6.15+ or a backport)";
}

struct rte_iommufd_domain *
iommufd_domain_create_locked(struct iommufd_dev *d, pid_t owner)
{
	struct rte_iommufd_domain *dom;
	int pasid, ret;

	if (d->closing || d->pub.fd < 0) {
		IOMMUFD_LOG(ERR, "%s: cannot create a PASID domain: the device is being "
			    "removed", d->pub.name);
		rte_errno = ENODEV;
		return NULL;
	}
	if (!d->pasid_mode) {
		IOMMUFD_LOG(ERR, "%s: cannot create a PASID domain: %s", d->pub.name,
			    iommufd_why_no_pasid(d));
		rte_errno = ENOTSUP;
		return NULL;
	}
	dom = calloc(1, sizeof(*dom));
	if (dom == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	dom->dev = d;
	dom->owner = owner;
	pasid = iommufd_pasid_alloc(&d->pasids);
	if (pasid < 0) {
		IOMMUFD_LOG(ERR, "%s: no free PASID: %u in use (PASID width %u, max_domains %u)",
			    d->pub.name, d->pasids.nb_used, d->pub.pasid_log2,
			    d->args.max_domains);
		ret = pasid;
		goto fail;
	}
	dom->pasid = pasid;
	ret = iommufd_ioas_alloc(&dom->ioas);
	if (ret < 0)
		goto fail_pasid;
	ret = pt_for(d, dom->ioas, &dom->hwpt, &dom->attached_pt);
	if (ret < 0)
		goto fail_ioas;
	ret = iommufd_attach(d, dom->pasid, dom->attached_pt);
	if (ret < 0) {
		IOMMUFD_LOG(ERR, "%s: attach of PASID %u to %s %u failed: %s", d->pub.name,
			    dom->pasid, dom->hwpt ? "HWPT" : "IOAS", dom->attached_pt,
			    strerror(-ret));
		goto fail_hwpt;
	}
	iommufd_domain_link(d, dom);
	IOMMUFD_LOG(DEBUG, "%s: PASID %u attached to IOAS %u%s, owner %s%d", d->pub.name,
		    dom->pasid, dom->ioas, dom->hwpt ? " (through a PASID HWPT)" : "",
		    owner ? "secondary process " : "this process ", owner ? owner : getpid());
	return dom;
fail_hwpt:
	if (dom->hwpt)
		iommufd_destroy(dom->hwpt);
fail_ioas:
	iommufd_destroy(dom->ioas);
fail_pasid:
	iommufd_pasid_free(&d->pasids, dom->pasid);
fail:
	free(dom);
	rte_errno = -ret;
	return NULL;
}

struct rte_iommufd_domain *
rte_iommufd_domain_create(struct rte_device *dev)
{
	struct iommufd_dev *d = iommufd_bound_dev(dev);

	if (d == NULL) {
		bool ours = dev != NULL && dev->bus == &iommufd_bus.bus;

		IOMMUFD_LOG(ERR, "domain create: %s %s", dev ? dev->name : "(null)", ours ?
			    "is not bound: it was removed (hot-unplug) or never probed" :
			    "is not an iommufd bus device");
		rte_errno = ours ? ENODEV : EINVAL;
		return NULL;
	}
	return iommufd_proc->domain_create(d);
}

struct rte_iommufd_domain *
iommufd_domain_create(struct iommufd_dev *d)
{
	struct rte_iommufd_domain *dom;

	pthread_mutex_lock(&iommufd_lock);
	dom = iommufd_domain_create_locked(d, 0);
	pthread_mutex_unlock(&iommufd_lock);
	return dom;
}

int
iommufd_domain_replace(struct rte_iommufd_domain *dom, uint32_t ioas)
{
	struct iommufd_dev *d = dom->dev;
	uint32_t hwpt, pt;
	int ret;

	ret = pt_for(d, ioas, &hwpt, &pt);
	if (ret < 0)
		return ret;
	ret = iommufd_attach(d, dom->pasid, pt); /* attached already: a replace */
	if (ret < 0) {
		if (hwpt)
			iommufd_destroy(hwpt);
		return ret;
	}
	if (dom->hwpt)
		iommufd_destroy(dom->hwpt);
	dom->hwpt = hwpt;
	dom->attached_pt = pt;
	dom->ioas = ioas;
	return 0;
}

int
rte_iommufd_domain_pasid(const struct rte_iommufd_domain *dom)
{
	if (dom == NULL) {
		rte_errno = EINVAL;
		return -1;
	}
	return (int)dom->pasid;
}

int
rte_iommufd_domain_ioas(const struct rte_iommufd_domain *dom, int *iommufd, uint32_t *ioas_id)
{
	if (dom == NULL) {
		rte_errno = EINVAL;
		return -1;
	}
	if (iommufd != NULL)
		*iommufd = iommufd_bus_ctx.fd;
	if (ioas_id != NULL)
		*ioas_id = dom->ioas;
	return 0;
}

int
rte_iommufd_domain_dma_map(struct rte_iommufd_domain *dom, void *va, uint64_t iova, size_t len)
{
	struct iommufd_iova_range *r;
	uint64_t align;
	uint32_t n;
	int ret;

	if (dom == NULL) {
		rte_errno = EINVAL;
		return -1;
	}
	if (iommufd_iova_hits_msi_window(iova, len)) {
		IOMMUFD_LOG(ERR, "%s: PASID %u: IOVA %#" PRIx64 " + %#zx overlaps the interrupt "
			    "window 0xfee00000-0xfeefffff", dom->dev->pub.name, dom->pasid, iova,
			    len);
		rte_errno = EINVAL;
		return -1;
	}
	ret = iommufd_iova_ranges_get(iommufd_sys_ioctl, iommufd_bus_ctx.fd, dom->ioas, &r, &n,
				      &align);
	if (ret == 0) {
		ret = iommufd_iova_check(r, n, align, iova, len);
		free(r);
		if (ret < 0)
			IOMMUFD_LOG(ERR, "%s: PASID %u: IOVA %#" PRIx64 " + %#zx is not in the "
				    "usable IOVA ranges of IOAS %u or not aligned to %#" PRIx64,
				    dom->dev->pub.name, dom->pasid, iova, len, dom->ioas, align);
	}
	if (ret == 0)
		ret = iommufd_ioas_map(dom->ioas, va, iova, len);
	if (ret == 0)
		iommufd_usage_api_add(dom, (int64_t)len); /* telemetry: best effort */
	return iommufd_ret(ret);
}

int
rte_iommufd_domain_dma_unmap(struct rte_iommufd_domain *dom, uint64_t iova, size_t len)
{
	int ret;

	if (dom == NULL) {
		rte_errno = EINVAL;
		return -1;
	}
	ret = iommufd_ioas_unmap(dom->ioas, iova, len);
	if (ret == 0)
		iommufd_usage_api_add(dom, -(int64_t)len); /* telemetry: best effort */
	return iommufd_ret(ret);
}

const struct rte_device *
rte_iommufd_domain_device(const struct rte_iommufd_domain *dom)
{
	if (dom == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	return &dom->dev->pub.device;
}
