/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pasidnic_drv over a raw vfio cdev (pasidnic_drv_vfio.h). BAR0 reads are
 * preads on both kinds of port; writes are pwrites on an mdev port (trapped
 * registers) and mailbox writes on a pasidnic_pci function (polled memory,
 * the "Physical functions" block of pasidnic_regs.h).
 */
#include <dirent.h>
#include <linux/pci_regs.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "pasidnic_drv_vfio.h"
#include "test_assert.h"

static int
vfio_rd(void *ctx, uint32_t off, uint32_t *val)
{
	struct pnic_vfio *v = ctx;
	ssize_t n = pread(v->dev.fd, val, 4, v->off[VFIO_PCI_BAR0_REGION_INDEX] + off);

	return n == 4 ? 0 : n < 0 ? -errno : -EIO;
}

static int
vfio_wr(void *ctx, uint32_t off, uint32_t val)
{
	struct pnic_vfio *v = ctx;
	ssize_t n = pwrite(v->dev.fd, &val, 4, v->off[VFIO_PCI_BAR0_REGION_INDEX] + off);

	return n == 4 ? 0 : n < 0 ? -errno : -EIO;
}

static const struct pnic_regio_ops vfio_ops = { .rd = vfio_rd, .wr = vfio_wr };

/* How long a physical function may take to apply a mailbox write. */
#define MBOX_TIMEOUT_MS 2000

/*
 * A register write to a physical function: OFF and VAL into the mailbox slot
 * of the register (the device's, or its queue's), SEQ bumped last, then wait
 * until the device has applied it and published the register file (ACK ==
 * SEQ). -ETIMEDOUT when it does not within MBOX_TIMEOUT_MS, -EINVAL for an
 * offset past the queue registers (no slot takes it).
 */
static int
mbox_wr(void *ctx, uint32_t off, uint32_t val)
{
	uint32_t slot, base, seq, ack;
	uint64_t end;
	int rc;

	if (off < PNIC_QREG_BASE)
		slot = PNIC_MBOX_DEV;
	else if (off < PNIC_QREG(PNIC_MAX_QUEUES, 0))
		slot = PNIC_MBOX_QUEUE((off - PNIC_QREG_BASE) / PNIC_QREG_STRIDE);
	else
		return -EINVAL;
	base = PNIC_MBOX(slot);
	rc = vfio_rd(ctx, base + PNIC_MBOX_SEQ, &seq);
	if (!rc)
		rc = vfio_wr(ctx, base + PNIC_MBOX_OFF, off);
	if (!rc)
		rc = vfio_wr(ctx, base + PNIC_MBOX_VAL, val);
	if (!rc)
		rc = vfio_wr(ctx, base + PNIC_MBOX_SEQ, ++seq);
	end = pnic_now_ms() + MBOX_TIMEOUT_MS;
	while (!rc) {
		rc = vfio_rd(ctx, base + PNIC_MBOX_ACK, &ack);
		if (rc || ack == seq)
			break;
		if (pnic_now_ms() > end)
			return -ETIMEDOUT;
		usleep(100);
	}
	return rc;
}

static const struct pnic_regio_ops mbox_ops = { .rd = vfio_rd, .wr = mbox_wr };

/*
 * A physical function resets when memory decoding turns on and publishes its
 * register file on its next poll: wait for the ID register to say so.
 */
static void
phys_wait_published(struct pnic_vfio *v)
{
	uint64_t end = pnic_now_ms() + MBOX_TIMEOUT_MS;
	uint32_t id = 0;

	while (vfio_rd(v, PNIC_REG_ID, &id) == 0 && id != PNIC_ID_MAGIC &&
	       pnic_now_ms() < end)
		usleep(1000);
}

void
pnic_vfio_open(struct pnic_vfio *v, const char *cdev)
{
	unsigned int i;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < PNIC_NUM_VECS(PNIC_MAX_QP); i++)
		v->efd[i] = -1;
	snprintf(v->cdev, sizeof(v->cdev), "%s", cdev);
	vu_open(&v->dev, cdev, -1);
	for (i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		struct vfio_region_info r = { .argsz = sizeof(r), .index = i };

		/* vfio-pci refuses the VGA region of a function that has none */
		if (ioctl(v->dev.fd, VFIO_DEVICE_GET_REGION_INFO, &r) != 0) {
			TEST_ASSERT_TRUE(errno == EINVAL && i == VFIO_PCI_VGA_REGION_INDEX,
					 "GET_REGION_INFO %u of %s", i, cdev);
			continue;
		}
		v->off[i] = r.offset;
		v->size[i] = r.size;
	}
	TEST_ASSERT_EQ(v->size[VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_REGS],
		       (uint64_t)PNIC_BAR_REGS_SIZE, "%s: BAR0 size", cdev);
	v->phys = vu_cfg_read(&v->dev, PCI_DEVICE_ID, 2) == PNIC_PCI_DEVICE_ID_PHYS;
	vu_bar_map(&v->dev, VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_DB, &v->db);
	vu_bus_master(&v->dev);
	if (v->phys)
		phys_wait_published(v);
	pnic_drv_init(&v->drv, v->phys ? &mbox_ops : &vfio_ops, v, v->db.va);
	v->drv.irq_en = !v->phys;
}

int
pnic_mdev_cdev(const char *uuid, char *buf, size_t n)
{
	char dir[256];
	struct dirent *e;
	DIR *dd;
	int rc = -ENOENT;

	snprintf(dir, sizeof(dir), "/sys/bus/mdev/devices/%s/vfio-dev", uuid);
	dd = opendir(dir);
	if (!dd)
		return -ENOENT;
	while ((e = readdir(dd))) {
		if (!strncmp(e->d_name, "vfio", 4)) {
			snprintf(buf, n, "/dev/vfio/devices/%s", e->d_name);
			rc = 0;
			break;
		}
	}
	closedir(dd);
	return rc;
}

void
pnic_vfio_open_mdev(struct pnic_vfio *v, const char *uuid)
{
	char cdev[sizeof(v->cdev)];

	TEST_ASSERT_EQ(pnic_mdev_cdev(uuid, cdev, sizeof(cdev)), 0,
		       "pasidnic port %s has no vfio cdev", uuid);
	pnic_vfio_open(v, cdev);
}

void
pnic_vfio_close(struct pnic_vfio *v)
{
	unsigned int i;

	if (v->db.va)
		munmap((void *)v->db.va, v->db.size);
	v->db.va = NULL;
	v->drv.db = NULL;
	for (i = 0; i < PNIC_NUM_VECS(PNIC_MAX_QP); i++) {
		if (v->efd[i] >= 0)
			close(v->efd[i]);
		v->efd[i] = -1;
	}
	vu_close(&v->dev);
}

void
pnic_vfio_irqs(struct pnic_vfio *v)
{
	unsigned int n = PNIC_NUM_VECS(v->drv.nqp), i;
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t) * PNIC_NUM_VECS(PNIC_MAX_QP)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = VFIO_PCI_MSIX_IRQ_INDEX };

	if (v->phys)
		return;
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
	uint32_t hdr;

	if (v->phys)
		return;
	hdr = vu_cfg_read(&v->dev, PNIC_CFG_PASID_ECAP, 4);
	TEST_ASSERT_EQ(hdr & 0xffff, 0x1bu, "no PASID extended capability (header %#x)", hdr);
	vu_cfg_write(&v->dev, PNIC_CFG_PASID_ECAP + 6, 2, 1);
	TEST_ASSERT_TRUE(vu_cfg_read(&v->dev, PNIC_CFG_PASID_ECAP + 6, 2) & 1,
			 "PASID enable did not stick");
}

void
pnic_vfio_enable(struct pnic_vfio *v, uint32_t backend)
{
	if (v->drv.pasid_width)
		pnic_vfio_pasid_enable(v);
	pnic_drv_enable(&v->drv, backend);
}

uint32_t
pnic_vfio_pasid_pt(struct pnic_vfio *v, uint32_t ioas)
{
	return v->phys ? vu_hwpt_alloc(&v->dev, ioas, IOMMU_HWPT_ALLOC_PASID) : ioas;
}
