/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mem_exhaustion: the heap stops at max_size, at the end of the hugepage
 * pool and with no pool at all, each with ENOMEM and a message that says what
 * to do; the heap stays usable after a failed growth and nothing leaks.
 */
#include <rte_malloc.h>
#include <rte_memory.h>

#include <rte_pasid_mem.h>

#include "mem_test.h"

/* Fill @h with 6 MiB blocks until it refuses; return how many it gave. */
static unsigned int
fill(struct rte_pasid_mem_heap *h, void **p, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && (p[n] = rte_pasid_mem_alloc(h, 6 * MB, 0)) != NULL)
		n++;
	TEST_ASSERT_TRUE(n < max, "the heap never ran out");
	TEST_ASSERT_TRUE(rte_errno == ENOMEM, "exhaustion gave rte_errno %d, not ENOMEM",
			 rte_errno);
	return n;
}

int
main(int argc, char **argv)
{
	struct rte_pasid_mem_conf c;
	struct rte_pasid_mem_stats st;
	struct rte_pasid_mem_heap *h;
	struct mt_usage before;
	void *p[64];
	unsigned int n, i;

	(void)argc;
	mt_setup(argv[0], 64, -1, &before);

	/* 1. max_size: 3 segments. */
	c = mt_conf("ex_limit", 24 * MB);
	h = rte_pasid_mem_create(&c);
	TEST_ASSERT_TRUE(h != NULL, "create");
	mt_log_capture();
	n = fill(h, p, RTE_DIM(p));
	TEST_ASSERT_TRUE(n == 3, "%u blocks of 6 MiB in 3 segments of 8 MiB, expected 3", n);
	mt_log_expect("limit reached");
	mt_log_expect("exhausted");
	TEST_ASSERT_TRUE(rte_pasid_mem_stats_get(h, &st) == 0 && st.segments == 3 &&
			 st.bytes_max == 24 * MB, "stats at the limit");
	TEST_ASSERT_TRUE(rte_pasid_mem_reserve(h, 6 * MB) < 0 && rte_errno == ENOMEM,
			 "reserve at the limit");
	rte_free(p[1]);
	p[1] = rte_pasid_mem_alloc(h, 6 * MB, 0);
	TEST_ASSERT_TRUE(p[1] != NULL, "the heap is usable again after a free");
	for (i = 0; i < n; i++)
		rte_free(p[i]);
	TEST_ASSERT_TRUE(rte_pasid_mem_destroy(h) == 0, "destroy");
	mt_usage_same(&before, "limit");
	printf("ok: max_size stops growth with ENOMEM and 'limit reached'\n");

	/* 2. The hugepage pool runs out before max_size: 12 pages = 3 segments. */
	mt_hugepages_set(12, -1);
	mt_usage(&before);
	c = mt_conf("ex_pool", 256 * MB);
	h = rte_pasid_mem_create(&c);
	TEST_ASSERT_TRUE(h != NULL, "create");
	mt_log_capture();
	n = fill(h, p, RTE_DIM(p));
	TEST_ASSERT_TRUE(n == 3, "%u blocks from a 12-page pool, expected 3", n);
	mt_log_expect("hugepages of 2048 kB needed");
	mt_log_expect("/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages");
	mt_log_expect("hugeadm --pool-pages-min 2MB:");
	TEST_ASSERT_TRUE(mt_hugepages_free() == 0, "%lu hugepages still free", mt_hugepages_free());
	rte_free(p[0]);
	p[0] = rte_pasid_mem_alloc(h, 6 * MB, 0);
	TEST_ASSERT_TRUE(p[0] != NULL, "the heap is usable after the pool ran out");
	for (i = 0; i < n; i++)
		rte_free(p[i]);
	TEST_ASSERT_TRUE(rte_pasid_mem_destroy(h) == 0, "destroy");
	mt_usage_same(&before, "pool exhaustion");
	printf("ok: an exhausted hugepage pool gives ENOMEM with how to reserve more\n");

	/* 3. No hugepages reserved at all. */
	mt_hugepages_set(0, -1);
	mt_usage(&before);
	mt_log_capture();
	c = mt_conf("ex_none", 64 * MB);
	c.initial_size = 16 * MB;
	TEST_ASSERT_TRUE(rte_pasid_mem_create(&c) == NULL && rte_errno == ENOMEM,
			 "create with no hugepages must give ENOMEM");
	mt_log_expect("8 hugepages of 2048 kB needed, only 0 free");
	mt_log_expect("echo 8 > ");
	mt_usage_same(&before, "no hugepages");
	printf("ok: no hugepages: ENOMEM saying 8 pages are needed and how to reserve them\n");

	/* 4. IOVA space for the first of two initial segments only: create unwinds. */
	mt_hugepages_set(16, -1);
	mt_usage(&before);
	c.initial_size = 16 * MB;
	c.iova_min = 1ull << 30;
	c.iova_max = (1ull << 30) + 8 * MB - 1;
	mt_log_capture();
	TEST_ASSERT_TRUE(rte_pasid_mem_create(&c) == NULL && rte_errno == ENOSPC,
			 "create needing two segments of IOVA space where one fits must give ENOSPC");
	mt_log_expect("segment 0 at");
	mt_log_expect("released segment 0");
	mt_usage_same(&before, "partial create");
	printf("ok: a create that fails half-way leaves nothing behind\n");
	rte_eal_cleanup();
	return 0;
}
