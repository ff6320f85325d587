/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The default IOAS: DPDK memory at IOVA = VA, shared by the RIDs of the
 * devices opened with dpdk_mem=1. This file owns it: the first user
 * allocates it, the last one unmaps and destroys it.
 *
 * The bus needs IOVA as VA. When the first device opens, every memory
 * segment DPDK has is mapped into the default IOAS at IOVA = VA, one
 * mapping per page (IOMMU_IOAS_UNMAP cannot split a mapping, and DPDK frees
 * memory page by page), and a memory event callback keeps the IOAS in step
 * as DPDK allocates and frees pages. rte_dev_dma_map()/unmap() map a
 * caller's memory (e.g. rte_extmem_register()ed areas) into the IOAS of the
 * device's RID.
 *
 * External memory is never mapped here, external malloc heaps included
 * (unlike DPDK's VFIO, which maps them at their IOVAs): their IOVAs are the
 * owner's to place, and a pasid_mem heap's IOVAs belong to its PASID domain,
 * so mapping them into the RID's IOAS would give the RID a way into it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_eal_memconfig.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "private.h"

#define MEM_CB_NAME "bus_iommufd"

static struct {
	uint32_t ioas;       /* the default IOAS, 0 when there is none */
	unsigned int users;  /* devices whose RID is on it */
	bool following;      /* mapped, and the memory event callback registered */
} mem;

struct walk_arg {
	struct iommufd_iova_range *ranges;
	uint32_t n;
	uint64_t align;
	int err;
};

static int
map_seg(const struct rte_memseg_list *msl, const struct rte_memseg *ms, void *arg)
{
	struct walk_arg *w = arg;
	int ret;

	/* External memory, heaps included, is mapped by its owner (see the top). */
	if (msl->external)
		return 0;
	if (ms->iova == RTE_BAD_IOVA)
		return 0;
	if (iommufd_iova_check(w->ranges, w->n, w->align, ms->iova, ms->len) < 0) {
		IOMMUFD_LOG(ERR, "DPDK memory at %p (%zu bytes) is outside the IOVA ranges the "
			    "IOMMU can translate; move it with --base-virtaddr (e.g. 0x100000000)",
			    ms->addr, ms->len);
		w->err = -ERANGE;
		return -1;
	}
	ret = iommufd_ioas_map(mem.ioas, ms->addr, ms->iova, ms->len);
	if (ret < 0) {
		IOMMUFD_LOG(ERR, "mapping DPDK memory at %p (%zu bytes) failed: %s", ms->addr,
			    ms->len, strerror(-ret));
		w->err = ret;
		return -1;
	}
	return 0;
}

static void
mem_event(enum rte_mem_event type, const void *addr, size_t len, void *arg __rte_unused)
{
	const struct rte_memseg_list *msl = rte_mem_virt2memseg_list(addr);
	const char *end = (const char *)addr + len;
	const char *va;

	if (msl == NULL || msl->external)
		return;
	for (va = addr; va < end; va += msl->page_sz) {
		const struct rte_memseg *ms = rte_mem_virt2memseg(va, msl);
		int ret;

		if (ms == NULL || ms->iova == RTE_BAD_IOVA)
			continue;
		if (type == RTE_MEM_EVENT_ALLOC)
			ret = iommufd_ioas_map(mem.ioas, ms->addr, ms->iova,
					       ms->len);
		else
			ret = iommufd_ioas_unmap(mem.ioas, ms->iova, ms->len);
		if (ret < 0)
			IOMMUFD_LOG(ERR, "%s DPDK memory at %p (%zu bytes) failed: %s",
				    type == RTE_MEM_EVENT_ALLOC ? "mapping" : "unmapping",
				    ms->addr, ms->len, strerror(-ret));
	}
}

int
iommufd_mem_init(uint32_t *ioas)
{
	int ret;

	if (mem.users == 0) {
		ret = iommufd_ioas_alloc(&mem.ioas);
		if (ret < 0) {
			IOMMUFD_LOG(ERR, "IOMMU_IOAS_ALLOC of the default IOAS failed: %s",
				    strerror(-ret));
			return ret;
		}
		IOMMUFD_LOG(DEBUG, "default IOAS %u", mem.ioas);
	}
	mem.users++;
	*ioas = mem.ioas;
	return 0;
}

int
iommufd_mem_follow(void)
{
	struct walk_arg w = { .err = 0 };
	int ret;

	if (mem.following)
		return 0;
	if (rte_eal_iova_mode() != RTE_IOVA_VA) {
		IOMMUFD_LOG(ERR, "the iommufd bus maps DPDK memory at IOVA = VA: run with "
			    "--iova-mode=va (the current mode is PA)");
		return -ENOTSUP;
	}
	ret = iommufd_iova_ranges_get(iommufd_sys_ioctl, iommufd_bus_ctx.fd, mem.ioas,
				      &w.ranges, &w.n, &w.align);
	if (ret < 0) {
		IOMMUFD_LOG(ERR, "IOMMU_IOAS_IOVA_RANGES failed: %s", strerror(-ret));
		return ret;
	}
	rte_mcfg_mem_read_lock();
	ret = rte_mem_event_callback_register(MEM_CB_NAME, mem_event, NULL);
	if (ret < 0 && rte_errno != ENOTSUP) {
		/* ENOTSUP: --legacy-mem, memory never changes. */
		rte_mcfg_mem_read_unlock();
		free(w.ranges);
		IOMMUFD_LOG(ERR, "cannot follow DPDK memory events: %s", rte_strerror(rte_errno));
		return -rte_errno;
	}
	rte_memseg_walk_thread_unsafe(map_seg, &w);
	rte_mcfg_mem_read_unlock();
	free(w.ranges);
	if (w.err < 0) {
		/* Drop the segments mapped before the failure: a later retry maps
		 * them again (EEXIST otherwise) and nothing stays pinned.
		 */
		rte_mem_event_callback_unregister(MEM_CB_NAME, NULL);
		iommufd_ioas_unmap(mem.ioas, 0, UINT64_MAX);
		return w.err;
	}
	mem.following = true;
	return 0;
}

void
iommufd_mem_fini(void)
{
	if (mem.users == 0 || --mem.users > 0)
		return;
	if (mem.following)
		rte_mem_event_callback_unregister(MEM_CB_NAME, NULL);
	mem.following = false;
	iommufd_ioas_unmap(mem.ioas, 0, UINT64_MAX);
	iommufd_destroy(mem.ioas);
	mem.ioas = 0;
}

static struct iommufd_dev *
dma_dev(struct rte_device *dev)
{
	struct iommufd_dev *d = iommufd_dev_of(dev);

	return d->pub.fd >= 0 ? d : NULL;
}

int
iommufd_dma_map(struct rte_device *dev, void *addr, uint64_t iova, size_t len)
{
	struct iommufd_dev *d = dma_dev(dev);

	if (d == NULL) {
		rte_errno = EINVAL;
		return -1;
	}
	return iommufd_ret(iommufd_ioas_map(d->rid_ioas, addr, iova, len));
}

int
iommufd_dma_unmap(struct rte_device *dev, void *addr __rte_unused, uint64_t iova, size_t len)
{
	struct iommufd_dev *d = dma_dev(dev);

	if (d == NULL) {
		rte_errno = EINVAL;
		return -1;
	}
	return iommufd_ret(iommufd_ioas_unmap(d->rid_ioas, iova, len));
}
