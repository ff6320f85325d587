/* SPDX-License-Identifier: BSD-3-Clause */
/* pasidnic_drv over a raw vfio cdev (pasidnic_drv_vfio.h). */
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include "pasidnic_drv_vfio.h"
#include "test_assert.h"

static uint32_t
vfio_rd(void *ctx, uint32_t off)
{
	struct pnic_vfio *v = ctx;
	uint32_t val;

	TEST_ASSERT_EQ(pread(v->dev.fd, &val, 4, v->bar0 + off), 4, "BAR0 read %#x", off);
	return val;
}

static void
vfio_wr(void *ctx, uint32_t off, uint32_t val)
{
	struct pnic_vfio *v = ctx;

	TEST_ASSERT_EQ(pwrite(v->dev.fd, &val, 4, v->bar0 + off), 4, "BAR0 write %#x", off);
}

static const struct pnic_regio_ops vfio_ops = { .rd = vfio_rd, .wr = vfio_wr };

void
pnic_vfio_open(struct pnic_vfio *v, const char *cdev)
{
	struct vfio_region_info r = { .argsz = sizeof(r) };
	unsigned int i;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < PNIC_NUM_VECS(PNIC_MAX_QP); i++)
		v->efd[i] = -1;
	vu_open(&v->dev, cdev, -1);
	r.index = VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_REGS;
	TEST_ASSERT_EQ(ioctl(v->dev.fd, VFIO_DEVICE_GET_REGION_INFO, &r), 0, "BAR0 info");
	TEST_ASSERT_EQ(r.size, (uint64_t)PNIC_BAR_REGS_SIZE, "BAR0 size %llu",
		       (unsigned long long)r.size);
	v->bar0 = r.offset;
	vu_bar_map(&v->dev, VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_DB, &v->db);
	vu_bus_master(&v->dev);
	pnic_drv_init(&v->drv, &vfio_ops, v, v->db.va);
	v->drv.irq_en = true;
}

void
pnic_vfio_irqs(struct pnic_vfio *v)
{
	unsigned int n = PNIC_NUM_VECS(v->drv.nqp), i;
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t) * PNIC_NUM_VECS(PNIC_MAX_QP)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = VFIO_PCI_MSIX_IRQ_INDEX };

	TEST_ASSERT_EQ(ioctl(v->dev.fd, VFIO_DEVICE_GET_IRQ_INFO, &ii), 0, "GET_IRQ_INFO MSI-X");
	TEST_ASSERT_TRUE(ii.count == n && (ii.flags & VFIO_IRQ_INFO_EVENTFD),
			 "MSI-X count %u (want %u) flags %#x", ii.count, n, ii.flags);
	set->argsz = sizeof(*set) + sizeof(int32_t) * n;
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_MSIX_IRQ_INDEX;
	set->start = 0;
	set->count = n;
	for (i = 0; i < n; i++) {
		v->efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		TEST_ASSERT_GE(v->efd[i], 0, "eventfd");
		((int32_t *)set->data)[i] = v->efd[i];
	}
	TEST_ASSERT_EQ(ioctl(v->dev.fd, VFIO_DEVICE_SET_IRQS, set), 0, "SET_IRQS MSI-X x%u", n);
}

uint64_t
pnic_vfio_irq_count(struct pnic_vfio *v, unsigned int vec)
{
	uint64_t val = 0;

	if (vec >= PNIC_NUM_VECS(PNIC_MAX_QP) || v->efd[vec] < 0 ||
	    read(v->efd[vec], &val, 8) != 8)
		return 0;
	return val;
}

void
pnic_vfio_pasid_enable(struct pnic_vfio *v)
{
	uint32_t hdr = vu_cfg_read(&v->dev, PNIC_CFG_PASID_ECAP, 4);

	TEST_ASSERT_EQ(hdr & 0xffff, 0x1bu, "no PASID extended capability (header %#x)", hdr);
	vu_cfg_write(&v->dev, PNIC_CFG_PASID_ECAP + 6, 2, 1);
	TEST_ASSERT_TRUE(vu_cfg_read(&v->dev, PNIC_CFG_PASID_ECAP + 6, 2) & 1,
			 "PASID enable did not stick");
}
