/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Copyright(c) 2026 The dpdk-pasid authors
 */
/*
 * The type1 baseline of 'bench mem': the legacy path a DPDK user takes
 * without this project, a VFIO container (/dev/vfio/vfio) with
 * VFIO_TYPE1v2_IOMMU on the group of the same device, mapping the same kind
 * of memory (fresh 2 MiB hugepages, prefaulted) with VFIO_IOMMU_MAP_DMA, by
 * address, and unmapping it with VFIO_IOMMU_UNMAP_DMA. A device cannot be
 * bound through its cdev and its group at once: this runs after the iommufd
 * part has closed the cdev.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/vfio.h>

#include "bench_mem.h"

struct type1 {
	int container, group;
};

/* The IOMMU group number of the device behind /dev/vfio/devices/vfioN. */
static int
group_of(const char *cdev, char *why, size_t len)
{
	const char *name = strrchr(cdev, '/');
	char path[192], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/vfio-dev/%s/device/iommu_group",
		name ? name + 1 : cdev);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		snprintf(why, len, "%s: %s (no IOMMU group)", path, strerror(errno));
		return -1;
	}
	link[n] = '\0';
	return atoi(strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
}

static int
type1_open(const char *cdev, struct type1 *t, char *why, size_t len)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[64];
	int g;

	t->container = t->group = -1;
	g = group_of(cdev, why, len);
	if (g < 0)
		return -1;
	t->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (t->container < 0) {
		snprintf(why, len, "/dev/vfio/vfio: %s (the kernel needs CONFIG_VFIO_CONTAINER "
			"and CONFIG_VFIO_IOMMU_TYPE1, or IOMMUFD_VFIO_CONTAINER)", strerror(errno));
		return -1;
	}
	if (ioctl(t->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(t->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1) {
		snprintf(why, len, "the container has no VFIO_TYPE1v2_IOMMU (CONFIG_VFIO_IOMMU_TYPE1)");
		return -1;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", g);
	t->group = open(path, O_RDWR | O_CLOEXEC);
	if (t->group < 0) {
		snprintf(why, len, "%s: %s (the kernel needs CONFIG_VFIO_GROUP)", path,
			strerror(errno));
		return -1;
	}
	if (ioctl(t->group, VFIO_GROUP_GET_STATUS, &st) < 0 ||
	    !(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		snprintf(why, len, "group %d is not viable (every device of the group must be "
			"bound to vfio-pci)", g);
		return -1;
	}
	if (ioctl(t->group, VFIO_GROUP_SET_CONTAINER, &t->container) < 0) {
		snprintf(why, len, "VFIO_GROUP_SET_CONTAINER on group %d: %s%s", g,
			strerror(errno), errno == EBUSY ? " (the device is still bound to an "
			"iommufd through its cdev)" : "");
		return -1;
	}
	if (ioctl(t->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0) {
		snprintf(why, len, "VFIO_SET_IOMMU(VFIO_TYPE1v2_IOMMU): %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void
type1_close(struct type1 *t)
{
	if (t->group >= 0) {
		ioctl(t->group, VFIO_GROUP_UNSET_CONTAINER);
		close(t->group);
	}
	if (t->container >= 0)
		close(t->container);
}

/* One round: map fresh memory, unmap it; the two times in @map and @unmap. */
static int
type1_round(const struct type1 *t, uint64_t seg, uint64_t *map, uint64_t *unmap)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = BM_RAW_IOVA, .size = seg,
	};
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .iova = BM_RAW_IOVA, .size = seg,
	};
	struct bm_mem mem;
	uint64_t t0;
	int rc;

	if (bm_mem_create(seg, &mem) < 0)
		return -1;
	m.vaddr = (uintptr_t)mem.va;
	t0 = bm_now_ns();
	rc = ioctl(t->container, VFIO_IOMMU_MAP_DMA, &m);
	*map = bm_now_ns() - t0;
	if (rc < 0) {
		fprintf(stderr, "bench mem: VFIO_IOMMU_MAP_DMA of %" PRIu64 " bytes: %s\n", seg,
			strerror(errno));
	} else {
		memset(mem.va, 0, seg);	/* written between map and unmap, as on the other sides */
		t0 = bm_now_ns();
		rc = ioctl(t->container, VFIO_IOMMU_UNMAP_DMA, &u);
		*unmap = bm_now_ns() - t0;
		if (rc < 0)
			fprintf(stderr, "bench mem: VFIO_IOMMU_UNMAP_DMA: %s\n", strerror(errno));
	}
	bm_mem_destroy(&mem);
	return rc;
}

int
bench_mem_type1(const char *cdev, uint64_t seg, unsigned int rounds,
		const struct bm_map_result *ours)
{
	uint64_t *map = calloc(rounds, sizeof(*map)), *unmap = calloc(rounds, sizeof(*unmap));
	struct type1 t;
	char why[512];
	unsigned int r;
	int ret = -1;

	if (map == NULL || unmap == NULL)
		goto out;
	if (type1_open(cdev, &t, why, sizeof(why)) < 0) {
		printf("type1: not available: %s\n", why);
		type1_close(&t);
		ret = 0;
		goto out;
	}
	/* A warm-up round, as on the iommufd side. */
	r = 0;
	if (type1_round(&t, seg, &map[0], &unmap[0]) == 0)
		for (r = 0; r < rounds; r++)
			if (type1_round(&t, seg, &map[r], &unmap[r]) < 0)
				break;
	type1_close(&t);
	if (r < rounds)
		goto out;
	map[0] = bm_median(map, rounds);
	unmap[0] = bm_median(unmap, rounds);
	printf("map VFIO_IOMMU_MAP_DMA (type1) %4" PRIu64 " MiB: type1 %8.3f ms (%6.2f GB/s), "
		"pasid_mem %8.3f ms, ratio pasid_mem/type1 (throughput) %.3f\n", seg >> 20,
		map[0] / 1e6, (double)seg / map[0], ours->map_ns / 1e6,
		(double)map[0] / ours->map_ns);
	printf("unmap VFIO_IOMMU_UNMAP_DMA (type1) %4" PRIu64 " MiB: type1 %8.3f ms (%6.2f GB/s), "
		"pasid_mem %8.3f ms, ratio pasid_mem/type1 (throughput) %.3f\n", seg >> 20,
		unmap[0] / 1e6, (double)seg / unmap[0], ours->unmap_ns / 1e6,
		(double)unmap[0] / ours->unmap_ns);
	printf("    (type1: medians of %u rounds after a warm-up round, on fresh prefaulted 2 MiB hugepages, after the "
		"iommufd part released the device's cdev)\n", rounds);
	ret = 0;
out:
	free(map);
	free(unmap);
	return ret;
}
