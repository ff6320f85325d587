/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pasid_mem_autotest, registered into dpdk-test when librte_pasid_mem.so is
 * loaded there with -d (PASID_REGISTER_AUTOTEST, pasid_dpdk_compat.h;
 * doc/testing.md). A heap of 2 MiB hugepages mapped nowhere
 * (RTE_PASID_MEM_NO_IOMMU): creation, lookup, allocation of odd sizes and
 * alignments (each block written whole and found in its heap), growth by a
 * segment, statistics, free, destruction, and the refusal of bad
 * configurations with EINVAL. Needs 8 free 2 MiB hugepages.
 */
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "pasid_dpdk_compat.h"
#include "rte_pasid_mem.h"

#define MB (1ull << 20)

/* true when @cond holds, else false after printing where and why. */
#define EXPECT(cond, fmt, ...) ((cond) ? true : \
	(printf("pasid_mem_autotest: %s:%d: '%s' failed: " fmt "\n", \
		__FILE__, __LINE__, #cond, ##__VA_ARGS__), false))

static int
check_blocks(struct rte_pasid_mem_heap *h)
{
	/* The second 3 MiB block needs a second 4 MiB segment. */
	static const size_t sizes[] = { 1, 64, 1500, 4096, 9000, 3 * MB, 3 * MB };
	void *p[RTE_DIM(sizes)];
	struct rte_pasid_mem_stats st;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < RTE_DIM(sizes); i++) {
		p[i] = rte_pasid_mem_alloc(h, sizes[i], 1u << (i + 6));
		if (!EXPECT(p[i] != NULL, "%zu bytes: %s", sizes[i], rte_strerror(rte_errno)) ||
		    !EXPECT(((uintptr_t)p[i] & ((1u << (i + 6)) - 1)) == 0, "%p misaligned", p[i]) ||
		    !EXPECT(rte_pasid_mem_heap_of(p[i]) == h, "%p not in its heap", p[i])) {
			ret = -1;
			break;
		}
		memset(p[i], (int)i, sizes[i]);
	}
	if (ret == 0 && (!EXPECT(rte_pasid_mem_stats_get(h, &st) == 0, "stats") ||
			 !EXPECT(st.segments >= 2, "%u segments: the heap did not grow for the "
				 "second 3 MiB block", (unsigned int)st.segments)))
		ret = -1;
	while (i-- > 0)
		rte_free(p[i]);
	return ret;
}

static int
pasid_mem_autotest(void)
{
	struct rte_pasid_mem_conf c = {
		.name = "pasid_mem_autotest", .iommufd = RTE_PASID_MEM_NO_IOMMU,
		.numa_node = SOCKET_ID_ANY, .segment_size = 4 * MB, .initial_size = 4 * MB,
		.max_size = 16 * MB,
	};
	struct rte_pasid_mem_conf bad = c;
	struct rte_pasid_mem_heap *h;
	int ret;

	bad.name = NULL;
	if (!EXPECT(rte_pasid_mem_create(&bad) == NULL && rte_errno == EINVAL, "a heap without "
		    "a name was created") ||
	    !EXPECT(rte_pasid_mem_create(NULL) == NULL && rte_errno == EINVAL, "NULL conf"))
		return -1;
	bad = c;
	bad.max_size = 2 * MB;
	if (!EXPECT(rte_pasid_mem_create(&bad) == NULL && rte_errno == EINVAL, "a heap smaller "
		    "than one segment was created"))
		return -1;
	h = rte_pasid_mem_create(&c);
	if (!EXPECT(h != NULL, "%s (are 8 free 2 MiB hugepages reserved?)",
		    rte_strerror(rte_errno)))
		return -1;
	ret = EXPECT(rte_pasid_mem_lookup(c.name) == h, "lookup") ? check_blocks(h) : -1;
	rte_pasid_mem_destroy(h);
	if (ret == 0 && !EXPECT(rte_pasid_mem_lookup(c.name) == NULL, "found after destroy"))
		ret = -1;
	return ret;
}

PASID_REGISTER_AUTOTEST(pasid_mem_autotest, pasid_mem_autotest);
