/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The process's iommufd context: /dev/iommu, what the running kernel offers,
 * and thin wrappers of the IOAS ioctls. Near the bottom: it calls only
 * iommufd_features.c, the probes when /dev/iommu opens (the default IOAS
 * that holds DPDK memory is iommufd_mem.c's).
 *
 * Kernel floors (doc/bus_iommufd.md): iommufd 6.2, vfio cdev + GET_HW_INFO +
 * HWPT_ALLOC 6.6, PASID attach through vfio 6.15. The optional ones are
 * probed when /dev/iommu opens and when a device is bound
 * (iommufd_features.c), never read from the release string.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/iommufd.h>

#include <rte_string_fns.h>

#include "private.h"

struct iommufd_bus_ctx iommufd_bus_ctx = { .fd = -1 };

int
iommufd_sys_ioctl(int fd, unsigned long req, void *arg)
{
	return iommufd_hook_ioctl(fd, req, arg);
}

int
iommufd_bus_ctx_get(void)
{
	char why[128];
	int ret;

	if (iommufd_bus_ctx.fd >= 0) {
		iommufd_bus_ctx.users++;
		return 0;
	}
	iommufd_bus_ctx.fd = iommufd_hook_open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (iommufd_bus_ctx.fd < 0) {
		ret = -errno;
		if (ret == -ENOENT)
			IOMMUFD_LOG(ERR, "no /dev/iommu: the kernel lacks CONFIG_IOMMUFD "
				    "(Linux 6.2+; vfio cdevs need 6.6+); rebuild it with "
				    "CONFIG_IOMMUFD=y or run 'modprobe iommufd'");
		else
			IOMMUFD_LOG(ERR, "cannot open /dev/iommu: %s", strerror(-ret));
		return ret;
	}
	ret = iommufd_features_probe(iommufd_bus_ctx.fd, &iommufd_bus_ctx.features, why,
				     sizeof(why));
	if (ret < 0) {
		IOMMUFD_LOG(ERR, "/dev/iommu: %s", why);
		close(iommufd_bus_ctx.fd);
		iommufd_bus_ctx.fd = -1;
		return ret;
	}
	iommufd_bus_ctx.users = 1;
	IOMMUFD_LOG(DEBUG, "/dev/iommu open (fd %d)", iommufd_bus_ctx.fd);
	return 0;
}

void
iommufd_bus_ctx_adopt(int fd)
{
	if (iommufd_bus_ctx.fd >= 0) {
		/* The same file as the one adopted already: one fd is enough. */
		if (fd != iommufd_bus_ctx.fd)
			close(fd);
		iommufd_bus_ctx.users++;
		return;
	}
	iommufd_bus_ctx.fd = fd;
	iommufd_bus_ctx.adopted = true;
	iommufd_bus_ctx.users = 1;
	IOMMUFD_LOG(DEBUG, "/dev/iommu of the primary process received (fd %d)", fd);
}

void
iommufd_bus_ctx_put(void)
{
	if (iommufd_bus_ctx.fd < 0 || --iommufd_bus_ctx.users > 0)
		return;
	/* Adopted: the primary owns every object, we drop our reference only.
	 * Otherwise the users destroyed their objects before they let go.
	 */
	close(iommufd_bus_ctx.fd);
	iommufd_bus_ctx.fd = -1;
	if (iommufd_bus_ctx.adopted)
		iommufd_bus_ctx.adopted = false;
	else
		IOMMUFD_LOG(DEBUG, "/dev/iommu closed");
}

int
iommufd_destroy(uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	if (iommufd_hook_ioctl(iommufd_bus_ctx.fd, IOMMU_DESTROY, &d)) {
		int ret = -errno;

		IOMMUFD_LOG(DEBUG, "IOMMU_DESTROY of object %u failed: %s", id, strerror(errno));
		return ret;
	}
	return 0;
}

int
iommufd_ioas_alloc(uint32_t *ioas)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };

	if (iommufd_hook_ioctl(iommufd_bus_ctx.fd, IOMMU_IOAS_ALLOC, &a))
		return -errno;
	*ioas = a.out_ioas_id;
	return 0;
}

int
iommufd_ioas_map(uint32_t ioas, const void *va, uint64_t iova, uint64_t len)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	if (iommufd_hook_ioctl(iommufd_bus_ctx.fd, IOMMU_IOAS_MAP, &m) == 0)
		return 0;
	if (errno == ENOMEM)
		IOMMUFD_LOG(ERR, "IOMMU_IOAS_MAP of %#" PRIx64 " bytes failed with ENOMEM: "
			    "pinned memory is charged to RLIMIT_MEMLOCK (ulimit -l), "
			    "raise it or run with CAP_IPC_LOCK", len);
	else
		IOMMUFD_LOG(DEBUG, "IOMMU_IOAS_MAP IOAS %u va %p iova %#" PRIx64 " len %#"
			    PRIx64 " failed: %s", ioas, va, iova, len, strerror(errno));
	return -errno;
}

int
iommufd_ioas_unmap(uint32_t ioas, uint64_t iova, uint64_t len)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = ioas, .iova = iova, .length = len,
	};

	if (iommufd_hook_ioctl(iommufd_bus_ctx.fd, IOMMU_IOAS_UNMAP, &u)) {
		IOMMUFD_LOG(DEBUG, "IOMMU_IOAS_UNMAP IOAS %u iova %#" PRIx64 " len %#" PRIx64
			    " failed: %s", ioas, iova, len, strerror(errno));
		return -errno;
	}
	return 0;
}
