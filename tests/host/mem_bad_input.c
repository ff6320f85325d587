/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mem_bad_input: every bad argument is refused with the documented rte_errno
 * and a log line naming the argument, and leaves nothing behind.
 */
#include <fcntl.h>
#include <unistd.h>

#include <rte_malloc.h>
#include <rte_memory.h>

#include <rte_pasid_mem.h>

#include "mem_test.h"

/* A configuration that is accepted. */
static struct rte_pasid_mem_conf
good(void)
{
	return mt_conf("bad", 32 * MB);
}

int
main(int argc, char **argv)
{
	struct rte_pasid_mem_conf c;
	struct rte_pasid_mem_stats st;
	struct rte_pasid_mem_heap *h;
	struct mt_usage before;
	char longname[64];
	void *p;
	int fd;

	(void)argc;
	mt_setup(argv[0], 32, -1, &before);

	mt_create_refused(NULL, EINVAL, "conf is NULL", "NULL conf");
	c = good(); c.name = NULL;
	mt_create_refused(&c, EINVAL, "name is NULL or empty", "NULL name");
	c = good(); c.name = "";
	mt_create_refused(&c, EINVAL, "name is NULL or empty", "empty name");
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	c = good(); c.name = longname;
	mt_create_refused(&c, EINVAL, "name is longer", "64-character name");
	c = good(); c.page_size = 4096;
	mt_create_refused(&c, EINVAL, "is neither 2 MiB nor 1 GiB", "4 KiB pages");
	c = good(); c.segment_size = 3 * MB;
	mt_create_refused(&c, EINVAL, "not a multiple of the page size", "3 MiB segments");
	c = good(); c.max_size = 4 * MB;
	mt_create_refused(&c, EINVAL, "below one segment", "max_size below a segment");
	c = good(); c.segment_size = 2 * MB; c.max_size = 1024 * MB;
	mt_create_refused(&c, EINVAL, "memseg lists", "512 segments");
	c = good(); c.initial_size = 64 * MB;
	mt_create_refused(&c, EINVAL, "is above max_size", "initial_size above max_size");
	c = good(); c.iommufd = -7;
	mt_create_refused(&c, EINVAL, "iommufd is negative", "iommufd -7");
	c = good(); c.iova_min = 1ull << 32; c.iova_max = 1ull << 31;
	mt_create_refused(&c, EINVAL, "iova_max is below iova_min", "iova_max below iova_min");
	c = good(); c.flags = 0x80;
	mt_create_refused(&c, EINVAL, "unknown flags", "unknown flags");
	c = good(); c.numa_node = 4096;
	mt_create_refused(&c, EINVAL, "does not exist", "NUMA node 4096");
	c = good(); c.hugetlbfs_dir = "/tmp";
	mt_create_refused(&c, EINVAL, "is not a hugetlbfs mount", "hugetlbfs_dir on tmpfs");
	c = good(); c.hugetlbfs_dir = "/nonexistent/dir";
	mt_create_refused(&c, EINVAL, "No such file", "missing hugetlbfs_dir");
	c = good(); c.iova_min = 0x10000000; c.iova_max = 0x10000000 + 4 * MB - 1;
	mt_create_refused(&c, ENOSPC, "no free IOVA block", "IOVA window smaller than a segment");
	c = good(); c.page_size = RTE_PGSIZE_1G; c.segment_size = 0; c.max_size = 1ull << 30;
	c.initial_size = 1ull << 30;
	if (access("/sys/kernel/mm/hugepages/hugepages-1048576kB", F_OK) != 0)
		mt_create_refused(&c, ENOTSUP, "no 1048576 kB hugepage pool",
				  "1 GiB pages without a pool");
	else
		mt_create_refused(&c, ENOMEM, "hugepages of 1048576 kB needed",
				  "1 GiB pages, none reserved");
	/* An fd that is not /dev/iommu: the IOVA range query fails, nothing leaks. */
	fd = open("/dev/null", O_RDWR);
	TEST_ASSERT_TRUE(fd >= 0, "open /dev/null");
	c = good(); c.iommufd = fd;
	mt_create_refused(&c, ENOTTY, "IOMMU_IOAS_IOVA_RANGES", "/dev/null as the iommufd");
	close(fd);
	mt_usage_same(&before, "refused configurations");

	c = good();
	h = rte_pasid_mem_create(&c);
	TEST_ASSERT_TRUE(h != NULL, "a good configuration is accepted");
	mt_create_refused(&c, EEXIST, "already exists", "duplicate name");
	mt_log_capture();
	TEST_ASSERT_TRUE(rte_pasid_mem_alloc(NULL, 64, 0) == NULL && rte_errno == EINVAL,
			 "alloc on NULL");
	TEST_ASSERT_TRUE(rte_pasid_mem_alloc(h, 0, 0) == NULL && rte_errno == EINVAL,
			 "alloc of 0 bytes");
	TEST_ASSERT_TRUE(rte_pasid_mem_alloc(h, 64, 3) == NULL && rte_errno == EINVAL, "align 3");
	TEST_ASSERT_TRUE(rte_pasid_mem_alloc(h, 9 * MB, 0) == NULL && rte_errno == EINVAL,
			 "alloc above segment_size");
	mt_log_expect("raise segment_size");
	TEST_ASSERT_TRUE(rte_pasid_mem_reserve(h, 0) < 0 && rte_errno == EINVAL, "reserve 0");
	TEST_ASSERT_TRUE(rte_pasid_mem_reserve(h, 9 * MB) < 0 && rte_errno == EINVAL,
			 "reserve > segment");
	TEST_ASSERT_TRUE(rte_pasid_mem_reserve(NULL, MB) < 0 && rte_errno == EINVAL,
			 "reserve on NULL");
	TEST_ASSERT_TRUE(rte_pasid_mem_shrink(NULL) < 0 && rte_errno == EINVAL, "shrink NULL");
	TEST_ASSERT_TRUE(rte_pasid_mem_socket_id(NULL) < 0 && rte_errno == EINVAL,
			 "socket_id NULL");
	TEST_ASSERT_TRUE(rte_pasid_mem_stats_get(NULL, &st) < 0 && rte_errno == EINVAL,
			 "stats NULL heap");
	TEST_ASSERT_TRUE(rte_pasid_mem_stats_get(h, NULL) < 0 && rte_errno == EINVAL,
			 "stats NULL out");
	TEST_ASSERT_TRUE(rte_pasid_mem_virt2iova(NULL, &c) == RTE_BAD_IOVA, "virt2iova NULL heap");
	TEST_ASSERT_TRUE(rte_pasid_mem_virt2iova(h, &c) == RTE_BAD_IOVA,
			 "virt2iova of a stack address");
	TEST_ASSERT_TRUE(rte_pasid_mem_heap_of(&c) == NULL, "heap_of a stack address");
	TEST_ASSERT_TRUE(rte_pasid_mem_lookup(NULL) == NULL && rte_errno == EINVAL, "lookup NULL");
	TEST_ASSERT_TRUE(rte_pasid_mem_lookup("nope") == NULL && rte_errno == ENOENT,
			 "lookup unknown");
	TEST_ASSERT_TRUE(rte_pasid_mem_destroy(NULL) == 0, "destroy NULL is a no-op");
	p = rte_pasid_mem_alloc(h, 100, 0);
	TEST_ASSERT_TRUE(p != NULL, "alloc");
	mt_log_capture();
	TEST_ASSERT_TRUE(rte_pasid_mem_destroy(h) < 0 && rte_errno == EBUSY,
			 "destroy with a live block");
	mt_log_expect("still live");
	rte_free(p);
	TEST_ASSERT_TRUE(rte_pasid_mem_destroy(h) == 0, "destroy");
	mt_usage_same(&before, "bad calls on a heap");
	printf("ok: bad calls on a live heap are refused; nothing leaks\n");
	rte_eal_cleanup();
	return 0;
}
