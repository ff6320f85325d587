/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Copyright(c) 2026 The dpdk-pasid authors
 */
/*
 * The map part of 'bench mem': a heap's map and unmap steps (one segment
 * grown by rte_pasid_mem_reserve(), released by rte_pasid_mem_shrink(), the
 * times read from its statistics) against the raw ioctls on memory of the
 * same kind, made the same way (bm_mem_create(): hugepages allocated and
 * prefaulted, never mapped before: "cold"), in the same IOAS, the two sides
 * taking turns to go first. Each round also maps the raw memory a second time
 * ("warm": pages mapped and unmapped once before), which is what the earlier
 * baseline measured (it mapped the heap's memory after the heap had).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/iommufd.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include <rte_pasid_mem.h>

#include "bench_mem.h"

/* Per round: one value of each measured quantity. */
enum {
	P_MAP,		/* pasid_mem: map step (stats map_ns) */
	P_IOCTL,	/* pasid_mem: its map ioctl (stats map_ioctl_ns) */
	P_REST,		/* pasid_mem: map step minus its ioctl, per round */
	P_GROW,		/* pasid_mem: the whole growth (rte_pasid_mem_reserve) */
	P_UNMAP,	/* pasid_mem: unmap (stats unmap_ns) */
	R_MAP,		/* raw: map ioctl, cold memory */
	R_GROW,		/* raw: hugepages + prefault + map ioctl */
	R_UNMAP,	/* raw: unmap ioctl */
	R_WARM_MAP,	/* raw: map ioctl, memory mapped once before */
	R_WARM_UNMAP,
	R_QUERY,	/* raw: one IOMMU_IOAS_IOVA_RANGES */
	NB_Q,
};

static int
raw_map(const struct bm_dev *d, const struct bm_mem *m, int by_va, uint64_t *ns)
{
	const uint32_t flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
		IOMMU_IOAS_MAP_WRITEABLE;
	uint64_t t0;
	int rc;

	t0 = bm_now_ns();
	if (!by_va) {
		struct iommu_ioas_map_file f = {
			.size = sizeof(f), .flags = flags, .ioas_id = d->ioas, .fd = m->fd,
			.start = 0, .length = m->len, .iova = BM_RAW_IOVA,
		};
		rc = ioctl(d->iommufd, IOMMU_IOAS_MAP_FILE, &f);
	} else {
		struct iommu_ioas_map v = {
			.size = sizeof(v), .flags = flags, .ioas_id = d->ioas,
			.user_va = (uintptr_t)m->va, .length = m->len, .iova = BM_RAW_IOVA,
		};
		rc = ioctl(d->iommufd, IOMMU_IOAS_MAP, &v);
	}
	*ns = bm_now_ns() - t0;
	if (rc < 0)
		fprintf(stderr, "bench mem: raw %s of %" PRIu64 " bytes: %s\n",
			by_va ? "IOMMU_IOAS_MAP" : "IOMMU_IOAS_MAP_FILE", m->len, strerror(errno));
	return rc;
}

static int
raw_unmap(const struct bm_dev *d, uint64_t len, uint64_t *ns)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = d->ioas, .iova = BM_RAW_IOVA, .length = len,
	};
	uint64_t t0;
	int rc;

	t0 = bm_now_ns();
	rc = ioctl(d->iommufd, IOMMU_IOAS_UNMAP, &u);
	*ns = bm_now_ns() - t0;
	if (rc < 0)
		fprintf(stderr, "bench mem: raw IOMMU_IOAS_UNMAP: %s\n", strerror(errno));
	return rc;
}

/* One IOMMU_IOAS_IOVA_RANGES call with room for the answer, as pasid_mem makes it. */
static uint64_t
raw_query(const struct bm_dev *d)
{
	struct iommu_iova_range r[8];
	struct iommu_ioas_iova_ranges q = {
		.size = sizeof(q), .ioas_id = d->ioas, .num_iovas = RTE_DIM(r),
		.allowed_iovas = (uintptr_t)r,
	};
	uint64_t t0 = bm_now_ns();

	if (ioctl(d->iommufd, IOMMU_IOAS_IOVA_RANGES, &q) < 0)
		fprintf(stderr, "bench mem: IOMMU_IOAS_IOVA_RANGES: %s\n", strerror(errno));
	return bm_now_ns() - t0;
}

/* The raw side's cold map: fresh memory, mapped. */
static int
raw_cold_map(const struct bm_dev *d, struct bm_mem *m, uint64_t seg, int by_va,
		uint64_t *q[NB_Q], unsigned int r)
{
	uint64_t t0 = bm_now_ns();
	int rc;

	if (bm_mem_create(seg, m) < 0)
		return -1;
	rc = raw_map(d, m, by_va, &q[R_MAP][r]);
	q[R_GROW][r] = bm_now_ns() - t0;
	if (rc < 0) {
		bm_mem_destroy(m);
		return rc;
	}
	/*
	 * The heap's memory is written between its map and unmap (DPDK's
	 * rte_malloc_heap_memory_add() zeroes it): so is this, untimed, so
	 * that both unmaps find the memory, and the caches, in the same state.
	 */
	memset(m->va, 0, m->len);
	return 0;
}

/* The raw side's unmap, then the same memory mapped and unmapped again (warm). */
static int
raw_unmap_warm(const struct bm_dev *d, struct bm_mem *m, int by_va, uint64_t *q[NB_Q],
		unsigned int r)
{
	int rc = raw_unmap(d, m->len, &q[R_UNMAP][r]);

	rc = rc ?: raw_map(d, m, by_va, &q[R_WARM_MAP][r]);
	rc = rc ?: raw_unmap(d, m->len, &q[R_WARM_UNMAP][r]);
	q[R_QUERY][r] = raw_query(d);
	bm_mem_destroy(m);
	return rc;
}

/* The heap's side: grow by one segment (its map step). */
static int
heap_map(struct rte_pasid_mem_heap *h, uint64_t *q[NB_Q], unsigned int r)
{
	struct rte_pasid_mem_stats a, b;
	uint64_t t0;

	rte_pasid_mem_stats_get(h, &a);
	t0 = bm_now_ns();
	if (rte_pasid_mem_reserve(h, BM_MB) != 0) {
		fprintf(stderr, "bench mem: growing the heap: %s (see the log)\n",
			rte_strerror(rte_errno));
		return -1;
	}
	q[P_GROW][r] = bm_now_ns() - t0;
	rte_pasid_mem_stats_get(h, &b);
	if (b.map_calls != a.map_calls + 1) {
		fprintf(stderr, "bench mem: the heap made %" PRIu64 " map calls for one segment\n",
			b.map_calls - a.map_calls);
		return -1;
	}
	q[P_MAP][r] = b.map_ns - a.map_ns;
	q[P_IOCTL][r] = b.map_ioctl_ns - a.map_ioctl_ns;
	q[P_REST][r] = q[P_MAP][r] - q[P_IOCTL][r];
	return 0;
}

/* The heap's side: release the segment (its unmap step). */
static int
heap_unmap(struct rte_pasid_mem_heap *h, uint64_t *q[NB_Q], unsigned int r)
{
	struct rte_pasid_mem_stats a, b;
	int n;

	rte_pasid_mem_stats_get(h, &a);
	n = rte_pasid_mem_shrink(h);
	rte_pasid_mem_stats_get(h, &b);
	if (n != 1 || b.unmap_calls != a.unmap_calls + 1) {
		fprintf(stderr, "bench mem: the heap did not release one segment (shrink %d, "
			"%" PRIu64 " unmaps)\n", n, b.unmap_calls - a.unmap_calls);
		return -1;
	}
	q[P_UNMAP][r] = b.unmap_ns - a.unmap_ns;
	return 0;
}

/*
 * One round; the side that maps first also unmaps first, so each step of
 * either side follows the same step of the other or nothing:
 * even rounds heap map, raw map, heap unmap, raw unmap; odd rounds the
 * other way round.
 */
static int
one_round(const struct bm_dev *d, struct rte_pasid_mem_heap *h, uint64_t seg, int by_va,
		uint64_t *q[NB_Q], unsigned int r)
{
	struct bm_mem m;

	if (r & 1) {
		if (raw_cold_map(d, &m, seg, by_va, q, r) < 0)
			return -1;
		if (heap_map(h, q, r) < 0) {
			raw_unmap_warm(d, &m, by_va, q, r);
			return -1;
		}
		return raw_unmap_warm(d, &m, by_va, q, r) | heap_unmap(h, q, r);
	}
	if (heap_map(h, q, r) < 0)
		return -1;
	if (raw_cold_map(d, &m, seg, by_va, q, r) < 0)
		return -1;
	return heap_unmap(h, q, r) | raw_unmap_warm(d, &m, by_va, q, r);
}

/* Nanoseconds of one clock read (the heap's map step makes one more than the raw timing). */
static uint64_t
clock_read_ns(void)
{
	uint64_t t0 = bm_now_ns();
	unsigned int i;

	for (i = 0; i < 1000; i++)
		bm_now_ns();
	return (bm_now_ns() - t0) / 1000;
}

static double
ms(uint64_t ns)
{
	return ns / 1e6;
}

static void
print_results(uint64_t *q[NB_Q], uint64_t m[NB_Q], uint64_t seg, unsigned int rounds,
		int by_va)
{
	const char *how = by_va ? "IOMMU_IOAS_MAP" : "IOMMU_IOAS_MAP_FILE";
	unsigned int i;

	for (i = 0; i < NB_Q; i++)
		m[i] = bm_median(q[i], rounds);
	printf("map %-22s %4" PRIu64 " MiB: pasid_mem %8.3f ms (%6.2f GB/s), raw ioctl %8.3f ms "
		"(%6.2f GB/s), ratio raw/pasid_mem %.3f\n", how, seg >> 20,
		ms(m[P_MAP]), (double)seg / m[P_MAP], ms(m[R_MAP]), (double)seg / m[R_MAP],
		(double)m[R_MAP] / m[P_MAP]);
	printf("    breakdown: the map ioctl inside pasid_mem %8.3f ms (ratio raw/that ioctl "
		"%.3f), the rest of its map step (IOVA choice, a clock read) %8.3f ms; for "
		"scale: one IOMMU_IOAS_IOVA_RANGES %6.3f ms (pasid_mem: one per heap, "
		"at its first growth), one clock read %6.4f ms\n",
		ms(m[P_IOCTL]), (double)m[R_MAP] / m[P_IOCTL], ms(m[P_REST]), ms(m[R_QUERY]),
		ms(clock_read_ns()));
	printf("    warm: the raw ioctl on memory it mapped once before %8.3f ms, ratio "
		"cold/warm %.3f (the former baseline mapped the heap's pages after the heap "
		"had: warm against cold)\n", ms(m[R_WARM_MAP]),
		(double)m[R_MAP] / m[R_WARM_MAP]);
	printf("    growth (hugepages, prefault, map): pasid_mem %8.3f ms, raw %8.3f ms, "
		"ratio raw/pasid_mem %.3f\n", ms(m[P_GROW]), ms(m[R_GROW]),
		(double)m[R_GROW] / m[P_GROW]);
	printf("unmap %-20s %4" PRIu64 " MiB: pasid_mem %8.3f ms (%6.2f GB/s), raw ioctl %8.3f "
		"ms (%6.2f GB/s), ratio raw/pasid_mem %.3f (warm raw %8.3f ms)\n",
		"IOMMU_IOAS_UNMAP", seg >> 20, ms(m[P_UNMAP]), (double)seg / m[P_UNMAP],
		ms(m[R_UNMAP]), (double)seg / m[R_UNMAP], (double)m[R_UNMAP] / m[P_UNMAP],
		ms(m[R_WARM_UNMAP]));
	printf("    (medians of %u rounds after one warm-up round; cold: hugepages allocated "
		"and prefaulted, never mapped before; the two sides alternate which goes "
		"first)\n", rounds);
}

int
bench_mem_map(struct bm_dev *d, uint64_t seg, unsigned int rounds, int by_va,
		struct bm_map_result *res)
{
	struct rte_pasid_mem_conf c = {
		.name = by_va ? "bench_map_va" : "bench_map", .iommufd = d->iommufd,
		.ioas_id = d->ioas, .numa_node = SOCKET_ID_ANY, .page_size = RTE_PGSIZE_2M,
		.segment_size = seg, .initial_size = 0, .max_size = seg,
		.iova_max = BM_RAW_IOVA - 1, .flags = by_va ? RTE_PASID_MEM_F_MAP_BY_VA : 0,
	};
	uint64_t *q[NB_Q] = { NULL }, m[NB_Q];
	struct rte_pasid_mem_heap *h;
	unsigned int i, r = 0;
	int ret = -1;

	for (i = 0; i < NB_Q; i++) {
		q[i] = calloc(rounds, sizeof(uint64_t));
		if (q[i] == NULL)
			goto out;
	}
	h = rte_pasid_mem_create(&c);
	if (h == NULL) {
		fprintf(stderr, "bench mem: heap of %" PRIu64 " MiB segments: %s (see the log)\n",
			seg >> 20, rte_strerror(rte_errno));
		goto out;
	}
	/* A warm-up round (the heap reads the IOVA ranges at its first growth). */
	if (one_round(d, h, seg, by_va, q, 0) == 0)
		for (r = 0; r < rounds; r++)
			if (one_round(d, h, seg, by_va, q, r) < 0)
				break;
	rte_pasid_mem_destroy(h);
	if (r == rounds) {
		print_results(q, m, seg, rounds, by_va);
		res->map_ns = m[P_MAP];
		res->unmap_ns = m[P_UNMAP];
		ret = 0;
	}
out:
	for (i = 0; i < NB_Q; i++)
		free(q[i]);
	return ret;
}
