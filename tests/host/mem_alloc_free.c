/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mem_alloc_free: allocation, growth, shrink, IOVA placement, mempools and
 * statistics of a pasid_mem heap on real 2 MiB hugepages (memfd and a
 * hugetlbfs mount), with no IOMMU (the host has no /dev/iommu: IOVAs are
 * reserved, not mapped). Nothing may leak.
 */
#include <stdlib.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memory.h>

#include <rte_pasid_mem.h>

#include "mem_test.h"

static void
check_ptr(struct rte_pasid_mem_heap *h, void *p, size_t len)
{
	rte_iova_t iova = rte_pasid_mem_virt2iova(h, p);

	TEST_ASSERT_TRUE(iova != RTE_BAD_IOVA && iova != 0, "no IOVA for %p", p);
	TEST_ASSERT_TRUE(iova == rte_malloc_virt2iova(p),
			 "heap IOVA %#lx != rte_malloc_virt2iova %#lx", (unsigned long)iova,
			 (unsigned long)rte_malloc_virt2iova(p));
	TEST_ASSERT_TRUE(iova % RTE_PGSIZE_2M == (uintptr_t)p % RTE_PGSIZE_2M,
			 "IOVA %#lx and VA %p differ inside the 2 MiB page", (unsigned long)iova,
			 p);
	TEST_ASSERT_TRUE(rte_pasid_mem_virt2iova(h, (char *)p + len - 1) == iova + len - 1,
			 "IOVA of the last byte is not contiguous");
	TEST_ASSERT_TRUE(rte_pasid_mem_heap_of(p) == h, "rte_pasid_mem_heap_of(%p) is not the heap",
			 p);
	memset(p, 0xa5, len);
}

static void
test_grow_shrink(const char *dir)
{
	struct rte_pasid_mem_conf c = mt_conf(dir ? "hp_fs" : "hp_memfd", 64 * MB);
	struct rte_pasid_mem_stats st;
	struct rte_pasid_mem_heap *h;
	void *p[8], *small[64];
	rte_iova_t seg_iova[8];
	unsigned int i, j;

	c.hugetlbfs_dir = dir;
	h = rte_pasid_mem_create(&c);
	TEST_ASSERT_TRUE(h != NULL, "create %s", c.name);
	TEST_ASSERT_TRUE(rte_pasid_mem_lookup(c.name) == h, "lookup");
	TEST_ASSERT_TRUE(rte_pasid_mem_socket_id(h) >= RTE_MAX_NUMA_NODES,
			 "socket id %d is not external", rte_pasid_mem_socket_id(h));
	TEST_ASSERT_TRUE(rte_malloc_heap_socket_is_external(rte_pasid_mem_socket_id(h)) == 1,
			 "socket is not an external heap");
	TEST_ASSERT_TRUE(rte_pasid_mem_stats_get(h, &st) == 0 && st.segments == 1 &&
			 st.bytes_mapped == 8 * MB && st.max_segments == 8,
			 "initial stats: %u segments", st.segments);

	for (i = 0; i < RTE_DIM(small); i++) {
		size_t len = 64 + i * 97;

		small[i] = rte_pasid_mem_alloc(h, len, 1u << (i % 12));
		TEST_ASSERT_TRUE(small[i] != NULL, "small alloc %u", i);
		TEST_ASSERT_TRUE(((uintptr_t)small[i] & ((1u << (i % 12)) - 1)) == 0, "misaligned");
		check_ptr(h, small[i], len);
	}
	TEST_ASSERT_TRUE(rte_pasid_mem_stats_get(h, &st) == 0 && st.segments == 1,
			 "small allocations grew the heap to %u segments", st.segments);
	/* 6 MiB blocks: one per segment, so each forces growth. */
	for (i = 0; i < 6; i++) {
		p[i] = rte_pasid_mem_alloc(h, 6 * MB, RTE_PGSIZE_2M);
		TEST_ASSERT_TRUE(p[i] != NULL, "6 MiB alloc %u", i);
		check_ptr(h, p[i], 6 * MB);
		seg_iova[i] = rte_pasid_mem_virt2iova(h, p[i]) & ~(8 * MB - 1);
		for (j = 0; j < i; j++)
			TEST_ASSERT_TRUE(seg_iova[i] != seg_iova[j], "two segments share IOVA %#lx",
					 (unsigned long)seg_iova[i]);
	}
	TEST_ASSERT_TRUE(rte_pasid_mem_stats_get(h, &st) == 0 && st.segments >= 6 &&
			 st.segments <= 7 && st.alloc_count == 6 + RTE_DIM(small) &&
			 st.bytes_mapped == st.segments * 8 * MB,
			 "stats after growth: %u segments, %u allocations", st.segments,
			 st.alloc_count);
	printf("grown: %u segments, %lu bytes free, largest free %lu\n", st.segments,
		(unsigned long)st.bytes_free, (unsigned long)st.largest_free);

	TEST_ASSERT_TRUE(rte_pasid_mem_destroy(h) < 0 && rte_errno == EBUSY,
			 "destroy with live allocations must fail with EBUSY");
	for (i = 0; i < 6; i++)
		rte_free(p[i]);
	TEST_ASSERT_TRUE(rte_pasid_mem_shrink(h) >= 5, "shrink released too few segments");
	TEST_ASSERT_TRUE(rte_pasid_mem_stats_get(h, &st) == 0 && st.segments == 1,
			 "after shrink: %u segments", st.segments);
	for (i = 0, j = 0; i < 6; i++)
		j += rte_pasid_mem_virt2iova(h, p[i]) == RTE_BAD_IOVA;
	TEST_ASSERT_TRUE(j >= 5, "only %u of the 6 freed blocks stopped translating after shrink",
			 j);
	for (i = 0; i < RTE_DIM(small); i++)
		rte_free(small[i]);
	TEST_ASSERT_TRUE(rte_pasid_mem_shrink(h) == 0, "shrink went below initial_size");

	TEST_ASSERT_TRUE(rte_pasid_mem_reserve(h, 7 * MB) == 0, "reserve 7 MiB");
	TEST_ASSERT_TRUE(rte_pasid_mem_stats_get(h, &st) == 0 && st.largest_free >= 7 * MB,
			 "largest free %lu after reserve", (unsigned long)st.largest_free);
	TEST_ASSERT_TRUE(rte_pasid_mem_destroy(h) == 0, "destroy");
	TEST_ASSERT_TRUE(rte_pasid_mem_lookup(c.name) == NULL && rte_errno == ENOENT,
			 "lookup after destroy");
}

/* IOVAs stay in the window, are page-aligned, skip the x86 MSI window and never reuse. */
static void
test_iova_window(void)
{
	struct rte_pasid_mem_conf c = mt_conf("hp_window", 64 * MB);
	struct rte_pasid_mem_heap *h;
	void *p[3];
	unsigned int i;

	c.iova_min = 0xfe000000ull;
	c.iova_max = 0xfe000000ull + 32 * MB - 1;
	c.initial_size = 0;
	h = rte_pasid_mem_create(&c);
	TEST_ASSERT_TRUE(h != NULL, "create with an IOVA window");
	for (i = 0; i < 3; i++) {
		p[i] = rte_pasid_mem_alloc(h, 6 * MB, 0);
		if (i < 2)
			TEST_ASSERT_TRUE(p[i] != NULL, "alloc %u in the window", i);
	}
	TEST_ASSERT_TRUE(rte_pasid_mem_virt2iova(h, p[0]) >> 23 == 0xfe000000ull >> 23,
			 "first segment at %#lx, not 0xfe000000",
			 (unsigned long)rte_pasid_mem_virt2iova(h, p[0]));
	/* 0xfe800000 + 8 MiB would cover 0xfee00000: the next fit is 0xff000000. */
	TEST_ASSERT_TRUE(rte_pasid_mem_virt2iova(h, p[1]) >> 23 == 0xff000000ull >> 23,
			 "second segment at %#lx, not 0xff000000 (after the MSI window)",
			 (unsigned long)rte_pasid_mem_virt2iova(h, p[1]));
	TEST_ASSERT_TRUE(p[2] != NULL, "third segment (0xff800000) fits below the window top");
	TEST_ASSERT_TRUE(rte_pasid_mem_alloc(h, 6 * MB, 0) == NULL && rte_errno == ENOSPC,
			 "a fourth segment must find no IOVA space (ENOSPC)");
	for (i = 0; i < 3; i++)
		rte_free(p[i]);
	TEST_ASSERT_TRUE(rte_pasid_mem_destroy(h) == 0, "destroy");
}

static void
test_mempool(void)
{
	struct rte_pasid_mem_conf c = mt_conf("hp_pool", 64 * MB);
	struct rte_pasid_mem_heap *h;
	struct rte_mbuf *m[256];
	struct rte_mempool *mp;
	unsigned int i;

	c.segment_size = 16 * MB;
	c.initial_size = 16 * MB;
	h = rte_pasid_mem_create(&c);
	TEST_ASSERT_TRUE(h != NULL, "create");
	mp = rte_pktmbuf_pool_create("hp_pool_mb", 2047, 32, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
		rte_pasid_mem_socket_id(h));
	TEST_ASSERT_TRUE(mp != NULL, "rte_pktmbuf_pool_create on the heap's socket");
	TEST_ASSERT_TRUE(rte_mempool_get_bulk(mp, (void **)m, RTE_DIM(m)) == 0, "mbuf bulk get");
	for (i = 0; i < RTE_DIM(m); i++) {
		TEST_ASSERT_TRUE(rte_pasid_mem_heap_of(m[i]->buf_addr) == h,
				 "mbuf %u not in the heap", i);
		TEST_ASSERT_TRUE(rte_mbuf_iova_get(m[i]) == rte_pasid_mem_virt2iova(h,
						   m[i]->buf_addr),
				 "mbuf %u buf_iova %#lx != heap IOVA %#lx", i,
				 (unsigned long)rte_mbuf_iova_get(m[i]),
				 (unsigned long)rte_pasid_mem_virt2iova(h, m[i]->buf_addr));
	}
	rte_mempool_put_bulk(mp, (void **)m, RTE_DIM(m));
	TEST_ASSERT_TRUE(rte_pasid_mem_destroy(h) < 0 && rte_errno == EBUSY,
			 "destroy under a mempool");
	rte_mempool_free(mp);
	TEST_ASSERT_TRUE(rte_pasid_mem_destroy(h) == 0, "destroy after rte_mempool_free");
}

/* DPDK's telemetry server closes its end of a connection in its own thread,
 * once it reads the client's close (seen late on DPDK 26.07): wait for that
 * event, at most 5 s, so that the fd check after the test does not race
 * with it. A real leak still shows there.
 */
static void
wait_telemetry_closed(unsigned int fds)
{
	struct mt_usage u;
	int i;

	for (i = 0; i < 500; i++) {
		mt_usage(&u);
		if (u.fds <= fds)
			return;
		usleep(10000);
	}
}

/* Query /pasid_mem/list and /pasid_mem/stats through the telemetry socket. */
static void
test_telemetry(void)
{
	struct rte_pasid_mem_conf c = mt_conf("hp_tel", 64 * MB);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct rte_pasid_mem_heap *h;
	char buf[4096];
	ssize_t n;
	struct mt_usage u;
	int s;

	h = rte_pasid_mem_create(&c);
	TEST_ASSERT_TRUE(h != NULL, "create");
	mt_usage(&u);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2",
		rte_eal_get_runtime_dir());
	s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	TEST_ASSERT_TRUE(s >= 0, "socket");
	if (connect(s, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		printf("note: no telemetry socket at %s, telemetry not checked\n", sun.sun_path);
	} else {
		n = read(s, buf, sizeof(buf) - 1); /* the greeting */
		TEST_ASSERT_TRUE(n > 0, "telemetry greeting");
		TEST_ASSERT_TRUE(write(s, "/pasid_mem/list", 15) == 15, "telemetry write");
		n = read(s, buf, sizeof(buf) - 1);
		TEST_ASSERT_TRUE(n > 0, "telemetry reply");
		buf[n] = '\0';
		printf("telemetry: %s\n", buf);
		TEST_ASSERT_TRUE(strstr(buf, "\"hp_tel\"") != NULL,
				 "heap missing from /pasid_mem/list");
		snprintf(buf, sizeof(buf), "/pasid_mem/stats,hp_tel");
		TEST_ASSERT_TRUE(write(s, buf, strlen(buf)) == (ssize_t)strlen(buf),
				 "telemetry write");
		n = read(s, buf, sizeof(buf) - 1);
		TEST_ASSERT_TRUE(n > 0, "telemetry reply");
		buf[n] = '\0';
		printf("telemetry: %s\n", buf);
		TEST_ASSERT_TRUE(strstr(buf, "\"segments\":1") != NULL &&
				 strstr(buf, "\"bytes_mapped\":8388608") != NULL &&
				 strstr(buf, "\"largest_free\":") != NULL &&
				 strstr(buf, "\"bytes_free\":") != NULL, "stats reply lacks keys");
	}
	close(s);
	wait_telemetry_closed(u.fds);
	TEST_ASSERT_TRUE(rte_pasid_mem_destroy(h) == 0, "destroy");
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/pasid_mem_hugetlbfs.XXXXXX";
	struct mt_usage before;

	(void)argc;
	mt_setup(argv[0], 64, -1, &before);

	test_grow_shrink(NULL);
	mt_usage_same(&before, "memfd heap");
	printf("ok: memfd heap: allocation, growth, shrink, IOVA lookup\n");

	TEST_ASSERT_TRUE(mkdtemp(dir) != NULL, "mkdtemp");
	if (mount("none", dir, "hugetlbfs", 0, "pagesize=2M") == 0) {
		test_grow_shrink(dir);
		TEST_ASSERT_TRUE(umount(dir) == 0, "umount %s", dir);
		mt_usage_same(&before, "hugetlbfs heap");
		printf("ok: hugetlbfs heap: allocation, growth, shrink, IOVA lookup\n");
	} else {
		printf("note: cannot mount hugetlbfs (%s): hugetlbfs_dir not tested\n",
			strerror(errno));
	}
	rmdir(dir);

	test_iova_window();
	mt_usage_same(&before, "IOVA window heap");
	printf("ok: IOVA placement: window, alignment, MSI hole, ENOSPC\n");

	test_mempool();
	mt_usage_same(&before, "mempool heap");
	printf("ok: rte_pktmbuf_pool_create on the heap: buf_iova from the heap\n");

	test_telemetry();
	mt_usage_same(&before, "telemetry heap");
	printf("ok: telemetry\n");

	rte_eal_cleanup();
	return 0;
}
