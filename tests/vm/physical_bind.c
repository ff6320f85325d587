/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * physical-bind CDEV WIDTH: a pasidnic_pci function bound to vfio-pci, seen
 * through its vfio cdev and iommufd as the iommufd bus's physical branch sees
 * a device (doc/pasidnic.md §13).
 *
 * Binds the cdev to /dev/iommu; IOMMU_GET_HW_INFO reports PASID width WIDTH;
 * a HWPT allocated with IOMMU_HWPT_ALLOC_PASID on a new IOAS takes the RID
 * (so the module's IOMMU driver allocated a paging domain); memory mapped
 * into the IOAS reaches that domain's page table (IOMMU_IOAS_MAP/UNMAP);
 * BAR0 shows the device's identification registers both through the
 * region's read() and its mmap(), and BAR2 written through mmap() reads back
 * through read() (vfio-pci's two paths reach the same memory); the RID
 * detaches and every object is destroyed.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pasidnic_regs.h"
#include "physical_port.h"
#include "vfio_util.h"

#define IOVA 0x100000ull
#define LEN (64u << 10)

static void
step(const char *what)
{
	printf("ok: %s\n", what);
	fflush(stdout);
}

static uint64_t
region_offset(struct vu_device *d, unsigned int index)
{
	struct vfio_region_info r = { .argsz = sizeof(r), .index = index };

	TEST_ASSERT_TRUE(ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &r) == 0,
			 "GET_REGION_INFO of region %u failed", index);
	return r.offset;
}

static uint32_t
region_read32(struct vu_device *d, unsigned int index, uint64_t off)
{
	uint32_t v = 0;

	TEST_ASSERT_TRUE(pread(d->fd, &v, 4, region_offset(d, index) + off) == 4,
			 "read of region %u at %#llx failed", index, (unsigned long long)off);
	return v;
}

/*
 * BAR0's ID once the function published its register file: it reads 0
 * after a reset (vfio-pci's FLR at open) until then (pasidnic_regs.h,
 * "Physical functions"). Waits up to 2 s.
 */
static uint32_t
published_id(struct vu_device *d)
{
	uint32_t id = 0;
	int i;

	for (i = 0; i < 2000; i++) {
		id = region_read32(d, VFIO_PCI_BAR0_REGION_INDEX, PNIC_REG_ID);
		if (id != 0)
			break;
		usleep(1000);
	}
	return id;
}

int
main(int argc, char **argv)
{
	struct iommu_hw_info info = { .size = sizeof(info) };
	struct vu_bar regs, db;
	struct vu_device d;
	unsigned int width;
	uint32_t ioas, hwpt, v;
	uint8_t *buf;

	if (argc != 3) {
		fprintf(stderr, "usage: %s /dev/vfio/devices/vfioN PASID-WIDTH\n", argv[0]);
		return 2;
	}
	width = (unsigned int)strtoul(argv[2], NULL, 0);
	vu_open(&d, argv[1], -1);
	step("bound the vfio cdev to /dev/iommu");

	info.dev_id = d.devid;
	TEST_ASSERT_EQ(ioctl(d.iommufd, IOMMU_GET_HW_INFO, &info), 0);
	printf("IOMMU_GET_HW_INFO: type %u, max_pasid_log2 %u, capabilities %#llx\n",
	       info.out_data_type, info.out_max_pasid_log2,
	       (unsigned long long)info.out_capabilities);
	TEST_ASSERT_EQ(info.out_max_pasid_log2, width);
	TEST_ASSERT_EQ(info.out_data_type, (uint32_t)IOMMU_HW_INFO_TYPE_NONE);
	step("IOMMU_GET_HW_INFO reports the PASID width");

	ioas = vu_ioas_alloc(d.iommufd);
	hwpt = vu_hwpt_alloc(&d, ioas, IOMMU_HWPT_ALLOC_PASID);
	vu_attach(&d, hwpt, -1);
	step("RID attached to a PASID-capable HWPT");

	buf = phys_buffer(LEN);
	vu_map(d.iommufd, ioas, buf, LEN, IOVA);
	vu_unmap(d.iommufd, ioas, IOVA, LEN);
	vu_map(d.iommufd, ioas, buf, LEN, IOVA);
	step("IOAS map, unmap and map again through the HWPT's domain");

	TEST_ASSERT_EQ(published_id(&d), PNIC_ID_MAGIC);
	TEST_ASSERT_EQ(region_read32(&d, VFIO_PCI_BAR0_REGION_INDEX, PNIC_REG_PASID_WIDTH),
		       width);
	vu_bar_map(&d, VFIO_PCI_BAR0_REGION_INDEX, &regs);
	v = *(volatile uint32_t *)(regs.va + PNIC_REG_ID);
	TEST_ASSERT_EQ(v, PNIC_ID_MAGIC);
	step("BAR0 identification registers through read() and mmap()");

	vu_bar_map(&d, VFIO_PCI_BAR2_REGION_INDEX, &db);
	*(volatile uint32_t *)(db.va + PNIC_DB_TAIL(3)) = 0xc0ffee03;
	TEST_ASSERT_EQ(region_read32(&d, VFIO_PCI_BAR2_REGION_INDEX, PNIC_DB_TAIL(3)),
		       0xc0ffee03u);
	step("BAR2 written through mmap() reads back through read()");

	munmap((void *)regs.va, regs.size);
	munmap((void *)db.va, db.size);
	TEST_ASSERT_EQ(__vu_detach(&d, -1), 0);
	vu_unmap(d.iommufd, ioas, IOVA, LEN);
	TEST_ASSERT_EQ(__vu_destroy(d.iommufd, hwpt), 0);
	TEST_ASSERT_EQ(__vu_destroy(d.iommufd, ioas), 0);
	vu_close(&d);
	munmap(buf, LEN);
	step("RID detached, HWPT and IOAS destroyed, device closed");
	return 0;
}
