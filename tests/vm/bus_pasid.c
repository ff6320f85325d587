/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bus-pasid [EAL options]: PASID domains of a pasidnic port through the
 * iommufd bus. The test driver of tests/lib/pasidnic_drv_bus.c takes the
 * port; four domains are created with rte_iommufd_domain_create(), each
 * with its own PASID and IOAS and its own memory mapped at the SAME IOVA;
 * queue pair n is tagged with domain n's PASID and loops a frame back
 * (loopback backend). Every frame must land in its own domain's memory
 * only. Then a domain's PASID is moved to another IOAS (replace), and the
 * domains are destroyed and the PASIDs freed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_iommufd.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "bus_iommufd_driver.h"
#include "pasidnic_drv_bus.h"
#include "private.h" /* white-box: iommufd_domain_replace() */
#include "test_assert.h"

#define NB_DOM 4
#define IOVA UINT64_C(0x100000) /* the same in every domain */
#define CMP_LEN 60u             /* every test frame is at least this long */

static void
step(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("ok: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}






int
main(int argc, char **argv)
{
	struct rte_iommufd_domain *dom[NB_DOM];
	struct rte_iommufd_dev_info info;
	struct pnic_area area[NB_DOM], other;
	uint32_t pasid[NB_DOM], ioas[NB_DOM], pasids[8], new_ioas, idx;
	struct rte_iommufd_device *nic;
	struct pnic_drv *d;
	int fd, i, j, n;

	TEST_ASSERT_GE(rte_eal_init(argc, argv), 0, "rte_eal_init failed: %s",
		       rte_strerror(rte_errno));
	nic = pnic_bus_dev;
	d = pnic_bus_drv(nic);
	if (rte_iommufd_dev_info(&nic->device, &info) < 0 || !info.emulated ||
	    info.pasid_log2 == 0 || !info.pasid_mode)
		TEST_FAIL("%s: emulated %d, PASID width %u, domains %d", nic->name, info.emulated,
			  info.pasid_log2, info.pasid_mode);
	step("%s probed: emulated, PASID width %u (from its config space)", nic->name,
	     info.pasid_log2);

	pnic_bus_pasid_enable(nic);
	pnic_drv_wr(d, PNIC_REG_DEV_CTRL, PNIC_DEV_CTRL_ENABLE); /* loopback backend */

	for (i = 0; i < NB_DOM; i++) {
		dom[i] = rte_iommufd_domain_create(&nic->device);
		TEST_ASSERT_NOT_NULL(dom[i], "domain %d: %s", i, rte_strerror(rte_errno));
		pasid[i] = rte_iommufd_domain_pasid(dom[i]);
		rte_iommufd_domain_ioas(dom[i], &fd, &ioas[i]);
		for (j = 0; j < i; j++)
			TEST_ASSERT_TRUE(pasid[j] != pasid[i] && ioas[j] != ioas[i],
					 "domains %d and %d share PASID %u / IOAS %u", j, i,
					 pasid[i], ioas[i]);
		pnic_area_alloc(&area[i], IOVA);
		TEST_ASSERT_GE(rte_iommufd_domain_dma_map(dom[i], area[i].va, IOVA, PNIC_AREA_SIZE),
			       0, "domain %d: dma_map: %s", i, rte_strerror(rte_errno));
	}
	TEST_ASSERT_TRUE(rte_iommufd_domain_dma_map(dom[0], area[0].va, UINT64_C(0xfee00000),
						    4096) != 0 && rte_errno == EINVAL,
			 "a mapping in the x86 interrupt window was not refused with EINVAL");
	n = rte_iommufd_dev_pasids(&nic->device, pasids, RTE_DIM(pasids));
	TEST_ASSERT_EQ(n, NB_DOM, "%d PASIDs attached, expected %d", n, NB_DOM);
	step("%d domains: PASIDs %u %u %u %u, IOASes %u %u %u %u", NB_DOM, pasid[0], pasid[1],
	     pasid[2], pasid[3], ioas[0], ioas[1], ioas[2], ioas[3]);

	for (i = 0; i < NB_DOM; i++)
		pnic_drv_qp_setup(d, i, &area[i], (int)pasid[i]);
	for (i = 0; i < NB_DOM; i++) {
		idx = 0;
		pnic_drv_loop_frames(d, i, &area[i], &idx, 1, (uint8_t)(0x40 * i + 1));
	}
	/* Each domain's memory holds its own frame only, at the same IOVA. */
	for (i = 0; i < NB_DOM; i++)
		for (j = 0; j < NB_DOM; j++)
			TEST_ASSERT_TRUE(j == i || memcmp(pnic_area_buf(&area[i], PNIC_DIR_RX, 0),
							  pnic_area_buf(&area[j], PNIC_DIR_TX, 0),
							  CMP_LEN),
					 "domain %d's memory holds domain %d's frame", i, j);
	step("a frame moved through each PASID landed in that domain's memory only");

	/*
	 * Replace: PASID of domain 0 moves to a new IOAS with other memory at
	 * the same IOVA; the next frame lands there.
	 */
	pnic_area_alloc(&other, IOVA);
	memcpy(other.va, area[0].va, PNIC_AREA_SIZE); /* rings with the device's state */
	if (iommufd_ioas_alloc(&new_ioas) < 0 ||
	    iommufd_ioas_map(new_ioas, other.va, IOVA, PNIC_AREA_SIZE) < 0)
		TEST_FAIL("a second IOAS for the replace");
	TEST_ASSERT_GE(iommufd_domain_replace(dom[0], new_ioas), 0,
		       "replace of PASID %u to IOAS %u failed", pasid[0], new_ioas);
	idx = 1;
	pnic_drv_loop_frames(d, 0, &other, &idx, 1, 0x99);
	for (j = 0; j < (int)PNIC_BUF_SIZE; j++)
		TEST_ASSERT_EQ(pnic_area_buf(&area[0], PNIC_DIR_RX, 1)[j], 0,
			       "after the replace the device still wrote the old IOAS");
	step("PASID %u replaced onto IOAS %u: the next frame went to the new memory", pasid[0],
	     new_ioas);
	TEST_ASSERT_GE(iommufd_destroy(ioas[0]), 0, /* the old IOAS is free now */
		       "the IOAS the PASID left is still busy");

	for (i = 0; i < NB_DOM; i++) {
		pnic_drv_qp_reset(d, i);
		TEST_ASSERT_GE(rte_iommufd_domain_destroy(dom[i]), 0, "destroy of domain %d: %s", i,
			       rte_strerror(rte_errno));
	}
	TEST_ASSERT_EQ(rte_iommufd_dev_pasids(&nic->device, pasids, RTE_DIM(pasids)), 0,
		       "PASIDs still attached after the domains were destroyed");
	dom[0] = rte_iommufd_domain_create(&nic->device);
	TEST_ASSERT_TRUE(dom[0] != NULL && (uint32_t)rte_iommufd_domain_pasid(dom[0]) == pasid[0],
			 "a freed PASID was not reused");
	step("domains destroyed, PASIDs freed and reused");
	/* Left for rte_eal_cleanup() to tear down. */
	TEST_ASSERT_EQ(rte_eal_cleanup(), 0, "rte_eal_cleanup failed");
	step("rte_eal_cleanup tore the device down");
	return 0;
}
