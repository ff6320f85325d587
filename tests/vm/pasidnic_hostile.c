/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pasidnic-hostile: random but plausible operations on pasidnic ports, one
 * fuzzer process per port, all at once (tests/vm/pasidnic_hostile_fd.sh).
 *
 *   pasidnic-hostile [--ops N] [--seed S] [--kill UUID] UUID...
 *
 * Each UUID (an mdev port) gets a fuzzer that does N operations (default
 * 200000): BAR0 register writes and reads, accesses at random offsets and
 * sizes on every region, doorbell stores, ring descriptors with IOVAs inside,
 * across and outside the mappings and lengths 0..2^32-1, queue set-ups with
 * traffic, config-space writes, SET_IRQS on every index with counts 0..N and
 * eventfds, IOAS map/unmap/alloc/destroy churn, PASID attach/replace/detach
 * (out-of-range PASIDs too), VFIO_DEVICE_RESET, and now and then a close and
 * reopen of the device. The --kill port's fuzzer runs until the supervisor
 * removes its port through sysfs and SIGKILLs it at the same time.
 *
 * The supervisor (this process) watches every operation: one that takes
 * longer than PNIC_WD_SECONDS (default 10) prints the kernel stacks and
 * fails. Environment:
 *   PNIC_SEED=S            the master seed (default: from the clock); port i
 *                          uses S + i. Printed at start so a failure replays.
 *   PNIC_OPS=N             operations per port (as --ops).
 *   PNIC_WD_SECONDS=N      the per-operation watchdog.
 *   PNIC_MAX_SECONDS=N     give up (fail) after N s (default 900).
 *   PNIC_FUZZ_TRACE=1      print every operation (to replay one port).
 *   PNIC_FUZZ_SKIP_K1=1    never send SET_IRQS REQ with count 0 and
 *                          DATA_EVENTFD (issue 11's K1 oops), for work on
 *                          the rest while K1 is unfixed. Off by default.
 * Exit status 0 when every fuzzer finished and the killed port went away;
 * failures print "REASON: ..." and exit 1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* gettid() */
#endif
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "pnic_raw.h"

#define MEM_LEN		(4u << 20)	/* DMA memory per fuzzer */
#define CHUNK		(512u << 10)	/* unit of IOAS mappings */
#define NCHUNK		(MEM_LEN / CHUNK)
#define IOVA_BASE	0x1000000ull
#define MAXIOAS		4
#define MAXMAP		32
#define NEFD		4
#define MAXPASID	8		/* PASIDs 1..MAXPASID are tracked */
#define MAXPORTS	8
#define REOPEN_EVERY	25000		/* operations between device reopens, on average */
#define MMAP_EVERY	2000		/* operations between doorbell mmap tries, on average */

/* ---- one fuzzer ---- */

enum op {
	OP_REG_WRITE, OP_REG_READ, OP_REGION, OP_DB, OP_DESC, OP_TRAFFIC, OP_CFG,
	OP_SET_IRQS, OP_MAP, OP_UNMAP, OP_IOAS, OP_ATTACH, OP_RESET, OP_INFO,
	OP_DRAIN, OP_MMAP, OP_REOPEN, NOPS
};

static const char *const op_name[NOPS] = {
	"BAR0 register write", "BAR0 register read", "region access", "doorbell store",
	"descriptor write", "queue set-up and traffic", "config-space write", "SET_IRQS",
	"IOAS map", "IOAS unmap", "IOAS alloc/destroy", "PASID/RID attach/detach",
	"VFIO_DEVICE_RESET", "region/irq info", "eventfd drain", "doorbell mmap",
	"device close and reopen",
};

/*
 * Relative frequency of each operation; OP_MMAP and OP_REOPEN are drawn
 * separately, once in MMAP_EVERY and REOPEN_EVERY operations. The costly
 * ones (IOAS and attach ioctls, queue set-ups: ~5x a register access on the
 * debug kernel) are rarer, so the default 200,000 operations per port fit
 * the boot's time budget; every kind still runs thousands of times.
 */
static const unsigned int op_weight[NOPS] = {
	[OP_REG_WRITE] = 20, [OP_REG_READ] = 8, [OP_REGION] = 6, [OP_DB] = 20,
	[OP_DESC] = 20, [OP_TRAFFIC] = 4, [OP_CFG] = 4, [OP_SET_IRQS] = 4,
	[OP_MAP] = 2, [OP_UNMAP] = 2, [OP_IOAS] = 1, [OP_ATTACH] = 2, [OP_RESET] = 1,
	[OP_INFO] = 2, [OP_DRAIN] = 2,
};

struct map {
	uint32_t ioas;
	uint64_t iova, len;
	uint32_t mem_off;
};

struct fz {
	struct pnr_port p;
	const char *uuid;
	struct pnr_wd_slot *wd;
	uint64_t rng;
	bool trace, skip_k1;
	uint8_t *mem;
	uint32_t ioas[MAXIOAS];
	unsigned int nioas;
	struct map map[MAXMAP];
	unsigned int nmap;
	uint32_t pasid_ioas[MAXPASID + 1];	/* 0: not attached; [0]: the RID */
	int efd[NEFD];
	unsigned long count[NOPS], refused;
	uint64_t ns[NOPS];			/* time spent per operation kind */
};

static uint64_t
rnd(struct fz *f)
{
	/* xorshift64* */
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545f4914f6cdd1dull;
}

static uint32_t
below(struct fz *f, uint32_t n)
{
	return n ? (uint32_t)(rnd(f) % n) : 0;
}

static bool
chance(struct fz *f, unsigned int percent)
{
	return below(f, 100) < percent;
}

static void
note(struct fz *f, int rc)
{
	if (rc)
		f->refused++;
}

/* An IOVA near what the device might be given: inside, across, outside a mapping. */
static uint64_t
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
		return chance(f, 50) ? odd[below(f, ARRAY_SIZE(odd))] : rnd(f);
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
		return odd[below(f, ARRAY_SIZE(odd))];
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
static int
any_pasid(struct fz *f)
{
	uint32_t w = f->p.pasid_width;
	const uint32_t odd[] = { 0, w ? (1u << w) - 1 : 1, 1u << w, 1u << 20, 0x7fffffff,
		0xffffffffu };

	if (chance(f, 85))
		return 1 + below(f, MAXPASID);
	return (int)odd[below(f, ARRAY_SIZE(odd))];
}

static uint32_t
any_ioas(struct fz *f)
{
	if (f->nioas && chance(f, 90))
		return f->ioas[below(f, f->nioas)];
	return chance(f, 50) ? f->p.d.devid : (uint32_t)rnd(f) % 64;
}

static uint32_t
any_queue(struct fz *f)
{
	return below(f, 2 * f->p.nqp + (chance(f, 5) ? 4 : 0));
}

static void
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
		note(f, pnr_wr(&f->p, PNIC_QREG(q, PNIC_Q_BASE_HI), (uint32_t)(iova >> 32)));
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
			v = f->p.db[PNIC_DB_HEAD(q % PNIC_MAX_QUEUES) / 4] + below(f, 40);
		break;
	case 10:
		off = PNIC_QREG(q, qreg[below(f, ARRAY_SIZE(qreg))]);
		break;
	default:
		off = below(f, PNIC_BAR_REGS_SIZE + 64) & ~3u;
		break;
	}
	note(f, pnr_wr(&f->p, off, v));
}

static void
op_reg_read(struct fz *f)
{
	uint32_t v, off = chance(f, 60) ? PNIC_QREG(any_queue(f), below(f, PNIC_QREG_STRIDE) & ~3u)
					 : below(f, PNIC_BAR_REGS_SIZE + 64) & ~3u;

	note(f, pnr_rd(&f->p, off, &v));
}

/* pread/pwrite at a random offset and size of a random region (valid or not). */
static void
op_region(struct fz *f)
{
	static uint8_t buf[65536];
	static const size_t sizes[] = { 1, 2, 3, 4, 5, 8, 16, 64 };
	unsigned int idx = below(f, VFIO_PCI_NUM_REGIONS + 2);
	uint64_t base = idx < VFIO_PCI_NUM_REGIONS ? f->p.off[idx] : (uint64_t)idx << 40;
	uint64_t size = idx < VFIO_PCI_NUM_REGIONS ? f->p.size[idx] : 4096;
	/* Now and then a page or 64 KiB: one access per 4 bytes in the kernel. */
	size_t n = chance(f, 3) ? (chance(f, 50) ? 4096 : 65536) : sizes[below(f, ARRAY_SIZE(sizes))];
	uint64_t off = chance(f, 80) ? below(f, (uint32_t)size + 8) : size - below(f, 8);
	unsigned int i;

	if (idx == VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_REGS && chance(f, 70))
		n = 4, off &= ~3ull;	/* BAR0 takes 32-bit accesses: mostly give it those */
	if (chance(f, 50)) {
		note(f, pread(f->p.d.fd, buf, n, base + off) < 0);
		return;
	}
	for (i = 0; i < n && i < 64; i++)
		buf[i] = (uint8_t)rnd(f);
	note(f, pwrite(f->p.d.fd, buf, n, base + off) < 0);
}

static void
op_db(struct fz *f)
{
	uint32_t q = below(f, PNIC_MAX_QUEUES), word;

	switch (below(f, 4)) {
	case 0: case 1:	/* a plausible tail */
		word = PNIC_DB_TAIL(q) / 4;
		f->p.db[word] = f->p.db[PNIC_DB_HEAD(q) / 4] + below(f, 64);
		break;
	case 2:		/* any tail */
		f->p.db[PNIC_DB_TAIL(q) / 4] = (uint32_t)rnd(f);
		break;
	default:	/* any word, the device's own included */
		f->p.db[below(f, PNIC_BAR_DB_SIZE / 4)] = (uint32_t)rnd(f);
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
static void
op_desc(struct fz *f)
{
	unsigned int n = 1 + below(f, 16), i;
	uint32_t at = below(f, MEM_LEN / PNIC_DESC_SIZE - n);

	for (i = 0; i < n; i++)
		fill_desc(f, (struct pnic_desc *)f->mem + at + i);
}

/* Set up a queue pair on a mapping (mostly consistently) and post frames. */
static void
op_traffic(struct fz *f)
{
	uint32_t qp = below(f, f->p.nqp), size = chance(f, 80) ? 1u << (2 + below(f, 7))
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
		note(f, pnr_q_setup(&f->p, q, m->iova + off, size, pasid));
		if (chance(f, 50))
			note(f, pnr_wr(&f->p, PNIC_QREG(q, PNIC_Q_CTRL),
				       PNIC_Q_CTRL_ENABLE | PNIC_Q_CTRL_IRQ_EN));
		f->p.db[PNIC_DB_TAIL(q) / 4] = i;
	}
	__sync_synchronize();
	note(f, pnr_wr(&f->p, PNIC_REG_KICK, pnr_kick_value(qp)));
}

static void
op_cfg(struct fz *f)
{
	static const uint32_t hot[] = { 0x04, 0x06, 0x10, 0x3c, PNIC_CFG_MSIX_CAP + 2,
		PNIC_CFG_EXP_CAP + 8, PNIC_CFG_PASID_ECAP + 4, PNIC_CFG_PASID_ECAP + 6 };
	unsigned int size = 1u << below(f, 3);
	uint32_t off = chance(f, 60) ? hot[below(f, ARRAY_SIZE(hot))]
				     : below(f, PNIC_CFG_SIZE + 8);
	uint32_t v = (uint32_t)rnd(f);
	uint64_t at = f->p.off[VFIO_PCI_CONFIG_REGION_INDEX] + off;

	if (off == 0x04 && chance(f, 70))
		v = 0x6;	/* memory + bus master, as a driver would */
	if (chance(f, 20)) {
		note(f, pread(f->p.d.fd, &v, size, at) < 0);
		return;
	}
	note(f, pwrite(f->p.d.fd, &v, size, at) < 0);
}

static void
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
	unsigned int nvec = PNIC_NUM_VECS(f->p.nqp), i, el;

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
			fd = f->p.d.fd;		/* not an eventfd */
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
	note(f, ioctl(f->p.d.fd, VFIO_DEVICE_SET_IRQS, s) != 0);
}

static void
forget_maps(struct fz *f, uint32_t ioas)
{
	unsigned int i;

	for (i = 0; i < f->nmap;) {
		if (f->map[i].ioas == ioas)
			f->map[i] = f->map[--f->nmap];
		else
			i++;
	}
}

static void
op_map(struct fz *f)
{
	uint32_t ioas = any_ioas(f), chunk = below(f, NCHUNK), off = 0, len = CHUNK;
	uint64_t iova = IOVA_BASE + (uint64_t)chunk * CHUNK;
	int rc;

	if (chance(f, 30)) {	/* a smaller piece, maybe elsewhere */
		off = below(f, CHUNK / 4096) * 4096;
		len = 4096 * (1 + below(f, (CHUNK - off) / 4096));
		iova = chance(f, 50) ? iova + off : IOVA_BASE + 2 * MEM_LEN +
			(uint64_t)below(f, 1024) * 4096;
	}
	rc = __vu_map(f->p.d.iommufd, ioas, f->mem + chunk * CHUNK + off, len, iova);
	note(f, rc);
	if (!rc && f->nmap < MAXMAP)
		f->map[f->nmap++] = (struct map){ .ioas = ioas, .iova = iova, .len = len,
						  .mem_off = chunk * CHUNK + off };
}

static void
op_unmap(struct fz *f)
{
	unsigned int i;
	int rc;

	if (f->nmap && chance(f, 80)) {
		i = below(f, f->nmap);
		rc = __vu_unmap(f->p.d.iommufd, f->map[i].ioas, f->map[i].iova, f->map[i].len);
		note(f, rc);
		if (!rc)
			f->map[i] = f->map[--f->nmap];
	} else if (chance(f, 50)) {	/* everything of one IOAS */
		uint32_t ioas = any_ioas(f);

		rc = __vu_unmap(f->p.d.iommufd, ioas, 0, UINT64_MAX);
		note(f, rc);
		if (!rc)
			forget_maps(f, ioas);
	} else {			/* a range that may not match a mapping */
		note(f, __vu_unmap(f->p.d.iommufd, any_ioas(f), any_iova(f) & ~4095ull,
				   4096ull * (1 + below(f, 256))));
	}
	/* An IOAS torn down under the device may have been ours: refresh lazily. */
}

static void
op_ioas(struct fz *f)
{
	unsigned int i, k;
	uint32_t id = 0;

	if (f->nioas < MAXIOAS && (chance(f, 50) || f->nioas < 2)) {
		note(f, __vu_ioas_alloc(f->p.d.iommufd, &id));
		if (f->nioas < MAXIOAS && id)
			f->ioas[f->nioas++] = id;
		return;
	}
	i = below(f, f->nioas);
	id = f->ioas[i];
	if (__vu_destroy(f->p.d.iommufd, id)) {	/* EBUSY while attached */
		f->refused++;
		return;
	}
	forget_maps(f, id);
	for (k = 0; k <= MAXPASID; k++)
		if (f->pasid_ioas[k] == id)
			f->pasid_ioas[k] = 0;
	f->ioas[i] = f->ioas[--f->nioas];
}

static void
op_attach(struct fz *f)
{
	int pasid = chance(f, 15) ? -1 : any_pasid(f), rc;
	uint32_t ioas = any_ioas(f);
	bool detach = chance(f, 30);

	rc = detach ? __vu_detach(&f->p.d, pasid) : __vu_attach(&f->p.d, ioas, pasid);
	note(f, rc);
	if (!rc && pasid <= MAXPASID)
		f->pasid_ioas[pasid < 0 ? 0 : pasid] = detach ? 0 : ioas;
}

static void
op_info(struct fz *f)
{
	struct vfio_region_info r = { .argsz = sizeof(r), .index = below(f, 16) };
	struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = below(f, 8) };

	if (chance(f, 10)) {
		r.argsz = below(f, sizeof(r));
		ii.argsz = below(f, sizeof(ii));
	}
	note(f, ioctl(f->p.d.fd, VFIO_DEVICE_GET_REGION_INFO, &r) != 0);
	note(f, ioctl(f->p.d.fd, VFIO_DEVICE_GET_IRQ_INFO, &ii) != 0);
}

static void
op_drain(struct fz *f)
{
	unsigned int i;
	uint64_t v;

	for (i = 0; i < NEFD; i++)
		while (read(f->efd[i], &v, 8) == 8)
			;
}

/* mmap of the doorbell region with good and bad offsets, lengths and flags. */
static void
op_mmap(struct fz *f)
{
	uint64_t off = f->p.off[VFIO_PCI_BAR0_REGION_INDEX + below(f, 6)];
	size_t len = chance(f, 70) ? 4096 : 4096 * (2 + below(f, 3));
	int flags = chance(f, 80) ? MAP_SHARED : MAP_PRIVATE;
	void *va;

	if (chance(f, 20))
		off += 4096;
	va = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, f->p.d.fd, (off_t)off);
	note(f, va == MAP_FAILED);
	if (va != MAP_FAILED) {
		if (flags == MAP_SHARED)
			((volatile uint32_t *)va)[below(f, 1024)] = (uint32_t)rnd(f);
		munmap(va, len);
	}
}

static void
fz_setup(struct fz *f)
{
	unsigned int i;

	pnr_open(&f->p, f->uuid);
	f->nioas = f->nmap = 0;
	memset(f->pasid_ioas, 0, sizeof(f->pasid_ioas));
	for (i = 0; i < 3; i++)
		f->ioas[f->nioas++] = vu_ioas_alloc(f->p.d.iommufd);
	/* A working start: the RID and PASID 1 on IOAS 0 with chunks 0-3 mapped. */
	vu_attach(&f->p.d, f->ioas[0], -1);
	f->pasid_ioas[0] = f->ioas[0];
	if (f->p.pasid_width) {
		vu_attach(&f->p.d, f->ioas[0], 1);
		f->pasid_ioas[1] = f->ioas[0];
	}
	for (i = 0; i < 4; i++) {
		vu_map(f->p.d.iommufd, f->ioas[0], f->mem + i * CHUNK, CHUNK,
		       IOVA_BASE + i * CHUNK);
		f->map[f->nmap++] = (struct map){ .ioas = f->ioas[0], .len = CHUNK,
			.iova = IOVA_BASE + i * CHUNK, .mem_off = i * CHUNK };
	}
	pnr_enable(&f->p, PNIC_BACKEND_LOOPBACK);
}

static void
fz_op(struct fz *f, enum op op)
{
	switch (op) {
	case OP_REG_WRITE:
		op_reg_write(f);
		break;
	case OP_REG_READ:
		op_reg_read(f);
		break;
	case OP_REGION:
		op_region(f);
		break;
	case OP_DB:
		op_db(f);
		break;
	case OP_DESC:
		op_desc(f);
		break;
	case OP_TRAFFIC:
		op_traffic(f);
		break;
	case OP_CFG:
		op_cfg(f);
		break;
	case OP_SET_IRQS:
		op_set_irqs(f);
		break;
	case OP_MAP:
		op_map(f);
		break;
	case OP_UNMAP:
		op_unmap(f);
		break;
	case OP_IOAS:
		op_ioas(f);
		break;
	case OP_ATTACH:
		op_attach(f);
		break;
	case OP_RESET:
		note(f, ioctl(f->p.d.fd, VFIO_DEVICE_RESET) != 0);
		break;
	case OP_INFO:
		op_info(f);
		break;
	case OP_DRAIN:
		op_drain(f);
		break;
	case OP_MMAP:
		op_mmap(f);
		break;
	case OP_REOPEN:
		pnr_close(&f->p);
		fz_setup(f);
		break;
	case NOPS:
		break;
	}
}

/* A fuzzer's life: @ops operations (0: until killed). Exits 0 when done. */
static void
fuzz(struct pnr_wd_slot *wd, const char *uuid, uint64_t seed, uint64_t ops)
{
	static struct fz f;
	unsigned int total = 0, i;
	uint64_t n, t0 = pnr_now_ns();

	f.uuid = uuid;
	f.wd = wd;
	f.rng = seed * 0x9e3779b97f4a7c15ull + 1;
	f.trace = pnr_env_u64("PNIC_FUZZ_TRACE", 0);
	f.skip_k1 = pnr_env_u64("PNIC_FUZZ_SKIP_K1", 0);
	f.mem = mmap(NULL, MEM_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		     MAP_POPULATE, -1, 0);
	VU_ASSERT(f.mem != MAP_FAILED, "mmap of %u bytes", MEM_LEN);
	for (i = 0; i < NEFD; i++) {
		f.efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		VU_ASSERT(f.efd[i] >= 0, "eventfd");
	}
	for (i = 0; i < NOPS; i++)
		total += op_weight[i];
	pnr_wd_beginf(wd, "set-up of port %s", uuid);
	fz_setup(&f);
	pnr_wd_end(wd);
	for (n = 0; !ops || n < ops; n++) {
		enum op op = OP_REOPEN;
		uint32_t r;

		if (!below(&f, MMAP_EVERY)) {
			op = OP_MMAP;
		} else if (below(&f, REOPEN_EVERY)) {
			r = below(&f, total);
			for (op = 0; r >= op_weight[op]; op++)
				r -= op_weight[op];
		}
		pnr_wd_begin(wd, op_name[op]);
		if (f.trace)
			printf("port %s op %llu: %s\n", uuid, (unsigned long long)n, op_name[op]);
		fz_op(&f, op);
		f.ns[op] += pnr_now_ns() - wd->start_ns;
		pnr_wd_end(wd);
		f.count[op]++;
	}
	printf("port %s: %llu operations in %.1f s, %lu refused by the kernel; count "
	       "(mean us) per kind:", uuid, (unsigned long long)n, (pnr_now_ns() - t0) / 1e9,
	       f.refused);
	for (i = 0; i < NOPS; i++)
		printf(" %s %lu (%.0f)%s", op_name[i], f.count[i],
		       f.count[i] ? f.ns[i] / 1e3 / f.count[i] : 0.0, i + 1 < NOPS ? "," : "\n");
	pnr_close(&f.p);
	exit(0);
}

/* ---- the supervisor ---- */

struct remover {
	char path[160];
	volatile int done, err;
	volatile pid_t tid;
};

/* Remove a port through sysfs (blocks until its user lets go). */
static void *
remover_fn(void *arg)
{
	struct remover *r = arg;
	int fd;

	r->tid = gettid();
	fd = open(r->path, O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1)
		r->err = errno;
	if (fd >= 0)
		close(fd);
	r->done = 1;
	return NULL;
}

/* One line: operations done per port so far. */
static void
progress(struct pnr_wd *wd, const char *const *uuid, uint64_t t0)
{
	unsigned int i;

	printf("after %.0f s:", (pnr_now_ns() - t0) / 1e9);
	for (i = 0; i < wd->n - 1; i++)
		printf(" %.8s %llu ops%s", uuid[i], (unsigned long long)wd->slot[i].nops,
		       i + 2 < wd->n ? "," : "\n");
}

static pid_t child[MAXPORTS];
static unsigned int nchild;

/* Kill every fuzzer and reap those that die within 5 s. */
static void
kill_all(void)
{
	uint64_t end = pnr_now_ns() + 5000000000ull;
	unsigned int i, left;

	for (i = 0; i < nchild; i++)
		if (child[i] > 0)
			kill(child[i], SIGKILL);
	do {
		left = 0;
		for (i = 0; i < nchild; i++) {
			if (child[i] > 0 && waitpid(child[i], NULL, WNOHANG) == 0)
				left++;
			else
				child[i] = 0;
		}
		if (left)
			usleep(50000);
	} while (left && pnr_now_ns() < end);
	if (left)
		printf("%u fuzzer(s) did not die within 5 s of SIGKILL (stuck in the kernel)\n",
		       left);
}

#define FAIL(...) do { \
	printf("REASON: " __VA_ARGS__); \
	printf("\n"); \
	kill_all(); \
	exit(1); \
} while (0)

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ops", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 's' },
		{ "kill", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t seed = pnr_env_u64("PNIC_SEED", 0), ops = pnr_env_u64("PNIC_OPS", 200000);
	unsigned int wd_s = pnr_env_u64("PNIC_WD_SECONDS", 10), i, running;
	uint64_t deadline = pnr_now_ns() + pnr_env_u64("PNIC_MAX_SECONDS", 900) * 1000000000ull;
	uint64_t kill_at = 0;
	const char *uuid[MAXPORTS], *kill_uuid = NULL;
	struct remover rm = { .done = 0 };
	pthread_t rm_thread;
	int kill_idx = -1, opt, status;
	pid_t killed = 0;
	uint64_t t0 = pnr_now_ns(), next_report = t0 + 15000000000ull;
	bool removing = false;
	struct pnr_wd *wd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			ops = strtoull(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'k':
			kill_uuid = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [--ops N] [--seed S] [--kill UUID] UUID...\n",
				argv[0]);
			return 2;
		}
	}
	if (optind >= argc || argc - optind + !!kill_uuid > MAXPORTS) {
		fprintf(stderr, "usage: %s [--ops N] [--seed S] [--kill UUID] UUID... (at most %u)\n",
			argv[0], MAXPORTS);
		return 2;
	}
	if (!seed)
		seed = pnr_now_ns() % 1000000007ull;
	for (i = 0; optind + (int)i < argc; i++)
		uuid[i] = argv[optind + i];
	nchild = i;
	if (kill_uuid) {
		kill_idx = nchild;
		uuid[nchild++] = kill_uuid;
		kill_at = ops / 10 + seed % (ops / 3 + 1);
		snprintf(rm.path, sizeof(rm.path), "/sys/bus/mdev/devices/%s/remove", kill_uuid);
	}
	printf("seed %llu (replay: PNIC_SEED=%llu), %llu operations per port, watchdog %u s%s\n",
	       (unsigned long long)seed, (unsigned long long)seed, (unsigned long long)ops, wd_s,
	       pnr_env_u64("PNIC_FUZZ_SKIP_K1", 0) ? ", K1 case skipped (PNIC_FUZZ_SKIP_K1)" : "");
	wd = pnr_wd_create(nchild + 1, wd_s * 1000);
	for (i = 0; i < nchild; i++) {
		printf("port %s: seed %llu%s\n", uuid[i], (unsigned long long)(seed + i),
		       (int)i == kill_idx ? ", removed and SIGKILLed while it runs" : "");
		child[i] = fork();
		VU_ASSERT(child[i] >= 0, "fork");
		if (child[i] == 0) {
			pnr_wd_claim(wd, i);
			fuzz(&wd->slot[i], uuid[i], seed + i, (int)i == kill_idx ? 0 : ops);
		}
	}

	for (running = nchild; running;) {
		pid_t pid;
		int stuck = pnr_wd_check(wd);

		if (pnr_now_ns() > next_report) {
			progress(wd, uuid, t0);
			next_report += 15000000000ull;
		}

		if (stuck >= 0)
			FAIL("%s: operation #%llu (%s) blocked for more than %u s (seed %llu)",
			     stuck < (int)nchild ? uuid[stuck] : "sysfs remove",
			     (unsigned long long)wd->slot[stuck].nops, wd->slot[stuck].what, wd_s,
			     (unsigned long long)seed);
		if (pnr_now_ns() > deadline) {
			progress(wd, uuid, t0);
			FAIL("not done after PNIC_MAX_SECONDS (seed %llu)", (unsigned long long)seed);
		}
		/* The killed port: remove it through sysfs and SIGKILL its fuzzer. */
		if (kill_idx >= 0 && !removing && child[kill_idx] > 0 &&
		    (wd->slot[kill_idx].nops >= kill_at || running == 1)) {
			struct pnr_wd_slot *s = &wd->slot[nchild];

			printf("port %s: removing it through sysfs after %llu operations, "
			       "SIGKILLing its fuzzer\n", kill_uuid,
			       (unsigned long long)wd->slot[kill_idx].nops);
			s->pid = getpid();
			pnr_wd_beginf(s, "sysfs remove of %s with its fuzzer SIGKILLed", kill_uuid);
			VU_ASSERT(pthread_create(&rm_thread, NULL, remover_fn, &rm) == 0,
				  "pthread_create");
			usleep(seed % 200000);
			while (!rm.tid)
				usleep(1000);
			s->tid = rm.tid;
			killed = child[kill_idx];
			kill(killed, SIGKILL);
			removing = true;
		}
		if (removing && rm.done) {
			pnr_wd_end(&wd->slot[nchild]);
			pthread_join(rm_thread, NULL);
			if (rm.err)
				FAIL("writing 1 to %s failed: %s", rm.path, strerror(rm.err));
			printf("port %s removed\n", kill_uuid);
			removing = false;
			kill_idx = -1;
		}
		pid = waitpid(-1, &status, WNOHANG);
		if (pid <= 0) {
			usleep(20000);
			continue;
		}
		for (i = 0; i < nchild && child[i] != pid; i++)
			;
		if (i == nchild)
			continue;
		child[i] = 0;
		wd->slot[i].pid = 0;	/* gone: nothing left to watch */
		running--;
		if (pid == killed && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			continue;	/* the fuzzer of the removed port */
		if (WIFSIGNALED(status))
			FAIL("%s: the fuzzer died of signal %d in operation #%llu (%s) (seed %llu)",
			     uuid[i], WTERMSIG(status), (unsigned long long)wd->slot[i].nops,
			     wd->slot[i].what, (unsigned long long)seed);
		if (WEXITSTATUS(status))
			FAIL("%s: the fuzzer failed (exit %d) in operation #%llu (%s) (seed %llu)",
			     uuid[i], WEXITSTATUS(status), (unsigned long long)wd->slot[i].nops,
			     wd->slot[i].what, (unsigned long long)seed);
	}
	/* The removal may still be waiting for the killed fuzzer's release. */
	while (removing && !rm.done) {
		if (pnr_wd_check(wd) >= 0)
			FAIL("sysfs remove of %s did not complete within %u s after its user "
			     "was SIGKILLed (seed %llu)", kill_uuid, wd_s, (unsigned long long)seed);
		usleep(20000);
	}
	if (removing) {
		pthread_join(rm_thread, NULL);
		if (rm.err)
			FAIL("writing 1 to %s failed: %s", rm.path, strerror(rm.err));
		printf("port %s removed\n", kill_uuid);
	}
	printf("OK: %u fuzzers done, seed %llu\n", nchild, (unsigned long long)seed);
	return 0;
}
