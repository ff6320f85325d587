/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smoke-iommufd CDEV: the iommufd + vfio cdev flow on QEMU's edu device
 * behind the vIOMMU, with no DPDK involved.
 *
 * Binds the device to /dev/iommu, attaches its RID to a fresh IOAS, maps a
 * 2 MiB hugepage with IOMMU_IOAS_MAP, makes the device DMA from it and back
 * into it, checks the data and that the MSI arrived on an eventfd, then makes
 * the device write to an IOVA that was never mapped and to one that was just
 * unmapped, and checks that no byte of memory changed.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "vfio_util.h"

#define HP_SZ (2u << 20)
#define IOVA 0x40000000ull
#define LEN 2048u /* edu transfers must stay below 4096 bytes */

static void
step(const char *what)
{
	printf("ok: %s\n", what);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct vu_device d;
	struct vu_bar bar;
	uint8_t *buf, *snap;
	uint32_t ioas;
	uint64_t n;
	int efd, i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s /dev/vfio/devices/vfioN\n", argv[0]);
		return 2;
	}
	vu_open(&d, argv[1], -1);
	step("bound the vfio cdev to /dev/iommu");
	ioas = vu_ioas_alloc(d.iommufd);
	vu_attach(&d, ioas, -1);
	step("RID attached to a new IOAS");

	buf = vu_hugepage_alloc(HP_SZ);
	vu_map(d.iommufd, ioas, buf, HP_SZ, IOVA);
	step("hugepage mapped with IOMMU_IOAS_MAP");

	vu_bar_map(&d, VFIO_PCI_BAR0_REGION_INDEX, &bar);
	TEST_ASSERT_TRUE(*(volatile uint32_t *)bar.va == 0x010000ed,
			 "BAR0 ident is %#x, not the edu device's 0x010000ed",
			 *(volatile uint32_t *)bar.va);
	vu_bus_master(&d);
	efd = vu_irq_eventfd(&d, VFIO_PCI_MSI_IRQ_INDEX);
	step("BAR0 mapped, bus master on, MSI routed to an eventfd");

	for (i = 0; i < (int)LEN; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	memset(buf + 4096, 0, LEN);
	TEST_ASSERT_TRUE(edu_dma(&bar, IOVA, EDU_BUF, LEN, 0) == 0,
			 "edu DMA RAM -> device timed out");
	TEST_ASSERT_TRUE(edu_dma(&bar, EDU_BUF, IOVA + 4096, LEN,
				 EDU_CMD_TO_RAM | EDU_CMD_IRQ) == 0,
			 "edu DMA device -> RAM timed out");
	TEST_ASSERT_TRUE(memcmp(buf, buf + 4096, LEN) == 0,
			 "data that went RAM -> device -> RAM through the IOMMU differs");
	step("DMA round trip through the IOAS moved the data intact");
	n = vu_eventfd_wait(efd, 5000);
	TEST_ASSERT_TRUE(n > 0, "no MSI on the eventfd within 5 s of the DMA completion");
	edu_irq_ack(&bar, EDU_IRQ_DMA);
	step("MSI arrived on the eventfd");

	snap = malloc(HP_SZ);
	TEST_ASSERT_TRUE(snap, "malloc failed");
	memcpy(snap, buf, HP_SZ);
	/* Never mapped: 64 MiB above the mapping. */
	TEST_ASSERT_TRUE(edu_dma(&bar, EDU_BUF, IOVA + (64u << 20), LEN, EDU_CMD_TO_RAM) == 0,
			 "edu DMA to an unmapped IOVA did not complete");
	/* Unmapped after use: the IOVA that held buf. */
	vu_unmap(d.iommufd, ioas, IOVA, HP_SZ);
	memset(buf + 8192, 0x5a, LEN);
	memcpy(snap + 8192, buf + 8192, LEN);
	TEST_ASSERT_TRUE(edu_dma(&bar, EDU_BUF, IOVA + 8192, LEN, EDU_CMD_TO_RAM) == 0,
			 "edu DMA to an unmapped IOVA did not complete");
	TEST_ASSERT_TRUE(memcmp(buf, snap, HP_SZ) == 0,
			 "a device write to an unmapped IOVA changed process memory");
	step("DMA to unmapped IOVAs left memory untouched");

	TEST_ASSERT_TRUE(__vu_detach(&d, -1) == 0, "RID detach failed");
	TEST_ASSERT_TRUE(__vu_destroy(d.iommufd, ioas) == 0, "IOAS destroy after detach failed");
	close(efd);
	vu_close(&d);
	free(snap);
	munmap(buf, HP_SZ);
	step("torn down: RID detached, IOAS destroyed, fds closed");
	return 0;
}
