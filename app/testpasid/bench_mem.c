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
 *  2. map throughput (needs --cdev, a vfio cdev whose RID is attached to the
 *     IOAS so pages are pinned and IOMMU page tables written at map time):
 *     the heap's map step against the raw IOMMU_IOAS_MAP_FILE ioctl on the
 *     same memory (the heap's own memfd, reopened through
 *     /proc/self/map_files), and the same for IOMMU_IOAS_MAP by address.
 *     The benchmark binds the device itself: keep the iommufd bus off it
 *     with the EAL option -b bus=iommufd,name=pci-<BDF>.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include <rte_pasid_mem.h>

#include "testpasid.h"

#define MB (1ull << 20)
#define BATCH 512
/* The raw baseline maps at an IOVA the heap never uses (heap: below it). */
#define RAW_IOVA (1ull << 37)

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

struct dev {
	int iommufd, fd;
	uint32_t ioas;
};

static int
dev_open(const char *cdev, struct dev *d)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	struct iommu_ioas_alloc a = { .size = sizeof(a) };

	d->fd = -1;
	d->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (d->iommufd < 0) {
		fprintf(stderr, "bench mem: cannot open /dev/iommu: %s\n", strerror(errno));
		return -1;
	}
	d->fd = open(cdev, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		fprintf(stderr, "bench mem: cannot open %s: %s\n", cdev, strerror(errno));
		goto fail;
	}
	bind.iommufd = d->iommufd;
	if (ioctl(d->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0) {
		fprintf(stderr, "bench mem: VFIO_DEVICE_BIND_IOMMUFD on %s: %s\n", cdev,
			strerror(errno));
		goto fail;
	}
	if (ioctl(d->iommufd, IOMMU_IOAS_ALLOC, &a) < 0) {
		fprintf(stderr, "bench mem: IOMMU_IOAS_ALLOC: %s\n", strerror(errno));
		goto fail;
	}
	d->ioas = a.out_ioas_id;
	at.pt_id = d->ioas;
	if (ioctl(d->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) < 0) {
		fprintf(stderr, "bench mem: attaching %s to IOAS %u: %s\n", cdev, d->ioas,
			strerror(errno));
		goto fail;
	}
	return 0;
fail:
	if (d->fd >= 0)
		close(d->fd);
	close(d->iommufd);
	return -1;
}

static void
dev_close(struct dev *d)
{
	close(d->fd);
	close(d->iommufd);
}

/* Raw baseline: map @len bytes (by @fd, or by @va when fd < 0), unmap; ns of the map. */
static int64_t
raw_map(struct dev *d, int fd, void *va, uint64_t len)
{
	const uint32_t flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
		IOMMU_IOAS_MAP_WRITEABLE;
	struct iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = d->ioas, .iova = RAW_IOVA, .length = len,
	};
	uint64_t t0, t;
	int rc;

	t0 = rte_rdtsc_precise();
	if (fd >= 0) {
		struct iommu_ioas_map_file m = {
			.size = sizeof(m), .flags = flags, .ioas_id = d->ioas, .fd = fd,
			.start = 0, .length = len, .iova = RAW_IOVA,
		};
		rc = ioctl(d->iommufd, IOMMU_IOAS_MAP_FILE, &m);
	} else {
		struct iommu_ioas_map m = {
			.size = sizeof(m), .flags = flags, .ioas_id = d->ioas,
			.user_va = (uintptr_t)va, .length = len, .iova = RAW_IOVA,
		};
		rc = ioctl(d->iommufd, IOMMU_IOAS_MAP, &m);
	}
	t = rte_rdtsc_precise() - t0;
	if (rc < 0) {
		fprintf(stderr, "bench mem: raw map of %" PRIu64 " bytes: %s\n", len,
			strerror(errno));
		return -1;
	}
	ioctl(d->iommufd, IOMMU_IOAS_UNMAP, &u);
	return (int64_t)(ns_per(t, 1));
}

/* Start of the @len-byte mapping that contains @va, from /proc/self/maps. */
static uint8_t *
segment_of(const void *va, uint64_t len)
{
	unsigned long start, end;
	uint8_t *found = NULL;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "re");

	if (f == NULL)
		return NULL;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%lx-%lx", &start, &end) != 2)
			continue;
		if ((uintptr_t)va >= start && (uintptr_t)va < end) {
			if (end - start == len)
				found = (uint8_t *)(uintptr_t)start;
			break;
		}
	}
	fclose(f);
	return found;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median over @rounds of the heap's map step and of the raw ioctl, same memory. */
static int
bench_map(struct dev *d, uint64_t seg, unsigned int rounds, bool by_va)
{
	uint64_t *ours = calloc(rounds, sizeof(*ours)), *raw = calloc(rounds, sizeof(*raw));
	uint64_t *ioctl_ns = calloc(rounds, sizeof(*ioctl_ns));
	struct rte_pasid_mem_conf c = {
		.name = "bench_map", .iommufd = d->iommufd, .ioas_id = d->ioas,
		.numa_node = SOCKET_ID_ANY, .segment_size = seg, .initial_size = seg,
		.max_size = seg, .iova_max = RAW_IOVA - 1,
		.flags = by_va ? RTE_PASID_MEM_F_MAP_BY_VA : 0,
	};
	struct rte_pasid_mem_stats st;
	struct rte_pasid_mem_heap *h;
	unsigned int r;
	int ret = -1;

	if (ours == NULL || raw == NULL || ioctl_ns == NULL)
		goto out;
	for (r = 0; r < rounds; r++) {
		char path[96];
		uint8_t *p, *probe;
		int64_t ns;
		int fd = -1;

		h = rte_pasid_mem_create(&c);
		if (h == NULL) {
			fprintf(stderr, "bench mem: heap of %" PRIu64 " MiB: %s (see the log)\n",
				seg >> 20, rte_strerror(rte_errno));
			goto out;
		}
		rte_pasid_mem_stats_get(h, &st);
		ours[r] = st.map_ns;
		ioctl_ns[r] = st.map_ioctl_ns;
		/* The heap's own memory: the mapping (VMA) that holds a block. */
		probe = rte_pasid_mem_alloc(h, 64, 0);
		p = segment_of(probe, seg);
		if (p == NULL) {
			fprintf(stderr, "bench mem: no %" PRIu64 "-byte mapping around %p in "
				"/proc/self/maps\n", seg, (void *)probe);
		} else if (!by_va) {
			snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx",
				(unsigned long)(uintptr_t)p, (unsigned long)(uintptr_t)(p + seg));
			fd = open(path, O_RDWR | O_CLOEXEC);
			if (fd < 0)
				fprintf(stderr, "bench mem: cannot reopen the heap's memfd "
					"(%s): %s (needs CAP_SYS_ADMIN)\n", path,
					strerror(errno));
		}
		ns = p != NULL && (by_va || fd >= 0) ? raw_map(d, fd, p, seg) : -1;
		if (fd >= 0)
			close(fd);
		raw[r] = ns < 0 ? 0 : (uint64_t)ns;
		rte_free(probe);
		rte_pasid_mem_destroy(h);
		if (ns < 0)
			goto out;
	}
	qsort(ours, rounds, sizeof(*ours), cmp_u64);
	qsort(raw, rounds, sizeof(*raw), cmp_u64);
	qsort(ioctl_ns, rounds, sizeof(*ioctl_ns), cmp_u64);
	printf("map %-22s %4" PRIu64 " MiB: pasid_mem %8.3f ms (%6.2f GB/s), raw ioctl %8.3f ms "
		"(%6.2f GB/s), ratio raw/pasid_mem %.3f\n",
		by_va ? "IOMMU_IOAS_MAP" : "IOMMU_IOAS_MAP_FILE", seg >> 20,
		ours[rounds / 2] / 1e6, (double)seg / ours[rounds / 2],
		raw[rounds / 2] / 1e6, (double)seg / raw[rounds / 2],
		(double)raw[rounds / 2] / ours[rounds / 2]);
	printf("    of which the map ioctl inside pasid_mem %8.3f ms: ratio raw/that ioctl %.3f "
		"(medians of %u rounds)\n", ioctl_ns[rounds / 2] / 1e6,
		(double)raw[rounds / 2] / ioctl_ns[rounds / 2], rounds);
	ret = 0;
out:
	free(ours);
	free(raw);
	free(ioctl_ns);
	return ret;
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
	struct dev d;
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
		if (dev_open(cdev, &d) < 0)
			return 1;
		c.iommufd = d.iommufd;
		c.ioas_id = d.ioas;
		c.iova_max = RAW_IOVA - 1;
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

	/* 2. Map throughput against the raw ioctls. */
	if (cdev == NULL) {
		printf("map: skipped (no --cdev: mapping needs a device attached to the IOAS)\n");
	} else {
		if (bench_map(&d, seg, rounds, false) < 0 || bench_map(&d, seg, rounds, true) < 0)
			ret = 1;
	}
out:
	if (cdev != NULL)
		dev_close(&d);
	return ret;
}
