/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pasidnic-hostile: the operations on a port's regions, registers, doorbells,
 * rings and interrupts, with values a driver might use and values it should
 * not (pasidnic_hostile.h).
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pasidnic_hostile.h"

/* An IOVA near what the device might be given: inside, across, outside a mapping. */
uint64_t
any_iova(struct fz *f)
{
	static const uint64_t odd[] = { 0, 1, 0xfff, 0x1000, IOVA_BASE - 16, 1ull << 32,
		(1ull << 47) - 16, 1ull << 48, 0xfffffffffffff000ull, ~0ull };
	struct map *m = f->nmap ? &f->map[below(f, f->nmap)] : NULL;

	switch (m ? below(f, 8) : 7) {
	case 0: case 1: case 2:
		return m->iova + below(f, (uint32_t)m->len);		/* inside */
	case 3:
		return m->iova + m->len - 1 - below(f, PNIC_MAX_PKT);	/* across the end */
	case 4:
		return m->iova + m->len + below(f, 2 * CHUNK);		/* just outside */
	case 5:
		return m->iova - 1 - below(f, 4096);			/* just before */
	case 6:
		return IOVA_BASE + below(f, 2 * MEM_LEN);		/* maybe mapped */
	default:
		return chance(f, 50) ? odd[below(f, TEST_DIM(odd))] : rnd(f);
	}
}

static uint32_t
any_len(struct fz *f)
{
	static const uint32_t odd[] = { 0, 1, PNIC_MIN_PKT - 1, PNIC_MIN_PKT, 60, 64, 1500,
		2048, 4096, PNIC_MAX_PKT, PNIC_MAX_PKT + 1, 65535, 65536, 0x7fffffff,
		0x80000000u, 0xffffffffu };

	switch (below(f, 3)) {
	case 0:
		return odd[below(f, TEST_DIM(odd))];
	case 1:
		return below(f, PNIC_MAX_PKT + 64);
	default:
		return (uint32_t)rnd(f);
	}
}

static uint32_t
any_ring_size(struct fz *f)
{
	if (chance(f, 85))
		return 1u << (1 + below(f, 12));	/* 2..4096 */
	return chance(f, 50) ? below(f, 9000) : (uint32_t)rnd(f);
}

/* A PASID: mostly one of ours, sometimes one the device must refuse. */
int
any_pasid(struct fz *f)
{
	uint32_t w = f->p.drv.pasid_width;
	const uint32_t odd[] = { 0, w ? (1u << w) - 1 : 1, 1u << w, 1u << 20, 0x7fffffff,
		0xffffffffu };

	if (chance(f, 85))
		return 1 + below(f, MAXPASID);
	return (int)odd[below(f, TEST_DIM(odd))];
}

static uint32_t
any_queue(struct fz *f)
{
	return below(f, 2 * f->p.drv.nqp + (chance(f, 5) ? 4 : 0));
}

void
op_reg_write(struct fz *f)
{
	static const uint32_t qreg[] = { PNIC_Q_BASE_LO, PNIC_Q_BASE_HI, PNIC_Q_SIZE,
		PNIC_Q_PASID, PNIC_Q_CTRL, PNIC_Q_TAIL, PNIC_Q_HEAD, PNIC_Q_STATUS };
	uint32_t q = any_queue(f), off, v = (uint32_t)rnd(f);
	uint64_t iova;

	switch (below(f, 12)) {
	case 0:
		off = PNIC_REG_DEV_CTRL;
		v &= PNIC_DEV_CTRL_ENABLE | PNIC_DEV_CTRL_RESET | PNIC_DEV_CTRL_BACKEND_MASK;
		if (chance(f, 70))
			v &= ~(PNIC_DEV_CTRL_RESET | (2u << PNIC_DEV_CTRL_BACKEND_SHIFT));
		break;
	case 1:
		off = chance(f, 50) ? PNIC_REG_IRQ_MASK : PNIC_REG_IRQ_CAUSE;
		break;
	case 2:
		off = chance(f, 50) ? PNIC_REG_MAC_LO : PNIC_REG_MAC_HI;
		break;
	case 3:
		off = PNIC_REG_FAULT_INFO;
		v = chance(f, 80) ? PNIC_FAULT_INFO_VALID : v;
		break;
	case 4:
		off = PNIC_REG_KICK;
		break;
	case 5:
		iova = any_iova(f);
		off = PNIC_QREG(q, PNIC_Q_BASE_LO);
		v = (uint32_t)iova & ~(chance(f, 90) ? 15u : 0u);
		note(f, pnic_drv_try_wr(&f->p.drv, PNIC_QREG(q, PNIC_Q_BASE_HI), (uint32_t)(iova >> 32)));
		break;
	case 6:
		off = PNIC_QREG(q, PNIC_Q_SIZE);
		v = any_ring_size(f);
		break;
	case 7:
		off = PNIC_QREG(q, PNIC_Q_PASID);
		v = (uint32_t)any_pasid(f) | (chance(f, 80) ? PNIC_Q_PASID_EN : 0);
		break;
	case 8:
		off = PNIC_QREG(q, PNIC_Q_CTRL);
		v &= PNIC_Q_CTRL_ENABLE | PNIC_Q_CTRL_RESET | PNIC_Q_CTRL_IRQ_EN;
		break;
	case 9:
		off = PNIC_QREG(q, PNIC_Q_TAIL);
		if (chance(f, 80))
			v = *pnic_drv_db(&f->p.drv, PNIC_DB_HEAD(q % PNIC_MAX_QUEUES)) + below(f, 40);
		break;
	case 10:
		off = PNIC_QREG(q, qreg[below(f, TEST_DIM(qreg))]);
		break;
	default:
		off = below(f, PNIC_BAR_REGS_SIZE + 64) & ~3u;
		break;
	}
	note(f, pnic_drv_try_wr(&f->p.drv, off, v));
}

void
op_reg_read(struct fz *f)
{
	uint32_t v, off = chance(f, 60) ? PNIC_QREG(any_queue(f), below(f, PNIC_QREG_STRIDE) & ~3u)
					 : below(f, PNIC_BAR_REGS_SIZE + 64) & ~3u;

	note(f, pnic_drv_try_rd(&f->p.drv, off, &v));
}

/* pread/pwrite at a random offset and size of a random region (valid or not). */
void
op_region(struct fz *f)
{
	static uint8_t buf[65536];
	static const size_t sizes[] = { 1, 2, 3, 4, 5, 8, 16, 64 };
	unsigned int idx = below(f, VFIO_PCI_NUM_REGIONS + 2);
	uint64_t base = idx < VFIO_PCI_NUM_REGIONS ? f->p.off[idx] : (uint64_t)idx << 40;
	uint64_t size = idx < VFIO_PCI_NUM_REGIONS ? f->p.size[idx] : 4096;
	/* Now and then a page or 64 KiB: one access per 4 bytes in the kernel. */
	size_t n = chance(f, 3) ? (chance(f, 50) ? 4096 : 65536) : sizes[below(f, TEST_DIM(sizes))];
	uint64_t off = chance(f, 80) ? below(f, (uint32_t)size + 8) : size - below(f, 8);
	unsigned int i;

	if (idx == VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_REGS && chance(f, 70))
		n = 4, off &= ~3ull;	/* BAR0 takes 32-bit accesses: mostly give it those */
	if (chance(f, 50)) {
		note(f, pread(f->p.dev.fd, buf, n, base + off) < 0);
		return;
	}
	for (i = 0; i < n && i < 64; i++)
		buf[i] = (uint8_t)rnd(f);
	note(f, pwrite(f->p.dev.fd, buf, n, base + off) < 0);
}

void
op_db(struct fz *f)
{
	uint32_t q = below(f, PNIC_MAX_QUEUES);

	switch (below(f, 4)) {
	case 0: case 1:	/* a plausible tail */
		*pnic_drv_db(&f->p.drv, PNIC_DB_TAIL(q)) =
			*pnic_drv_db(&f->p.drv, PNIC_DB_HEAD(q)) + below(f, 64);
		break;
	case 2:		/* any tail */
		*pnic_drv_db(&f->p.drv, PNIC_DB_TAIL(q)) = (uint32_t)rnd(f);
		break;
	default:	/* any word, the device's own included */
		*pnic_drv_db(&f->p.drv, 4 * below(f, PNIC_BAR_DB_SIZE / 4)) = (uint32_t)rnd(f);
		break;
	}
}

static void
fill_desc(struct fz *f, struct pnic_desc *d)
{
	d->addr = any_iova(f);
	d->len = any_len(f);
	d->status = chance(f, 90) ? 0 : (uint16_t)rnd(f);
	d->rsvd = chance(f, 95) ? 0 : (uint16_t)rnd(f);
}

/* Descriptors anywhere in the DMA memory (rings live there). */
void
op_desc(struct fz *f)
{
	unsigned int n = 1 + below(f, 16), i;
	uint32_t at = below(f, MEM_LEN / PNIC_DESC_SIZE - n);

	for (i = 0; i < n; i++)
		fill_desc(f, (struct pnic_desc *)f->mem + at + i);
}

/* Set up a queue pair on a mapping (mostly consistently) and post frames. */
void
op_traffic(struct fz *f)
{
	uint32_t qp = below(f, f->p.drv.nqp), size = chance(f, 80) ? 1u << (2 + below(f, 7))
								: any_ring_size(f);
	unsigned int dir, i, n;
	int pasid = -1, k;

	if (!f->nmap)
		return;
	for (dir = 0; dir < 2; dir++) {
		struct map *m = &f->map[below(f, f->nmap)];
		uint32_t span = size <= 4096 ? size * PNIC_DESC_SIZE : 4096 * PNIC_DESC_SIZE;
		uint32_t off = span < m->len ? below(f, (uint32_t)(m->len - span)) & ~15u : 0;
		struct pnic_desc *ring = (struct pnic_desc *)(f->mem + m->mem_off + off);
		unsigned int q = PNIC_QUEUE(qp, dir);

		/* The PASID whose IOAS holds the ring, if any; else a random one. */
		for (k = 0; k <= MAXPASID; k++)
			if (f->pasid_ioas[k] == m->ioas && (k || chance(f, 30)))
				pasid = k ? k : -1;
		if (chance(f, 10))
			pasid = any_pasid(f);
		n = 1 + below(f, (size < 64 && size > 1 ? size : 64) - 1);
		for (i = 0; i < n && (i + 1) * PNIC_DESC_SIZE <= m->len - off; i++) {
			fill_desc(f, &ring[i]);
			if (chance(f, 70)) {	/* a buffer in this mapping */
				ring[i].addr = m->iova + below(f, (uint32_t)m->len - 2048);
				ring[i].len = dir == PNIC_DIR_TX ? 60 + below(f, 1400) : 2048;
			}
		}
		__sync_synchronize();
		note(f, pnic_drv_q_ring(&f->p.drv, q, m->iova + off, size, pasid));
		if (chance(f, 50))
			note(f, pnic_drv_try_wr(&f->p.drv, PNIC_QREG(q, PNIC_Q_CTRL),
				       PNIC_Q_CTRL_ENABLE | PNIC_Q_CTRL_IRQ_EN));
		*pnic_drv_db(&f->p.drv, PNIC_DB_TAIL(q)) = i;
	}
	__sync_synchronize();
	note(f, pnic_drv_try_wr(&f->p.drv, PNIC_REG_KICK, pnic_kick_mask(qp)));
}

void
op_cfg(struct fz *f)
{
	static const uint32_t hot[] = { 0x04, 0x06, 0x10, 0x3c, PNIC_CFG_MSIX_CAP + 2,
		PNIC_CFG_EXP_CAP + 8, PNIC_CFG_PASID_ECAP + 4, PNIC_CFG_PASID_ECAP + 6 };
	unsigned int size = 1u << below(f, 3);
	uint32_t off = chance(f, 60) ? hot[below(f, TEST_DIM(hot))]
				     : below(f, PNIC_CFG_SIZE + 8);
	uint32_t v = (uint32_t)rnd(f);
	uint64_t at = f->p.off[VFIO_PCI_CONFIG_REGION_INDEX] + off;

	if (off == 0x04 && chance(f, 70))
		v = 0x6;	/* memory + bus master, as a driver would */
	if (chance(f, 20)) {
		note(f, pread(f->p.dev.fd, &v, size, at) < 0);
		return;
	}
	note(f, pwrite(f->p.dev.fd, &v, size, at) < 0);
}

void
op_set_irqs(struct fz *f)
{
	static const uint32_t action[] = { VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_IRQ_SET_ACTION_TRIGGER,
		VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_IRQ_SET_ACTION_MASK,
		VFIO_IRQ_SET_ACTION_UNMASK, 0 };
	static const uint32_t data[] = { VFIO_IRQ_SET_DATA_NONE, VFIO_IRQ_SET_DATA_BOOL,
		VFIO_IRQ_SET_DATA_EVENTFD, VFIO_IRQ_SET_DATA_EVENTFD, 0,
		VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_DATA_EVENTFD };
	uint8_t buf[sizeof(struct vfio_irq_set) + 16 * sizeof(int32_t)];
	struct vfio_irq_set *s = (struct vfio_irq_set *)buf;
	unsigned int nvec = PNIC_NUM_VECS(f->p.drv.nqp), i, el;

	memset(buf, 0, sizeof(buf));
	s->index = below(f, VFIO_PCI_NUM_IRQS + 2);
	s->flags = action[below(f, 6)] | data[below(f, 6)];
	if (chance(f, 3))
		s->flags = (uint32_t)rnd(f);
	s->start = chance(f, 80) ? 0 : below(f, nvec + 2);
	s->count = below(f, (s->index == VFIO_PCI_REQ_IRQ_INDEX ? 1 : nvec) + 3);
	if (chance(f, 2))
		s->count = (uint32_t)rnd(f);
	if (f->skip_k1 && s->index == VFIO_PCI_REQ_IRQ_INDEX && s->count == 0 &&
	    (s->flags & VFIO_IRQ_SET_DATA_EVENTFD))
		s->count = 1;
	el = (s->flags & VFIO_IRQ_SET_DATA_BOOL) ? 1 : 4;
	for (i = 0; i < 16; i++) {
		int32_t fd;

		switch (below(f, 8)) {
		case 0:
			fd = -1;
			break;
		case 1:
			fd = f->p.dev.fd;		/* not an eventfd */
			break;
		case 2:
			fd = 1000 + below(f, 100);	/* not open */
			break;
		default:
			fd = f->efd[below(f, NEFD)];
			break;
		}
		if (el == 1)
			s->data[i] = (uint8_t)below(f, 2);
		else
			memcpy(s->data + 4 * i, &fd, 4);
	}
	s->argsz = sizeof(*s) + (s->count <= 16 ? s->count : 16) * el;
	if (chance(f, 10))
		s->argsz = below(f, (uint32_t)sizeof(buf));
	note(f, ioctl(f->p.dev.fd, VFIO_DEVICE_SET_IRQS, s) != 0);
}

void
op_info(struct fz *f)
{
	struct vfio_region_info r = { .argsz = sizeof(r), .index = below(f, 16) };
	struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = below(f, 8) };

	if (chance(f, 10)) {
		r.argsz = below(f, sizeof(r));
		ii.argsz = below(f, sizeof(ii));
	}
	note(f, ioctl(f->p.dev.fd, VFIO_DEVICE_GET_REGION_INFO, &r) != 0);
	note(f, ioctl(f->p.dev.fd, VFIO_DEVICE_GET_IRQ_INFO, &ii) != 0);
}

void
op_drain(struct fz *f)
{
	unsigned int i;
	uint64_t v;

	for (i = 0; i < NEFD; i++)
		while (read(f->efd[i], &v, 8) == 8)
			;
}

/* mmap of the doorbell region with good and bad offsets, lengths and flags. */
void
op_mmap(struct fz *f)
{
	uint64_t off = f->p.off[VFIO_PCI_BAR0_REGION_INDEX + below(f, 6)];
	size_t len = chance(f, 70) ? 4096 : 4096 * (2 + below(f, 3));
	int flags = chance(f, 80) ? MAP_SHARED : MAP_PRIVATE;
	void *va;

	if (chance(f, 20))
		off += 4096;
	va = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, f->p.dev.fd, (off_t)off);
	note(f, va == MAP_FAILED);
	if (va != MAP_FAILED) {
		if (flags == MAP_SHARED)
			((volatile uint32_t *)va)[below(f, 1024)] = (uint32_t)rnd(f);
		munmap(va, len);
	}
}
