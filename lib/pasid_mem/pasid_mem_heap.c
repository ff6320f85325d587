/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Copyright(c) 2026 The dpdk-pasid authors
 */
/*
 * Heaps: a VA reservation for max_size cut into segment slots, each present
 * slot one hugepage segment, one IOAS mapping and one chunk of a DPDK external
 * malloc heap. Growth adds a whole slot; shrinking removes a whole slot.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_string_fns.h>

#include "pasid_mem_private.h"

RTE_LOG_REGISTER_DEFAULT(pasid_mem_logtype, NOTICE);

struct pasid_mem_heap_list pasid_mem_heaps = TAILQ_HEAD_INITIALIZER(pasid_mem_heaps);
pthread_mutex_t pasid_mem_heaps_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + t.tv_nsec;
}

static struct rte_pasid_mem_heap *
find_locked(const char *name)
{
	struct rte_pasid_mem_heap *h;

	TAILQ_FOREACH(h, &pasid_mem_heaps, next)
		if (strcmp(h->name, name) == 0)
			return h;
	return NULL;
}

/* Add one segment in the lowest free slot. Heap lock held. Return: 0 or -errno. */
static int
grow_one(struct rte_pasid_mem_heap *h)
{
	struct pasid_iova_range *avail = NULL, *used = NULL;
	unsigned int n_avail = 0, n_used = 0, i, slot;
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
	for (slot = 0; slot < h->max_segs; slot++)
		if (h->segs[slot].fd < 0)
			break;
	seg = &h->segs[slot];
	err = pasid_mem_seg_create(&h->src, h->base + (uint64_t)slot * h->seg_size,
		h->seg_size, seg);
	if (err < 0)
		return err;

	/* The map step (timed for the statistics): IOVA ranges, IOVA choice, map. */
	t0 = now_ns();
	err = pasid_mem_ioas_ranges(&h->ioas, h->iova_min, h->iova_max, &avail, &n_avail);
	if (err < 0)
		goto fail_seg;
	used = calloc(h->max_segs, sizeof(*used));
	if (used == NULL) {
		err = -ENOMEM;
		goto fail_seg;
	}
	for (i = 0; i < h->max_segs; i++) {
		if (h->segs[i].iova == RTE_BAD_IOVA)
			continue;
		used[n_used].start = h->segs[i].iova;
		used[n_used].last = h->segs[i].iova + h->segs[i].len - 1;
		n_used++;
	}
	err = pasid_iova_find(avail, n_avail, used, n_used, h->seg_size, h->src.page_size, &iova);
	if (err < 0) {
		PMEM_LOG(ERR, "heap %s: no free IOVA block of %" PRIu64 " bytes aligned to %" PRIu64
			" in IOAS %u (%u usable ranges within [%#" PRIx64 ", %#" PRIx64 "])",
			h->name, h->seg_size, h->src.page_size, h->ioas.ioas_id, n_avail,
			h->iova_min, h->iova_max);
		goto fail_seg;
	}
	err = pasid_mem_ioas_map(&h->ioas, seg, iova);
	if (err < 0)
		goto fail_seg;
	if (h->ioas.iommufd != RTE_PASID_MEM_NO_IOMMU)
		h->ioas.map_ns += now_ns() - t0;
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
			"RTE_MAX_MEMSEG_LISTS: use larger segments)" : "");
		goto fail_map;
	}
	seg->added = true;
	__atomic_store_n(&h->seg_iova[slot], iova, __ATOMIC_RELEASE);
	h->nsegs++;
	PMEM_LOG(DEBUG, "heap %s: segment %u at %p, %" PRIu64 " bytes, IOVA %#" PRIx64,
		h->name, slot, seg->va, seg->len, iova);
	free(iovas);
	free(avail);
	free(used);
	return 0;

fail_map:
	pasid_mem_ioas_unmap(&h->ioas, iova, h->seg_size);
fail_seg:
	pasid_mem_seg_destroy(seg);
	free(iovas);
	free(avail);
	free(used);
	return err;
}

/*
 * Remove the segment in @slot whole: from the malloc heap (-EBUSY while it
 * holds an allocation), then its one IOAS mapping, then the hugepages.
 * Heap lock held.
 */
static int
release_one(struct rte_pasid_mem_heap *h, unsigned int slot)
{
	struct pasid_mem_seg *seg = &h->segs[slot];
	int err = 0;

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
	if (seg->iova != RTE_BAD_IOVA)
		err = pasid_mem_ioas_unmap(&h->ioas, seg->iova, seg->len);
	pasid_mem_seg_destroy(seg);
	h->nsegs--;
	PMEM_LOG(DEBUG, "heap %s: released segment %u", h->name, slot);
	return err;
}

static void
heap_free(struct rte_pasid_mem_heap *h)
{
	free((void *)(uintptr_t)h->src.hugetlbfs_dir);
	free(h->segs);
	free(h->seg_iova);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

struct rte_pasid_mem_heap *
rte_pasid_mem_create(const struct rte_pasid_mem_conf *conf)
{
	struct rte_pasid_mem_heap *h, *o;
	unsigned int i;
	void *base;
	int err;

	if (conf == NULL) {
		PMEM_LOG(ERR, "%s: conf is NULL", __func__);
		rte_errno = EINVAL;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&h->lock, NULL);
	err = pasid_mem_conf_apply(conf, h);
	if (err < 0)
		goto fail_free;
	h->segs = calloc(h->max_segs, sizeof(*h->segs));
	h->seg_iova = calloc(h->max_segs, sizeof(*h->seg_iova));
	if (h->segs == NULL || h->seg_iova == NULL) {
		err = -ENOMEM;
		goto fail_free;
	}
	for (i = 0; i < h->max_segs; i++) {
		h->segs[i].fd = -1;
		h->segs[i].iova = RTE_BAD_IOVA;
		h->seg_iova[i] = RTE_BAD_IOVA;
	}

	pthread_mutex_lock(&pasid_mem_heaps_lock);
	if (find_locked(h->name) != NULL) {
		PMEM_LOG(ERR, "heap %s already exists", h->name);
		err = -EEXIST;
		goto fail_unlock;
	}
	TAILQ_FOREACH(o, &pasid_mem_heaps, next) {
		if (h->ioas.iommufd != RTE_PASID_MEM_NO_IOMMU &&
				o->ioas.iommufd == h->ioas.iommufd &&
				o->ioas.ioas_id == h->ioas.ioas_id) {
			PMEM_LOG(ERR, "heap %s: IOAS %u already has heap %s (one heap per domain)",
				h->name, h->ioas.ioas_id, o->name);
			err = -EEXIST;
			goto fail_unlock;
		}
	}
	/* Check the whole initial size first, so the message gives the full count. */
	if (h->min_segs > 0) {
		err = pasid_mem_hugepage_check(&h->src, (uint64_t)h->min_segs * h->seg_size);
		if (err < 0)
			goto fail_unlock;
	}
	err = pasid_mem_va_reserve((uint64_t)h->max_segs * h->seg_size, h->src.page_size, &base);
	if (err < 0)
		goto fail_unlock;
	h->base = base;
	if (rte_malloc_heap_create(h->name) < 0) {
		err = -rte_errno;
		PMEM_LOG(ERR, "heap %s: rte_malloc_heap_create failed: %s%s", h->name,
			rte_strerror(rte_errno), rte_errno == EEXIST ?
			" (a DPDK malloc heap has this name)" : rte_errno == ENOSPC ?
			" (DPDK has no free heap slot, RTE_MAX_HEAPS)" : "");
		goto fail_va;
	}
	h->socket_id = rte_malloc_heap_get_socket(h->name);
	pthread_mutex_lock(&h->lock);
	for (i = 0; i < h->min_segs; i++) {
		err = grow_one(h);
		if (err < 0)
			break;
	}
	if (err < 0) {
		for (i = 0; i < h->max_segs; i++)
			if (h->segs[i].fd >= 0)
				release_one(h, i);
		pthread_mutex_unlock(&h->lock);
		goto fail_heap;
	}
	pthread_mutex_unlock(&h->lock);
	TAILQ_INSERT_TAIL(&pasid_mem_heaps, h, next);
	pthread_mutex_unlock(&pasid_mem_heaps_lock);
	PMEM_LOG(INFO, "heap %s: socket %d, %u of %u segments of %" PRIu64 " bytes, %" PRIu64
		" kB pages, node %d, IOAS %u%s", h->name, h->socket_id, h->nsegs, h->max_segs,
		h->seg_size, h->src.page_size >> 10, h->src.numa_node, h->ioas.ioas_id,
		h->ioas.iommufd == RTE_PASID_MEM_NO_IOMMU ? " (no IOMMU)" : "");
	return h;

fail_heap:
	rte_malloc_heap_destroy(h->name);
fail_va:
	pasid_mem_va_release(h->base, (uint64_t)h->max_segs * h->seg_size);
fail_unlock:
	pthread_mutex_unlock(&pasid_mem_heaps_lock);
fail_free:
	heap_free(h);
	rte_errno = -err;
	return NULL;
}

int
rte_pasid_mem_destroy(struct rte_pasid_mem_heap *h)
{
	struct rte_malloc_socket_stats ms;
	unsigned int i;

	if (h == NULL)
		return 0;
	pthread_mutex_lock(&pasid_mem_heaps_lock);
	pthread_mutex_lock(&h->lock);
	if (rte_malloc_get_socket_stats(h->socket_id, &ms) == 0 && ms.alloc_count > 0) {
		PMEM_LOG(ERR, "heap %s: cannot destroy, %u allocations (%zu bytes) are still live: "
			"free them (rte_free, rte_mempool_free) first", h->name, ms.alloc_count,
			ms.heap_allocsz_bytes);
		pthread_mutex_unlock(&h->lock);
		pthread_mutex_unlock(&pasid_mem_heaps_lock);
		rte_errno = EBUSY;
		return -1;
	}
	for (i = 0; i < h->max_segs; i++) {
		if (h->segs[i].fd < 0)
			continue;
		/* An unmap failure is logged; the hugepages are released regardless. */
		release_one(h, i);
	}
	pthread_mutex_unlock(&h->lock);
	if (rte_malloc_heap_destroy(h->name) < 0)
		PMEM_LOG(ERR, "heap %s: rte_malloc_heap_destroy failed: %s", h->name,
			rte_strerror(rte_errno));
	pasid_mem_va_release(h->base, (uint64_t)h->max_segs * h->seg_size);
	TAILQ_REMOVE(&pasid_mem_heaps, h, next);
	pthread_mutex_unlock(&pasid_mem_heaps_lock);
	heap_free(h);
	return 0;
}

struct rte_pasid_mem_heap *
rte_pasid_mem_lookup(const char *name)
{
	struct rte_pasid_mem_heap *h;

	if (name == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&pasid_mem_heaps_lock);
	h = find_locked(name);
	pthread_mutex_unlock(&pasid_mem_heaps_lock);
	if (h == NULL)
		rte_errno = ENOENT;
	return h;
}

struct rte_pasid_mem_heap *
rte_pasid_mem_heap_of(const void *va)
{
	struct rte_pasid_mem_heap *h, *found = NULL;

	pthread_mutex_lock(&pasid_mem_heaps_lock);
	TAILQ_FOREACH(h, &pasid_mem_heaps, next) {
		if (rte_pasid_mem_virt2iova(h, va) != RTE_BAD_IOVA) {
			found = h;
			break;
		}
	}
	pthread_mutex_unlock(&pasid_mem_heaps_lock);
	return found;
}

int
rte_pasid_mem_socket_id(const struct rte_pasid_mem_heap *h)
{
	if (h == NULL) {
		rte_errno = EINVAL;
		return -1;
	}
	return h->socket_id;
}

void *
rte_pasid_mem_alloc(struct rte_pasid_mem_heap *h, size_t size, unsigned int align)
{
	struct rte_pasid_mem_stats st;
	unsigned int before;
	void *p;
	int err;

	if (h == NULL || size == 0 || (align & (align - 1))) {
		PMEM_LOG(ERR, "%s: %s", __func__, h == NULL ? "heap is NULL" :
			size == 0 ? "size is 0" : "align is not a power of two");
		rte_errno = EINVAL;
		return NULL;
	}
	if (size > h->seg_size) {
		PMEM_LOG(ERR, "heap %s: %zu bytes can never fit: a block lies inside one segment "
			"of %" PRIu64 " bytes (raise segment_size)", h->name, size, h->seg_size);
		rte_errno = EINVAL;
		return NULL;
	}
	p = rte_malloc_socket(NULL, size, align, h->socket_id);
	if (p != NULL)
		return p;
	pthread_mutex_lock(&h->lock);
	/* Another thread may have grown the heap meanwhile. */
	p = rte_malloc_socket(NULL, size, align, h->socket_id);
	if (p != NULL)
		goto out;
	before = h->nsegs;
	err = grow_one(h);
	if (err == 0)
		p = rte_malloc_socket(NULL, size, align, h->socket_id);
	if (p == NULL) {
		pasid_mem_stats_fill(h, &st);
		if (err == 0)
			PMEM_LOG(ERR, "heap %s: %zu bytes (align %u) do not fit in an empty "
				"segment of %" PRIu64 " bytes with the malloc overhead: "
				"raise segment_size",
				h->name, size, align, h->seg_size);
		else
			PMEM_LOG(ERR, "heap %s exhausted: %zu bytes requested, largest free block %"
				PRIu64 ", %u of %u segments (%u before the attempt)", h->name, size,
				st.largest_free, h->nsegs, h->max_segs, before);
		rte_errno = err == 0 ? ENOMEM : -err;
	}
out:
	pthread_mutex_unlock(&h->lock);
	return p;
}

int
rte_pasid_mem_reserve(struct rte_pasid_mem_heap *h, uint64_t bytes)
{
	struct rte_malloc_socket_stats ms;
	int err = 0;

	if (h == NULL || bytes == 0 || bytes > h->seg_size) {
		PMEM_LOG(ERR, "%s: %s", __func__, h == NULL ? "heap is NULL" :
			bytes == 0 ? "bytes is 0" : "bytes is above segment_size: no block can be "
			"larger than a segment");
		rte_errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&h->lock);
	while (rte_malloc_get_socket_stats(h->socket_id, &ms) == 0 &&
			ms.greatest_free_size < bytes) {
		err = grow_one(h);
		if (err < 0)
			break;
	}
	pthread_mutex_unlock(&h->lock);
	if (err < 0) {
		rte_errno = -err;
		return -1;
	}
	return 0;
}

int
rte_pasid_mem_shrink(struct rte_pasid_mem_heap *h)
{
	unsigned int i;
	int n = 0, err;

	if (h == NULL) {
		rte_errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&h->lock);
	for (i = h->max_segs; i-- > 0 && h->nsegs > h->min_segs;) {
		if (h->segs[i].fd < 0)
			continue;
		err = release_one(h, i);
		if (err == -EBUSY)
			continue;
		if (err < 0) {
			pthread_mutex_unlock(&h->lock);
			rte_errno = -err;
			return -1;
		}
		n++;
	}
	pthread_mutex_unlock(&h->lock);
	return n;
}

rte_iova_t
rte_pasid_mem_virt2iova(const struct rte_pasid_mem_heap *h, const void *va)
{
	uint64_t off;
	rte_iova_t iova;

	if (h == NULL)
		return RTE_BAD_IOVA;
	off = (uintptr_t)va - (uintptr_t)h->base;
	if (off >= (uint64_t)h->max_segs * h->seg_size)
		return RTE_BAD_IOVA;
	iova = __atomic_load_n(&h->seg_iova[off / h->seg_size], __ATOMIC_ACQUIRE);
	if (iova == RTE_BAD_IOVA)
		return RTE_BAD_IOVA;
	return iova + off % h->seg_size;
}
