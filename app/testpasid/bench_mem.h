/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Copyright(c) 2026 The dpdk-pasid authors
 */
/*
 * Shared by the parts of 'bench mem' and 'bench workers': fresh hugepage
 * memory made the way a pasid_mem segment is made, a vfio cdev bound to its
 * own iommufd, timing and medians.
 */
#ifndef BENCH_MEM_H
#define BENCH_MEM_H

#include <stdint.h>

#define BM_MB (1ull << 20)
/* The raw baselines map at an IOVA the heaps never use (heaps: below it). */
#define BM_RAW_IOVA (1ull << 37)

/* Hugepage memory: a memfd of 2 MiB pages, mapped shared and prefaulted. */
struct bm_mem {
	int fd;
	void *va;
	uint64_t len;
};

/*
 * memfd_create(MFD_HUGETLB | 2 MiB), ftruncate, mmap(MAP_SHARED),
 * madvise(MADV_POPULATE_WRITE): what pasid_mem_seg_create() does, so both
 * sides of a comparison start from memory in the same state.
 * Return: 0 or -errno (printed).
 */
int bm_mem_create(uint64_t len, struct bm_mem *m);
void bm_mem_destroy(struct bm_mem *m);

/* A vfio cdev bound to a new iommufd and attached (RID) to a new IOAS. */
struct bm_dev {
	int iommufd, fd;
	uint32_t ioas;
};

int bm_dev_open(const char *cdev, struct bm_dev *d);
void bm_dev_close(struct bm_dev *d);

/* Nanoseconds from the TSC, the clock of pasid_mem's statistics. */
uint64_t bm_now_ns(void);
/* The median of @n values (sorts them). */
uint64_t bm_median(uint64_t *v, unsigned int n);

/* One measured quantity over the rounds, medians printed. */
struct bm_map_result {
	uint64_t map_ns, unmap_ns;	/* pasid_mem's medians, for the type1 comparison */
};

/*
 * bench_mem_map.c: pasid_mem's map and unmap steps against the raw iommufd
 * ioctls on fresh memory of the same kind, in alternating order; @by_va
 * selects IOMMU_IOAS_MAP instead of IOMMU_IOAS_MAP_FILE. Return: 0 or -1.
 */
int bench_mem_map(struct bm_dev *d, uint64_t seg, unsigned int rounds, int by_va,
		struct bm_map_result *res);

/*
 * bench_mem_type1.c: the same memory through a VFIO type1 container on the
 * group of @cdev's device (the cdev must be closed), against pasid_mem's
 * medians in @ours. Prints "type1: not available: <why>" when the kernel or
 * the device cannot. Return: 0 (also when not available) or -1.
 */
int bench_mem_type1(const char *cdev, uint64_t seg, unsigned int rounds,
		const struct bm_map_result *ours);

struct rte_device;
/* bench_workers_mp.c: the first bound PASID-capable device of the iommufd bus, or NULL. */
struct rte_device *bm_pasid_dev(void);

/*
 * bench_workers_mp.c: N domains, each from a secondary process of its own
 * started from this primary, for each of the @nc counts. Return: 0 or -1.
 */
int bench_workers_secondaries(const char *port, const unsigned int *counts, unsigned int nc,
		uint64_t heap);

#endif /* BENCH_MEM_H */
