/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Copyright(c) 2026 The dpdk-pasid authors
 */
/*
 * Heaps: a VA reservation for max_size cut into segment slots, each present
 * slot one hugepage segment, one IOAS mapping and one chunk of a DPDK external
 * malloc heap. Growth adds a whole slot; shrinking removes a whole slot
 * (both in pasid_mem_grow.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_string_fns.h>

#include "pasid_mem_private.h"

RTE_LOG_REGISTER_DEFAULT(pasid_mem_logtype, NOTICE);

struct pasid_mem_heap_list pasid_mem_heaps = TAILQ_HEAD_INITIALIZER(pasid_mem_heaps);
pthread_mutex_t pasid_mem_heaps_lock = PTHREAD_MUTEX_INITIALIZER;

static struct rte_pasid_mem_heap *
find_locked(const char *name)
{
	struct rte_pasid_mem_heap *h;

	TAILQ_FOREACH(h, &pasid_mem_heaps, next)
		if (strcmp(h->name, name) == 0)
			return h;
	return NULL;
}

static void
heap_free(struct rte_pasid_mem_heap *h)
{
	free((void *)(uintptr_t)h->src.hugetlbfs_dir);
	free(h->segs);
	free(h->seg_iova);
	free(h->ranges);
	free(h->iova_used);
	pasid_mem_ioas_drop(&h->ioas);
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
	h->ioas.iommufd = RTE_PASID_MEM_NO_IOMMU;	/* until conf_apply() holds one */
	err = pasid_mem_conf_apply(conf, h);
	if (err < 0)
		goto fail_free;
	h->segs = calloc(h->max_segs, sizeof(*h->segs));
	h->seg_iova = calloc(h->max_segs, sizeof(*h->seg_iova));
	h->iova_used = calloc(h->max_segs, sizeof(*h->iova_used));
	if (h->segs == NULL || h->seg_iova == NULL || h->iova_used == NULL) {
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
		if (h->ioas.iommufd == RTE_PASID_MEM_NO_IOMMU ||
				o->ioas.iommufd == RTE_PASID_MEM_NO_IOMMU ||
				o->ioas.ioas_id != h->ioas.ioas_id)
			continue;
		/* The same IOAS number in the same iommufd context, whatever the fd. */
		err = pasid_mem_iommufd_same(h->ioas.iommufd, o->ioas.iommufd);
		if (err < 0)
			goto fail_unlock;
		if (err > 0) {
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
			" (DPDK has no free malloc heap slot: all RTE_MAX_HEAPS = "
			RTE_STR(RTE_MAX_HEAPS) " are taken. A process that died without "
			"destroying its heap, e.g. a crashed worker, keeps its slot for good: "
			"DPDK cannot take back a dead process's external heap. Restart the "
			"whole process group, primary and workers, to free them; "
			"doc/multi_process.md)" : "");
		goto fail_va;
	}
	h->socket_id = rte_malloc_heap_get_socket(h->name);
	pthread_mutex_lock(&h->lock);
	for (i = 0; i < h->min_segs; i++) {
		err = pasid_mem_grow_one(h);
		if (err < 0)
			break;
	}
	if (err < 0) {
		for (i = 0; i < h->max_segs; i++)
			if (h->segs[i].fd >= 0)
				pasid_mem_release_one(h, i, true);
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
	int err;

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
		/*
		 * A failure leaves this segment (and those not released yet) in
		 * the heap, which stays usable: report EBUSY, go no further.
		 */
		err = pasid_mem_release_one(h, i, false);
		if (err < 0) {
			PMEM_LOG(ERR, "heap %s: cannot destroy, segment %u cannot be released: "
				"%s%s; the heap stays usable, destroy it again later", h->name, i,
				strerror(-err), err == -EBUSY ? " (an allocation raced with destroy: "
				"free it first)" : " (its IOAS unmap failed)");
			pthread_mutex_unlock(&h->lock);
			pthread_mutex_unlock(&pasid_mem_heaps_lock);
			rte_errno = EBUSY;
			return -1;
		}
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
	err = pasid_mem_grow_one(h);
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
		err = pasid_mem_grow_one(h);
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
		err = pasid_mem_release_one(h, i, false);
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
