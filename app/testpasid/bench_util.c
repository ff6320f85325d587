/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Copyright(c) 2026 The dpdk-pasid authors
 */
/*
 * Helpers of the benchmarks (bench_mem.h): hugepage memory made as a
 * pasid_mem segment is made, a vfio cdev on its own iommufd, clock, medians.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/iommufd.h>
#include <linux/memfd.h>
#include <linux/vfio.h>

#include <rte_cycles.h>

#include "bench_mem.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

int
bm_mem_create(uint64_t len, struct bm_mem *m)
{
	int err;

	m->va = MAP_FAILED;
	m->len = len;
	m->fd = memfd_create("bench_raw", MFD_CLOEXEC | MFD_HUGETLB | MFD_HUGE_2MB);
	if (m->fd < 0) {
		err = -errno;
		fprintf(stderr, "bench: memfd_create(MFD_HUGETLB): %s\n", strerror(errno));
		return err;
	}
	if (ftruncate(m->fd, len) < 0)
		goto fail;
	m->va = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	if (m->va == MAP_FAILED)
		goto fail;
	if (madvise(m->va, len, MADV_POPULATE_WRITE) < 0)
		goto fail;
	return 0;
fail:
	err = -errno;
	fprintf(stderr, "bench: %llu bytes of 2 MiB hugepages: %s (reserve more hugepages)\n",
		(unsigned long long)len, strerror(errno));
	bm_mem_destroy(m);
	return err;
}

void
bm_mem_destroy(struct bm_mem *m)
{
	if (m->va != MAP_FAILED)
		munmap(m->va, m->len);
	if (m->fd >= 0)
		close(m->fd);
	m->va = MAP_FAILED;
	m->fd = -1;
}

int
bm_dev_open(const char *cdev, struct bm_dev *d)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	struct iommu_ioas_alloc a = { .size = sizeof(a) };

	d->fd = -1;
	d->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (d->iommufd < 0) {
		fprintf(stderr, "bench: cannot open /dev/iommu: %s\n", strerror(errno));
		return -1;
	}
	d->fd = open(cdev, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		fprintf(stderr, "bench: cannot open %s: %s\n", cdev, strerror(errno));
		goto fail;
	}
	bind.iommufd = d->iommufd;
	if (ioctl(d->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0) {
		fprintf(stderr, "bench: VFIO_DEVICE_BIND_IOMMUFD on %s: %s\n", cdev,
			strerror(errno));
		goto fail;
	}
	if (ioctl(d->iommufd, IOMMU_IOAS_ALLOC, &a) < 0) {
		fprintf(stderr, "bench: IOMMU_IOAS_ALLOC: %s\n", strerror(errno));
		goto fail;
	}
	d->ioas = a.out_ioas_id;
	at.pt_id = d->ioas;
	if (ioctl(d->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) < 0) {
		fprintf(stderr, "bench: attaching %s to IOAS %u: %s\n", cdev, d->ioas,
			strerror(errno));
		goto fail;
	}
	return 0;
fail:
	if (d->fd >= 0)
		close(d->fd);
	close(d->iommufd);
	d->fd = d->iommufd = -1;
	return -1;
}

void
bm_dev_close(struct bm_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	if (d->iommufd >= 0)
		close(d->iommufd);
	d->fd = d->iommufd = -1;
}

/* The clock of pasid_mem's statistics (pmem_now_ns()): the TSC, no system call. */
uint64_t
bm_now_ns(void)
{
	uint64_t hz = rte_get_tsc_hz(), c = rte_rdtsc();

	return hz ? c / hz * NS_PER_S + c % hz * NS_PER_S / hz : 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t
bm_median(uint64_t *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}
