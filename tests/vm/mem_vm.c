/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mem-vm TEST CDEV: pasid_mem heaps checked by device DMA (QEMU's edu device
 * behind the vIOMMU, through vfio-pci and iommufd), inside the test VM.
 *
 *   map-ioas      IOVAs handed out by a heap are where the device's DMA lands;
 *                 they are valid in the heap's IOAS and in no other
 *   heap-mempool  mbufs from rte_pktmbuf_pool_create on a heap DMA correctly
 *   unmap-whole   growth and shrink map and unmap whole segments only
 *   1g-pages      1 GiB pages at 1 GiB-aligned IOVAs (skips without a pool)
 *   memlock       a low RLIMIT_MEMLOCK without CAP_IPC_LOCK gives ENOMEM and
 *                 a message with the limit and the fix
 *
 * Exit 0 pass, 77 skip, 1 fail; "REASON: ..." explains.
 */
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <rte_pasid_mem.h>

#include "mem_test.h"
#include "vfio_util.h"

#define GB (1ull << 30)
#define XFER 2048u /* edu transfers stay below 4096 bytes */

static struct vu_device dev;
static struct vu_bar bar;

static void
step(const char *what)
{
	printf("ok: %s\n", what);
	fflush(stdout);
}

/* Open the device, attach its RID to a new IOAS, map BAR0, enable DMA. */
static uint32_t
device_up(const char *cdev)
{
	uint32_t ioas;

	vu_open(&dev, cdev, -1);
	ioas = vu_ioas_alloc(dev.iommufd);
	vu_attach(&dev, ioas, -1);
	vu_bar_map(&dev, VFIO_PCI_BAR0_REGION_INDEX, &bar);
	TEST_ASSERT_TRUE(*(volatile uint32_t *)bar.va == 0x010000ed, "BAR0 is not an edu device");
	vu_bus_master(&dev);
	return ioas;
}

static struct rte_pasid_mem_heap *
heap_new(const char *name, uint32_t ioas, uint64_t page, uint64_t seg, uint64_t initial,
	 uint64_t max)
{
	struct rte_pasid_mem_conf c = {
		.name = name,
		.iommufd = dev.iommufd,
		.ioas_id = ioas,
		.numa_node = SOCKET_ID_ANY,
		.page_size = page,
		.segment_size = seg,
		.initial_size = initial,
		.max_size = max,
	};
	struct rte_pasid_mem_heap *h = rte_pasid_mem_create(&c);

	TEST_ASSERT_TRUE(h != NULL, "rte_pasid_mem_create(%s) failed: %s", name,
			 rte_strerror(rte_errno));
	return h;
}

/* Device copies @len bytes from IOVA @src to IOVA @dst through its buffer. */
static void
dma_copy(uint64_t src, uint64_t dst, uint32_t len)
{
	TEST_ASSERT_TRUE(edu_dma(&bar, src, EDU_BUF, len, 0) == 0,
			 "edu DMA from IOVA %#llx timed out", (unsigned long long)src);
	TEST_ASSERT_TRUE(edu_dma(&bar, EDU_BUF, dst, len, EDU_CMD_TO_RAM) == 0,
			 "edu DMA to IOVA %#llx timed out", (unsigned long long)dst);
}

static void
fill(void *p, uint32_t len, uint32_t seed)
{
	uint8_t *b = p;
	uint32_t i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(seed * 131 + i * 7 + 1);
}

/* DMA @src -> @dst (both heap memory) and check the data arrived. */
static void
dma_check(struct rte_pasid_mem_heap *h, void *src, void *dst, uint32_t seed)
{
	rte_iova_t si = rte_pasid_mem_virt2iova(h, src), di = rte_pasid_mem_virt2iova(h, dst);

	TEST_ASSERT_TRUE(si != RTE_BAD_IOVA && di != RTE_BAD_IOVA, "no IOVA for %p or %p", src,
			 dst);
	fill(src, XFER, seed);
	memset(dst, 0, XFER);
	dma_copy(si, di, XFER);
	TEST_ASSERT_TRUE(memcmp(src, dst, XFER) == 0,
			 "data DMAed from IOVA %#llx (%p) to %#llx (%p) differs",
			 (unsigned long long)si, src, (unsigned long long)di, dst);
}

/* Snapshot @len bytes at @p, let the device write EDU_BUF to @iova, check @p unchanged. */
static void
dma_must_not_land(uint64_t iova, const void *p, size_t len, const char *what)
{
	uint8_t *snap = malloc(len);

	TEST_ASSERT_TRUE(snap != NULL, "malloc");
	memcpy(snap, p, len);
	TEST_ASSERT_TRUE(edu_dma(&bar, EDU_BUF, iova, XFER, EDU_CMD_TO_RAM) == 0,
			 "edu DMA to IOVA %#llx did not complete", (unsigned long long)iova);
	TEST_ASSERT_TRUE(memcmp(snap, p, len) == 0,
			 "%s: a device write to IOVA %#llx changed memory", what,
			 (unsigned long long)iova);
	free(snap);
}

/*
 * Unmap everything left in @ioas and return how many bytes that was: a heap
 * that cleaned up leaves 0 (an unmap-all of an empty IOAS succeeds with
 * length 0; only a ranged unmap of nothing gives ENOENT).
 */
static uint64_t
ioas_leftover(uint32_t ioas)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = ioas, .iova = 0, .length = UINT64_MAX,
	};

	TEST_ASSERT_TRUE(ioctl(dev.iommufd, IOMMU_IOAS_UNMAP, &u) == 0,
			 "IOMMU_IOAS_UNMAP of all failed");
	return u.length;
}

static void
device_down(uint32_t ioas)
{
	TEST_ASSERT_TRUE(__vu_detach(&dev, -1) == 0, "RID detach failed");
	TEST_ASSERT_TRUE(__vu_destroy(dev.iommufd, ioas) == 0, "IOAS destroy failed");
	vu_close(&dev);
}

static int
t_map_ioas(const char *cdev)
{
	static const uint64_t offs[] = { 0, 2 * MB - XFER / 2, 3 * MB - XFER };
	struct rte_pasid_mem_heap *a, *b;
	struct rte_pasid_mem_stats st;
	uint32_t ioas_a, ioas_b;
	uint8_t *p[6], *q, *q2;
	unsigned int i, k;

	ioas_a = device_up(cdev);
	a = heap_new("vm_a", ioas_a, RTE_PGSIZE_2M, 8 * MB, 8 * MB, 64 * MB);
	for (i = 0; i < 6; i++) {
		p[i] = rte_pasid_mem_alloc(a, 3 * MB, 4096);
		TEST_ASSERT_TRUE(p[i] != NULL, "alloc %u: %s", i, rte_strerror(rte_errno));
		TEST_ASSERT_TRUE(rte_pasid_mem_virt2iova(a, p[i]) == rte_malloc_virt2iova(p[i]),
				 "heap and rte_malloc disagree on the IOVA of %p", p[i]);
	}
	TEST_ASSERT_TRUE(rte_pasid_mem_stats_get(a, &st) == 0 && st.segments == 3 &&
			 st.map_calls == 3, "expected 3 segments and 3 map calls, got %u and %llu",
			 st.segments, (unsigned long long)st.map_calls);
	TEST_ASSERT_TRUE(st.map_file == 1,
			 "the 7.2 kernel has IOMMU_IOAS_MAP_FILE but the heap fell "
			 "back to IOMMU_IOAS_MAP");
	step("heap of 3 segments mapped into the IOAS with IOMMU_IOAS_MAP_FILE");
	/* Every block to the next one, at the start, across a hugepage boundary, at the end. */
	for (i = 0; i < 6; i++)
		for (k = 0; k < RTE_DIM(offs); k++)
			dma_check(a, p[i] + offs[k], p[(i + 1) % 6] + offs[k], i * 3 + k);
	step("device DMA through every segment's IOVAs moved the data intact");

	/* A second domain with its own heap; move the RID there. */
	ioas_b = vu_ioas_alloc(dev.iommufd);
	b = heap_new("vm_b", ioas_b, RTE_PGSIZE_2M, 8 * MB, 8 * MB, 64 * MB);
	q = rte_pasid_mem_alloc(b, 3 * MB, 4096);
	q2 = rte_pasid_mem_alloc(b, 3 * MB, 4096);
	TEST_ASSERT_TRUE(q != NULL && q2 != NULL, "alloc in heap B");
	TEST_ASSERT_TRUE(rte_pasid_mem_heap_of(q) == b && rte_pasid_mem_heap_of(p[0]) == a,
			 "rte_pasid_mem_heap_of mixes the heaps");
	vu_attach(&dev, ioas_b, -1);
	dma_check(b, q, q2, 77);
	for (i = 0; i < 6; i++)
		dma_must_not_land(rte_pasid_mem_virt2iova(a, p[i]), p[i], 3 * MB,
				  "IOVA of heap A used in domain B");
	step("heap A's IOVAs do not reach heap A's memory from domain B");
	vu_attach(&dev, ioas_a, -1);
	dma_check(a, p[5], p[0], 5);
	for (i = 0; i < 6; i++)
		rte_free(p[i]);
	rte_free(q);
	rte_free(q2);
	TEST_ASSERT_TRUE(rte_pasid_mem_destroy(b) == 0, "destroy heap B");
	TEST_ASSERT_TRUE(__vu_destroy(dev.iommufd, ioas_b) == 0, "IOAS B destroy");
	TEST_ASSERT_TRUE(rte_pasid_mem_destroy(a) == 0, "destroy heap A");
	TEST_ASSERT_TRUE(ioas_leftover(ioas_a) == 0,
			 "the IOAS still holds mappings after the heap was destroyed");
	step("heaps destroyed: the IOAS is empty");

	/* The IOMMU_IOAS_MAP path (kernels before 6.13), forced. */
	{
		struct rte_pasid_mem_conf c = {
			.name = "vm_va", .iommufd = dev.iommufd, .ioas_id = ioas_a,
			.numa_node = SOCKET_ID_ANY, .segment_size = 8 * MB,
			.initial_size = 8 * MB, .max_size = 16 * MB,
			.flags = RTE_PASID_MEM_F_MAP_BY_VA,
		};
		struct rte_pasid_mem_heap *v = rte_pasid_mem_create(&c);

		TEST_ASSERT_TRUE(v != NULL, "heap with RTE_PASID_MEM_F_MAP_BY_VA");
		for (i = 0; i < 4; i++) {
			p[i] = rte_pasid_mem_alloc(v, 3 * MB, 4096);
			TEST_ASSERT_TRUE(p[i] != NULL, "alloc %u in the by-VA heap", i);
		}
		TEST_ASSERT_TRUE(rte_pasid_mem_stats_get(v, &st) == 0 && st.map_file == 0 &&
				 st.segments == 2, "by-VA heap: map_file %d, %u segments",
				 st.map_file, st.segments);
		for (i = 0; i < 4; i++)
			dma_check(v, p[i], p[(i + 1) % 4] + MB, 40 + i);
		for (i = 0; i < 4; i++)
			rte_free(p[i]);
		TEST_ASSERT_TRUE(rte_pasid_mem_destroy(v) == 0, "destroy the by-VA heap");
		TEST_ASSERT_TRUE(ioas_leftover(ioas_a) == 0, "the by-VA heap left mappings");
	}
	device_down(ioas_a);
	step("IOMMU_IOAS_MAP (by address) heap: DMA correct, unmapped whole");
	return 0;
}

static int
t_heap_mempool(const char *cdev)
{
	struct rte_pasid_mem_heap *h;
	struct rte_mempool *mp;
	struct rte_mbuf *m[512];
	uint32_t ioas;
	unsigned int i;

	ioas = device_up(cdev);
	h = heap_new("vm_pool", ioas, RTE_PGSIZE_2M, 16 * MB, 16 * MB, 128 * MB);
	mp = rte_pktmbuf_pool_create("vm_pool_mb", 2047, 32, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_pasid_mem_socket_id(h));
	TEST_ASSERT_TRUE(mp != NULL, "rte_pktmbuf_pool_create on the heap: %s",
			 rte_strerror(rte_errno));
	TEST_ASSERT_TRUE(rte_mempool_get_bulk(mp, (void **)m, RTE_DIM(m)) == 0, "mbuf bulk get");
	for (i = 0; i < RTE_DIM(m); i++) {
		TEST_ASSERT_TRUE(rte_pasid_mem_heap_of(m[i]->buf_addr) == h,
				 "mbuf %u is not in the heap", i);
		TEST_ASSERT_TRUE(rte_mbuf_iova_get(m[i]) == rte_pasid_mem_virt2iova(h,
						   m[i]->buf_addr),
				 "mbuf %u: buf_iova %#llx is not the heap IOVA %#llx", i,
				 (unsigned long long)rte_mbuf_iova_get(m[i]),
				 (unsigned long long)rte_pasid_mem_virt2iova(h, m[i]->buf_addr));
	}
	step("512 mbufs from the heap's pool carry the heap's IOVAs");
	for (i = 0; i + 1 < RTE_DIM(m); i += 2) {
		uint8_t *src = rte_pktmbuf_mtod(m[i], uint8_t *);
		uint8_t *dst = rte_pktmbuf_mtod(m[i + 1], uint8_t *);

		fill(src, XFER, i);
		memset(dst, 0, XFER);
		dma_copy(rte_pktmbuf_iova(m[i]), rte_pktmbuf_iova(m[i + 1]), XFER);
		TEST_ASSERT_TRUE(memcmp(src, dst, XFER) == 0, "mbuf %u -> %u: data differs", i,
				 i + 1);
	}
	step("device DMA between mbufs (rte_pktmbuf_iova) moved the data intact");
	rte_mempool_put_bulk(mp, (void **)m, RTE_DIM(m));
	rte_mempool_free(mp);
	TEST_ASSERT_TRUE(rte_pasid_mem_destroy(h) == 0, "destroy");
	device_down(ioas);
	return 0;
}

static int
t_unmap_whole(const char *cdev)
{
	struct rte_pasid_mem_stats st;
	struct rte_pasid_mem_heap *h;
	uint64_t iova[5];
	uint8_t *p[5];
	uint32_t ioas;
	unsigned int i;
	int rc;

	mt_log_capture();
	ioas = device_up(cdev);
	h = heap_new("vm_unmap", ioas, RTE_PGSIZE_2M, 8 * MB, 8 * MB, 64 * MB);
	for (i = 0; i < 5; i++) {
		p[i] = rte_pasid_mem_alloc(h, 6 * MB, 4096);
		TEST_ASSERT_TRUE(p[i] != NULL, "alloc %u", i);
		/* Each block starts its own segment: the segment IOVA is 2 MiB below. */
		iova[i] = rte_pasid_mem_virt2iova(h, p[i]) & ~(RTE_PGSIZE_2M - 1);
	}
	TEST_ASSERT_TRUE(rte_pasid_mem_stats_get(h, &st) == 0 && st.segments == 5 &&
			 st.map_calls == 5, "5 segments, 5 maps expected (got %u, %llu)",
			 st.segments, (unsigned long long)st.map_calls);
	for (i = 0; i < 5; i++) {
		rc = __vu_unmap(dev.iommufd, ioas, iova[i], 2 * MB);
		TEST_ASSERT_TRUE(rc == -ENOENT,
				 "unmapping the first 2 MiB of segment %u gave %d, not "
				 "-ENOENT: the segment is not one 8 MiB mapping", i, rc);
		rc = __vu_unmap(dev.iommufd, ioas, iova[i] + 6 * MB, 4 * MB);
		TEST_ASSERT_TRUE(rc == -ENOENT, "an unmap across segment %u's end gave %d", i, rc);
	}
	step("growth: every segment is exactly one mapping (partial unmaps are refused)");

	rte_free(p[1]);
	rte_free(p[3]);
	rc = rte_pasid_mem_shrink(h);
	TEST_ASSERT_TRUE(rc == 2, "shrink released %d segments, expected 2", rc);
	TEST_ASSERT_TRUE(rte_pasid_mem_stats_get(h, &st) == 0 && st.segments == 3 &&
			 st.unmap_calls == 2, "after shrink: %u segments, %llu unmaps", st.segments,
			 (unsigned long long)st.unmap_calls);
	TEST_ASSERT_TRUE(__vu_unmap(dev.iommufd, ioas, iova[1], 8 * MB) == -ENOENT &&
			 __vu_unmap(dev.iommufd, ioas, iova[3], 8 * MB) == -ENOENT,
			 "released segments are still mapped");
	dma_check(h, p[0], p[4], 1);
	dma_check(h, p[2], p[0], 2);
	dma_must_not_land(iova[1], p[2], 6 * MB, "released segment's IOVA");
	step("shrink unmapped whole segments; the others still DMA");

	p[1] = rte_pasid_mem_alloc(h, 6 * MB, 4096);
	p[3] = rte_pasid_mem_alloc(h, 6 * MB, 4096);
	TEST_ASSERT_TRUE(p[1] != NULL && p[3] != NULL, "regrowth");
	dma_check(h, p[1], p[3], 3);
	TEST_ASSERT_TRUE(rte_pasid_mem_stats_get(h, &st) == 0 && st.segments == 5 &&
			 st.map_calls == 7, "after regrowth: %u segments, %llu maps", st.segments,
			 (unsigned long long)st.map_calls);
	for (i = 0; i < 5; i++)
		rte_free(p[i]);
	TEST_ASSERT_TRUE(rte_pasid_mem_destroy(h) == 0, "destroy");
	TEST_ASSERT_TRUE(ioas_leftover(ioas) == 0, "mappings remain after destroy");
	TEST_ASSERT_TRUE(!mt_log_has("IOMMU_IOAS_UNMAP"), "an unmap failed (see the log)");
	device_down(ioas);
	step("regrowth mapped into the freed IOVA space; destroy unmapped everything whole");
	return 0;
}

static int
t_1g_pages(const char *cdev)
{
	const char *pool = "/sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages";
	struct rte_pasid_mem_stats st;
	struct rte_pasid_mem_heap *h;
	unsigned long nfree = 0;
	uint8_t *p, *q;
	uint64_t ip;
	uint32_t ioas;
	FILE *f = fopen(pool, "r");

	if (f == NULL)
		mt_skip("the VM kernel has no 1 GiB hugepage pool (no hugepages-1048576kB in sysfs)");
	if (fscanf(f, "%lu", &nfree) != 1)
		nfree = 0;
	fclose(f);
	if (nfree < 1)
		mt_skip("no free 1 GiB hugepage in the VM (boot with vm.sh --hugepages-1g 1)");
	ioas = device_up(cdev);
	h = heap_new("vm_1g", ioas, RTE_PGSIZE_1G, 0, GB, GB);
	p = rte_pasid_mem_alloc(h, 256 * MB, 4096);
	q = rte_pasid_mem_alloc(h, 256 * MB, 4096);
	TEST_ASSERT_TRUE(p != NULL && q != NULL, "alloc from the 1 GiB page");
	ip = rte_pasid_mem_virt2iova(h, p);
	TEST_ASSERT_TRUE(((uintptr_t)p & (GB - 1)) == (ip & (GB - 1)),
			 "IOVA %#llx of %p is not 1 GiB aligned with its VA",
			 (unsigned long long)ip, p);
	TEST_ASSERT_TRUE(rte_pasid_mem_stats_get(h, &st) == 0 && st.page_size == GB &&
			 st.segments == 1, "stats");
	printf("1 GiB page at IOVA %#llx\n", (unsigned long long)(ip & ~(GB - 1)));
	dma_check(h, p, q + 256 * MB - XFER, 1);
	dma_check(h, q + 128 * MB, p + 200 * MB, 2);
	rte_free(p);
	rte_free(q);
	TEST_ASSERT_TRUE(rte_pasid_mem_destroy(h) == 0, "destroy");
	device_down(ioas);
	step("1 GiB page mapped at a 1 GiB-aligned IOVA; DMA at both ends");
	return 0;
}

static void
drop_cap_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	TEST_ASSERT_TRUE(syscall(SYS_capget, &hdr, data) == 0, "capget");
	data[0].effective &= ~(1u << CAP_IPC_LOCK);
	data[0].permitted &= ~(1u << CAP_IPC_LOCK);
	data[0].inheritable &= ~(1u << CAP_IPC_LOCK);
	TEST_ASSERT_TRUE(syscall(SYS_capset, &hdr, data) == 0, "capset");
}

static int
t_memlock(const char *cdev)
{
	struct rte_pasid_mem_heap *h;
	struct rte_pasid_mem_conf c;
	void *p[3];
	uint32_t ioas;
	unsigned int i;

	mt_log_capture();
	ioas = device_up(cdev);
	c = (struct rte_pasid_mem_conf){
		.name = "vm_memlock", .iommufd = dev.iommufd, .ioas_id = ioas,
		.numa_node = SOCKET_ID_ANY, .segment_size = 8 * MB, .initial_size = 8 * MB,
		.max_size = 64 * MB,
	};
	TEST_ASSERT_TRUE(rte_pasid_mem_create(&c) == NULL && rte_errno == ENOMEM,
			 "an 8 MiB segment under a 5 MiB RLIMIT_MEMLOCK must give ENOMEM");
	TEST_ASSERT_TRUE(mt_log_has("RLIMIT_MEMLOCK is 5242880 bytes") && mt_log_has("ulimit -l"),
			 "the error does not give the limit and the fix");
	step("a segment above RLIMIT_MEMLOCK is refused up front with the limit and the fix");

	/* 2 MiB segments: the third crosses the limit inside the kernel's accounting. */
	c.segment_size = 2 * MB;
	c.initial_size = 2 * MB;
	h = rte_pasid_mem_create(&c);
	TEST_ASSERT_TRUE(h != NULL, "2 MiB heap under a 5 MiB limit");
	for (i = 0; i < 3; i++)
		p[i] = rte_pasid_mem_alloc(h, 1536 * 1024, 0);
	TEST_ASSERT_TRUE(p[0] != NULL && p[1] != NULL, "the first 4 MiB fit the limit");
	TEST_ASSERT_TRUE(p[2] == NULL && rte_errno == ENOMEM, "pinning 6 MiB under a 5 MiB limit "
			 "must give ENOMEM");
	TEST_ASSERT_TRUE(mt_log_has("IOMMU_IOAS_MAP_FILE of 2097152 bytes") &&
			 mt_log_has("lacks CAP_IPC_LOCK"), "the kernel's ENOMEM is not explained");
	rte_free(p[0]);
	rte_free(p[1]);
	TEST_ASSERT_TRUE(rte_pasid_mem_destroy(h) == 0, "destroy");
	TEST_ASSERT_TRUE(ioas_leftover(ioas) == 0, "mappings leaked");
	device_down(ioas);
	step("the kernel's RLIMIT_MEMLOCK refusal gives ENOMEM, the limit and the fix; no leak");
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(const char *cdev);
	} tests[] = {
		{ "map-ioas", t_map_ioas },
		{ "heap-mempool", t_heap_mempool },
		{ "unmap-whole", t_unmap_whole },
		{ "1g-pages", t_1g_pages },
		{ "memlock", t_memlock },
	};
	struct rlimit rl = { .rlim_cur = 5 * MB, .rlim_max = 5 * MB };
	char prefix[64];
	unsigned int i;

	if (argc != 3) {
		fprintf(stderr, "usage: %s TEST /dev/vfio/devices/vfioN\n", argv[0]);
		return 2;
	}
	for (i = 0; i < RTE_DIM(tests); i++) {
		if (strcmp(argv[1], tests[i].name) != 0)
			continue;
		if (strcmp(argv[1], "memlock") == 0) {
			drop_cap_ipc_lock();
			TEST_ASSERT_TRUE(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit");
		}
		snprintf(prefix, sizeof(prefix), "mem_vm_%s", argv[1]);
		mt_eal_init(argv[0], prefix);
		return tests[i].fn(argv[2]);
	}
	fprintf(stderr, "unknown test %s\n", argv[1]);
	return 2;
}
