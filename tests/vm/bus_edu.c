/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bus-edu MODE [EAL options]: QEMU's edu device driven through the iommufd
 * bus by a small test driver registered with RTE_PMD_REGISTER_IOMMUFD.
 *
 *   dma      rte_malloc memory (mapped by the bus at IOVA = VA) makes a DMA
 *            round trip RAM -> device -> RAM; the completion MSI arrives
 *            through rte_intr; memory mapped with rte_dev_dma_map() is
 *            reachable and, after rte_dev_dma_unmap(), no longer is.
 *   nopasid  asking for a PASID domain on edu fails with ENOTSUP and the
 *            documented message; the RID keeps working.
 *   hotplug  rte_dev_remove() / rte_dev_probe() three times; DMA works after
 *            every probe and the driver saw every probe and remove.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <linux/vfio.h>

#include <rte_bus_iommufd.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "bus_iommufd_driver.h"
#include "vfio_util.h"
#include "test_assert.h"

#define LEN 2048u

static struct rte_iommufd_device *edu;
static struct vu_bar bar;
static int probes, removes;
static volatile int irqs;

static void
step(const char *what)
{
	printf("ok: %s\n", what);
	fflush(stdout);
}

static int
edu_probe(struct rte_iommufd_driver *drv __rte_unused, struct rte_iommufd_device *dev)
{
	size_t sz;

	bar.va = rte_iommufd_bar_map(dev, VFIO_PCI_BAR0_REGION_INDEX, &sz);
	if (bar.va == NULL)
		return -rte_errno;
	bar.size = sz;
	if (*(volatile uint32_t *)bar.va != 0x010000ed)
		return -ENODEV;
	edu = dev;
	probes++;
	return 0;
}

static int
edu_remove(struct rte_iommufd_device *dev __rte_unused)
{
	/* The engine is idle between our synchronous DMAs: nothing to quiesce. */
	edu = NULL;
	bar.va = NULL;
	removes++;
	return 0;
}

static const struct rte_iommufd_id edu_ids[] = {
	{ .vendor_id = 0x1234, .device_id = 0x11e8 },
	{ .vendor_id = 0 },
};

static struct rte_iommufd_driver edu_driver = {
	.id_table = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
};

RTE_PMD_REGISTER_IOMMUFD(test_edu, edu_driver);

/* RAM (@src) -> edu buffer -> RAM (@dst), @len bytes, IOVAs. */
static void
round_trip(uint64_t src, uint64_t dst, uint32_t cmd_irq)
{
	if (edu_dma(&bar, src, EDU_BUF, LEN, 0) != 0)
		TEST_FAIL("edu DMA RAM -> device timed out");
	if (edu_dma(&bar, EDU_BUF, dst, LEN, EDU_CMD_TO_RAM | cmd_irq) != 0)
		TEST_FAIL("edu DMA device -> RAM timed out");
}

static void
dma_check(const char *what)
{
	uint8_t *buf = rte_zmalloc("bus-edu", 2 * LEN, 4096);
	unsigned int i;

	if (buf == NULL)
		TEST_FAIL("rte_zmalloc failed");
	if (rte_malloc_virt2iova(buf) != (uintptr_t)buf)
		TEST_FAIL("IOVA of rte_malloc memory is not its VA: the bus did not get IOVA as VA");
	for (i = 0; i < LEN; i++)
		buf[i] = (uint8_t)(i * 13 + 1);
	round_trip((uintptr_t)buf, (uintptr_t)buf + LEN, 0);
	if (memcmp(buf, buf + LEN, LEN) != 0)
		TEST_FAIL("%s: data moved RAM -> device -> RAM differs", what);
	rte_free(buf);
	step(what);
}

static void
irq_cb(void *arg __rte_unused)
{
	edu_irq_ack(&bar, EDU_IRQ_DMA);
	__atomic_fetch_add(&irqs, 1, __ATOMIC_SEQ_CST);
}

static void
test_dma(void)
{
	const size_t ext_len = 2u << 20;
	const uint64_t ext_iova = UINT64_C(0x7000000000);
	uint8_t *ext, *buf;
	int i;

	dma_check("DMA round trip through rte_malloc memory mapped by the bus");

	if (rte_iommufd_intr_enable(edu, VFIO_PCI_MSI_IRQ_INDEX, 1) < 0)
		TEST_FAIL("rte_iommufd_intr_enable(MSI, 1): %s", rte_strerror(rte_errno));
	if (rte_intr_callback_register(edu->intr_handle, irq_cb, NULL) < 0)
		TEST_FAIL("rte_intr_callback_register failed");
	buf = rte_zmalloc("bus-edu", 2 * LEN, 4096);
	if (buf == NULL)
		TEST_FAIL("rte_zmalloc failed");
	round_trip((uintptr_t)buf, (uintptr_t)buf + LEN, EDU_CMD_IRQ);
	for (i = 0; i < 500 && __atomic_load_n(&irqs, __ATOMIC_SEQ_CST) == 0; i++)
		usleep(10000);
	if (irqs == 0)
		TEST_FAIL("no MSI reached the rte_intr callback within 5 s of the DMA completion");
	rte_free(buf);
	step("the DMA completion MSI reached the rte_intr callback");

	/*
	 * Memory outside DPDK's heaps: registered with rte_extmem_register()
	 * (which maps nothing), then rte_dev_dma_map() at a chosen IOVA.
	 */
	ext = mmap(NULL, ext_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		   MAP_POPULATE, -1, 0);
	if (ext == MAP_FAILED)
		TEST_FAIL("mmap of 2 MiB failed");
	if (rte_extmem_register(ext, ext_len, NULL, 0, 4096) != 0)
		TEST_FAIL("rte_extmem_register: %s", rte_strerror(rte_errno));
	if (rte_dev_dma_map(&edu->device, ext, ext_iova, ext_len) != 0)
		TEST_FAIL("rte_dev_dma_map: %s", rte_strerror(rte_errno));
	for (i = 0; i < (int)LEN; i++)
		ext[i] = (uint8_t)(i ^ 0x5a);
	round_trip(ext_iova, ext_iova + 8192, 0);
	if (memcmp(ext, ext + 8192, LEN) != 0)
		TEST_FAIL("DMA through rte_dev_dma_map()ped memory moved wrong data");
	step("rte_dev_dma_map() memory is reachable at its IOVA");
	if (rte_dev_dma_unmap(&edu->device, ext, ext_iova, ext_len) != 0)
		TEST_FAIL("rte_dev_dma_unmap: %s", rte_strerror(rte_errno));
	memset(ext + 16384, 0x11, LEN);
	if (edu_dma(&bar, EDU_BUF, ext_iova + 16384, LEN, EDU_CMD_TO_RAM) != 0)
		TEST_FAIL("edu DMA to an unmapped IOVA did not complete");
	for (i = 0; i < (int)LEN; i++)
		if (ext[16384 + i] != 0x11)
			TEST_FAIL("a DMA to an IOVA unmapped with rte_dev_dma_unmap() reached memory");
	rte_extmem_unregister(ext, ext_len);
	munmap(ext, ext_len);
	step("after rte_dev_dma_unmap() the device cannot reach that memory");

	rte_intr_callback_unregister_sync(edu->intr_handle, irq_cb, NULL);
	if (rte_iommufd_intr_disable(edu) < 0)
		TEST_FAIL("rte_iommufd_intr_disable: %s", rte_strerror(rte_errno));
}

static void
test_nopasid(void)
{
	struct rte_iommufd_domain *dom;
	struct rte_iommufd_dev_info info;

	if (rte_iommufd_dev_info(&edu->device, &info) < 0)
		TEST_FAIL("rte_iommufd_dev_info failed");
	if (info.pasid_log2 != 0 || info.pasid_mode)
		TEST_FAIL("edu reports PASID width %u, domains %d: it has no PASID capability",
			  info.pasid_log2, info.pasid_mode);
	dom = rte_iommufd_domain_create(&edu->device);
	if (dom != NULL)
		TEST_FAIL("a PASID domain was created on edu, which has no PASID support");
	if (rte_errno != ENOTSUP)
		TEST_FAIL("rte_iommufd_domain_create on edu: rte_errno %d (%s), expected ENOTSUP",
			  rte_errno, rte_strerror(rte_errno));
	step("rte_iommufd_domain_create on edu failed with ENOTSUP");
	dma_check("the RID still moves data after the refused domain");
}

static void
test_hotplug(const char *name)
{
	char devstr[128];
	int i;

	snprintf(devstr, sizeof(devstr), RTE_BUS_IOMMUFD_NAME ":%s", name);
	for (i = 0; i < 3; i++) {
		if (rte_dev_remove(&edu->device) != 0)
			TEST_FAIL("rte_dev_remove(%s) round %d failed", name, i);
		if (edu != NULL || removes != i + 1)
			TEST_FAIL("the driver's remove() was not called (round %d)", i);
		if (rte_dev_probe(devstr) != 0)
			TEST_FAIL("rte_dev_probe(%s) round %d failed: %s", devstr, i,
				  rte_strerror(rte_errno));
		if (edu == NULL || probes != i + 2)
			TEST_FAIL("the driver's probe() was not called again (round %d)", i);
		dma_check("DMA after hot-unplug and hotplug");
	}
	step("three hot-unplug/hotplug cycles");
}

int
main(int argc, char **argv)
{
	const char *mode;
	char name[RTE_DEV_NAME_MAX_LEN];
	int n;

	if (argc < 2) {
		fprintf(stderr, "usage: %s dma|nopasid|hotplug [EAL options]\n", argv[0]);
		return 2;
	}
	mode = argv[1];
	argv[1] = argv[0];
	n = rte_eal_init(argc - 1, argv + 1);
	if (n < 0)
		TEST_FAIL("rte_eal_init failed: %s", rte_strerror(rte_errno));
	if (edu == NULL)
		TEST_FAIL("the test edu driver was not probed: no edu on the iommufd bus");
	snprintf(name, sizeof(name), "%s", edu->name);
	step("edu probed by a driver on the iommufd bus");
	if (strcmp(mode, "dma") == 0)
		test_dma();
	else if (strcmp(mode, "nopasid") == 0)
		test_nopasid();
	else if (strcmp(mode, "hotplug") == 0)
		test_hotplug(name);
	else
		TEST_FAIL("unknown mode %s", mode);
	if (rte_eal_cleanup() != 0)
		TEST_FAIL("rte_eal_cleanup failed");
	if (removes < 1)
		TEST_FAIL("rte_eal_cleanup did not remove the device");
	step("rte_eal_cleanup removed the device and tore the bus down");
	return 0;
}
