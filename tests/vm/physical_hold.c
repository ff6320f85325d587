/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * physical-hold CDEV PORT MODE: hold a pasidnic_pci function in use for the
 * test physical_unbind_busy: the cdev bound to /dev/iommu, the RID and PASID 5
 * on PASID-capable HWPTs, memory mapped in both, and DMA of both flowing
 * through the function's DMA port (physical_port.h) in a loop; every DMA
 * must succeed. Prints "ready" once set up and "dma N" every 100 DMA pairs.
 *
 * MODE "release": the vfio REQ interrupt (the kernel asking to release the
 * device, on unbind or removal) makes it close everything and exit 0,
 * printing "released on request after N DMAs". MODE "keep": it ignores the
 * request and runs until killed.
 */
#include <sys/ioctl.h>
#include <unistd.h>

#include "physical_port.h"
#include "vfio_util.h"

#define IOVA 0x400000ull
#define LEN (64u << 10)
#define PASID 5

int
main(int argc, char **argv)
{
	uint32_t ioas_r, ioas_p;
	unsigned long n = 0;
	struct vu_device d;
	const char *port;
	int release, req;
	uint8_t *mem;

	if (argc != 4) {
		fprintf(stderr, "usage: %s /dev/vfio/devices/vfioN DMA-PORT release|keep\n",
			argv[0]);
		return 2;
	}
	port = argv[2];
	release = strcmp(argv[3], "release") == 0;
	vu_open(&d, argv[1], -1);
	vu_bus_master(&d);
	req = vu_irq_eventfd(&d, VFIO_PCI_REQ_IRQ_INDEX);
	mem = phys_buffer(2 * LEN);
	ioas_r = vu_ioas_alloc(d.iommufd);
	ioas_p = vu_ioas_alloc(d.iommufd);
	vu_map(d.iommufd, ioas_r, mem, LEN, IOVA);
	vu_map(d.iommufd, ioas_p, mem + LEN, LEN, IOVA);
	vu_attach(&d, vu_hwpt_alloc(&d, ioas_r, IOMMU_HWPT_ALLOC_PASID), -1);
	vu_attach(&d, vu_hwpt_alloc(&d, ioas_p, IOMMU_HWPT_ALLOC_PASID), PASID);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		unsigned int off = (n * 64) % LEN;

		TEST_ASSERT_EQ(phys_port_dma(port, 'w', -1, IOVA + off, 64, n & 0xff, NULL), 0);
		TEST_ASSERT_EQ(phys_port_dma(port, 'w', PASID, IOVA + off, 64, ~n & 0xff, NULL), 0);
		TEST_ASSERT_EQ(mem[off], n & 0xff);
		TEST_ASSERT_EQ(mem[LEN + off], ~n & 0xff);
		if (++n % 100 == 0) {
			printf("dma %lu\n", n);
			fflush(stdout);
		}
		if (release && vu_eventfd_wait(req, 0) > 0)
			break;
	}
	/* Closing the device detaches the RID and the PASID; the iommufd goes with it. */
	vu_close(&d);
	printf("released on request after %lu DMAs\n", n);
	return 0;
}
