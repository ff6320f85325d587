/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Copyright(c) 2026 The dpdk-pasid authors
 */
/*
 * Growth and release of a heap's segments: one hugepage segment, one IOAS
 * mapping and one chunk of the DPDK malloc heap each, added in the lowest
 * free slot and removed whole.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "pasid_mem_private.h"

/*
 * Unmap the segment in @slot from the IOAS. On a failure other than ENOENT
 * (the IOAS no longer holds the mapping) the IOAS still maps the IOVA and
 * pins the hugepages: the segment stays in its slot with its IOVA reserved,
 * so growth never picks that IOVA again, and a later release retries.
 * Heap lock held. Return: 0 or -errno of the unmap.
 */
static int
unmap_seg(struct rte_pasid_mem_heap *h, unsigned int slot)
{
	struct pasid_mem_seg *seg = &h->segs[slot];
	int err;

	if (seg->iova == RTE_BAD_IOVA)
		return 0;
	err = pasid_mem_ioas_unmap(&h->ioas, seg->iova, seg->len);
	if (err < 0 && err != -ENOENT) {
		PMEM_LOG(ERR, "heap %s: segment %u stays mapped at IOVA %#" PRIx64 " (its "
			"hugepages and IOVA stay reserved); the next shrink or destroy retries",
			h->name, slot, seg->iova);
		return err;
	}
	seg->iova = RTE_BAD_IOVA;
	return 0;
}

/* Read the usable IOVA ranges into the heap's cache. Return: 0 or -errno (logged). */
static int
ranges_read(struct rte_pasid_mem_heap *h)
{
	struct pasid_iova_range *r;
	unsigned int n;
	int err;

	err = pasid_mem_ioas_ranges(&h->ioas, h->iova_min, h->iova_max, &r, &n);
	if (err < 0)
		return err;
	free(h->ranges);
	h->ranges = r;
	h->n_ranges = n;
	return 0;
}

/* The lowest free IOVA block for one segment in the cached ranges. */
static int
iova_choose(struct rte_pasid_mem_heap *h, bool log, uint64_t *iova)
{
	struct pasid_iova_range *used = h->iova_used;
	unsigned int n_used = 0, i;
	int err;

	for (i = 0; i < h->max_segs; i++) {
		if (h->segs[i].iova == RTE_BAD_IOVA)
			continue;
		used[n_used].start = h->segs[i].iova;
		used[n_used].last = h->segs[i].iova + h->segs[i].len - 1;
		n_used++;
	}
	err = pasid_iova_find(h->ranges, h->n_ranges, used, n_used, h->seg_size,
		h->src.page_size, iova);
	if (err < 0 && log)
		PMEM_LOG(ERR, "heap %s: no free IOVA block of %" PRIu64 " bytes aligned to %" PRIu64
			" in IOAS %u (%u usable ranges within [%#" PRIx64 ", %#" PRIx64 "])",
			h->name, h->seg_size, h->src.page_size, h->ioas.ioas_id, h->n_ranges,
			h->iova_min, h->iova_max);
	return err;
}

/*
 * The map step: choose an IOVA in the cached usable ranges (read at the
 * first growth: one IOMMU_IOAS_IOVA_RANGES per heap, not per segment) and map
 * @seg there. The ranges shrink when a device attaches to the IOAS (its
 * reserved regions): when the kernel refuses the IOVA (EINVAL) or no block
 * fits, the ranges are read again and the step retried once.
 * Return: 0 with *@iova, or -errno (logged).
 */
static int
map_seg(struct rte_pasid_mem_heap *h, struct pasid_mem_seg *seg, uint64_t *iova)
{
	bool fresh = h->ranges == NULL;
	int err;

	if (fresh) {
		err = ranges_read(h);
		if (err < 0)
			return err;
	}
	for (;;) {
		err = iova_choose(h, fresh, iova);
		if (err == 0)
			err = pasid_mem_ioas_map(&h->ioas, seg, *iova, !fresh);
		if (fresh || (err != -EINVAL && err != -ENOSPC))
			return err;
		PMEM_LOG(DEBUG, "heap %s: IOVA ranges changed (%s): reading them again",
			h->name, strerror(-err));
		err = ranges_read(h);
		if (err < 0)
			return err;
		fresh = true;
	}
}

/* Add one segment in the lowest free slot. Heap lock held. Return: 0 or -errno. */
int
pasid_mem_grow_one(struct rte_pasid_mem_heap *h)
{
	unsigned int slot;
	struct pasid_mem_seg *seg;
	rte_iova_t *iovas = NULL;
	uint64_t iova, npages, k, t0;
	int err;

	if (h->nsegs == h->max_segs) {
		PMEM_LOG(ERR, "heap %s: limit reached: %u segments of %" PRIu64
			" bytes = max_size; "
			"raise max_size or free memory", h->name, h->max_segs, h->seg_size);
		return -ENOMEM;
	}
	/* Before any hugepage is taken: one segment above RLIMIT_MEMLOCK never maps. */
	err = pasid_mem_memlock_precheck(&h->ioas, h->seg_size);
	if (err < 0)
		return err;
	for (slot = 0; slot < h->max_segs; slot++)
		if (h->segs[slot].fd < 0)
			break;
	seg = &h->segs[slot];
	err = pasid_mem_seg_create(&h->src, h->base + (uint64_t)slot * h->seg_size,
		h->seg_size, seg);
	if (err < 0)
		return err;

	/* The map step, timed for the statistics (ends when the map ioctl returns). */
	t0 = pmem_now_ns();
	err = map_seg(h, seg, &iova);
	if (err < 0)
		goto fail_seg;
	if (h->ioas.iommufd != RTE_PASID_MEM_NO_IOMMU)
		h->ioas.map_ns += h->ioas.map_end_ns - t0;
	seg->iova = iova;

	npages = h->seg_size / h->src.page_size;
	iovas = malloc(sizeof(*iovas) * npages);
	if (iovas == NULL) {
		err = -ENOMEM;
		goto fail_map;
	}
	for (k = 0; k < npages; k++)
		iovas[k] = iova + k * h->src.page_size;
	if (rte_malloc_heap_memory_add(h->name, seg->va, seg->len, iovas, npages,
			h->src.page_size) < 0) {
		err = -rte_errno;
		PMEM_LOG(ERR, "heap %s: adding %" PRIu64 " bytes to the DPDK malloc heap "
			"failed: %s%s", h->name, seg->len, rte_strerror(rte_errno),
			rte_errno == ENOSPC ? " (DPDK is out of memseg lists, "
			"RTE_MAX_MEMSEG_LISTS: use larger segments; the segments of a process "
			"that died without destroying its heap stay counted until the whole "
			"process group restarts)" : "");
		goto fail_map;
	}
	seg->added = true;
	__atomic_store_n(&h->seg_iova[slot], iova, __ATOMIC_RELEASE);
	h->nsegs++;
	PMEM_LOG(DEBUG, "heap %s: segment %u at %p, %" PRIu64 " bytes, IOVA %#" PRIx64,
		h->name, slot, seg->va, seg->len, iova);
	free(iovas);
	return 0;

fail_map:
	if (unmap_seg(h, slot) < 0) {
		/* Still mapped: the slot stays (IOVA reserved); shrink retries. */
		h->nsegs++;
		free(iovas);
		return err;
	}
fail_seg:
	pasid_mem_seg_destroy(seg);
	free(iovas);
	return err;
}

/*
 * Remove the segment in @slot whole: from the malloc heap (-EBUSY while it
 * holds an allocation), then its one IOAS mapping, then the hugepages.
 * A failed unmap (unmap_seg()) keeps the segment in its slot, out of the
 * malloc heap, unless @force (creation's unwind, where the heap goes away:
 * the IOAS keeps the pages until it is destroyed). Heap lock held.
 * Return: 0 or -errno (the segment is then still in its slot, unless @force).
 */
int
pasid_mem_release_one(struct rte_pasid_mem_heap *h, unsigned int slot, bool force)
{
	struct pasid_mem_seg *seg = &h->segs[slot];
	int err;

	if (seg->added) {
		if (rte_malloc_heap_memory_remove(h->name, seg->va, seg->len) < 0) {
			if (rte_errno != EBUSY)
				PMEM_LOG(ERR, "heap %s: removing segment %u from the DPDK heap "
					"failed: %s", h->name, slot, rte_strerror(rte_errno));
			return -rte_errno;
		}
		seg->added = false;
	}
	__atomic_store_n(&h->seg_iova[slot], RTE_BAD_IOVA, __ATOMIC_RELEASE);
	err = unmap_seg(h, slot);
	if (err < 0 && !force)
		return err;
	pasid_mem_seg_destroy(seg);
	h->nsegs--;
	PMEM_LOG(DEBUG, "heap %s: released segment %u", h->name, slot);
	return err;
}
