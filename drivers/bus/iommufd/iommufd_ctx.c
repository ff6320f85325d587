/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The process's iommufd context: /dev/iommu, the default IOAS shared by the
 * RIDs of all bound devices, and what the running kernel offers.
 *
 * Kernel floors (doc/bus_iommufd.md): iommufd 6.2, vfio cdev + GET_HW_INFO +
 * HWPT_ALLOC 6.6, PASID attach through vfio 6.15. Below 6.15 the bus runs
 * every device RID-only and says so once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>

#include <linux/iommufd.h>

#include <rte_string_fns.h>

#include "private.h"

struct iommufd_ctx iommufd_ctx = { .fd = -1 };

int
iommufd_sys_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg);
}

bool
iommufd_kernel_has_pasid_attach(const char *release)
{
	unsigned int major, minor;

	if (release == NULL || sscanf(release, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 15);
}

static void
detect_kernel(void)
{
	struct utsname u;

	if (uname(&u) == 0)
		rte_strscpy(iommufd_ctx.kernel, u.release, sizeof(iommufd_ctx.kernel));
	iommufd_ctx.pasid_attach = iommufd_kernel_has_pasid_attach(iommufd_ctx.kernel);
	if (!iommufd_ctx.pasid_attach)
		IOMMUFD_LOG(NOTICE, "kernel %s cannot attach PASIDs through vfio (Linux 6.15+): "
			    "devices run RID-only, PASID domains are not available",
			    iommufd_ctx.kernel);
}

int
iommufd_ctx_get(void)
{
	int ret;

	if (iommufd_ctx.fd >= 0) {
		iommufd_ctx.users++;
		return 0;
	}
	iommufd_ctx.fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (iommufd_ctx.fd < 0) {
		ret = -errno;
		if (ret == -ENOENT)
			IOMMUFD_LOG(ERR, "no /dev/iommu: the kernel lacks CONFIG_IOMMUFD "
				    "(Linux 6.2+; vfio cdevs need 6.6+); rebuild it with "
				    "CONFIG_IOMMUFD=y or run 'modprobe iommufd'");
		else
			IOMMUFD_LOG(ERR, "cannot open /dev/iommu: %s", strerror(-ret));
		return ret;
	}
	detect_kernel();
	ret = iommufd_ioas_alloc(&iommufd_ctx.default_ioas);
	if (ret < 0) {
		IOMMUFD_LOG(ERR, "IOMMU_IOAS_ALLOC of the default IOAS failed: %s",
			    strerror(-ret));
		close(iommufd_ctx.fd);
		iommufd_ctx.fd = -1;
		return ret;
	}
	iommufd_ctx.users = 1;
	IOMMUFD_LOG(DEBUG, "/dev/iommu open (fd %d), default IOAS %u, kernel %s",
		    iommufd_ctx.fd, iommufd_ctx.default_ioas, iommufd_ctx.kernel);
	return 0;
}

void
iommufd_ctx_adopt(int fd, uint32_t default_ioas)
{
	if (iommufd_ctx.fd >= 0) {
		/* The same file as the one adopted already: one fd is enough. */
		if (fd != iommufd_ctx.fd)
			close(fd);
		iommufd_ctx.users++;
		return;
	}
	iommufd_ctx.fd = fd;
	iommufd_ctx.adopted = true;
	iommufd_ctx.default_ioas = default_ioas;
	iommufd_ctx.users = 1;
	detect_kernel();
	IOMMUFD_LOG(DEBUG, "/dev/iommu of the primary process received (fd %d)", fd);
}

void
iommufd_ctx_put(void)
{
	if (iommufd_ctx.fd < 0 || --iommufd_ctx.users > 0)
		return;
	if (iommufd_ctx.adopted) {
		/* The primary owns every object: drop our reference only. */
		close(iommufd_ctx.fd);
		iommufd_ctx.fd = -1;
		iommufd_ctx.adopted = false;
		iommufd_ctx.default_ioas = 0;
		return;
	}
	iommufd_mem_fini();
	iommufd_ioas_unmap(iommufd_ctx.default_ioas, 0, UINT64_MAX);
	iommufd_destroy(iommufd_ctx.default_ioas);
	close(iommufd_ctx.fd);
	iommufd_ctx.fd = -1;
	iommufd_ctx.default_ioas = 0;
	IOMMUFD_LOG(DEBUG, "/dev/iommu closed");
}

int
iommufd_destroy(uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	if (ioctl(iommufd_ctx.fd, IOMMU_DESTROY, &d)) {
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

	if (ioctl(iommufd_ctx.fd, IOMMU_IOAS_ALLOC, &a))
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

	if (ioctl(iommufd_ctx.fd, IOMMU_IOAS_MAP, &m) == 0)
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

	if (ioctl(iommufd_ctx.fd, IOMMU_IOAS_UNMAP, &u)) {
		IOMMUFD_LOG(DEBUG, "IOMMU_IOAS_UNMAP IOAS %u iova %#" PRIx64 " len %#" PRIx64
			    " failed: %s", ioas, iova, len, strerror(errno));
		return -errno;
	}
	return 0;
}
