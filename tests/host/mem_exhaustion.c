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

/*
 * A heap @name of at most @max_size, capturing the log from its creation on,
 * filled with 6 MiB blocks (into @p, room for @max) until it refuses with
 * ENOMEM: how many it gave goes in *@n.
 */
static struct rte_pasid_mem_heap *
exhaust(const char *name, uint64_t max_size, void **p, unsigned int max, unsigned int *n)
{
	struct rte_pasid_mem_conf c = mt_conf(name, max_size);
	struct rte_pasid_mem_heap *h = rte_pasid_mem_create(&c);

	TEST_ASSERT_TRUE(h != NULL, "create of %s", name);
	mt_log_capture();
	*n = 0;
	while (*n < max && (p[*n] = rte_pasid_mem_alloc(h, 6 * MB, 0)) != NULL)
		(*n)++;
	TEST_ASSERT_TRUE(*n < max, "%s never ran out", name);
	TEST_ASSERT_TRUE(rte_errno == ENOMEM, "exhaustion of %s gave rte_errno %d, not ENOMEM",
			 name, rte_errno);
	return h;
}

/*
 * After an exhaustion of @h (@n blocks in @p): a freed block (@p[@k]) can be
 * had again, then everything goes and nothing is left of the heap (compared
 * with @before; @what names the case).
 */
static void
usable_again(struct rte_pasid_mem_heap *h, void **p, unsigned int n, unsigned int k,
	     const struct mt_usage *before, const char *what)
{
	unsigned int i;

	rte_free(p[k]);
	p[k] = rte_pasid_mem_alloc(h, 6 * MB, 0);
	TEST_ASSERT_TRUE(p[k] != NULL, "%s: the heap is not usable again after a free", what);
	for (i = 0; i < n; i++)
		rte_free(p[i]);
	TEST_ASSERT_TRUE(rte_pasid_mem_destroy(h) == 0, "%s: destroy", what);
	mt_usage_same(before, what);
}

int
main(int argc, char **argv)
{
	struct rte_pasid_mem_conf c;
	struct rte_pasid_mem_stats st;
	struct rte_pasid_mem_heap *h;
	struct mt_usage before;
	void *p[64];
	unsigned int n;

	(void)argc;
	mt_setup(argv[0], 64, -1, &before);

	/* 1. max_size: 3 segments. */
	h = exhaust("ex_limit", 24 * MB, p, RTE_DIM(p), &n);
	TEST_ASSERT_TRUE(n == 3, "%u blocks of 6 MiB in 3 segments of 8 MiB, expected 3", n);
	mt_log_expect("limit reached");
	mt_log_expect("exhausted");
	TEST_ASSERT_TRUE(rte_pasid_mem_stats_get(h, &st) == 0 && st.segments == 3 &&
			 st.bytes_max == 24 * MB, "stats at the limit");
	TEST_ASSERT_TRUE(rte_pasid_mem_reserve(h, 6 * MB) < 0 && rte_errno == ENOMEM,
			 "reserve at the limit");
	usable_again(h, p, n, 1, &before, "limit");
	printf("ok: max_size stops growth with ENOMEM and 'limit reached'\n");

	/* 2. The hugepage pool runs out before max_size: 12 pages = 3 segments. */
	mt_hugepages_set(12, -1);
	mt_usage(&before);
	h = exhaust("ex_pool", 256 * MB, p, RTE_DIM(p), &n);
	TEST_ASSERT_TRUE(n == 3, "%u blocks from a 12-page pool, expected 3", n);
	mt_log_expect("hugepages of 2048 kB needed");
	mt_log_expect("/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages");
	mt_log_expect("hugeadm --pool-pages-min 2MB:");
	TEST_ASSERT_TRUE(mt_hugepages_free() == 0, "%lu hugepages still free", mt_hugepages_free());
	usable_again(h, p, n, 0, &before, "pool exhaustion");
	printf("ok: an exhausted hugepage pool gives ENOMEM with how to reserve more\n");

	/* 3. No hugepages reserved at all. */
	mt_hugepages_set(0, -1);
	mt_usage(&before);
	c = mt_conf("ex_none", 64 * MB);
	c.initial_size = 16 * MB;
	mt_create_refused(&c, ENOMEM, "8 hugepages of 2048 kB needed, only 0 free",
			  "create with no hugepages");
	mt_log_expect("echo 8 > ");
	mt_usage_same(&before, "no hugepages");
	printf("ok: no hugepages: ENOMEM saying 8 pages are needed and how to reserve them\n");

	/* 4. IOVA space for the first of two initial segments only: create unwinds. */
	mt_hugepages_set(16, -1);
	mt_usage(&before);
	c.initial_size = 16 * MB;
	c.iova_min = 1ull << 30;
	c.iova_max = (1ull << 30) + 8 * MB - 1;
	mt_create_refused(&c, ENOSPC, "segment 0 at",
			  "create needing two segments of IOVA space where one fits");
	mt_log_expect("released segment 0");
	mt_usage_same(&before, "partial create");
	printf("ok: a create that fails half-way leaves nothing behind\n");
	rte_eal_cleanup();
	return 0;
}
