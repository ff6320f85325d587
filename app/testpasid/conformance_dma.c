/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The conformance checks of where the device's DMA lands (conformance.h),
 * through its driver's DMA self-test (rte_iommufd_dma_selftest(): the device
 * copies a buffer from src_iova to dst_iova with its DMA tagged with a PASID,
 * or the RID):
 *   dma_rid        through the RID, DPDK memory at IOVA = VA (the default
 *                  domain) receives the copy;
 *   dma_isolation  N PASID domains map the same IOVAs to memory of their own:
 *                  each one's copy lands in its own memory and nowhere else,
 *                  and a copy to an IOVA mapped only in another domain faults
 *                  and leaves that domain's memory as it was;
 *   dma_detach     once a domain is destroyed (its PASID detached), DMA
 *                  tagged with its PASID faults.
 */
/* The bus's driver-side API (bus_iommufd_driver.h): a conformance tool drives the device. */
#define ALLOW_INTERNAL_API
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "conformance.h"

#define PG 4096u
#define AREA_PAGES 4u                 /* work, src, dst, spare */
#define AREA_SIZE (AREA_PAGES * PG)
#define OFF_SRC PG
#define OFF_DST (2 * PG)
#define IOVA_BASE (UINT64_C(1) << 32) /* the same in every domain */
#define IOVA_OTHER (IOVA_BASE + 0x100000) /* mapped only in the last domain */
#define XFER 256u
#define UNTOUCHED 0x5a                /* what a dst holds before any copy */

/* One PASID domain of the check and its memory. */
struct dma_dom {
	struct rte_iommufd_domain *dom;
	uint32_t pasid;
	uint8_t *mem;                 /* AREA_SIZE bytes, mapped at IOVA_BASE */
	bool copied;                  /* its copy was made: dst holds its pattern */
};

static void
fill(uint8_t *p, uint8_t seed, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

/* The device's reason for a fault, for a message. */
static const char *
fault_why(const struct rte_iommufd_dma_test *t)
{
	return t->fault_errno > 0 ? strerror(t->fault_errno) : "reason not latched";
}

/* Does @p hold @seed's pattern (@copied) or UNTOUCHED bytes? */
static bool
holds(const uint8_t *p, uint8_t seed, bool copied)
{
	size_t i;

	for (i = 0; i < XFER; i++)
		if (p[i] != (copied ? (uint8_t)(seed + i * 7) : UNTOUCHED))
			return false;
	return true;
}

static int
selftest(struct conf_run *r, uint32_t pasid, void *work, uint64_t base, uint64_t dst,
	 struct rte_iommufd_dma_test *t)
{
	memset(t, 0, sizeof(*t));
	t->pasid = pasid;
	t->work = work;
	t->work_iova = base;
	t->src_iova = base + OFF_SRC;
	t->dst_iova = dst;
	t->len = XFER;
	return rte_iommufd_dma_selftest(r->dev, t) < 0 ? -rte_errno : 0;
}

/* Through the RID: rte_malloc() memory, which the bus maps at IOVA = VA.
 * The self-test's result (-ENOTSUP: the driver has none).
 */
static int
check_rid(struct conf_run *r)
{
	struct rte_iommufd_dma_test t;
	uint8_t *m = rte_zmalloc("conformance", AREA_SIZE, PG);
	uint64_t base = (uintptr_t)m;
	int ret;

	if (m == NULL) {
		conf_report(r, CONF_DMA_RID, CONF_FAIL, "rte_zmalloc: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	fill(m + OFF_SRC, 0x11, XFER);
	memset(m + OFF_DST, UNTOUCHED, XFER);
	ret = selftest(r, 0, m, base, base + OFF_DST, &t);
	if (ret == -ENOTSUP)
		conf_report(r, CONF_DMA_RID, CONF_SKIP, "driver %s has no DMA self-test (struct "
			    "rte_iommufd_driver dma_selftest)", r->info.driver);
	else if (ret < 0)
		conf_report(r, CONF_DMA_RID, CONF_FAIL, "the copy through the RID: %s (fault at "
			    "IOVA %#" PRIx64 ")", strerror(-ret), t.fault_iova);
	else if (!holds(m + OFF_DST, 0x11, true))
		conf_report(r, CONF_DMA_RID, CONF_FAIL, "the device completed the copy through "
			    "the RID, but the bytes at IOVA %#" PRIx64 " (= VA) are not the "
			    "source's", base + OFF_DST);
	else
		conf_report(r, CONF_DMA_RID, CONF_PASS, "a copy through the RID landed in DPDK "
			    "memory at IOVA = VA (the default domain, IOAS %u)",
			    r->info.default_ioas);
	rte_free(m);
	return ret;
}

/* Every domain's dst as expected (its own pattern once copied, else untouched)? */
static int
all_as_expected(const struct dma_dom *d, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!holds(d[i].mem + OFF_DST, (uint8_t)(0x20 + i), d[i].copied))
			return (int)i;
	return -1;
}

/* Copies in each domain, then one to an IOVA of another domain only. */
static void
check_isolation(struct conf_run *r, struct dma_dom *d, unsigned int n, uint8_t *other)
{
	struct rte_iommufd_dma_test t;
	unsigned int i;
	int ret, bad;

	for (i = 0; i < n; i++) {
		ret = selftest(r, d[i].pasid, d[i].mem, IOVA_BASE, IOVA_BASE + OFF_DST, &t);
		if (ret < 0) {
			conf_report(r, CONF_DMA_ISOLATION, CONF_FAIL, "the copy of PASID %u: %s "
				    "(fault at IOVA %#" PRIx64 ")", d[i].pasid, strerror(-ret),
				    t.fault_iova);
			return;
		}
		d[i].copied = true;
		bad = all_as_expected(d, n);
		if (bad >= 0) {
			conf_report(r, CONF_DMA_ISOLATION, CONF_FAIL, "after the copy of PASID %u, "
				    "the memory of PASID %u at IOVA %#" PRIx64 " is wrong%s",
				    d[i].pasid, d[bad].pasid, IOVA_BASE + OFF_DST, (unsigned int)bad
				    == i ? " (the copy did not land there)" : " (another PASID's "
				    "DMA reached it)");
			return;
		}
	}
	/* PASID 0 of the check writes to an IOVA only the last domain maps. */
	ret = selftest(r, d[0].pasid, d[0].mem, IOVA_BASE, IOVA_OTHER, &t);
	if (ret != -EFAULT || !holds(other, 0, false) || all_as_expected(d, n) >= 0) {
		conf_report(r, CONF_DMA_ISOLATION, CONF_FAIL, "a copy of PASID %u to IOVA %#"
			    PRIx64 ", mapped only for PASID %u: %s, that memory %s", d[0].pasid,
			    (uint64_t)IOVA_OTHER, d[n - 1].pasid, ret == -EFAULT ? "faulted" :
			    ret == 0 ? "completed" : strerror(-ret), holds(other, 0, false) ?
			    "untouched" : "changed");
		return;
	}
	conf_report(r, CONF_DMA_ISOLATION, CONF_PASS, "%u PASIDs with the same IOVAs: each "
		    "copy landed in its own IOAS only; PASID %u's copy to an IOVA of PASID %u "
		    "faulted (IOVA %#" PRIx64 ": %s) and left it untouched", n, d[0].pasid,
		    d[n - 1].pasid, t.fault_iova, fault_why(&t));
}

/* Destroy the first domain (detach), then DMA with its PASID must fault. */
static void
check_detach(struct conf_run *r, struct dma_dom *d)
{
	struct rte_iommufd_dma_test t;
	int ret;

	if (rte_iommufd_domain_destroy(d->dom) < 0) {
		conf_report(r, CONF_DMA_DETACH, CONF_FAIL, "destroy of PASID %u's domain: %s",
			    d->pasid, rte_strerror(rte_errno));
		d->dom = NULL;
		return;
	}
	d->dom = NULL;
	memset(d->mem + OFF_DST, UNTOUCHED, XFER);
	ret = selftest(r, d->pasid, d->mem, IOVA_BASE, IOVA_BASE + OFF_DST, &t);
	if (ret == -EFAULT && holds(d->mem + OFF_DST, 0, false))
		conf_report(r, CONF_DMA_DETACH, CONF_PASS, "PASID %u detached (domain destroyed): "
			    "its DMA faults (IOVA %#" PRIx64 ": %s)", d->pasid, t.fault_iova,
			    fault_why(&t));
	else
		conf_report(r, CONF_DMA_DETACH, CONF_FAIL, "PASID %u detached, yet its DMA %s",
			    d->pasid, ret == 0 ? "completed" : ret == -EFAULT ?
			    "reached the old memory" : strerror(-ret));
}

/* Create @n domains with their memory; 0, or -1 after reporting the failure. */
static int
doms_make(struct conf_run *r, struct dma_dom *d, unsigned int n, uint8_t *other)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		d[i].mem = mmap(NULL, AREA_SIZE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (d[i].mem == MAP_FAILED) {
			d[i].mem = NULL;
			conf_report(r, CONF_DMA_ISOLATION, CONF_FAIL, "mmap: %s", strerror(errno));
			return -1;
		}
		fill(d[i].mem + OFF_SRC, (uint8_t)(0x20 + i), XFER);
		memset(d[i].mem + OFF_DST, UNTOUCHED, XFER);
		d[i].dom = rte_iommufd_domain_create(r->dev);
		if (d[i].dom == NULL ||
		    rte_iommufd_domain_dma_map(d[i].dom, d[i].mem, IOVA_BASE, AREA_SIZE) < 0 ||
		    (i == n - 1 && rte_iommufd_domain_dma_map(d[i].dom, other, IOVA_OTHER, PG) < 0)) {
			conf_report(r, CONF_DMA_ISOLATION, CONF_FAIL, "domain %u with its memory: %s",
				    i + 1, rte_strerror(rte_errno));
			return -1;
		}
		d[i].pasid = (uint32_t)rte_iommufd_domain_pasid(d[i].dom);
	}
	return 0;
}

void
conf_check_dma(struct conf_run *r)
{
	unsigned int i, n = r->nb_domains;
	struct dma_dom *d;
	uint8_t *other;

	if (r->info.driver == NULL) {
		const char *why = "no driver probed the device, so nothing can make it do DMA "
				  "(edu has no PMD)";

		conf_report(r, CONF_DMA_RID, CONF_SKIP, "%s", why);
		conf_report(r, CONF_DMA_ISOLATION, CONF_SKIP, "%s", why);
		conf_report(r, CONF_DMA_DETACH, CONF_SKIP, "%s", why);
		return;
	}
	if (check_rid(r) == -ENOTSUP) {
		conf_report(r, CONF_DMA_ISOLATION, CONF_SKIP, "see %s", CONF_DMA_RID);
		conf_report(r, CONF_DMA_DETACH, CONF_SKIP, "see %s", CONF_DMA_RID);
		return;
	}
	if (!r->info.pasid_mode) {
		conf_report(r, CONF_DMA_ISOLATION, CONF_SKIP, "no PASID domains on this device");
		conf_report(r, CONF_DMA_DETACH, CONF_SKIP, "no PASID domains on this device");
		return;
	}
	d = calloc(n, sizeof(*d));
	other = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		     MAP_POPULATE, -1, 0);
	if (d == NULL || other == MAP_FAILED) {
		conf_report(r, CONF_DMA_ISOLATION, CONF_FAIL, "out of memory");
		conf_report(r, CONF_DMA_DETACH, CONF_SKIP, "see %s", CONF_DMA_ISOLATION);
		free(d);
		if (other != MAP_FAILED)
			munmap(other, PG);
		return;
	}
	memset(other, UNTOUCHED, PG);
	if (doms_make(r, d, n, other) == 0) {
		check_isolation(r, d, n, other);
		check_detach(r, &d[0]);
	} else {
		conf_report(r, CONF_DMA_DETACH, CONF_SKIP, "see %s", CONF_DMA_ISOLATION);
	}
	for (i = 0; i < n; i++) {
		if (d[i].dom != NULL && rte_iommufd_domain_destroy(d[i].dom) < 0)
			fprintf(stderr, "conformance: destroy of PASID %u's domain: %s\n",
				d[i].pasid, rte_strerror(rte_errno));
		if (d[i].mem != NULL)
			munmap(d[i].mem, AREA_SIZE);
	}
	munmap(other, PG);
	free(d);
}
