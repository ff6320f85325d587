/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bus-pasid [EAL options]: PASID domains of a pasidnic port through the
 * iommufd bus. A small test driver (RTE_PMD_REGISTER_IOMMUFD) takes the
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
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include <linux/vfio.h>

#include <rte_bus_iommufd.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "bus_iommufd_driver.h"
#include "bus_pnic.h"
#include "private.h" /* white-box: iommufd_domain_replace() */

#define NB_DOM 4

static int
nic_probe(struct rte_iommufd_driver *drv __rte_unused, struct rte_iommufd_device *dev)
{
	nic = dev;
	return 0;
}

static int
nic_remove(struct rte_iommufd_device *dev)
{
	uint32_t v = PNIC_DEV_CTRL_RESET;

	/* Quiesce: a device reset stops every queue. */
	rte_iommufd_region_write(dev, VFIO_PCI_BAR0_REGION_INDEX, &v, 4, PNIC_REG_DEV_CTRL);
	nic = NULL;
	return 0;
}

static const struct rte_iommufd_id nic_ids[] = {
	{ .vendor_id = PNIC_PCI_VENDOR_ID, .device_id = PNIC_PCI_DEVICE_ID },
	{ .vendor_id = 0 },
};

static struct rte_iommufd_driver nic_driver = {
	.id_table = nic_ids,
	.probe = nic_probe,
	.remove = nic_remove,
	.drv_flags = RTE_IOMMUFD_DRV_NEED_PASID,
};

RTE_PMD_REGISTER_IOMMUFD(test_pasidnic, nic_driver);

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
	uint8_t *area[NB_DOM], *other;
	uint32_t pasid[NB_DOM], ioas[NB_DOM], pasids[8], new_ioas;
	uint16_t pasid_ctl = 1;
	int fd, i, j, n;

	if (rte_eal_init(argc, argv) < 0)
		FAIL("rte_eal_init failed: %s", rte_strerror(rte_errno));
	if (nic == NULL)
		FAIL("no pasidnic port was probed on the iommufd bus");
	if (rte_iommufd_dev_info(&nic->device, &info) < 0 || !info.emulated ||
	    info.pasid_log2 == 0 || !info.pasid_mode)
		FAIL("%s: emulated %d, PASID width %u, domains %d", nic->name, info.emulated,
		     info.pasid_log2, info.pasid_mode);
	step("%s probed: emulated, PASID width %u (from its config space)", nic->name,
	     info.pasid_log2);

	if (rte_iommufd_region_write(nic, VFIO_PCI_CONFIG_REGION_INDEX, &pasid_ctl, 2,
				     PNIC_CFG_PASID_ECAP + 6) < 0)
		FAIL("cannot set PASID Enable");
	wr(PNIC_REG_DEV_CTRL, PNIC_DEV_CTRL_ENABLE); /* loopback backend */

	for (i = 0; i < NB_DOM; i++) {
		dom[i] = rte_iommufd_domain_create(&nic->device);
		if (dom[i] == NULL)
			FAIL("domain %d: %s", i, rte_strerror(rte_errno));
		pasid[i] = rte_iommufd_domain_pasid(dom[i]);
		rte_iommufd_domain_ioas(dom[i], &fd, &ioas[i]);
		for (j = 0; j < i; j++)
			if (pasid[j] == pasid[i] || ioas[j] == ioas[i])
				FAIL("domains %d and %d share PASID %u / IOAS %u", j, i,
				     pasid[i], ioas[i]);
		area[i] = mmap(NULL, AREA, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (area[i] == MAP_FAILED)
			FAIL("mmap failed");
		memset(area[i], 0, AREA);
		if (rte_iommufd_domain_dma_map(dom[i], area[i], IOVA, AREA) < 0)
			FAIL("domain %d: dma_map: %s", i, rte_strerror(rte_errno));
	}
	if (rte_iommufd_domain_dma_map(dom[0], area[0], UINT64_C(0xfee00000), 4096) == 0 ||
	    rte_errno != EINVAL)
		FAIL("a mapping in the x86 interrupt window was not refused with EINVAL");
	n = rte_iommufd_dev_pasids(&nic->device, pasids, RTE_DIM(pasids));
	if (n != NB_DOM)
		FAIL("%d PASIDs attached, expected %d", n, NB_DOM);
	step("%d domains: PASIDs %u %u %u %u, IOASes %u %u %u %u", NB_DOM, pasid[0], pasid[1],
	     pasid[2], pasid[3], ioas[0], ioas[1], ioas[2], ioas[3]);

	for (i = 0; i < NB_DOM; i++) {
		q_setup(PNIC_QUEUE(i, PNIC_DIR_RX), RX_RING, pasid[i]);
		q_setup(PNIC_QUEUE(i, PNIC_DIR_TX), TX_RING, pasid[i]);
	}
	for (i = 0; i < NB_DOM; i++)
		loop_frame(i, area[i], 0, (uint8_t)(0x40 * i + 1));
	/* Each domain's memory holds its own frame only, at the same IOVA. */
	for (i = 0; i < NB_DOM; i++)
		for (j = 0; j < NB_DOM; j++)
			if (j != i && memcmp(area[i] + RX_BUF, area[j] + TX_BUF, FRAME) == 0)
				FAIL("domain %d's memory holds domain %d's frame", i, j);
	step("a frame moved through each PASID landed in that domain's memory only");

	/* Replace: PASID of domain 0 moves to a new IOAS with other memory at
	 * the same IOVA; the next frame lands there. */
	other = mmap(NULL, AREA, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (other == MAP_FAILED)
		FAIL("mmap failed");
	memcpy(other, area[0], AREA); /* rings with the device's state */
	if (iommufd_ioas_alloc(&new_ioas) < 0 || iommufd_ioas_map(new_ioas, other, IOVA, AREA) < 0)
		FAIL("a second IOAS for the replace");
	if (iommufd_domain_replace(dom[0], new_ioas) < 0)
		FAIL("replace of PASID %u to IOAS %u failed", pasid[0], new_ioas);
	memset(area[0] + RX_BUF, 0, FRAME);
	loop_frame(0, other, 1, 0x99);
	for (j = 0; j < (int)FRAME; j++)
		if (area[0][RX_BUF + j] != 0)
			FAIL("after the replace the device still wrote the old IOAS");
	step("PASID %u replaced onto IOAS %u: the next frame went to the new memory", pasid[0],
	     new_ioas);
	if (iommufd_destroy(ioas[0]) < 0) /* the old IOAS is free now */
		FAIL("the IOAS the PASID left is still busy");

	for (i = 0; i < NB_DOM; i++) {
		wr(PNIC_QREG(PNIC_QUEUE(i, PNIC_DIR_RX), PNIC_Q_CTRL), PNIC_Q_CTRL_RESET);
		wr(PNIC_QREG(PNIC_QUEUE(i, PNIC_DIR_TX), PNIC_Q_CTRL), PNIC_Q_CTRL_RESET);
		if (rte_iommufd_domain_destroy(dom[i]) < 0)
			FAIL("destroy of domain %d: %s", i, rte_strerror(rte_errno));
	}
	if (rte_iommufd_dev_pasids(&nic->device, pasids, RTE_DIM(pasids)) != 0)
		FAIL("PASIDs still attached after the domains were destroyed");
	dom[0] = rte_iommufd_domain_create(&nic->device);
	if (dom[0] == NULL || (uint32_t)rte_iommufd_domain_pasid(dom[0]) != pasid[0])
		FAIL("a freed PASID was not reused");
	step("domains destroyed, PASIDs freed and reused");
	/* Left for rte_eal_cleanup() to tear down. */
	if (rte_eal_cleanup() != 0)
		FAIL("rte_eal_cleanup failed");
	step("rte_eal_cleanup tore the device down");
	return 0;
}
