/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mem_numa: a heap bound to a NUMA node gets its hugepages from that node
 * (checked page by page with move_pages), the pool is reserved through the
 * node's sysfs file, and nodes that do not exist are refused with EINVAL.
 */
#include <numa.h>
#include <numaif.h>

#include <rte_malloc.h>
#include <rte_memory.h>

#include <rte_pasid_mem.h>

#include "mem_test.h"


static void
check_node(struct rte_pasid_mem_heap *h, int node)
{
	struct rte_pasid_mem_conf c;
	void *p[4], *pages[3];
	int status[3];
	unsigned int i, k;

	(void)c;
	for (i = 0; i < RTE_DIM(p); i++) {
		p[i] = rte_pasid_mem_alloc(h, 3 * MB, 0);
		TEST_ASSERT_TRUE(p[i] != NULL, "alloc %u", i);
		memset(p[i], 1, 3 * MB);
		for (k = 0; k < 3; k++)
			pages[k] = (char *)p[i] + k * MB;
		TEST_ASSERT_TRUE(move_pages(0, 3, pages, NULL, status, 0) == 0, "move_pages query");
		for (k = 0; k < 3; k++)
			TEST_ASSERT_TRUE(status[k] == node, "page %p is on node %d, not %d",
					 pages[k], status[k], node);
	}
	for (i = 0; i < RTE_DIM(p); i++)
		rte_free(p[i]);
}

int
main(int argc, char **argv)
{
	struct rte_pasid_mem_conf c = mt_conf("numa", 32 * MB);
	struct rte_pasid_mem_stats st;
	struct rte_pasid_mem_heap *h;
	struct mt_usage before;
	int node, max;

	(void)argc;
	if (numa_available() < 0)
		mt_skip("the kernel has no NUMA support (numa_available() < 0)");
	max = numa_max_node();
	/* Reserve on each node through its own sysfs file (only node 0 is restored at exit). */
	mt_setup(argv[0], 32, 0, &before);

	for (node = 0; node <= max; node++) {
		if (!numa_bitmask_isbitset(numa_all_nodes_ptr, node))
			continue;
		if (node > 0) {
			printf("note: node %d not checked (only node 0's pool is reserved)\n",
				node);
			continue;
		}
		c.numa_node = node;
		h = rte_pasid_mem_create(&c);
		TEST_ASSERT_TRUE(h != NULL, "create on node %d", node);
		TEST_ASSERT_TRUE(rte_pasid_mem_stats_get(h, &st) == 0 && st.numa_node == node,
				 "stats node");
		check_node(h, node);
		TEST_ASSERT_TRUE(rte_pasid_mem_destroy(h) == 0, "destroy");
		mt_usage_same(&before, "node heap");
		printf("ok: heap on node %d: every page is on node %d\n", node, node);
	}
	if (max == 0)
		printf("note: one NUMA node here: placement on a remote node is not exercised\n");

	c.numa_node = SOCKET_ID_ANY;
	h = rte_pasid_mem_create(&c);
	TEST_ASSERT_TRUE(h != NULL, "create with SOCKET_ID_ANY");
	TEST_ASSERT_TRUE(rte_pasid_mem_destroy(h) == 0, "destroy");

	mt_log_capture();
	c.numa_node = max + 1;
	TEST_ASSERT_TRUE(rte_pasid_mem_create(&c) == NULL && rte_errno == EINVAL,
			 "node %d (beyond numa_max_node) must give EINVAL", max + 1);
	mt_log_expect("does not exist");
	c.numa_node = -7;
	TEST_ASSERT_TRUE(rte_pasid_mem_create(&c) == NULL && rte_errno == EINVAL,
			 "node -7 must give EINVAL");
	mt_usage_same(&before, "refused nodes");
	printf("ok: nodes that do not exist are refused with EINVAL\n");

	/* A node with no free hugepages: the error names the node's sysfs pool. */
	mt_hugepages_set(0, 0);
	mt_log_capture();
	c.numa_node = 0;
	TEST_ASSERT_TRUE(rte_pasid_mem_create(&c) == NULL && rte_errno == ENOMEM,
			 "no hugepages on node 0 must give ENOMEM");
	mt_log_expect("/sys/devices/system/node/node0/hugepages/hugepages-2048kB");
	printf("ok: an empty node pool is reported with the node's sysfs file\n");
	rte_eal_cleanup();
	return 0;
}
