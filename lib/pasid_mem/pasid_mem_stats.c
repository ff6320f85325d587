/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Copyright(c) 2026 The dpdk-pasid authors
 */
/*
 * Heap statistics, through the API and rte_telemetry:
 *   /pasid_mem/list           names of the heaps
 *   /pasid_mem/stats,<name>   the rte_pasid_mem_stats of one heap
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_telemetry.h>

#include "pasid_dpdk_compat.h"
#include "pasid_mem_private.h"

/* Heap lock held. */
void
pasid_mem_stats_fill(struct rte_pasid_mem_heap *h, struct rte_pasid_mem_stats *st)
{
	struct rte_malloc_socket_stats ms;

	memset(st, 0, sizeof(*st));
	st->page_size = h->src.page_size;
	st->numa_node = h->src.numa_node;
	st->socket_id = h->socket_id;
	st->segments = h->nsegs;
	st->max_segments = h->max_segs;
	st->segment_size = h->seg_size;
	st->bytes_mapped = (uint64_t)h->nsegs * h->seg_size;
	st->bytes_max = (uint64_t)h->max_segs * h->seg_size;
	if (rte_malloc_get_socket_stats(h->socket_id, &ms) == 0) {
		st->bytes_free = ms.heap_freesz_bytes;
		st->bytes_allocated = ms.heap_allocsz_bytes;
		st->largest_free = ms.greatest_free_size;
		st->alloc_count = ms.alloc_count;
	}
	st->map_calls = h->ioas.map_calls;
	st->unmap_calls = h->ioas.unmap_calls;
	st->map_ns = h->ioas.map_ns;
	st->map_ioctl_ns = h->ioas.map_ioctl_ns;
	st->map_file = h->ioas.map_file;
	st->unmap_ns = h->ioas.unmap_ns;
}

int
rte_pasid_mem_stats_get(struct rte_pasid_mem_heap *h, struct rte_pasid_mem_stats *st)
{
	if (h == NULL || st == NULL) {
		rte_errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&h->lock);
	pasid_mem_stats_fill(h, st);
	pthread_mutex_unlock(&h->lock);
	return 0;
}

#define tel_add_u64 pasid_tel_add_dict_u64

static int
tel_list(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	struct rte_pasid_mem_heap *h;

	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	pthread_mutex_lock(&pasid_mem_heaps_lock);
	TAILQ_FOREACH(h, &pasid_mem_heaps, next)
		rte_tel_data_add_array_string(d, h->name);
	pthread_mutex_unlock(&pasid_mem_heaps_lock);
	return 0;
}

static int
tel_stats(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	struct rte_pasid_mem_heap *h;
	struct rte_pasid_mem_stats st;

	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	pthread_mutex_lock(&pasid_mem_heaps_lock);
	TAILQ_FOREACH(h, &pasid_mem_heaps, next)
		if (strcmp(h->name, params) == 0)
			break;
	if (h == NULL) {
		pthread_mutex_unlock(&pasid_mem_heaps_lock);
		return -ENOENT;
	}
	rte_pasid_mem_stats_get(h, &st);
	pthread_mutex_unlock(&pasid_mem_heaps_lock);

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", params);
	rte_tel_data_add_dict_int(d, "socket_id", st.socket_id);
	rte_tel_data_add_dict_int(d, "numa_node", st.numa_node);
	tel_add_u64(d, "page_size", st.page_size);
	tel_add_u64(d, "segment_size", st.segment_size);
	tel_add_u64(d, "segments", st.segments);
	tel_add_u64(d, "max_segments", st.max_segments);
	tel_add_u64(d, "bytes_mapped", st.bytes_mapped);
	tel_add_u64(d, "bytes_max", st.bytes_max);
	tel_add_u64(d, "bytes_free", st.bytes_free);
	tel_add_u64(d, "bytes_allocated", st.bytes_allocated);
	tel_add_u64(d, "largest_free", st.largest_free);
	tel_add_u64(d, "alloc_count", st.alloc_count);
	tel_add_u64(d, "map_calls", st.map_calls);
	tel_add_u64(d, "unmap_calls", st.unmap_calls);
	tel_add_u64(d, "map_ns", st.map_ns);
	tel_add_u64(d, "map_ioctl_ns", st.map_ioctl_ns);
	rte_tel_data_add_dict_int(d, "map_file", st.map_file);
	tel_add_u64(d, "unmap_ns", st.unmap_ns);
	return 0;
}

RTE_INIT(pasid_mem_telemetry_init)
{
	rte_telemetry_register_cmd("/pasid_mem/list", tel_list,
		"Returns the names of the pasid_mem heaps. Takes no parameters");
	rte_telemetry_register_cmd("/pasid_mem/stats", tel_stats,
		"Returns the statistics of a pasid_mem heap. Parameters: heap name");
}
