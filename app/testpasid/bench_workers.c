/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Copyright(c) 2026 The dpdk-pasid authors
 */
/*
 * bench workers [--domains 1,2,4,8,16] [--heap-mb MB] [--rounds N] [--secondaries]
 *
 * What a worker's bring-up costs and how it grows with the number of
 * workers: N PASID domains on one device of the iommufd bus (a pasidnic
 * port), each with a pasid_mem heap of a fixed size (one segment), created
 * one after the other (rte_iommufd_domain_create, rte_pasid_mem_create) and
 * torn down (rte_pasid_mem_destroy, rte_iommufd_domain_destroy), in this
 * process (EAL start-up excluded). Side by side, in alternating order, the
 * same work done raw on the same iommufd and device fd: per domain
 * IOMMU_IOAS_ALLOC (and IOMMU_HWPT_ALLOC for a physical device),
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT on a PASID the bus does not use, the same
 * hugepage memory (memfd, ftruncate, mmap, MADV_POPULATE_WRITE),
 * IOMMU_IOAS_IOVA_RANGES and IOMMU_IOAS_MAP_FILE; teardown IOMMU_IOAS_UNMAP,
 * munmap/close, VFIO_DEVICE_DETACH_IOMMUFD_PT, IOMMU_DESTROY. Printed: the
 * per-domain cost of both sides for each N, its ratio, the raw ioctls alone,
 * and the growth (per-domain cost at the largest N / at the smallest).
 *
 * --secondaries then does the bring-up and teardown from secondary
 * processes, one per domain (bench_workers_mp.c).
 *
 * Needs a PASID-capable device on the bus: -a iommufd:mdev-<uuid> (a
 * pasidnic port) and enough 2 MiB hugepages for the largest N heaps (twice:
 * raw and pasid_mem never hold them at the same time, but DPDK's own too).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include <rte_common.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include <bus_iommufd_driver.h>
#include <rte_bus_iommufd.h>
#include <rte_pasid_mem.h>

#include "bench_mem.h"
#include "testpasid.h"

#define MAX_N 64
#define MAX_COUNTS 8
#define RAW_MAP_IOVA (1ull << 32)

/* The device and what the raw side needs of it. */
struct port {
	struct rte_device *dev;
	const char *name;	/* its bus name */
	int iommufd;		/* a dup of the bus's iommufd (same context) */
	int fd;			/* the bus's vfio device fd */
	uint32_t devid;
	int emulated;
	uint32_t pasid_top;	/* the raw side uses PASIDs pasid_top - i */
};

/* Times of one run of N domains (ns). */
struct cost {
	uint64_t up, down;		/* whole bring-up / teardown of the N domains */
	uint64_t up_part, down_part;	/* raw: the ioctls alone; pasid: the domains alone */
};

/* Raw domain state. */
struct raw_dom {
	uint32_t ioas, hwpt, pasid;
	struct bm_mem mem;
};

static int
timed_ioctl(int fd, unsigned long req, void *arg, uint64_t *acc, const char *what)
{
	uint64_t t0 = bm_now_ns();
	int rc = ioctl(fd, req, arg);

	*acc += bm_now_ns() - t0;
	if (rc < 0)
		fprintf(stderr, "bench workers: raw %s: %s\n", what, strerror(errno));
	return rc;
}

static int
raw_up(const struct port *p, struct raw_dom *r, uint64_t heap, uint64_t *ioc)
{
	const uint32_t flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
		IOMMU_IOAS_MAP_WRITEABLE;
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	struct iommu_hwpt_alloc hw = {
		.size = sizeof(hw), .flags = IOMMU_HWPT_ALLOC_PASID, .dev_id = p->devid,
		.data_type = IOMMU_HWPT_DATA_NONE,
	};
	struct vfio_device_attach_iommufd_pt at = {
		.argsz = sizeof(at), .flags = VFIO_DEVICE_ATTACH_PASID, .pasid = r->pasid,
	};
	struct iommu_iova_range rg[8];
	struct iommu_ioas_iova_ranges q = {
		.size = sizeof(q), .num_iovas = RTE_DIM(rg), .allowed_iovas = (uintptr_t)rg,
	};
	struct iommu_ioas_map_file m = {
		.size = sizeof(m), .flags = flags, .length = heap, .iova = RAW_MAP_IOVA,
	};

	r->ioas = r->hwpt = 0;
	r->pasid = 0;	/* set once attached */
	r->mem.fd = -1;
	if (timed_ioctl(p->iommufd, IOMMU_IOAS_ALLOC, &a, ioc, "IOMMU_IOAS_ALLOC") < 0)
		return -1;
	r->ioas = a.out_ioas_id;
	at.pt_id = r->ioas;
	if (!p->emulated) {
		hw.pt_id = r->ioas;
		if (timed_ioctl(p->iommufd, IOMMU_HWPT_ALLOC, &hw, ioc, "IOMMU_HWPT_ALLOC") < 0)
			return -1;
		r->hwpt = at.pt_id = hw.out_hwpt_id;
	}
	if (timed_ioctl(p->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at, ioc,
			"VFIO_DEVICE_ATTACH_IOMMUFD_PT") < 0)
		return -1;
	r->pasid = at.pasid;
	if (bm_mem_create(heap, &r->mem) < 0)
		return -1;
	q.ioas_id = r->ioas;
	if (timed_ioctl(p->iommufd, IOMMU_IOAS_IOVA_RANGES, &q, ioc, "IOMMU_IOAS_IOVA_RANGES") < 0)
		return -1;
	m.ioas_id = r->ioas;
	m.fd = r->mem.fd;
	return timed_ioctl(p->iommufd, IOMMU_IOAS_MAP_FILE, &m, ioc, "IOMMU_IOAS_MAP_FILE");
}

/* Undo what raw_up() did (all of it when it succeeded). */
static void
raw_down(const struct port *p, struct raw_dom *r, uint64_t heap, uint64_t *ioc)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = r->ioas, .iova = RAW_MAP_IOVA, .length = heap,
	};
	struct vfio_device_detach_iommufd_pt dt = {
		.argsz = sizeof(dt), .flags = VFIO_DEVICE_DETACH_PASID, .pasid = r->pasid,
	};
	struct iommu_destroy d = { .size = sizeof(d) };

	if (r->mem.fd >= 0) {
		timed_ioctl(p->iommufd, IOMMU_IOAS_UNMAP, &u, ioc, "IOMMU_IOAS_UNMAP");
		bm_mem_destroy(&r->mem);
	}
	if (r->pasid)
		timed_ioctl(p->fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt, ioc,
			"VFIO_DEVICE_DETACH_IOMMUFD_PT");
	if (r->hwpt) {
		d.id = r->hwpt;
		timed_ioctl(p->iommufd, IOMMU_DESTROY, &d, ioc, "IOMMU_DESTROY");
	}
	if (r->ioas) {
		d.id = r->ioas;
		timed_ioctl(p->iommufd, IOMMU_DESTROY, &d, ioc, "IOMMU_DESTROY");
	}
}

static int
raw_run(const struct port *p, unsigned int n, uint64_t heap, struct cost *c)
{
	struct raw_dom r[MAX_N];
	unsigned int i, up = 0;
	uint64_t t0;
	int ret = 0;

	memset(c, 0, sizeof(*c));
	t0 = bm_now_ns();
	for (i = 0; i < n; i++) {
		r[i].pasid = p->pasid_top - i;	/* raw_up() reads it */
		up++;
		if (raw_up(p, &r[i], heap, &c->up_part) < 0) {
			ret = -1;
			break;
		}
	}
	c->up = bm_now_ns() - t0;
	t0 = bm_now_ns();
	for (i = 0; i < up; i++)
		raw_down(p, &r[i], heap, &c->down_part);
	c->down = bm_now_ns() - t0;
	return ret;
}

static int
pasid_run(const struct port *p, unsigned int n, uint64_t heap, struct cost *c)
{
	struct rte_iommufd_domain *dom[MAX_N] = { NULL };
	struct rte_pasid_mem_heap *h[MAX_N] = { NULL };
	struct rte_pasid_mem_conf mc = {
		.numa_node = SOCKET_ID_ANY, .page_size = RTE_PGSIZE_2M,
		.segment_size = heap, .initial_size = heap, .max_size = heap,
	};
	unsigned int i, up = 0;
	char name[32];
	uint64_t t0;
	int ret = 0;

	memset(c, 0, sizeof(*c));
	t0 = bm_now_ns();
	for (i = 0; i < n; i++) {
		uint64_t t1 = bm_now_ns();

		up++;
		dom[i] = rte_iommufd_domain_create(p->dev);
		c->up_part += bm_now_ns() - t1;
		if (dom[i] == NULL ||
		    rte_iommufd_domain_ioas(dom[i], &mc.iommufd, &mc.ioas_id) != 0) {
			fprintf(stderr, "bench workers: domain %u: %s\n", i, rte_strerror(rte_errno));
			ret = -1;
			break;
		}
		snprintf(name, sizeof(name), "bench_w%u", i);
		mc.name = name;
		h[i] = rte_pasid_mem_create(&mc);
		if (h[i] == NULL) {
			fprintf(stderr, "bench workers: heap %u: %s (see the log)\n", i,
				rte_strerror(rte_errno));
			ret = -1;
			break;
		}
	}
	c->up = bm_now_ns() - t0;
	t0 = bm_now_ns();
	for (i = 0; i < up; i++) {
		uint64_t t1;

		if (h[i] != NULL)
			rte_pasid_mem_destroy(h[i]);
		t1 = bm_now_ns();
		if (dom[i] != NULL)
			rte_iommufd_domain_destroy(dom[i]);
		c->down_part += bm_now_ns() - t1;
	}
	c->down = bm_now_ns() - t0;
	return ret;
}

static int
port_find(struct port *p)
{
	struct rte_iommufd_domain *dom;
	struct rte_iommufd_dev_info in;
	uint32_t ioas;
	int fd;

	memset(p, 0, sizeof(*p));
	p->dev = bm_pasid_dev();
	if (p->dev == NULL || rte_iommufd_dev_info(p->dev, &in) != 0) {
		fprintf(stderr, "bench workers: no bound PASID-capable device on the iommufd bus "
			"(-a iommufd:mdev-<uuid> of a pasidnic port)\n");
		return -1;
	}
	p->name = in.name;
	p->fd = RTE_DEV_TO_IOMMUFD(p->dev)->fd;
	p->devid = RTE_DEV_TO_IOMMUFD(p->dev)->devid;
	p->emulated = in.emulated;
	p->pasid_top = (UINT32_C(1) << in.pasid_log2) - 1;
	/* The bus's iommufd, from a domain's IOAS (the device is bound to it). */
	dom = rte_iommufd_domain_create(p->dev);
	if (dom == NULL || rte_iommufd_domain_ioas(dom, &fd, &ioas) != 0) {
		fprintf(stderr, "bench workers: a first domain on %s: %s\n", in.name,
			rte_strerror(rte_errno));
		if (dom != NULL)
			rte_iommufd_domain_destroy(dom);
		return -1;
	}
	p->iommufd = dup(fd);
	rte_iommufd_domain_destroy(dom);
	if (p->iommufd < 0)
		return -1;
	printf("bench workers on %s (%s, PASID width %u)\n", in.name,
		in.emulated ? "emulated" : "physical", in.pasid_log2);
	return 0;
}

static int
parse_counts(const char *s, unsigned int *v, unsigned int *n)
{
	char *end;

	for (*n = 0; *s != '\0' && *n < MAX_COUNTS; (*n)++) {
		v[*n] = (unsigned int)strtoul(s, &end, 10);
		if (end == s || v[*n] == 0 || v[*n] > MAX_N || (*end != ',' && *end != '\0'))
			return -1;
		s = *end == ',' ? end + 1 : end;
	}
	return *n > 0 && *s == '\0' ? 0 : -1;
}

static double
per(uint64_t ns, unsigned int n)
{
	return ns / 1e6 / n;
}

/* a - b of two medians, never below 0. */
static uint64_t
sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

int
bench_workers(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "domains", required_argument, NULL, 'd' },
		{ "heap-mb", required_argument, NULL, 'm' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "secondaries", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int counts[MAX_COUNTS] = { 1, 2, 4, 8, 16 }, nc = 5, rounds = 3, k, r, i;
	uint64_t heap = 16 * BM_MB;
	uint64_t v[8][16], first[4] = { 0 }, med[8];
	struct cost ours, raw;
	struct port p;
	int opt, ret = 0, secondaries = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if (parse_counts(optarg, counts, &nc) < 0)
				goto usage;
			break;
		case 'm':
			heap = strtoull(optarg, NULL, 0) * BM_MB;
			break;
		case 'r':
			rounds = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 's':
			secondaries = 1;
			break;
		default:
			goto usage;
		}
	}
	if (heap == 0 || heap % RTE_PGSIZE_2M || rounds == 0 || rounds > 16)
		goto usage;
	if (port_find(&p) < 0)
		return 1;
	printf("per domain (heap of %" PRIu64 " MiB), medians of %u rounds, pasid_mem and raw "
		"taking turns to go first:\n", heap >> 20, rounds);
	for (k = 0; k < nc && ret == 0; k++) {
		unsigned int n = counts[k];

		for (r = 0; r < rounds && ret == 0; r++) {
			int rc = r & 1 ? raw_run(&p, n, heap, &raw) : pasid_run(&p, n, heap, &ours);

			rc = rc ?: (r & 1 ? pasid_run(&p, n, heap, &ours) :
				    raw_run(&p, n, heap, &raw));
			ret = rc;
			v[0][r] = ours.up;
			v[1][r] = raw.up;
			v[2][r] = ours.down;
			v[3][r] = raw.down;
			v[4][r] = raw.up_part;
			v[5][r] = raw.down_part;
			v[6][r] = ours.up_part;
			v[7][r] = ours.down_part;
		}
		if (ret != 0)
			break;
		for (i = 0; i < 8; i++)
			med[i] = bm_median(v[i], rounds);
		printf("workers %2u: bring-up %8.3f ms/domain, raw %8.3f ms (ioctls alone %6.3f ms), "
			"ratio pasid/raw %.3f; teardown %8.3f ms/domain, raw %8.3f ms (ioctls alone "
			"%6.3f ms), ratio pasid/raw %.3f\n", n, per(med[0], n), per(med[1], n),
			per(med[4], n), (double)med[0] / med[1], per(med[2], n),
			per(med[3], n), per(med[5], n), (double)med[2] / med[3]);
		printf("    pasid per domain: bring-up rte_iommufd_domain_create %6.3f ms + heap "
			"%8.3f ms; teardown heap %6.3f ms + rte_iommufd_domain_destroy %6.3f ms; "
			"raw hugepage syscalls: bring-up %8.3f ms, teardown %6.3f ms\n",
			per(med[6], n), per(sub(med[0], med[6]), n), per(sub(med[2], med[7]), n),
			per(med[7], n), per(sub(med[1], med[4]), n), per(sub(med[3], med[5]), n));
		if (k == 0)
			for (i = 0; i < 4; i++)
				first[i] = med[i] / n;
		else if (k == nc - 1)
			printf("growth %u/%u (per-domain cost at %u / at %u): bring-up pasid %.3f, raw "
				"%.3f; teardown pasid %.3f, raw %.3f\n", n, counts[0], n, counts[0],
				(double)med[0] / n / first[0], (double)med[1] / n / first[1],
				(double)med[2] / n / first[2], (double)med[3] / n / first[3]);
	}
	close(p.iommufd);
	if (ret == 0 && secondaries)
		ret = bench_workers_secondaries(p.name, counts, nc, heap);
	return ret ? 1 : 0;
usage:
	fprintf(stderr, "usage: bench workers [--domains N,N,...] [--heap-mb MB] [--rounds N] "
		"[--secondaries]\n"
		"  --domains  domain counts to run (default 1,2,4,8,16, each <= %d)\n"
		"  --heap-mb  heap per domain, one segment (default 16, even)\n"
		"  --rounds   rounds per count, the median is printed (default 3, <= 16)\n"
		"  --secondaries  then each domain from a secondary process of its own (one\n"
		"             round; the primary must not be --in-memory)\n", MAX_N);
	return opt == 'h' ? 0 : 2;
}
