/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Copyright(c) 2026 The dpdk-pasid authors
 */
/*
 * dpdk-testpasid bench mem [--cdev /dev/vfio/devices/vfioN] [--iters N]
 *                          [--seg-mb MB] [--rounds N]
 *
 * pasid_mem benchmarks, each against its baseline in the same run, printed as
 * ratios (absolute times under TCG mean little):
 *  1. allocation + free latency: rte_pasid_mem_alloc/rte_free against
 *     rte_malloc/rte_free on the EAL heap, one-by-one and in batches;
 *  2. map and unmap (needs --cdev, a vfio cdev whose RID is attached to the
 *     IOAS so pages are pinned and IOMMU page tables written at map time):
 *     the heap's map and unmap steps against the raw IOMMU_IOAS_MAP_FILE /
 *     IOMMU_IOAS_UNMAP ioctls on memory of the same kind, cold and warm,
 *     with the breakdown of the heap's map step (bench_mem_map.c), and the
 *     same by address (IOMMU_IOAS_MAP);
 *  3. then, with the cdev closed, the VFIO type1 container on the device's
 *     group (VFIO_IOMMU_MAP_DMA / VFIO_IOMMU_UNMAP_DMA) against pasid_mem's
 *     figures (bench_mem_type1.c).
 * The benchmark binds the device itself: keep the iommufd bus off it with
 * the EAL option -b bus=iommufd,name=pci-<BDF>.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include <rte_pasid_mem.h>

#include "bench_mem.h"
#include "testpasid.h"

#define MB BM_MB
#define BATCH 512

static const size_t sizes[] = { 64, 256, 1500, 2048, 4096, 9000 };

static double
ns_per(uint64_t cycles, uint64_t n)
{
	return (double)cycles * 1e9 / (double)rte_get_tsc_hz() / (double)n;
}

/* One-by-one alloc+free; @h NULL means rte_malloc on the EAL heap. */
static uint64_t
run_single(struct rte_pasid_mem_heap *h, unsigned int iters)
{
	uint64_t t0 = rte_rdtsc_precise();
	unsigned int i;
	void *p;

	for (i = 0; i < iters; i++) {
		size_t sz = sizes[i % RTE_DIM(sizes)];

		p = h ? rte_pasid_mem_alloc(h, sz, 0) : rte_malloc(NULL, sz, 0);
		if (p == NULL)
			return 0;
		*(volatile char *)p = 1;
		rte_free(p);
	}
	return rte_rdtsc_precise() - t0;
}

/* BATCH allocations, then BATCH frees, repeated. */
static uint64_t
run_batch(struct rte_pasid_mem_heap *h, unsigned int iters)
{
	static void *p[BATCH];
	uint64_t t0 = rte_rdtsc_precise();
	unsigned int i, k;

	for (i = 0; i < iters / BATCH; i++) {
		for (k = 0; k < BATCH; k++) {
			size_t sz = sizes[k % RTE_DIM(sizes)];

			p[k] = h ? rte_pasid_mem_alloc(h, sz, 0) : rte_malloc(NULL, sz, 0);
			if (p[k] == NULL) {
				while (k-- > 0)
					rte_free(p[k]);
				return 0;
			}
		}
		for (k = 0; k < BATCH; k++)
			rte_free(p[k]);
	}
	return rte_rdtsc_precise() - t0;
}

static void
print_usage(void)
{
	fprintf(stderr, "usage: dpdk-testpasid [EAL options] -- bench mem [--cdev "
		"/dev/vfio/devices/vfioN] [--iters N] [--seg-mb MB] [--rounds N]\n"
		"  --cdev    vfio cdev of a device bound to vfio-pci, for the map benchmark\n"
		"            (block it from the iommufd bus: -b bus=iommufd,name=pci-<BDF>)\n"
		"  --iters   allocations per latency run (default 200000)\n"
		"  --seg-mb  segment size of the map benchmark in MiB (default 256)\n"
		"  --rounds  map rounds, the median is printed (default 5)\n");
}

int
bench_mem(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cdev", required_argument, NULL, 'c' },
		{ "iters", required_argument, NULL, 'i' },
		{ "seg-mb", required_argument, NULL, 's' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rte_pasid_mem_conf c = {
		.name = "bench_alloc", .iommufd = RTE_PASID_MEM_NO_IOMMU,
		.numa_node = SOCKET_ID_ANY, .segment_size = 64 * MB, .initial_size = 64 * MB,
		.max_size = 64 * MB,
	};
	unsigned int iters = 200000, rounds = 5;
	uint64_t seg = 256 * MB, t_ours, t_ref;
	const char *cdev = NULL;
	struct rte_pasid_mem_heap *h;
	struct bm_map_result res;
	struct bm_dev d;
	int opt, ret = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cdev = optarg;
			break;
		case 'i':
			iters = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seg = strtoull(optarg, NULL, 0) * MB;
			break;
		case 'r':
			rounds = strtoul(optarg, NULL, 0);
			break;
		default:
			print_usage();
			return opt == 'h' ? 0 : 2;
		}
	}
	if (iters < BATCH || rounds == 0 || seg == 0 || seg % RTE_PGSIZE_2M) {
		fprintf(stderr, "bench mem: --iters must be >= %d, --rounds >= 1, --seg-mb a "
			"positive even number\n", BATCH);
		return 2;
	}
	if (cdev != NULL) {
		if (bm_dev_open(cdev, &d) < 0)
			return 1;
		c.iommufd = d.iommufd;
		c.ioas_id = d.ioas;
		c.iova_max = BM_RAW_IOVA - 1;
	}

	/* 1. Allocation latency, each measured twice, interleaved with its baseline. */
	h = rte_pasid_mem_create(&c);
	if (h == NULL) {
		fprintf(stderr, "bench mem: cannot create the heap: %s (see the log)\n",
			rte_strerror(rte_errno));
		ret = 1;
		goto out;
	}
	run_single(h, iters / 10);
	run_single(NULL, iters / 10);
	t_ref = run_single(NULL, iters);
	t_ours = run_single(h, iters);
	if (t_ref == 0 || t_ours == 0) {
		fprintf(stderr, "bench mem: an allocation failed (is EAL memory too small? -m)\n");
		ret = 1;
	} else {
		printf("alloc+free one by one: pasid_mem %.1f ns, rte_malloc %.1f ns, "
			"ratio pasid_mem/rte_malloc %.3f\n", ns_per(t_ours, iters),
			ns_per(t_ref, iters), (double)t_ours / t_ref);
	}
	t_ref = run_batch(NULL, iters);
	t_ours = run_batch(h, iters);
	if (t_ref == 0 || t_ours == 0) {
		fprintf(stderr, "bench mem: a batch allocation failed\n");
		ret = 1;
	} else {
		printf("alloc+free in batches of %d: pasid_mem %.1f ns, rte_malloc %.1f ns, "
			"ratio pasid_mem/rte_malloc %.3f\n", BATCH, ns_per(t_ours, iters),
			ns_per(t_ref, iters), (double)t_ours / t_ref);
	}
	rte_pasid_mem_destroy(h);

	/* 2. Map and unmap against the raw ioctls, by file then by address. */
	if (cdev == NULL) {
		printf("map: skipped (no --cdev: mapping needs a device attached to the IOAS)\n");
		goto out;
	}
	if (bench_mem_map(&d, seg, rounds, 0, &res) < 0) {
		ret = 1;
		goto out;
	}
	if (bench_mem_map(&d, seg, rounds, 1, &(struct bm_map_result){ 0 }) < 0)
		ret = 1;
	/* 3. The type1 baseline: the device leaves its iommufd first. */
	bm_dev_close(&d);
	if (bench_mem_type1(cdev, seg, rounds, &res) < 0)
		ret = 1;
out:
	if (cdev != NULL)
		bm_dev_close(&d);
	return ret;
}
