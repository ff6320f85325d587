/* SPDX-License-Identifier: BSD-3-Clause */
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#include "vfio_util.h"

int
__vu_open(struct vu_device *d, const char *cdev, int iommufd)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_region_info cfg = { .argsz = sizeof(cfg) };
	int err;

	memset(d, 0, sizeof(*d));
	d->iommufd = iommufd >= 0 ? iommufd : open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (d->iommufd < 0)
		return -errno;
	d->fd = open(cdev, O_RDWR | O_CLOEXEC);
	if (d->fd < 0)
		goto fail;
	bind.iommufd = d->iommufd;
	if (ioctl(d->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		goto fail_dev;
	d->devid = bind.out_devid;
	if (ioctl(d->fd, VFIO_DEVICE_GET_INFO, &info))
		goto fail_dev;
	d->num_irqs = info.num_irqs;
	if (info.flags & VFIO_DEVICE_FLAGS_PCI) {
		cfg.index = VFIO_PCI_CONFIG_REGION_INDEX;
		if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &cfg))
			goto fail_dev;
		d->cfg_offset = cfg.offset;
	}
	return 0;
fail_dev:
	err = -errno;
	close(d->fd);
	errno = -err;
fail:
	err = -errno;
	if (iommufd < 0)
		close(d->iommufd);
	d->fd = d->iommufd = -1;
	return err;
}

void
vu_open(struct vu_device *d, const char *cdev, int iommufd)
{
	int rc = __vu_open(d, cdev, iommufd);

	errno = -rc;
	TEST_ASSERT_TRUE(rc == 0, "cannot open and bind %s to /dev/iommu", cdev);
}

void
vu_close(struct vu_device *d)
{
	close(d->fd);
	close(d->iommufd);
	d->fd = d->iommufd = -1;
}

int
__vu_ioas_alloc(int iommufd, uint32_t *ioas)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };

	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &a))
		return -errno;
	*ioas = a.out_ioas_id;
	return 0;
}

uint32_t
vu_ioas_alloc(int iommufd)
{
	uint32_t ioas = 0;

	TEST_ASSERT_TRUE(__vu_ioas_alloc(iommufd, &ioas) == 0, "IOMMU_IOAS_ALLOC failed");
	return ioas;
}

int
__vu_hwpt_alloc(struct vu_device *d, uint32_t ioas, uint32_t flags, uint32_t *hwpt)
{
	struct iommu_hwpt_alloc h = {
		.size = sizeof(h),
		.flags = flags,
		.dev_id = d->devid,
		.pt_id = ioas,
	};

	if (ioctl(d->iommufd, IOMMU_HWPT_ALLOC, &h))
		return -errno;
	*hwpt = h.out_hwpt_id;
	return 0;
}

uint32_t
vu_hwpt_alloc(struct vu_device *d, uint32_t ioas, uint32_t flags)
{
	uint32_t hwpt = 0;

	TEST_ASSERT_TRUE(__vu_hwpt_alloc(d, ioas, flags, &hwpt) == 0,
			 "IOMMU_HWPT_ALLOC (flags %#x) on IOAS %u failed", flags, ioas);
	return hwpt;
}

int
__vu_destroy(int iommufd, uint32_t id)
{
	struct iommu_destroy x = { .size = sizeof(x), .id = id };

	return ioctl(iommufd, IOMMU_DESTROY, &x) ? -errno : 0;
}

int
__vu_attach(struct vu_device *d, uint32_t pt_id, int pasid)
{
	struct vfio_device_attach_iommufd_pt at = {
		.argsz = sizeof(at),
		.pt_id = pt_id,
	};

	if (pasid >= 0) {
		at.flags = VFIO_DEVICE_ATTACH_PASID;
		at.pasid = pasid;
	}
	return ioctl(d->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) ? -errno : 0;
}

void
vu_attach(struct vu_device *d, uint32_t pt_id, int pasid)
{
	TEST_ASSERT_TRUE(__vu_attach(d, pt_id, pasid) == 0, "attach of %s %d to pt %u failed",
			 pasid < 0 ? "RID" : "PASID", pasid, pt_id);
}

int
__vu_detach(struct vu_device *d, int pasid)
{
	struct vfio_device_detach_iommufd_pt dt = { .argsz = sizeof(dt) };

	if (pasid >= 0) {
		dt.flags = VFIO_DEVICE_DETACH_PASID;
		dt.pasid = pasid;
	}
	return ioctl(d->fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt) ? -errno : 0;
}

int
__vu_map(int iommufd, uint32_t ioas, void *va, uint64_t len, uint64_t iova)
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

	return ioctl(iommufd, IOMMU_IOAS_MAP, &m) ? -errno : 0;
}

void
vu_map(int iommufd, uint32_t ioas, void *va, uint64_t len, uint64_t iova)
{
	TEST_ASSERT_TRUE(__vu_map(iommufd, ioas, va, len, iova) == 0,
			 "IOMMU_IOAS_MAP of %#llx bytes at iova %#llx failed",
			 (unsigned long long)len, (unsigned long long)iova);
}

int
__vu_unmap(int iommufd, uint32_t ioas, uint64_t iova, uint64_t len)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = ioas, .iova = iova, .length = len,
	};

	return ioctl(iommufd, IOMMU_IOAS_UNMAP, &u) ? -errno : 0;
}

void
vu_unmap(int iommufd, uint32_t ioas, uint64_t iova, uint64_t len)
{
	TEST_ASSERT_TRUE(__vu_unmap(iommufd, ioas, iova, len) == 0,
			 "IOMMU_IOAS_UNMAP of %#llx bytes at iova %#llx failed",
			 (unsigned long long)len, (unsigned long long)iova);
}

uint32_t
vu_cfg_read(struct vu_device *d, unsigned int off, unsigned int size)
{
	uint32_t v = 0;

	TEST_ASSERT_TRUE(pread(d->fd, &v, size, d->cfg_offset + off) == (ssize_t)size,
			 "config read of %u bytes at %#x failed", size, off);
	return v;
}

void
vu_cfg_write(struct vu_device *d, unsigned int off, unsigned int size, uint32_t val)
{
	TEST_ASSERT_TRUE(pwrite(d->fd, &val, size, d->cfg_offset + off) == (ssize_t)size,
			 "config write of %u bytes at %#x failed", size, off);
}

void
vu_bus_master(struct vu_device *d)
{
	uint32_t cmd = vu_cfg_read(d, 0x4, 2);

	vu_cfg_write(d, 0x4, 2, cmd | 0x6); /* PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER */
}

void
vu_bar_map(struct vu_device *d, unsigned int index, struct vu_bar *bar)
{
	struct vfio_region_info r = { .argsz = sizeof(r), .index = index };
	void *va;

	TEST_ASSERT_TRUE(ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &r) == 0,
			 "GET_REGION_INFO of BAR %u failed", index);
	TEST_ASSERT_TRUE(r.size && (r.flags & VFIO_REGION_INFO_FLAG_MMAP),
			 "BAR %u is empty or cannot be mmapped (flags %#x)", index, r.flags);
	va = mmap(NULL, r.size, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, r.offset);
	TEST_ASSERT_TRUE(va != MAP_FAILED, "mmap of BAR %u (%llu bytes) failed", index,
			 (unsigned long long)r.size);
	bar->va = va;
	bar->size = r.size;
}

int
vu_irq_eventfd(struct vu_device *d, unsigned int index)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	int32_t efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	TEST_ASSERT_TRUE(efd >= 0, "eventfd failed");
	set->argsz = sizeof(buf);
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = index;
	set->start = 0;
	set->count = 1;
	memcpy(set->data, &efd, sizeof(efd));
	TEST_ASSERT_TRUE(ioctl(d->fd, VFIO_DEVICE_SET_IRQS, set) == 0,
			 "VFIO_DEVICE_SET_IRQS index %u to an eventfd failed", index);
	return efd;
}

uint64_t
vu_eventfd_wait(int efd, int timeout_ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t n = 0;

	if (poll(&p, 1, timeout_ms) != 1)
		return 0;
	if (read(efd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

void *
vu_hugepage_alloc(size_t len)
{
	void *va = mmap(NULL, len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);

	TEST_ASSERT_TRUE(va != MAP_FAILED,
			 "no free 2 MiB hugepages for %zu bytes: reserve some with "
			 "'echo N > /proc/sys/vm/nr_hugepages' (vm.sh --hugepages N)", len);
	return va;
}

static inline void
wr32(struct vu_bar *bar, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(bar->va + off) = v;
}

static inline uint32_t
rd32(struct vu_bar *bar, unsigned int off)
{
	return *(volatile uint32_t *)(bar->va + off);
}

static inline void
wr64(struct vu_bar *bar, unsigned int off, uint64_t v)
{
	*(volatile uint64_t *)(bar->va + off) = v;
}

int
edu_dma(struct vu_bar *bar, uint64_t src, uint64_t dst, uint32_t len, uint32_t cmd)
{
	struct timespec t0, t;

	wr64(bar, 0x80, src);
	wr64(bar, 0x88, dst);
	wr64(bar, 0x90, len);
	wr32(bar, 0x98, cmd | 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (rd32(bar, 0x98) & 1) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 5)
			return -ETIMEDOUT;
		usleep(100);
	}
	return 0;
}

void
edu_irq_ack(struct vu_bar *bar, uint32_t mask)
{
	wr32(bar, 0x64, mask);
}
