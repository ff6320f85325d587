/* SPDX-License-Identifier: BSD-3-Clause */
/* pasidnic_drv through the iommufd bus (pasidnic_drv_bus.h). */
#include <stdio.h>
#include <unistd.h>

#include <linux/vfio.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "bus_iommufd_driver.h"
#include "pasidnic_drv_bus.h"
#include "test_assert.h"

struct rte_iommufd_device *pnic_bus_dev;

static int
bus_rd(void *ctx, uint32_t off, uint32_t *val)
{
	return rte_iommufd_region_read(ctx, VFIO_PCI_BAR0_REGION_INDEX, val, 4, off) < 0 ?
	       -rte_errno : 0;
}

static int
bus_wr(void *ctx, uint32_t off, uint32_t val)
{
	return rte_iommufd_region_write(ctx, VFIO_PCI_BAR0_REGION_INDEX, &val, 4, off) < 0 ?
	       -rte_errno : 0;
}

static const struct pnic_regio_ops bus_ops = { .rd = bus_rd, .wr = bus_wr };

struct pnic_drv *
pnic_bus_drv(struct rte_iommufd_device *dev)
{
	static struct pnic_drv drv;

	TEST_ASSERT_NOT_NULL(dev, "no pasidnic port was probed on the iommufd bus");
	if (drv.ctx != dev)
		pnic_drv_init(&drv, &bus_ops, dev, NULL);
	return &drv;
}

void
pnic_bus_pasid_enable(struct rte_iommufd_device *dev)
{
	uint16_t pasid_ctl = 1;

	TEST_ASSERT_GE(rte_iommufd_region_write(dev, VFIO_PCI_CONFIG_REGION_INDEX, &pasid_ctl, 2,
						PNIC_CFG_PASID_ECAP + 6), 0,
		       "cannot set PASID Enable");
}

static int
nic_probe(struct rte_iommufd_driver *drv __rte_unused, struct rte_iommufd_device *dev)
{
	pnic_bus_dev = dev;
	return 0;
}

static int
nic_remove(struct rte_iommufd_device *dev)
{
	uint32_t v = PNIC_DEV_CTRL_RESET;

	/* Quiesce: a device reset stops every queue. */
	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		rte_iommufd_region_write(dev, VFIO_PCI_BAR0_REGION_INDEX, &v, 4,
					 PNIC_REG_DEV_CTRL);
	pnic_bus_dev = NULL;
	return 0;
}

/* Primary: a worker died; stop its queues before the bus detaches its PASID. */
static int
nic_quiesce_domain(struct rte_iommufd_device *dev, uint32_t pasid)
{
	struct pnic_drv *d = pnic_bus_drv(dev);
	unsigned int q, n = 0;

	for (q = 0; q < 2 * d->nqp && q < PNIC_MAX_QUEUES; q++) {
		if (pnic_drv_qrd(d, q, PNIC_Q_PASID) != (PNIC_Q_PASID_EN | pasid))
			continue;
		pnic_drv_q_reset(d, q);
		n++;
	}
	printf("[%d] quiesce_domain: PASID %u: %u queues reset\n", getpid(), pasid, n);
	fflush(stdout);
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
	.quiesce_domain = nic_quiesce_domain,
};

RTE_PMD_REGISTER_IOMMUFD(test_pasidnic, nic_driver);
