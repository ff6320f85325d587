/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bus_iova_ranges: IOVA-range logic against a fake IOMMU_IOAS_IOVA_RANGES
 * (the host has no /dev/iommu): the two-call EMSGSIZE pattern, errors, and
 * validating a mapping against the ranges (alignment, holes such as the x86
 * MSI window, the end of the IOMMU's address width, wrap-around), and the
 * MSI window check PASID domains need since their IOAS does not report it.
 */
#include <errno.h>
#include <string.h>

#include <linux/iommufd.h>

#include "private.h"
#include "test_assert.h"

static struct iommu_iova_range fake[16];
static uint32_t fake_n;
static int fake_calls;
static int fake_errno;   /* fail every call with this */
static bool fake_grow;   /* five more ranges at every call */

static int
fake_ioctl(int fd, unsigned long req, void *arg)
{
	struct iommu_ioas_iova_ranges *q = arg;

	fake_calls++;
	TEST_ASSERT_EQ(fd, 42);
	TEST_ASSERT_TRUE(req == IOMMU_IOAS_IOVA_RANGES, "unexpected ioctl %#lx", req);
	TEST_ASSERT_EQ(q->size, sizeof(*q));
	TEST_ASSERT_EQ(q->ioas_id, 7);
	if (fake_errno) {
		errno = fake_errno;
		return -1;
	}
	if (fake_grow)
		fake_n += 5;
	if (q->num_iovas < fake_n) {
		q->num_iovas = fake_n;
		errno = EMSGSIZE;
		return -1;
	}
	memcpy((void *)(uintptr_t)q->allowed_iovas, fake, fake_n * sizeof(fake[0]));
	q->num_iovas = fake_n;
	q->out_iova_alignment = 4096;
	return 0;
}

static void
set_fake(uint32_t n)
{
	uint32_t i;

	fake_n = n;
	fake_calls = 0;
	fake_errno = 0;
	fake_grow = false;
	for (i = 0; i < n; i++) {
		fake[i].start = (uint64_t)i << 32;
		fake[i].last = ((uint64_t)i << 32) + 0x7fffffff;
	}
}

int
main(void)
{
	struct iommufd_iova_range *r;
	struct iommufd_iova_range vtd[2] = {
		{ 0, 0xfedfffff },                      /* below the MSI window */
		{ 0xfef00000, (UINT64_C(1) << 39) - 1 }, /* 39-bit vIOMMU */
	};
	uint64_t align;
	uint32_t n;

	/* Fits the first guess (4): one call. */
	set_fake(2);
	TEST_ASSERT_EQ(iommufd_iova_ranges_get(fake_ioctl, 42, 7, &r, &n, &align), 0);
	TEST_ASSERT_EQ(fake_calls, 1);
	TEST_ASSERT_EQ(n, 2);
	TEST_ASSERT_EQ(align, 4096);
	TEST_ASSERT_TRUE(r[1].start == UINT64_C(1) << 32 &&
			 r[1].last == (UINT64_C(1) << 32) + 0x7fffffff, "range 1 is %#llx..%#llx",
			 (unsigned long long)r[1].start, (unsigned long long)r[1].last);
	free(r);
	/*
	 * More than the first guess: EMSGSIZE, then a second call of the size
	 * the kernel wrote back.
	 */
	set_fake(11);
	TEST_ASSERT_EQ(iommufd_iova_ranges_get(fake_ioctl, 42, 7, &r, &n, &align), 0);
	TEST_ASSERT_EQ(fake_calls, 2);
	TEST_ASSERT_EQ(n, 11);
	TEST_ASSERT_TRUE(r[10].start == UINT64_C(10) << 32, "range 10 starts at %#llx",
			 (unsigned long long)r[10].start);
	free(r);
	/* No ranges at all (nothing attached yet is not an error). */
	set_fake(0);
	TEST_ASSERT_EQ(iommufd_iova_ranges_get(fake_ioctl, 42, 7, &r, &n, &align), 0);
	TEST_ASSERT_EQ(n, 0);
	free(r);
	/* Errors pass through; ranges that keep growing give up. */
	set_fake(2);
	fake_errno = ENOENT;
	TEST_ASSERT_EQ(iommufd_iova_ranges_get(fake_ioctl, 42, 7, &r, &n, &align), -ENOENT);
	TEST_ASSERT_TRUE(r == NULL && n == 0, "nothing returned on error");
	set_fake(3);
	fake_grow = true;
	TEST_ASSERT_EQ(iommufd_iova_ranges_get(fake_ioctl, 42, 7, &r, &n, &align), -EAGAIN);
	TEST_ASSERT_TRUE(r == NULL, "nothing returned on -EAGAIN");
	printf("ok: IOMMU_IOAS_IOVA_RANGES two-call pattern\n");

	/* Validating a mapping. */
	TEST_ASSERT_EQ(iommufd_iova_check(vtd, 2, 4096, 0x100000000, 2 << 20), 0);
	TEST_ASSERT_EQ(iommufd_iova_check(vtd, 2, 4096, 0, 4096), 0);
	TEST_ASSERT_EQ(iommufd_iova_check(vtd, 2, 4096, 0xfedff000, 4096), 0); /* ends at last */
	TEST_ASSERT_EQ(iommufd_iova_check(vtd, 2, 4096, 0xfedff000, 8192), -EINVAL); /* MSI hole */
	TEST_ASSERT_EQ(iommufd_iova_check(vtd, 2, 4096, 0xfee00000, 4096), -EINVAL);
	TEST_ASSERT_EQ(iommufd_iova_check(vtd, 2, 4096, UINT64_C(1) << 39, 4096), -EINVAL);
	TEST_ASSERT_EQ(iommufd_iova_check(vtd, 2, 4096, (UINT64_C(1) << 39) - 4096, 4096), 0);
	TEST_ASSERT_EQ(iommufd_iova_check(vtd, 2, 4096, 0x1000800, 4096), -EINVAL); /* unaligned */
	TEST_ASSERT_EQ(iommufd_iova_check(vtd, 2, 4096, 0x1000000, 100), -EINVAL);
	TEST_ASSERT_EQ(iommufd_iova_check(vtd, 2, 4096, 0x1000000, 0), -EINVAL);
	TEST_ASSERT_EQ(iommufd_iova_check(vtd, 2, 1, UINT64_MAX - 10, 100), -EINVAL); /* wraps */
	TEST_ASSERT_EQ(iommufd_iova_check(vtd, 0, 4096, 0x1000000, 4096), -EINVAL);
	printf("ok: mappings validated against the ranges\n");

	/* PASID domains avoid the MSI window although no range excludes it. */
	TEST_ASSERT_TRUE(iommufd_iova_hits_msi_window(0xfee00000, 4096), "the window's first page");
	TEST_ASSERT_TRUE(iommufd_iova_hits_msi_window(0xfedff000, 8192),
			 "a range ending inside it");
	TEST_ASSERT_TRUE(iommufd_iova_hits_msi_window(0xfe000000, 64 << 20), "a range covering it");
	TEST_ASSERT_TRUE(!iommufd_iova_hits_msi_window(0xfedff000, 4096), "the page below it");
	TEST_ASSERT_TRUE(!iommufd_iova_hits_msi_window(0xfef00000, 4096), "the page above it");
	TEST_ASSERT_TRUE(!iommufd_iova_hits_msi_window(0xfee00000, 0), "an empty range");
	printf("ok: the x86 MSI window is recognised\n");

	return 0;
}
