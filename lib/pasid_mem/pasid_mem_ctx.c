/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Copyright(c) 2026 The dpdk-pasid authors
 */
/*
 * The iommufd context of a heap: the heap holds its own duplicate of the
 * caller's /dev/iommu fd, so its mappings stay reachable (and its unmaps go
 * to the right context) even when the caller closes its fd and a later
 * open() reuses the number; and "one heap per IOAS" compares contexts, not fd
 * numbers.
 *
 * Two fds name the same context exactly when they share one open file
 * (dup, fork, SCM_RIGHTS): every open() of /dev/iommu is a new context.
 * fstat() cannot tell (every open shares the device node's st_dev/st_ino)
 * and kcmp() is often compiled out (CONFIG_KCMP), so the test asks the kernel
 * about an object: an IOAS allocated through one fd is visible through the
 * other, and gone once destroyed, only in the same context.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/iommufd.h>

#include "iommufd_hook.h"
#include "pasid_mem_private.h"

int
pasid_mem_ioas_hold(struct pasid_mem_ioas *ioas, int iommufd)
{
	int fd;

	if (iommufd == RTE_PASID_MEM_NO_IOMMU) {
		ioas->iommufd = RTE_PASID_MEM_NO_IOMMU;
		return 0;
	}
	fd = fcntl(iommufd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0) {
		PMEM_LOG(ERR, "iommufd %d cannot be duplicated for the heap: %s%s", iommufd,
			strerror(errno), errno == EBADF ? " (not an open fd: pass the fd of "
			"/dev/iommu, or RTE_PASID_MEM_NO_IOMMU)" : "");
		return -errno;
	}
	ioas->iommufd = fd;
	return 0;
}

void
pasid_mem_ioas_drop(struct pasid_mem_ioas *ioas)
{
	if (ioas->iommufd >= 0)
		close(ioas->iommufd);
	ioas->iommufd = RTE_PASID_MEM_NO_IOMMU;
}

/* Whether @fd's context has an IOAS @id: 1, 0, or -errno. */
static int
ioas_exists(int fd, uint32_t id)
{
	struct iommu_ioas_iova_ranges q = { .size = sizeof(q), .ioas_id = id };

	if (iommufd_hook_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &q) == 0 || errno == EMSGSIZE)
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

int
pasid_mem_iommufd_same(int a, int b)
{
	unsigned int tries;
	int seen, still;

	if (a == b)
		return 1;
	/*
	 * A probe IOAS made through @a is seen through @b, and is gone through
	 * @b once destroyed through @a, only when they are one context. A
	 * different context may own an IOAS of the same number (then it stays):
	 * retry in case another thread of ours reused the number meanwhile.
	 */
	for (tries = 0; tries < 3; tries++) {
		struct iommu_ioas_alloc al = { .size = sizeof(al) };
		struct iommu_destroy de = { .size = sizeof(de) };

		if (iommufd_hook_ioctl(a, IOMMU_IOAS_ALLOC, &al) < 0) {
			PMEM_LOG(ERR, "IOMMU_IOAS_ALLOC of a probe IOAS on iommufd %d failed: %s",
				a, strerror(errno));
			return -errno;
		}
		seen = ioas_exists(b, al.out_ioas_id);
		de.id = al.out_ioas_id;
		if (iommufd_hook_ioctl(a, IOMMU_DESTROY, &de) < 0)
			PMEM_LOG(ERR, "IOMMU_DESTROY of probe IOAS %u on iommufd %d failed: %s",
				al.out_ioas_id, a, strerror(errno));
		if (seen <= 0)
			return seen;
		still = ioas_exists(b, al.out_ioas_id);
		if (still <= 0)
			return still < 0 ? still : 1;
	}
	return 0;
}
