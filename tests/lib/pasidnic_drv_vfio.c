/* SPDX-License-Identifier: BSD-3-Clause */
/* pasidnic_drv over a raw vfio cdev (pasidnic_drv_vfio.h). */
#include <dirent.h>
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

		TEST_ASSERT_EQ(ioctl(v->dev.fd, VFIO_DEVICE_GET_REGION_INFO, &r), 0,
			       "GET_REGION_INFO %u of %s", i, cdev);
		v->off[i] = r.offset;
		v->size[i] = r.size;
	}
	TEST_ASSERT_EQ(v->size[VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_REGS],
		       (uint64_t)PNIC_BAR_REGS_SIZE, "%s: BAR0 size", cdev);
	vu_bar_map(&v->dev, VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_DB, &v->db);
	vu_bus_master(&v->dev);
	pnic_drv_init(&v->drv, &vfio_ops, v, v->db.va);
	v->drv.irq_en = true;
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

void
pnic_vfio_enable(struct pnic_vfio *v, uint32_t backend)
{
	if (v->drv.pasid_width)
		pnic_vfio_pasid_enable(v);
	pnic_drv_enable(&v->drv, backend);
}
