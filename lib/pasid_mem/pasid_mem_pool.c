/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Copyright(c) 2026 The dpdk-pasid authors
 */
/*
 * Mbuf pools whose buffers are in a heap and whose bookkeeping is not:
 * rte_pktmbuf_pool_create() on a heap's socket would also put the pool's
 * header and ring in the heap, where only the heap's process can read them,
 * yet every process walks the shared mempool list.
 */
#include <errno.h>
#include <inttypes.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>
#include <rte_mempool.h>

#include "pasid_mem_private.h"

/* Memory chunk of a pool going away (rte_mempool_free()). */
static void
chunk_free(struct rte_mempool_memhdr *memhdr, void *opaque __rte_unused)
{
	rte_free(memhdr->addr);
}

/*
 * Populate @mp from the heap, in chunks of at most half a segment. Objects are
 * laid out back to back from a cache-line aligned start (the mempool's
 * default layout; rte_mempool_ops_calc_mem_size() is not exported in 22.11).
 */
static int
pool_populate(struct rte_mempool *mp, struct rte_pasid_mem_heap *h, unsigned int n)
{
	size_t obj = (size_t)mp->header_size + mp->elt_size + mp->trailer_size;
	size_t per_chunk = (h->seg_size / 2 - RTE_CACHE_LINE_SIZE) / obj;

	if (per_chunk == 0) {
		PMEM_LOG(ERR, "heap %s: an mbuf of pool %s (%zu bytes) does not fit in half a "
			 "segment: raise segment_size", h->name, mp->name, obj);
		return -EINVAL;
	}
	while (mp->populated_size < n) {
		size_t nobj = RTE_MIN((size_t)(n - mp->populated_size), per_chunk);
		size_t size = nobj * obj + RTE_CACHE_LINE_SIZE;
		void *va = rte_pasid_mem_alloc(h, size, RTE_CACHE_LINE_SIZE);
		int ret;

		if (va == NULL) {
			PMEM_LOG(ERR, "heap %s: no room for %zu more bytes of pool %s (%u of %u "
				 "mbufs placed): raise max_size", h->name, size, mp->name,
				 mp->populated_size, n);
			return -ENOMEM;
		}
		ret = rte_mempool_populate_iova(mp, va, rte_pasid_mem_virt2iova(h, va), size,
						chunk_free, NULL);
		if (ret <= 0) {
			rte_free(va);
			return ret < 0 ? ret : -ENOMEM;
		}
	}
	return 0;
}

struct rte_mempool *
rte_pasid_mem_pktmbuf_pool_create(const char *name, unsigned int n, unsigned int cache_size,
				  uint16_t priv_size, uint16_t data_room_size,
				  struct rte_pasid_mem_heap *heap)
{
	struct rte_pktmbuf_pool_private priv = {
		.mbuf_data_room_size = data_room_size,
		.mbuf_priv_size = priv_size,
	};
	struct rte_mempool *mp;
	int ret;

	if (name == NULL || heap == NULL || n == 0 || RTE_ALIGN(priv_size, RTE_MBUF_PRIV_ALIGN) !=
	    priv_size) {
		PMEM_LOG(ERR, "%s: %s", __func__, name == NULL ? "no name" :
			 heap == NULL ? "heap is NULL" : n == 0 ? "no mbufs" :
			 "priv_size is not a multiple of RTE_MBUF_PRIV_ALIGN");
		rte_errno = EINVAL;
		return NULL;
	}
	/* The header and the ring in main memory (SOCKET_ID_ANY), the mbufs in the heap. */
	mp = rte_mempool_create_empty(name, n, sizeof(struct rte_mbuf) + priv_size +
				      data_room_size, cache_size, sizeof(priv), SOCKET_ID_ANY, 0);
	if (mp == NULL)
		return NULL;
	ret = rte_mempool_set_ops_byname(mp, rte_mbuf_best_mempool_ops(), NULL);
	if (ret == 0) {
		rte_pktmbuf_pool_init(mp, &priv);
		ret = pool_populate(mp, heap, n);
	}
	if (ret < 0) {
		PMEM_LOG(ERR, "heap %s: pool %s of %u mbufs: %s", heap->name, name, n,
			 rte_strerror(-ret));
		rte_mempool_free(mp);
		rte_errno = -ret;
		return NULL;
	}
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);
	return mp;
}
