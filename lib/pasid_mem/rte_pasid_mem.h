/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Copyright(c) 2026 The dpdk-pasid authors
 */
#ifndef RTE_PASID_MEM_H
#define RTE_PASID_MEM_H

/**
 * @file
 * librte_pasid_mem: hugepage memory for one PASID domain (an iommufd IOAS).
 *
 * A heap owns hugepage segments (memfd_create(MFD_HUGETLB) or a hugetlbfs
 * mount, 2 MiB or 1 GiB pages, bound to one NUMA node, prefaulted). Each
 * segment is mapped whole into the IOAS at an IOVA aligned to the page size
 * (IOMMU_IOAS_MAP_FILE, or IOMMU_IOAS_MAP on kernels before 6.13) and is
 * unmapped whole: a mapping is never split. The heap is also a DPDK malloc
 * heap (rte_malloc_heap_create), so rte_malloc_socket(), rte_memzone_reserve()
 * and rte_pktmbuf_pool_create() on rte_pasid_mem_socket_id() return memory
 * whose IOVA (rte_malloc_virt2iova, mbuf buf_iova) is valid in that IOAS and
 * in no other.
 *
 * The library depends on no driver: it only needs the iommufd fd and the IOAS
 * id. It never attaches devices; attach before mapping for the pages to be
 * pinned and charged at map time.
 *
 * Thread safety: creation, destruction, growth and shrinking are serialised
 * per heap; rte_pasid_mem_virt2iova() takes no lock and makes no system call.
 * Multi-process: a heap belongs to the process that creates it (a primary or
 * a secondary, e.g. a PASID worker); its pages are mapped in that process
 * only. Other processes must not allocate from it, and the DPDK objects that
 * point into it (its malloc heap entry, mempools populated from it) are
 * freed only by its owner: doc/multi_process.md says what a crashed owner
 * leaves behind.
 */

#include <stdint.h>
#include <stddef.h>

#include <rte_common.h>
#include <rte_memory.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Longest heap name, with its terminating NUL (the rte_malloc heap limit). */
#define RTE_PASID_MEM_NAMESIZE 32

/** Map with IOMMU_IOAS_MAP (by address) even when IOMMU_IOAS_MAP_FILE works. */
#define RTE_PASID_MEM_F_MAP_BY_VA RTE_BIT32(0)

/** No IOMMU: a value for rte_pasid_mem_conf::iommufd. */
#define RTE_PASID_MEM_NO_IOMMU (-1)

/** How to build a heap. Zero fields take the documented defaults. */
struct rte_pasid_mem_conf {
	/** Heap name, unique in the process, shorter than RTE_PASID_MEM_NAMESIZE. */
	const char *name;
	/**
	 * iommufd file descriptor (/dev/iommu). RTE_PASID_MEM_NO_IOMMU builds
	 * a heap whose IOVAs are reserved but mapped nowhere (tests, sizing).
	 * The heap keeps its own dup() of it until rte_pasid_mem_destroy(), so
	 * the caller may close its fd at any time.
	 */
	int iommufd;
	/** IOAS id (IOMMU_IOAS_ALLOC) the heap maps into. One heap per IOAS. */
	uint32_t ioas_id;
	/** NUMA node of the hugepages, or SOCKET_ID_ANY for the local policy. */
	int numa_node;
	/** Hugepage size: RTE_PGSIZE_2M (0 means this) or RTE_PGSIZE_1G. */
	uint64_t page_size;
	/**
	 * Bytes added per growth step, one IOAS mapping each; a multiple of
	 * page_size. 0: 32 MiB for 2 MiB pages, 1 GiB for 1 GiB pages.
	 */
	uint64_t segment_size;
	/** Bytes allocated, prefaulted and mapped at creation (rounded up to segments). */
	uint64_t initial_size;
	/** Upper limit in bytes (rounded down to segments); must allow one segment. */
	uint64_t max_size;
	/**
	 * A hugetlbfs mount whose page size is page_size, or NULL to use
	 * memfd_create(MFD_HUGETLB).
	 */
	const char *hugetlbfs_dir;
	/** Lowest IOVA the heap may use (0: the bottom of the usable space). */
	uint64_t iova_min;
	/** Highest IOVA the heap may use (0: the top of the usable space). */
	uint64_t iova_max;
	/** RTE_PASID_MEM_F_* flags. */
	uint32_t flags;
};

/** Heap statistics (rte_pasid_mem_stats_get(), telemetry /pasid_mem/stats). */
struct rte_pasid_mem_stats {
	uint64_t page_size;      /**< hugepage size in bytes */
	int numa_node;           /**< NUMA node, or SOCKET_ID_ANY */
	int socket_id;           /**< DPDK malloc socket id of the heap */
	uint32_t segments;       /**< segments present (each is one IOAS mapping) */
	uint32_t max_segments;   /**< segments allowed by max_size */
	uint64_t segment_size;   /**< bytes per segment */
	uint64_t bytes_mapped;   /**< bytes in segments (mapped when the heap has an IOAS) */
	uint64_t bytes_max;      /**< limit (max_segments * segment_size) */
	uint64_t bytes_free;     /**< free bytes in the malloc heap */
	uint64_t bytes_allocated; /**< allocated bytes in the malloc heap */
	uint64_t largest_free;   /**< largest free block in the malloc heap */
	uint32_t alloc_count;    /**< live allocations */
	uint64_t map_calls;      /**< IOAS map ioctls made */
	uint64_t unmap_calls;    /**< IOAS unmap ioctls made */
	/**
	 * nanoseconds in the map step of growth (IOVA range query, IOVA choice,
	 * map ioctl), hugepage allocation excluded
	 */
	uint64_t map_ns;
	uint64_t map_ioctl_ns;   /**< nanoseconds in the map ioctls alone */
	int map_file;            /**< 1: mapped with IOMMU_IOAS_MAP_FILE, 0: IOMMU_IOAS_MAP */
	uint64_t unmap_ns;       /**< nanoseconds in the unmap ioctls (shrink, destroy) */
};

struct rte_pasid_mem_heap;

/**
 * Create a heap: reserve the VA range for max_size, allocate, prefault and map
 * initial_size bytes, and register a DPDK malloc heap named conf->name.
 * Needs an initialised EAL.
 *
 * @param conf
 *   Heap configuration; conf->name is copied.
 * @return
 *   The heap, or NULL with rte_errno set:
 *   - EINVAL: a bad argument (the log says which)
 *   - EEXIST: a heap with this name, or on this IOAS, exists (the IOAS of
 *     the same iommufd context: any dup of the fd, not the fd number)
 *   - ENOMEM: not enough free hugepages (the log says how many are needed and
 *     how to reserve them), RLIMIT_MEMLOCK too low for pinning (the log gives
 *     the limit and the fix), or out of memory
 *   - ENOSPC: no IOVA space left in the IOAS, or DPDK has no free memseg
 *     list or heap slot (RTE_MAX_MEMSEG_LISTS, RTE_MAX_HEAPS; the slots of
 *     processes that died with live heaps are never given back: restart
 *     the process group)
 *   - ENOTSUP: the page size has no hugepage pool on this kernel
 *   - other errno values from the failing system call or ioctl
 *   Nothing is left behind on failure.
 */
struct rte_pasid_mem_heap *
rte_pasid_mem_create(const struct rte_pasid_mem_conf *conf);

/**
 * Destroy a heap: unmap every segment from the IOAS, release the hugepages,
 * destroy the DPDK malloc heap. Every allocation must have been freed.
 *
 * @param heap
 *   The heap; NULL is a no-op returning 0.
 * @return
 *   0, or -1 with rte_errno set: EBUSY when memory is still allocated from
 *   the heap (the heap is left intact), or when a segment cannot be released
 *   (an allocation raced with destroy, or the segment's IOAS unmap failed:
 *   the log says which). Destroy then stops at that segment: the heap stays
 *   usable, with the segments not released yet; call destroy again later.
 */
int
rte_pasid_mem_destroy(struct rte_pasid_mem_heap *heap);

/**
 * Find a heap by name.
 *
 * @return
 *   The heap, or NULL with rte_errno ENOENT (EINVAL for a NULL name).
 */
struct rte_pasid_mem_heap *
rte_pasid_mem_lookup(const char *name);

/**
 * Find the heap whose segments contain @p va (for buses that must not map
 * pasid_mem memory into other domains from their memory event callbacks).
 *
 * @return
 *   The heap, or NULL when @p va is in no heap.
 */
struct rte_pasid_mem_heap *
rte_pasid_mem_heap_of(const void *va);

/**
 * The DPDK malloc socket id of the heap, for rte_malloc_socket(),
 * rte_memzone_reserve() and rte_pktmbuf_pool_create().
 *
 * @return
 *   The socket id (>= 0), or -1 with rte_errno EINVAL for a NULL heap.
 */
int
rte_pasid_mem_socket_id(const struct rte_pasid_mem_heap *heap);

/**
 * Allocate from the heap, growing it by whole segments (up to max_size) when
 * no free block fits. Free with rte_free().
 *
 * @param heap
 *   The heap.
 * @param size
 *   Bytes; not 0.
 * @param align
 *   Alignment, a power of two, or 0 for a cache line.
 * @return
 *   The memory, or NULL with rte_errno set: EINVAL (bad argument), ENOMEM
 *   (the heap is exhausted at max_size or hugepages ran out; the log says
 *   which and what to do), or an error of the growth step.
 */
void *
rte_pasid_mem_alloc(struct rte_pasid_mem_heap *heap, size_t size, unsigned int align);

/**
 * Grow the heap until its largest free block is at least @p bytes long, for
 * users that allocate through rte_malloc/rte_mempool directly (pools cannot
 * grow the heap themselves). One segment holds at most segment_size bytes, so
 * a block larger than a segment can never exist.
 *
 * @return
 *   0, or -1 with rte_errno set: EINVAL (bytes is 0 or above segment_size),
 *   ENOMEM (max_size reached, or hugepages ran out), or an error of the
 *   growth step. Segments added before the failure stay.
 */
int
rte_pasid_mem_reserve(struct rte_pasid_mem_heap *heap, uint64_t bytes);

/**
 * Release every segment that holds no allocation, down to the segments of
 * initial_size. Each released segment is unmapped whole.
 *
 * @return
 *   The number of segments released (>= 0), or -1 with rte_errno set
 *   (EINVAL for a NULL heap, or the error of a failed unmap: that segment
 *   then stays, mapped, with its IOVA reserved, and the next shrink or
 *   destroy retries it; ENOENT, the IOAS no longer holding the mapping, is
 *   not an error).
 */
int
rte_pasid_mem_shrink(struct rte_pasid_mem_heap *heap);

/**
 * Translate a virtual address of the heap to its IOVA in the heap's IOAS.
 * O(1), no lock, no system call: for the data path.
 *
 * @return
 *   The IOVA, or RTE_BAD_IOVA when @p va is not in a present segment.
 */
rte_iova_t
rte_pasid_mem_virt2iova(const struct rte_pasid_mem_heap *heap, const void *va);

/**
 * Read the heap statistics.
 *
 * @return
 *   0, or -1 with rte_errno EINVAL for a NULL argument.
 */
int
rte_pasid_mem_stats_get(struct rte_pasid_mem_heap *heap, struct rte_pasid_mem_stats *stats);

struct rte_mempool;

/**
 * Create a packet mbuf pool whose buffers live in the heap (so their
 * buf_iova is an IOVA of the heap's IOAS) while the pool's own header, ring
 * and bookkeeping live in DPDK's main memory, shared by every process: a
 * process that walks or looks up mempools never touches another process's
 * heap. The memory is taken with rte_pasid_mem_alloc() (the heap grows as
 * needed) and is given back when the pool is freed (rte_mempool_free()).
 *
 * @param name
 *   Pool name, unique among all processes (RTE_MEMPOOL_NAMESIZE).
 * @param n
 *   Number of mbufs.
 * @param cache_size
 *   Per-lcore cache size (see rte_pktmbuf_pool_create()).
 * @param priv_size
 *   Application private area after each mbuf header (multiple of
 *   RTE_MBUF_PRIV_ALIGN).
 * @param data_room_size
 *   Buffer size, headroom included (e.g. RTE_MBUF_DEFAULT_BUF_SIZE).
 * @param heap
 *   The heap, created by the calling process.
 * @return
 *   The pool, or NULL with rte_errno set: EINVAL (bad argument), EEXIST
 *   (the name is taken), ENOMEM (the heap cannot hold the pool: the log
 *   says how many bytes were needed), or the error of the mempool call that
 *   failed. Nothing is left behind on failure.
 */
struct rte_mempool *
rte_pasid_mem_pktmbuf_pool_create(const char *name, unsigned int n, unsigned int cache_size,
				  uint16_t priv_size, uint16_t data_room_size,
				  struct rte_pasid_mem_heap *heap);

#ifdef __cplusplus
}
#endif

#endif /* RTE_PASID_MEM_H */
