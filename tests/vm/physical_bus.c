/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * physical-bus PORT WIDTH [EAL options]: a pasidnic_pci function through the
 * iommufd bus's physical branch (issue 17), with a small test driver
 * registered for it (RTE_PMD_REGISTER_IOMMUFD).
 *
 * The bus names it pci-<BDF> (a PCI domain above 0xffff), binds it, learns
 * the PASID width from IOMMU_GET_HW_INFO and allows PASID domains; DPDK
 * memory in the RID's default domain is reachable by the RID's DMA at
 * IOVA = VA; two PASID domains (PASID-capable HWPTs attached by HWPT id) map
 * different memory at the same IOVA and each PASID's DMA lands in its own;
 * after a domain is destroyed its PASID's DMA is blocked (ENXIO). The DMAs
 * come from the function's DMA port (physical_port.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_bus_iommufd.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_malloc.h>

#include "bus_iommufd_driver.h"
#include "physical_port.h"
#include "test_assert.h"

#define IOVA 0x300000ull
#define LEN (64u << 10)
#define SLOT 64u

static struct rte_iommufd_device *fn;

static void
step(const char *what)
{
	printf("ok: %s\n", what);
	fflush(stdout);
}

static int
fn_probe(struct rte_iommufd_driver *drv __rte_unused, struct rte_iommufd_device *dev)
{
	fn = dev;
	return 0;
}

static int
fn_remove(struct rte_iommufd_device *dev __rte_unused)
{
	fn = NULL;
	return 0;
}

static const struct rte_iommufd_id fn_ids[] = {
	{ .vendor_id = 0x1234, .device_id = 0x50a6 }, /* PNIC_PCI_DEVICE_ID_PHYS */
	{ .vendor_id = 0 },
};

static struct rte_iommufd_driver fn_driver = {
	.id_table = fn_ids,
	.probe = fn_probe,
	.remove = fn_remove,
};

RTE_PMD_REGISTER_IOMMUFD(test_pasidnic_pci, fn_driver);

int
main(int argc, char **argv)
{
	struct rte_iommufd_domain *dom[2];
	struct rte_iommufd_dev_info info;
	const char *port;
	uint8_t *mem[2], *rid;
	int pasid[2], i, width;

	if (argc < 3) {
		fprintf(stderr, "usage: %s DMA-PORT PASID-WIDTH [EAL options]\n", argv[0]);
		return 2;
	}
	port = argv[1];
	width = atoi(argv[2]);
	argv[2] = argv[0];
	TEST_ASSERT_GE(rte_eal_init(argc - 2, argv + 2), 0);
	TEST_ASSERT_NOT_NULL(fn, "the test driver probed no pasidnic_pci function");
	TEST_ASSERT_EQ(rte_iommufd_dev_info(&fn->device, &info), 0);
	printf("%s: emulated %d, bound %d, pasid_log2 %u, pasid_mode %d\n", info.name,
	       info.emulated, info.bound, info.pasid_log2, info.pasid_mode);
	TEST_ASSERT_EQ(info.emulated, 0);
	TEST_ASSERT_EQ(info.bound, 1);
	TEST_ASSERT_EQ(info.pasid_log2, width);
	TEST_ASSERT_EQ(info.pasid_mode, 1);
	step("the bus bound the function (physical, PASID width from IOMMU_GET_HW_INFO)");

	rid = rte_zmalloc("physical-bus", 4096, 4096);
	TEST_ASSERT_NOT_NULL(rid);
	TEST_ASSERT_EQ(rte_malloc_virt2iova(rid), (rte_iova_t)(uintptr_t)rid);
	TEST_ASSERT_EQ(phys_port_dma(port, 'w', -1, (uintptr_t)rid, SLOT, 0xee, NULL), 0);
	for (i = 0; i < (int)SLOT; i++)
		TEST_ASSERT_EQ(rid[i], 0xee);
	rte_free(rid);
	step("the RID's DMA reaches DPDK memory at IOVA = VA");

	for (i = 0; i < 2; i++) {
		dom[i] = rte_iommufd_domain_create(&fn->device);
		TEST_ASSERT_NOT_NULL(dom[i], "domain %d", i);
		pasid[i] = rte_iommufd_domain_pasid(dom[i]);
		mem[i] = phys_buffer(LEN);
		TEST_ASSERT_EQ(rte_iommufd_domain_dma_map(dom[i], mem[i], IOVA, LEN), 0);
	}
	for (i = 0; i < 2; i++) {
		TEST_ASSERT_EQ(phys_port_dma(port, 'w', pasid[i], IOVA, SLOT, 0xa0 + i, NULL), 0,
			       "DMA of PASID %d", pasid[i]);
		TEST_ASSERT_EQ(mem[i][0], 0xa0 + i);
		TEST_ASSERT_EQ(mem[i][SLOT - 1], 0xa0 + i);
		TEST_ASSERT_EQ(mem[!i][0], i ? 0xa0 : 0, "PASID %d reached the other domain",
			       pasid[i]);
	}
	step("two PASID domains: each PASID's DMA lands in its own memory only");

	for (i = 0; i < 2; i++) {
		TEST_ASSERT_EQ(rte_iommufd_domain_destroy(dom[i]), 0);
		TEST_ASSERT_EQ(phys_port_dma(port, 'w', pasid[i], IOVA, SLOT, 0x11, NULL), -ENXIO);
		munmap(mem[i], LEN);
	}
	step("a destroyed domain's PASID DMAs nothing (ENXIO)");
	TEST_ASSERT_EQ(rte_eal_cleanup(), 0);
	return 0;
}
