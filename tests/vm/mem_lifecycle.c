/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mem-lifecycle TEST: pasid_mem heaps against iommufd contexts that change
 * under them (issue 13, reliability review M1-M3), inside the test VM. No
 * device is needed: an IOAS alone takes mappings.
 *
 *   ioas-identity    one heap per IOAS is checked by iommufd context, not by
 *                    fd number: a dup of the fd is the same IOAS (EEXIST),
 *                    another open of /dev/iommu with the same IOAS number is
 *                    not; a heap keeps working after the caller closes its
 *                    iommufd and a new open reuses the number
 *   release-failure  an IOAS unmap that fails (the heap's iommufd replaced by
 *                    /dev/null) keeps the segment and its IOVA: shrink and
 *                    destroy fail (destroy with EBUSY), the heap stays
 *                    usable, growth does not collide with the kept IOVA, and
 *                    once the unmap works again everything is released
 *
 * Exit 0 pass, 1 fail; "REASON: ..." explains.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include <rte_pasid_mem.h>

#include "mem_test.h"
#include "vfio_util.h"

static void
step(const char *what)
{
	printf("ok: %s\n", what);
	fflush(stdout);
}

static int
iommu_open(void)
{
	int fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);

	TEST_ASSERT_TRUE(fd >= 0, "open /dev/iommu");
	return fd;
}

/* A heap on (@fd, @ioas): 8 MiB segments, one at creation, at most 64 MiB. */
static struct rte_pasid_mem_heap *
heap_try(const char *name, int fd, uint32_t ioas)
{
	struct rte_pasid_mem_conf c = mt_conf(name, 64 * MB);

	c.iommufd = fd;
	c.ioas_id = ioas;
	return rte_pasid_mem_create(&c);
}

static struct rte_pasid_mem_heap *
heap_new(const char *name, int fd, uint32_t ioas)
{
	struct rte_pasid_mem_heap *h = heap_try(name, fd, ioas);

	TEST_ASSERT_TRUE(h != NULL, "rte_pasid_mem_create(%s) on iommufd %d IOAS %u failed: %s",
			 name, fd, ioas, rte_strerror(rte_errno));
	return h;
}

/* Bytes still mapped in @ioas of @fd (unmapped by the call). */
static uint64_t
ioas_leftover(int fd, uint32_t ioas)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = ioas, .iova = 0, .length = UINT64_MAX,
	};

	TEST_ASSERT_TRUE(ioctl(fd, IOMMU_IOAS_UNMAP, &u) == 0, "IOMMU_IOAS_UNMAP of all failed");
	return u.length;
}

static uint32_t
segments(struct rte_pasid_mem_heap *h)
{
	struct rte_pasid_mem_stats st;

	TEST_ASSERT_TRUE(rte_pasid_mem_stats_get(h, &st) == 0, "stats");
	return st.segments;
}

static int
t_ioas_identity(void)
{
	struct rte_pasid_mem_heap *h1, *h;
	struct mt_usage before;
	int fd1, fd2, fd3, fd4;
	uint32_t a, b, c;
	void *p, *q;

	mt_usage(&before);
	fd1 = iommu_open();
	a = vu_ioas_alloc(fd1);
	h1 = heap_new("id_a", fd1, a);

	fd2 = dup(fd1);
	TEST_ASSERT_TRUE(fd2 >= 0, "dup");
	h = heap_try("id_dup", fd2, a);
	TEST_ASSERT_TRUE(h == NULL && rte_errno == EEXIST,
			 "a second heap on IOAS %u through a dup of its iommufd: %s (want EEXIST)",
			 a, h ? "created" : rte_strerror(rte_errno));
	step("a dup of the iommufd names the same IOAS: the second heap is refused (EEXIST)");

	/* Another context: its IOASes are numbered from the same start. */
	fd3 = iommu_open();
	do
		c = vu_ioas_alloc(fd3);
	while (c < a);
	TEST_ASSERT_EQ(c, a, "IOAS numbers of a new context skip %u", a);
	h = heap_new("id_other", fd3, c);
	TEST_ASSERT_EQ(rte_pasid_mem_destroy(h), 0, "destroy id_other");
	step("the same IOAS number in another /dev/iommu context gets its own heap");

	/* The caller closes its fds; a new open reuses the number. */
	close(fd2);
	close(fd1);
	fd4 = iommu_open();
	if (fd4 != fd1) {	/* make it so */
		TEST_ASSERT_EQ(dup2(fd4, fd1), fd1, "dup2");
		close(fd4);
		fd4 = fd1;
	}
	do
		b = vu_ioas_alloc(fd4);
	while (b < a);
	TEST_ASSERT_EQ(b, a, "IOAS numbers of the new context skip %u", a);
	p = rte_pasid_mem_alloc(h1, 6 * MB, 4096);
	q = rte_pasid_mem_alloc(h1, 6 * MB, 4096);
	TEST_ASSERT_TRUE(p != NULL && q != NULL,
			 "growth of heap id_a after its caller closed the iommufd: %s",
			 rte_strerror(rte_errno));
	/* p fits the segment made at creation; q needs a new one. */
	TEST_ASSERT_EQ(segments(h1), 2u, "heap id_a segments");
	TEST_ASSERT_EQ(ioas_leftover(fd4, b), 0ull,
		       "the heap's growth mapped into the new context's IOAS %u", b);
	step("after the caller closed its iommufd the heap still grows in its own IOAS, not "
	     "in the new context's IOAS of the same fd and IOAS numbers");
	h = heap_new("id_new", fd4, b);
	TEST_ASSERT_EQ(rte_pasid_mem_destroy(h), 0, "destroy id_new");
	step("that new context's IOAS gets its own heap");

	rte_free(p);
	rte_free(q);
	TEST_ASSERT_EQ(rte_pasid_mem_destroy(h1), 0, "destroy id_a");
	close(fd3);
	close(fd4);
	mt_usage_same(&before, "the heaps");
	step("heaps destroyed: no fd, hugepage or mapping left");
	return 0;
}

/* The heap's own iommufd: the fd on /dev/iommu that is not @mine. */
static int
heap_iommufd(int mine)
{
	char path[64], link[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	int fd, found = -1;
	ssize_t n;

	TEST_ASSERT_NOT_NULL(d, "opendir /proc/self/fd");
	while ((e = readdir(d)) != NULL) {
		fd = atoi(e->d_name);
		if (e->d_name[0] == '.' || fd == mine || fd == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		if (strcmp(link, "/dev/iommu") == 0) {
			TEST_ASSERT_EQ(found, -1, "two iommufds besides the test's");
			found = fd;
		}
	}
	closedir(d);
	TEST_ASSERT_GE(found, 0, "the heap holds no iommufd of its own");
	return found;
}

static int
t_release_failure(void)
{
	struct rte_pasid_mem_heap *h;
	struct mt_usage before;
	int fd, hfd, saved, null;
	void *p[3], *q, *r;
	unsigned int i;
	uint32_t a;

	mt_log_capture();
	mt_usage(&before);
	fd = iommu_open();
	a = vu_ioas_alloc(fd);
	h = heap_new("rf", fd, a);
	for (i = 0; i < 3; i++) {
		p[i] = rte_pasid_mem_alloc(h, 6 * MB, 4096);	/* one segment each */
		TEST_ASSERT_NOT_NULL(p[i], "alloc %u", i);
	}
	TEST_ASSERT_EQ(segments(h), 3u, "segments after 3 blocks");

	/* Every IOAS unmap of the heap now fails (ENOTTY), as a stuck one would. */
	hfd = heap_iommufd(fd);
	saved = dup(hfd);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	TEST_ASSERT_TRUE(saved >= 0 && null >= 0 && dup2(null, hfd) == hfd, "dup2 /dev/null");

	rte_free(p[2]);
	TEST_ASSERT_EQ(rte_pasid_mem_shrink(h), -1, "shrink with a failing unmap");
	TEST_ASSERT_EQ(rte_errno, ENOTTY, "shrink's rte_errno");
	TEST_ASSERT_EQ(segments(h), 3u, "the segment whose unmap failed left its slot");
	TEST_ASSERT_TRUE(mt_log_has("stays mapped"), "no message says the segment stays mapped");
	step("a failed unmap keeps the segment and its IOVA (shrink fails with the unmap's errno)");

	rte_free(p[1]);
	rte_free(p[0]);
	TEST_ASSERT_EQ(rte_pasid_mem_destroy(h), -1, "destroy with a failing unmap");
	TEST_ASSERT_EQ(rte_errno, EBUSY, "destroy's rte_errno");
	TEST_ASSERT_TRUE(mt_log_has("cannot destroy"), "destroy's failure is not explained");
	TEST_ASSERT_TRUE(rte_pasid_mem_lookup("rf") == h, "the heap is gone after a failed destroy");
	q = rte_pasid_mem_alloc(h, 6 * MB, 4096);
	TEST_ASSERT_NOT_NULL(q, "no allocation from the heap after its failed destroy");
	TEST_ASSERT_TRUE(rte_pasid_mem_virt2iova(h, q) != RTE_BAD_IOVA, "the block has no IOVA");
	step("destroy stops at the failure with EBUSY; the heap stays usable");

	/* The unmaps work again: growth avoids the kept IOVAs, then all is released. */
	TEST_ASSERT_TRUE(dup2(saved, hfd) == hfd, "dup2 back");
	close(saved);
	close(null);
	r = rte_pasid_mem_alloc(h, 6 * MB, 4096);
	TEST_ASSERT_NOT_NULL(r, "growth beside the kept segments failed: %s",
			     rte_strerror(rte_errno));
	TEST_ASSERT_EQ(segments(h), 4u, "segments after growth");
	step("growth maps a new segment beside the kept ones (their IOVAs stay reserved)");
	rte_free(q);
	rte_free(r);
	TEST_ASSERT_EQ(rte_pasid_mem_destroy(h), 0, "destroy once the unmaps work");
	TEST_ASSERT_EQ(ioas_leftover(fd, a), 0ull, "mappings left in the IOAS");
	TEST_ASSERT_EQ(__vu_destroy(fd, a), 0, "IOAS destroy");
	close(fd);
	mt_usage_same(&before, "the heap");
	step("destroy then releases every segment: no fd, hugepage or mapping left");
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} tests[] = {
		{ "ioas-identity", t_ioas_identity },
		{ "release-failure", t_release_failure },
	};
	char prefix[64];
	unsigned int i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s ioas-identity|release-failure\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < TEST_DIM(tests); i++) {
		if (strcmp(argv[1], tests[i].name) != 0)
			continue;
		snprintf(prefix, sizeof(prefix), "mem_lifecycle_%s", argv[1]);
		mt_eal_init(argv[0], prefix);
		return tests[i].fn();
	}
	fprintf(stderr, "unknown test %s\n", argv[1]);
	return 2;
}
