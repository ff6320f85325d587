/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Copyright(c) 2026 The dpdk-pasid authors
 */
#ifndef PASID_MEM_PRIVATE_H
#define PASID_MEM_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/queue.h>

#include <rte_log.h>

#include "rte_pasid_mem.h"

extern int pasid_mem_logtype;
#define PMEM_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, pasid_mem_logtype, "pasid_mem: " fmt "\n", ##__VA_ARGS__)

/* ---- segments (pasid_mem_segment.c) ---- */

/** One hugepage segment: a file of whole hugepages mapped at a fixed VA. */
struct pasid_mem_seg {
	int fd;                /**< memfd or unlinked hugetlbfs file; -1 when the slot is empty */
	void *va;              /**< start, inside the heap's VA reservation */
	uint64_t len;          /**< bytes, a multiple of the page size */
	rte_iova_t iova;       /**< IOVA of va; RTE_BAD_IOVA while not mapped */
	bool added;            /**< registered with the DPDK malloc heap */
};

/** What a segment is made of. */
struct pasid_mem_seg_src {
	const char *heap;      /**< heap name, for file names and messages */
	uint64_t page_size;
	int numa_node;         /**< node or SOCKET_ID_ANY */
	const char *hugetlbfs_dir; /**< NULL: memfd_create */
};

int pasid_mem_hugepage_check(const struct pasid_mem_seg_src *src, uint64_t len);
int pasid_mem_seg_create(const struct pasid_mem_seg_src *src, void *va, uint64_t len,
		struct pasid_mem_seg *seg);
void pasid_mem_seg_destroy(struct pasid_mem_seg *seg);
int pasid_mem_va_reserve(uint64_t len, uint64_t align, void **va);
void pasid_mem_va_release(void *va, uint64_t len);

/* ---- IOVA allocator (pasid_mem_iova.c) ---- */

/** An inclusive IOVA range [start, last]. */
struct pasid_iova_range {
	uint64_t start;
	uint64_t last;
};

int pasid_iova_find(const struct pasid_iova_range *avail, unsigned int n_avail,
		const struct pasid_iova_range *used, unsigned int n_used,
		uint64_t size, uint64_t align, uint64_t *iova);

/* ---- IOAS mapping (pasid_mem_map.c) ---- */

/** The IOAS a heap maps into. */
struct pasid_mem_ioas {
	int iommufd;           /**< RTE_PASID_MEM_NO_IOMMU: nothing is mapped */
	uint32_t ioas_id;
	bool map_file;         /**< IOMMU_IOAS_MAP_FILE works (Linux 6.13+) */
	int cap_ipc_lock;      /**< the process holds CAP_IPC_LOCK; -1 not yet known */
	uint64_t map_calls, unmap_calls;
	uint64_t map_ns;               /**< the whole map step of growth */
	uint64_t map_ioctl_ns;         /**< the map ioctls alone */
	uint64_t map_end_ns;           /**< pmem_now_ns() when the last map ioctl returned */
	uint64_t unmap_ns;             /**< the unmap ioctls */
};

int pasid_mem_ioas_ranges(const struct pasid_mem_ioas *ioas, uint64_t iova_min,
		uint64_t iova_max, struct pasid_iova_range **ranges, unsigned int *n);
/*
 * Map @seg at @iova. Errors are logged, except EINVAL (a reserved IOVA) when
 * @may_retry: the caller reads the IOVA ranges again and retries.
 */
int pasid_mem_ioas_map(struct pasid_mem_ioas *ioas, const struct pasid_mem_seg *seg,
		uint64_t iova, bool may_retry);
/* -ENOMEM (logged, with the limit and the fix) when @len alone is above RLIMIT_MEMLOCK. */
int pasid_mem_memlock_precheck(struct pasid_mem_ioas *ioas, uint64_t len);
int pasid_mem_ioas_unmap(struct pasid_mem_ioas *ioas, uint64_t iova, uint64_t len);
void pasid_mem_memlock_explain(uint64_t len);

/* ---- the heap's iommufd context (pasid_mem_ctx.c) ---- */

/*
 * Point @ioas at a duplicate of @iommufd (RTE_PASID_MEM_NO_IOMMU: none), so
 * the heap's context outlives the caller's fd. Return: 0 or -errno (logged).
 */
int pasid_mem_ioas_hold(struct pasid_mem_ioas *ioas, int iommufd);
/* Close the duplicate of pasid_mem_ioas_hold() (none: nothing). */
void pasid_mem_ioas_drop(struct pasid_mem_ioas *ioas);
/*
 * Whether iommufds @a and @b are one context (one open of /dev/iommu),
 * asked of the kernel with a probe IOAS made and destroyed through @a.
 * Return: 1 same, 0 different, -errno when an ioctl fails (logged).
 */
int pasid_mem_iommufd_same(int a, int b);

/* ---- heap (pasid_mem_heap.c; its configuration: pasid_mem_conf.c) ---- */

struct rte_pasid_mem_heap {
	TAILQ_ENTRY(rte_pasid_mem_heap) next;
	char name[RTE_PASID_MEM_NAMESIZE];
	pthread_mutex_t lock;           /**< growth, shrink, stats */
	struct pasid_mem_seg_src src;
	struct pasid_mem_ioas ioas;
	uint64_t iova_min, iova_max;
	int socket_id;
	uint8_t *base;                  /**< VA reservation for max_size */
	uint64_t seg_size;
	uint32_t max_segs;
	uint32_t min_segs;              /**< segments of initial_size, kept by shrink */
	uint32_t nsegs;
	struct pasid_mem_seg *segs;     /**< max_segs slots, slot i at base + i * seg_size */
	rte_iova_t *seg_iova;           /**< per slot IOVA for virt2iova, RTE_BAD_IOVA if empty */
	/**
	 * The usable IOVA ranges within [iova_min, iova_max], read at the
	 * first growth and again when the kernel refuses an IOVA taken from
	 * them (NULL: not read yet); pasid_mem_grow.c.
	 */
	struct pasid_iova_range *ranges;
	unsigned int n_ranges;
	/** max_segs entries: the IOVA choice's list of used blocks (no allocation per growth) */
	struct pasid_iova_range *iova_used;
};

TAILQ_HEAD(pasid_mem_heap_list, rte_pasid_mem_heap);
extern struct pasid_mem_heap_list pasid_mem_heaps;
extern pthread_mutex_t pasid_mem_heaps_lock;

/*
 * Check every field of @c (each error logged with the field and the fix) and
 * derive the geometry into @h: name, segment source, IOAS, IOVA window,
 * segment size and slots. Return: 0, -EINVAL (bad configuration) or -ENOMEM.
 */
int pasid_mem_conf_apply(const struct rte_pasid_mem_conf *c, struct rte_pasid_mem_heap *h);

void pasid_mem_stats_fill(struct rte_pasid_mem_heap *heap, struct rte_pasid_mem_stats *st);

/* ---- growth and release of segments (pasid_mem_grow.c); heap lock held ---- */

/* Add one segment in the lowest free slot. Return: 0 or -errno (logged). */
int pasid_mem_grow_one(struct rte_pasid_mem_heap *h);
/*
 * Remove the segment in @slot whole. Return: 0, -EBUSY while it holds an
 * allocation, or -errno of a failed unmap (the segment then stays in its
 * slot with its IOVA reserved, unless @force).
 */
int pasid_mem_release_one(struct rte_pasid_mem_heap *h, unsigned int slot, bool force);

/* pasid_mem_map.c: monotonic nanoseconds (map timings). */
uint64_t pmem_now_ns(void);

#endif /* PASID_MEM_PRIVATE_H */
