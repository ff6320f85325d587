/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pasidnic-test: a small userspace driver of the pasidnic emulated NIC
 * (kernel/linux/pasidnic, doc/pasidnic.md) for the VM tests.
 *
 *   pasidnic-test info CDEV
 *   pasidnic-test rid_dma CDEV
 *   pasidnic-test pasid_attach CDEV
 *   pasidnic-test pasid_isolation CDEV
 *   pasidnic-test unmap_while_active CDEV
 *   pasidnic-test hold CDEV READYFILE    (for pasidnic_remove_busy)
 *   pasidnic-test netdev CDEV READYFILE SECONDS   (answers ARP and ping, echoes UDP)
 *
 * Exit status 0 on success; failures print "REASON: ..." and exit 1.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#include "vfio_util.h"
#include "pasidnic_regs.h"

#define ASSERT VU_ASSERT

#define AREA_SIZE	(1u << 20)	/* per address space */
#define RX_RING_OFF	0x0000
#define TX_RING_OFF	0x1000
#define TX_BUF_OFF	0x10000
#define RX_BUF_OFF	0x80000
#define BUF_SIZE	0x800
#define RING		16

struct pn {
	struct vu_device d;
	struct vu_bar db;
	uint64_t bar0;
	unsigned int nqp;
	unsigned int kicks;
	int efd[PNIC_NUM_VECS(PNIC_MAX_QP)];
};

/* A DMA area: user memory mapped at @iova in an IOAS. */
struct area {
	uint8_t *va;
	uint64_t iova;
};

static uint32_t rd(struct pn *p, uint32_t off)
{
	uint32_t v;

	ASSERT(pread(p->d.fd, &v, 4, p->bar0 + off) == 4, "BAR0 read %#x", off);
	return v;
}

static void wr(struct pn *p, uint32_t off, uint32_t v)
{
	ASSERT(pwrite(p->d.fd, &v, 4, p->bar0 + off) == 4, "BAR0 write %#x", off);
}

static volatile uint32_t *db32(struct pn *p, uint32_t off)
{
	return (volatile uint32_t *)(p->db.va + off);
}

static uint32_t qrd(struct pn *p, unsigned int q, uint32_t reg)
{
	return rd(p, PNIC_QREG(q, reg));
}

static void qwr(struct pn *p, unsigned int q, uint32_t reg, uint32_t v)
{
	wr(p, PNIC_QREG(q, reg), v);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

static void pn_open(struct pn *p, const char *cdev)
{
	struct vfio_region_info r = { .argsz = sizeof(r) };
	unsigned int i;

	memset(p, 0, sizeof(*p));
	vu_open(&p->d, cdev, -1);
	r.index = VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_REGS;
	ASSERT(ioctl(p->d.fd, VFIO_DEVICE_GET_REGION_INFO, &r) == 0, "BAR0 info");
	ASSERT(r.size == PNIC_BAR_REGS_SIZE, "BAR0 size %llu", (unsigned long long)r.size);
	p->bar0 = r.offset;
	vu_bar_map(&p->d, VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_DB, &p->db);
	ASSERT(rd(p, PNIC_REG_ID) == PNIC_ID_MAGIC, "bad ID register %#x", rd(p, PNIC_REG_ID));
	p->nqp = rd(p, PNIC_REG_NUM_QP);
	ASSERT(p->nqp >= 1 && p->nqp <= PNIC_MAX_QP, "bad NUM_QP %u", p->nqp);
	for (i = 0; i < PNIC_NUM_VECS(PNIC_MAX_QP); i++)
		p->efd[i] = -1;
}

/* Route every MSI-X vector to an eventfd. */
static void pn_irqs(struct pn *p)
{
	unsigned int n = PNIC_NUM_VECS(p->nqp), i;
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t) * PNIC_NUM_VECS(PNIC_MAX_QP)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = VFIO_PCI_MSIX_IRQ_INDEX };

	ASSERT(ioctl(p->d.fd, VFIO_DEVICE_GET_IRQ_INFO, &ii) == 0, "GET_IRQ_INFO MSI-X");
	ASSERT(ii.count == n && (ii.flags & VFIO_IRQ_INFO_EVENTFD),
	       "MSI-X count %u (want %u) flags %#x", ii.count, n, ii.flags);
	set->argsz = sizeof(*set) + sizeof(int32_t) * n;
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_MSIX_IRQ_INDEX;
	set->start = 0;
	set->count = n;
	for (i = 0; i < n; i++) {
		p->efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		ASSERT(p->efd[i] >= 0, "eventfd");
		((int32_t *)set->data)[i] = p->efd[i];
	}
	ASSERT(ioctl(p->d.fd, VFIO_DEVICE_SET_IRQS, set) == 0, "SET_IRQS MSI-X x%u", n);
}

static uint64_t efd_count(int efd)
{
	uint64_t v = 0;

	if (efd < 0 || read(efd, &v, 8) != 8)
		return 0;
	return v;
}

static void pn_enable(struct pn *p, uint32_t backend)
{
	vu_bus_master(&p->d);
	wr(p, PNIC_REG_IRQ_MASK, PNIC_IRQ_LINK | PNIC_IRQ_FAULT);
	wr(p, PNIC_REG_DEV_CTRL, PNIC_DEV_CTRL_ENABLE |
	   (backend << PNIC_DEV_CTRL_BACKEND_SHIFT));
	ASSERT(rd(p, PNIC_REG_DEV_STATUS) & PNIC_DEV_STATUS_ENABLED, "device not enabled");
}

static void pasid_enable(struct pn *p)
{
	uint32_t hdr = vu_cfg_read(&p->d, PNIC_CFG_PASID_ECAP, 4);

	ASSERT((hdr & 0xffff) == 0x1b, "no PASID extended capability (header %#x)", hdr);
	vu_cfg_write(&p->d, PNIC_CFG_PASID_ECAP + 6, 2, 1);
	ASSERT(vu_cfg_read(&p->d, PNIC_CFG_PASID_ECAP + 6, 2) & 1, "PASID enable did not stick");
}

static void area_alloc(struct area *a, uint64_t iova)
{
	a->va = mmap(NULL, AREA_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT(a->va != MAP_FAILED, "mmap of %u bytes", AREA_SIZE);
	memset(a->va, 0, AREA_SIZE);
	a->iova = iova;
}

/* Configure and enable queue @q: ring at @a + @ring_off; @pasid < 0: RID. */
static void q_setup(struct pn *p, unsigned int q, struct area *a, uint32_t ring_off,
		    int pasid)
{
	qwr(p, q, PNIC_Q_CTRL, PNIC_Q_CTRL_RESET);
	memset(a->va + ring_off, 0, RING * PNIC_DESC_SIZE);
	qwr(p, q, PNIC_Q_BASE_LO, (uint32_t)(a->iova + ring_off));
	qwr(p, q, PNIC_Q_BASE_HI, (uint32_t)((a->iova + ring_off) >> 32));
	qwr(p, q, PNIC_Q_SIZE, RING);
	qwr(p, q, PNIC_Q_PASID, pasid < 0 ? 0 : PNIC_Q_PASID_EN | (uint32_t)pasid);
	qwr(p, q, PNIC_Q_CTRL, PNIC_Q_CTRL_ENABLE | PNIC_Q_CTRL_IRQ_EN);
	ASSERT((qrd(p, q, PNIC_Q_STATUS) & PNIC_Q_STATE_MASK) == PNIC_Q_STATE_RUNNING,
	       "queue %u not running after enable (status %u)", q, qrd(p, q, PNIC_Q_STATUS));
}

/* Publish a new tail: doorbell page store, then kick only if its queue pair's engine sleeps. */
static void q_tail(struct pn *p, unsigned int q, uint32_t tail)
{
	*db32(p, PNIC_DB_TAIL(q)) = tail;
	__sync_synchronize();
	if (*db32(p, PNIC_DB_ENGINE(q / 2)) == PNIC_ENGINE_SLEEPING) {
		wr(p, PNIC_REG_KICK, 1u << (q / 2));
		p->kicks++;
	}
}

static struct pnic_desc *desc(struct area *a, uint32_t ring_off, uint32_t idx)
{
	return (struct pnic_desc *)(a->va + ring_off) + (idx % RING);
}

/* Wait until descriptor @d is done; false on timeout. */
static bool wait_dd(volatile struct pnic_desc *d, int ms)
{
	uint64_t end = now_ms() + ms;

	while (!(d->status & PNIC_DESC_DD)) {
		if (now_ms() > end)
			return false;
		usleep(50);
	}
	__sync_synchronize();
	return true;
}

/* Wait until queue @q is in @state; false on timeout. */
static bool wait_state(struct pn *p, unsigned int q, uint32_t state, int ms)
{
	uint64_t end = now_ms() + ms;

	while ((qrd(p, q, PNIC_Q_STATUS) & PNIC_Q_STATE_MASK) != state) {
		if (now_ms() > end)
			return false;
		usleep(200);
	}
	return true;
}

/*
 * Loopback @n frames on queue pair @qp whose rings and buffers live in @a
 * (descriptor indexes start at *@idx); check the received data. @rx_addr
 * overrides the RX buffer IOVA when non-zero, @tx_addr the TX one.
 */
static void loop_frames(struct pn *p, unsigned int qp, struct area *a, uint32_t *idx,
			unsigned int n, uint8_t seed)
{
	unsigned int rxq = PNIC_QUEUE(qp, PNIC_DIR_RX), txq = PNIC_QUEUE(qp, PNIC_DIR_TX);
	uint32_t start = *idx, i;

	ASSERT(n <= RING, "too many frames");
	for (i = 0; i < n; i++) {
		uint32_t slot = (start + i) % RING;
		struct pnic_desc *rd_ = desc(a, RX_RING_OFF, start + i);
		struct pnic_desc *td = desc(a, TX_RING_OFF, start + i);
		uint32_t len = 60 + ((seed + i) * 97) % (BUF_SIZE - 60);
		uint8_t *tb = a->va + TX_BUF_OFF + slot * BUF_SIZE;
		uint32_t j;

		for (j = 0; j < len; j++)
			tb[j] = (uint8_t)(seed * 31 + i * 7 + j);
		memset(a->va + RX_BUF_OFF + slot * BUF_SIZE, 0xee, BUF_SIZE);
		*rd_ = (struct pnic_desc){ .addr = a->iova + RX_BUF_OFF + slot * BUF_SIZE,
					   .len = BUF_SIZE };
		*td = (struct pnic_desc){ .addr = a->iova + TX_BUF_OFF + slot * BUF_SIZE,
					  .len = len };
	}
	__sync_synchronize();
	q_tail(p, rxq, start + n);
	q_tail(p, txq, start + n);
	for (i = 0; i < n; i++) {
		uint32_t slot = (start + i) % RING;
		struct pnic_desc *rd_ = desc(a, RX_RING_OFF, start + i);
		struct pnic_desc *td = desc(a, TX_RING_OFF, start + i);

		ASSERT(wait_dd(td, 5000), "TX descriptor %u of qp %u not done (status %u, head %u)",
		       start + i, qp, qrd(p, txq, PNIC_Q_STATUS), qrd(p, txq, PNIC_Q_HEAD));
		ASSERT(wait_dd(rd_, 5000), "RX descriptor %u of qp %u not done (status %u)",
		       start + i, qp, qrd(p, rxq, PNIC_Q_STATUS));
		ASSERT(!(td->status & PNIC_DESC_ERR) && !(rd_->status & PNIC_DESC_ERR),
		       "descriptor error");
		ASSERT(rd_->len == td->len, "RX length %u != TX length %u", rd_->len, td->len);
		ASSERT(!memcmp(a->va + RX_BUF_OFF + slot * BUF_SIZE,
			       a->va + TX_BUF_OFF + slot * BUF_SIZE, td->len),
		       "received frame %u differs from the sent one", start + i);
	}
	ASSERT(qrd(p, txq, PNIC_Q_HEAD) == start + n, "TX head %u", qrd(p, txq, PNIC_Q_HEAD));
	ASSERT(*db32(p, PNIC_DB_HEAD(rxq)) == start + n, "RX head write-back %u",
	       *db32(p, PNIC_DB_HEAD(rxq)));
	*idx = start + n;
}

static void check_config(struct pn *p, unsigned int width)
{
	uint32_t id = vu_cfg_read(&p->d, 0, 4), cap;

	ASSERT(id == (PNIC_PCI_DEVICE_ID << 16 | PNIC_PCI_VENDOR_ID), "config id %#x", id);
	ASSERT(vu_cfg_read(&p->d, 0x34, 1) == PNIC_CFG_MSIX_CAP, "cap pointer");
	ASSERT(vu_cfg_read(&p->d, PNIC_CFG_MSIX_CAP, 1) == 0x11, "no MSI-X capability");
	ASSERT((vu_cfg_read(&p->d, PNIC_CFG_MSIX_CAP + 2, 2) & 0x7ff) + 1 ==
	       PNIC_NUM_VECS(p->nqp), "MSI-X table size");
	cap = vu_cfg_read(&p->d, PNIC_CFG_PASID_ECAP, 4);
	if (!width) {
		ASSERT(cap == 0, "PASID capability present with width 0 (%#x)", cap);
		return;
	}
	ASSERT((cap & 0xffff) == 0x1b, "PASID extended capability id %#x", cap & 0xffff);
	ASSERT(((vu_cfg_read(&p->d, PNIC_CFG_PASID_ECAP + 4, 2) >> 8) & 0x1f) == width,
	       "PASID capability width %u, want %u",
	       (vu_cfg_read(&p->d, PNIC_CFG_PASID_ECAP + 4, 2) >> 8) & 0x1f, width);
	ASSERT(rd(p, PNIC_REG_PASID_WIDTH) == width, "PASID_WIDTH register");
}

static int cmd_info(struct pn *p)
{
	uint32_t w = rd(p, PNIC_REG_PASID_WIDTH);

	check_config(p, w);
	printf("pasidnic: %u queue pairs, PASID width %u, caps %#x, version %#x\n",
	       p->nqp, w, rd(p, PNIC_REG_CAPS), rd(p, PNIC_REG_VERSION));
	return 0;
}

static int cmd_rid_dma(struct pn *p)
{
	uint32_t ioas = vu_ioas_alloc(p->d.iommufd), idx = 0, w0, i;
	struct area a;

	check_config(p, rd(p, PNIC_REG_PASID_WIDTH));
	vu_attach(&p->d, ioas, -1);
	area_alloc(&a, 0x100000);
	vu_map(p->d.iommufd, ioas, a.va, AREA_SIZE, a.iova);
	pn_irqs(p);
	pn_enable(p, PNIC_BACKEND_LOOPBACK);
	ASSERT(efd_count(p->efd[PNIC_VEC_MISC]) > 0, "no link interrupt on enable");

	q_setup(p, PNIC_QUEUE(0, PNIC_DIR_RX), &a, RX_RING_OFF, -1);
	q_setup(p, PNIC_QUEUE(0, PNIC_DIR_TX), &a, TX_RING_OFF, -1);
	for (i = 0; i < 6; i++)
		loop_frames(p, 0, &a, &idx, i == 0 ? 1 : RING - 1, (uint8_t)i);
	ASSERT(efd_count(p->efd[PNIC_VEC_QP(0)]) > 0, "no queue interrupt");
	ASSERT(qrd(p, PNIC_QUEUE(0, PNIC_DIR_TX), PNIC_Q_PKTS_LO) == idx, "TX packet counter");
	ASSERT(qrd(p, PNIC_QUEUE(0, PNIC_DIR_RX), PNIC_Q_PKTS_LO) == idx, "RX packet counter");
	ASSERT(rd(p, PNIC_REG_FAULT_COUNT) == 0, "unexpected faults");

	/* Idle: the engine sleeps, says so, and does not wake on its own. */
	usleep(200000);
	ASSERT(rd(p, PNIC_REG_DEV_STATUS) & PNIC_DEV_STATUS_ENGINE_IDLE, "engine not idle");
	ASSERT(*db32(p, PNIC_DB_ENGINE(0)) == PNIC_ENGINE_SLEEPING, "doorbell page: engine not sleeping");
	w0 = rd(p, PNIC_REG_ENGINE_WAKEUPS);
	usleep(500000);
	ASSERT(rd(p, PNIC_REG_ENGINE_WAKEUPS) == w0, "idle engine woke up %u times",
	       rd(p, PNIC_REG_ENGINE_WAKEUPS) - w0);
	ASSERT(p->kicks > 0, "the driver never had to kick");
	/* A kick after idle still works. */
	loop_frames(p, 0, &a, &idx, 3, 42);
	printf("rid_dma: %u frames looped back, %u kicks, %u engine wakeups\n", idx,
	       p->kicks, rd(p, PNIC_REG_ENGINE_WAKEUPS));

	/* Detaching the RID blocks DMA: the next frame faults. */
	ASSERT(__vu_detach(&p->d, -1) == 0, "RID detach");
	desc(&a, TX_RING_OFF, idx)->status = 0;
	q_tail(p, PNIC_QUEUE(0, PNIC_DIR_TX), idx + 1);
	ASSERT(wait_state(p, PNIC_QUEUE(0, PNIC_DIR_TX), PNIC_Q_STATE_FAULTED, 5000),
	       "TX on a detached RID did not fault");
	ASSERT(rd(p, PNIC_REG_FAULT_ERRNO) == ENXIO, "fault errno %u", rd(p, PNIC_REG_FAULT_ERRNO));
	ASSERT(!(rd(p, PNIC_REG_FAULT_INFO) & PNIC_FAULT_INFO_PASID_VALID), "RID fault has a PASID");

	/* VFIO_DEVICE_RESET: every register back to its reset value. */
	ASSERT(ioctl(p->d.fd, VFIO_DEVICE_RESET) == 0, "VFIO_DEVICE_RESET");
	ASSERT(rd(p, PNIC_REG_DEV_CTRL) == 0 && rd(p, PNIC_REG_FAULT_INFO) == 0 &&
	       rd(p, PNIC_REG_FAULT_COUNT) == 0, "device registers not reset");
	ASSERT(qrd(p, PNIC_QUEUE(0, PNIC_DIR_TX), PNIC_Q_STATUS) == PNIC_Q_STATE_DISABLED &&
	       qrd(p, PNIC_QUEUE(0, PNIC_DIR_TX), PNIC_Q_HEAD) == 0 &&
	       *db32(p, PNIC_DB_TAIL(PNIC_QUEUE(0, PNIC_DIR_TX))) == 0, "queue not reset");
	ASSERT(!(vu_cfg_read(&p->d, 4, 2) & 4), "bus master survived the reset");
	return 0;
}

/* Replaces a PASID's IOAS back and forth until told to stop. */
struct replacer {
	struct pn *p;
	uint32_t pasid, x, y;
	volatile int stop;
	unsigned int n;
};

static void *replacer_fn(void *arg)
{
	struct replacer *r = arg;

	while (!r->stop) {
		vu_attach(&r->p->d, r->y, r->pasid);
		vu_attach(&r->p->d, r->x, r->pasid);
		r->n += 2;
	}
	return NULL;
}

static int cmd_pasid_attach(struct pn *p)
{
	int ifd = p->d.iommufd;
	uint32_t A = vu_ioas_alloc(ifd), B = vu_ioas_alloc(ifd), C = vu_ioas_alloc(ifd);
	uint32_t width = rd(p, PNIC_REG_PASID_WIDTH), idx0 = 0, idx1 = 0, i;
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at),
		.flags = VFIO_DEVICE_ATTACH_PASID };
	struct area a, b, c;
	uint8_t *snap;

	ASSERT(p->nqp >= 2, "needs a device with 2 queue pairs or more");
	check_config(p, width);
	ASSERT(width == 20, "default PASID width %u, want 20", width);

	/* Out of width, and 0, are refused. */
	ASSERT(__vu_attach(&p->d, A, 0) == -EINVAL, "PASID 0 not refused with EINVAL");
	ASSERT(__vu_attach(&p->d, A, 1 << 20) == -EINVAL, "PASID 2^20 not refused with EINVAL");
	ASSERT(__vu_attach(&p->d, A, 0x7fffffff) == -EINVAL, "PASID 2^31-1 not refused");
	ASSERT(__vu_attach(&p->d, 0xfffff, 5) == -ENOENT, "attach to a missing IOAS not ENOENT");

	/* Two PASIDs on two IOASes through the standard uAPI; pt_id comes back. */
	at.pt_id = A;
	at.pasid = 5;
	ASSERT(ioctl(p->d.fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) == 0, "attach PASID 5");
	ASSERT(at.pt_id == A, "pt_id out %u != IOAS %u", at.pt_id, A);
	vu_attach(&p->d, B, 6);
	vu_attach(&p->d, A, (1 << 20) - 1);	/* the largest valid PASID */
	ASSERT(__vu_detach(&p->d, (1 << 20) - 1) == 0, "detach of the largest PASID");
	ASSERT(__vu_detach(&p->d, 77) == 0, "detach of an unattached PASID");

	area_alloc(&a, 0x200000);
	area_alloc(&b, 0x200000);	/* same IOVA, other IOAS */
	area_alloc(&c, 0x200000);
	vu_map(ifd, A, a.va, AREA_SIZE, a.iova);
	vu_map(ifd, B, b.va, AREA_SIZE, b.iova);
	vu_map(ifd, C, c.va, AREA_SIZE, c.iova);
	ASSERT(__vu_destroy(ifd, A) == -EBUSY, "IOMMU_DESTROY of an attached IOAS not EBUSY");

	pn_irqs(p);
	pn_enable(p, PNIC_BACKEND_LOOPBACK);
	/* A PASID-tagged queue needs PASID Enable in config space. */
	qwr(p, 0, PNIC_Q_CTRL, PNIC_Q_CTRL_RESET);
	qwr(p, 0, PNIC_Q_SIZE, RING);
	qwr(p, 0, PNIC_Q_PASID, PNIC_Q_PASID_EN | 5);
	qwr(p, 0, PNIC_Q_CTRL, PNIC_Q_CTRL_ENABLE);
	ASSERT((qrd(p, 0, PNIC_Q_STATUS) & 3) == PNIC_Q_STATE_ERROR,
	       "PASID queue started with PASID disabled in config space");
	pasid_enable(p);

	/* qp0 on PASID 5 (IOAS A), qp1 on PASID 6 (IOAS B). */
	q_setup(p, PNIC_QUEUE(0, PNIC_DIR_RX), &a, RX_RING_OFF, 5);
	q_setup(p, PNIC_QUEUE(0, PNIC_DIR_TX), &a, TX_RING_OFF, 5);
	q_setup(p, PNIC_QUEUE(1, PNIC_DIR_RX), &b, RX_RING_OFF, 6);
	q_setup(p, PNIC_QUEUE(1, PNIC_DIR_TX), &b, TX_RING_OFF, 6);
	loop_frames(p, 0, &a, &idx0, 8, 1);
	loop_frames(p, 1, &b, &idx1, 8, 2);
	for (i = 0; i < AREA_SIZE; i++)
		ASSERT(c.va[i] == 0, "IOAS C memory written before any attach to it");

	/* Replace: PASID 5 moves to IOAS C with a second attach. */
	vu_attach(&p->d, C, 5);
	snap = malloc(AREA_SIZE);
	memcpy(snap, a.va, AREA_SIZE);
	q_setup(p, PNIC_QUEUE(0, PNIC_DIR_RX), &c, RX_RING_OFF, 5);
	q_setup(p, PNIC_QUEUE(0, PNIC_DIR_TX), &c, TX_RING_OFF, 5);
	idx0 = 0;
	loop_frames(p, 0, &c, &idx0, 8, 3);
	ASSERT(!memcmp(snap, a.va, AREA_SIZE), "IOAS A memory changed after PASID 5 moved to C");
	ASSERT(__vu_destroy(ifd, A) == 0, "IOMMU_DESTROY of IOAS A after the replace");

	/* Detach PASID 6: its queues' DMA is blocked and faults. */
	memcpy(snap, b.va, AREA_SIZE);
	ASSERT(__vu_detach(&p->d, 6) == 0, "detach PASID 6");
	wr(p, PNIC_REG_FAULT_INFO, PNIC_FAULT_INFO_VALID);
	q_tail(p, PNIC_QUEUE(1, PNIC_DIR_TX), idx1 + 1);
	ASSERT(wait_state(p, PNIC_QUEUE(1, PNIC_DIR_TX), PNIC_Q_STATE_FAULTED, 5000),
	       "TX on a detached PASID did not fault");
	ASSERT(rd(p, PNIC_REG_FAULT_INFO) & PNIC_FAULT_INFO_VALID, "no fault latched");
	ASSERT((rd(p, PNIC_REG_FAULT_INFO) & PNIC_FAULT_INFO_QUEUE_MASK) ==
	       PNIC_QUEUE(1, PNIC_DIR_TX), "fault queue %u",
	       rd(p, PNIC_REG_FAULT_INFO) & PNIC_FAULT_INFO_QUEUE_MASK);
	ASSERT(rd(p, PNIC_REG_FAULT_PASID) == 6, "fault PASID %u", rd(p, PNIC_REG_FAULT_PASID));
	ASSERT(rd(p, PNIC_REG_FAULT_ERRNO) == ENXIO, "fault errno %u", rd(p, PNIC_REG_FAULT_ERRNO));
	ASSERT(!memcmp(snap, b.va, AREA_SIZE), "IOAS B memory changed after PASID 6 detached");
	ASSERT(efd_count(p->efd[PNIC_VEC_MISC]) > 0, "no fault interrupt");

	/* Attach again: after a queue reset, DMA works. */
	vu_attach(&p->d, B, 6);
	q_setup(p, PNIC_QUEUE(1, PNIC_DIR_RX), &b, RX_RING_OFF, 6);
	q_setup(p, PNIC_QUEUE(1, PNIC_DIR_TX), &b, TX_RING_OFF, 6);
	idx1 = 0;
	loop_frames(p, 1, &b, &idx1, 8, 4);

	/*
	 * Replace under traffic: IOAS D maps the same memory as C at the same
	 * IOVAs; PASID 5 flips between them while frames flow. No DMA is in
	 * flight during a replace, pinned rings are released by the unmap
	 * callback and re-pinned through the new IOAS: no fault, no loss.
	 */
	{
		uint32_t D = vu_ioas_alloc(ifd), faults = rd(p, PNIC_REG_FAULT_COUNT);
		struct replacer r = { .p = p, .pasid = 5, .x = C, .y = D };
		pthread_t t;

		vu_map(ifd, D, c.va, AREA_SIZE, c.iova);
		ASSERT(pthread_create(&t, NULL, replacer_fn, &r) == 0, "pthread_create");
		for (i = 0; i < 40; i++)
			loop_frames(p, 0, &c, &idx0, RING - 1, (uint8_t)(20 + i));
		r.stop = 1;
		pthread_join(t, NULL);
		ASSERT(rd(p, PNIC_REG_FAULT_COUNT) == faults, "%u faults during replaces",
		       rd(p, PNIC_REG_FAULT_COUNT) - faults);
		ASSERT(r.n > 0, "no replace happened");
		printf("pasid_attach: %u frames during %u replaces, no fault\n",
		       40 * (RING - 1), r.n);
	}
	free(snap);
	printf("pasid_attach: PASIDs 5 and 6 on separate IOASes, replace, detach, re-attach OK\n");
	return 0;
}

static int cmd_pasid_isolation(struct pn *p)
{
	int ifd = p->d.iommufd;
	uint32_t A = vu_ioas_alloc(ifd), B = vu_ioas_alloc(ifd), idx = 0, info;
	const uint64_t b_only = 0x4000000;	/* mapped only in B */
	struct area a, b;
	uint8_t *snap;
	struct pnic_desc *d;

	vu_attach(&p->d, A, 7);
	vu_attach(&p->d, B, 8);
	area_alloc(&a, 0x200000);
	area_alloc(&b, b_only);
	memset(b.va, 0x5a, AREA_SIZE);
	vu_map(ifd, A, a.va, AREA_SIZE, a.iova);
	vu_map(ifd, B, b.va, AREA_SIZE, b.iova);
	snap = malloc(AREA_SIZE);
	memcpy(snap, b.va, AREA_SIZE);

	pn_irqs(p);
	pn_enable(p, PNIC_BACKEND_LOOPBACK);
	pasid_enable(p);
	q_setup(p, 0, &a, RX_RING_OFF, 7);
	q_setup(p, 1, &a, TX_RING_OFF, 7);
	loop_frames(p, 0, &a, &idx, 4, 9);
	efd_count(p->efd[PNIC_VEC_MISC]);

	/* RX into B's IOVA: the device write faults, B is untouched. */
	d = desc(&a, RX_RING_OFF, idx);
	*d = (struct pnic_desc){ .addr = b_only + 0x100, .len = BUF_SIZE };
	d = desc(&a, TX_RING_OFF, idx);
	*d = (struct pnic_desc){ .addr = a.iova + TX_BUF_OFF, .len = 100 };
	__sync_synchronize();
	q_tail(p, 0, idx + 1);
	q_tail(p, 1, idx + 1);
	ASSERT(wait_state(p, 0, PNIC_Q_STATE_FAULTED, 5000), "RX to B's IOVA did not fault");
	info = rd(p, PNIC_REG_FAULT_INFO);
	ASSERT((info & PNIC_FAULT_INFO_VALID) && (info & PNIC_FAULT_INFO_QUEUE_MASK) == 0 &&
	       (info & PNIC_FAULT_INFO_WRITE) && (info & PNIC_FAULT_INFO_BUFFER) &&
	       (info & PNIC_FAULT_INFO_PASID_VALID), "RX fault info %#x", info);
	ASSERT(rd(p, PNIC_REG_FAULT_PASID) == 7, "fault PASID %u", rd(p, PNIC_REG_FAULT_PASID));
	ASSERT(rd(p, PNIC_REG_FAULT_IOVA_LO) == (uint32_t)(b_only + 0x100) &&
	       rd(p, PNIC_REG_FAULT_IOVA_HI) == 0, "fault IOVA %#x", rd(p, PNIC_REG_FAULT_IOVA_LO));
	ASSERT(qrd(p, 0, PNIC_Q_FAULTS) == 1, "RX queue fault counter");
	ASSERT(qrd(p, 0, PNIC_Q_FAULT_IOVA_LO) == (uint32_t)(b_only + 0x100), "queue fault IOVA");
	ASSERT(efd_count(p->efd[PNIC_VEC_MISC]) > 0, "no fault interrupt");
	ASSERT(rd(p, PNIC_REG_IRQ_CAUSE) & PNIC_IRQ_FAULT, "IRQ_CAUSE has no FAULT");
	ASSERT(!memcmp(snap, b.va, AREA_SIZE), "B's memory changed by an RX on PASID 7");
	ASSERT(!wait_dd(desc(&a, RX_RING_OFF, idx), 1), "faulted RX descriptor completed");
	/* The transmit side dropped the frame (RX queue faulted) and went on. */
	ASSERT(wait_dd(desc(&a, TX_RING_OFF, idx), 5000), "TX stuck behind a faulted RX queue");

	/* Recover: queue reset, fault acknowledged. */
	wr(p, PNIC_REG_FAULT_INFO, PNIC_FAULT_INFO_VALID);
	wr(p, PNIC_REG_IRQ_CAUSE, PNIC_IRQ_FAULT);
	ASSERT(!(rd(p, PNIC_REG_DEV_STATUS) & PNIC_DEV_STATUS_FAULT), "fault not cleared");
	q_setup(p, 0, &a, RX_RING_OFF, 7);
	q_setup(p, 1, &a, TX_RING_OFF, 7);
	idx = 0;
	loop_frames(p, 0, &a, &idx, 4, 10);

	/* TX from B's IOVA: the device read faults. */
	d = desc(&a, TX_RING_OFF, idx);
	*d = (struct pnic_desc){ .addr = b_only, .len = 200 };
	d = desc(&a, RX_RING_OFF, idx);
	*d = (struct pnic_desc){ .addr = a.iova + RX_BUF_OFF, .len = BUF_SIZE };
	memset(a.va + RX_BUF_OFF, 0, BUF_SIZE);
	__sync_synchronize();
	q_tail(p, 0, idx + 1);
	q_tail(p, 1, idx + 1);
	ASSERT(wait_state(p, 1, PNIC_Q_STATE_FAULTED, 5000), "TX from B's IOVA did not fault");
	info = rd(p, PNIC_REG_FAULT_INFO);
	ASSERT((info & PNIC_FAULT_INFO_QUEUE_MASK) == 1 && !(info & PNIC_FAULT_INFO_WRITE) &&
	       (info & PNIC_FAULT_INFO_BUFFER), "TX fault info %#x", info);
	ASSERT(rd(p, PNIC_REG_FAULT_IOVA_LO) == (uint32_t)b_only, "TX fault IOVA");
	ASSERT(rd(p, PNIC_REG_FAULT_ERRNO) == ENOENT, "TX fault errno %u",
	       rd(p, PNIC_REG_FAULT_ERRNO));
	usleep(100000);
	ASSERT(!(desc(&a, RX_RING_OFF, idx)->status & PNIC_DESC_DD),
	       "a frame was received from B's memory");
	{
		unsigned int k;

		for (k = 0; k < BUF_SIZE; k++)
			ASSERT(a.va[RX_BUF_OFF + k] == 0, "A's RX buffer got B's data");
	}
	ASSERT(!memcmp(snap, b.va, AREA_SIZE), "B's memory changed");

	/* Recover again. */
	wr(p, PNIC_REG_FAULT_INFO, PNIC_FAULT_INFO_VALID);
	q_setup(p, 0, &a, RX_RING_OFF, 7);
	q_setup(p, 1, &a, TX_RING_OFF, 7);
	idx = 0;
	loop_frames(p, 0, &a, &idx, 8, 11);
	ASSERT(!memcmp(snap, b.va, AREA_SIZE), "B's memory changed");
	free(snap);
	printf("pasid_isolation: faults latched, B byte-identical, recovery OK\n");
	return 0;
}

/* Stream frames on qp 0 until a queue faults; return true if one did. */
static bool stream_until_fault(struct pn *p, struct area *a, uint32_t *idx, int ms)
{
	uint64_t end = now_ms() + ms;

	while (now_ms() < end) {
		uint32_t i, s = *idx;

		for (i = 0; i < RING / 2; i++) {
			uint32_t slot = (s + i) % RING;

			*desc(a, RX_RING_OFF, s + i) = (struct pnic_desc){
				.addr = a->iova + RX_BUF_OFF + slot * BUF_SIZE, .len = BUF_SIZE };
			*desc(a, TX_RING_OFF, s + i) = (struct pnic_desc){
				.addr = a->iova + TX_BUF_OFF + slot * BUF_SIZE, .len = 1000 };
		}
		__sync_synchronize();
		q_tail(p, 0, s + RING / 2);
		q_tail(p, 1, s + RING / 2);
		for (i = 0; i < RING / 2; i++) {
			if ((qrd(p, 0, PNIC_Q_STATUS) & 3) == PNIC_Q_STATE_FAULTED ||
			    (qrd(p, 1, PNIC_Q_STATUS) & 3) == PNIC_Q_STATE_FAULTED)
				return true;
			if (!wait_dd(desc(a, TX_RING_OFF, s + i), 20))
				break;
		}
		while (!wait_dd(desc(a, RX_RING_OFF, s + RING / 2 - 1), 1)) {
			if ((qrd(p, 0, PNIC_Q_STATUS) & 3) == PNIC_Q_STATE_FAULTED ||
			    (qrd(p, 1, PNIC_Q_STATUS) & 3) == PNIC_Q_STATE_FAULTED)
				return true;
			if (now_ms() > end)
				return false;
		}
		*idx = s + RING / 2;
	}
	return false;
}

/* Unmaps and remaps a range in a loop until told to stop. */
struct churner {
	int ifd;
	uint32_t ioas;
	void *va;
	uint64_t iova, len;
	volatile int stop;
	unsigned int n;
};

static void *churner_fn(void *arg)
{
	struct churner *c = arg;

	while (!c->stop) {
		vu_unmap(c->ifd, c->ioas, c->iova, c->len);
		usleep(100 + c->n % 7 * 150);
		vu_map(c->ifd, c->ioas, c->va, c->len, c->iova);
		usleep(100 + c->n % 5 * 200);
		c->n++;
	}
	return NULL;
}

/*
 * Stream frames on qp 0 while another thread unmaps and remaps the buffers:
 * every frame either arrives intact or its queue faults at a buffer IOVA;
 * a queue reset recovers.
 */
static void churn(struct pn *p, uint32_t ioas, int pasid)
{
	struct churner ch = { .ifd = p->d.iommufd, .ioas = ioas };
	unsigned int ok = 0, faults = 0, iter;
	struct area a;
	pthread_t t;

	area_alloc(&a, 0x500000);
	vu_map(ch.ifd, ioas, a.va, 0x10000, a.iova);
	vu_map(ch.ifd, ioas, a.va + 0x10000, AREA_SIZE - 0x10000, a.iova + 0x10000);
	ch.va = a.va + 0x10000;
	ch.iova = a.iova + 0x10000;
	ch.len = AREA_SIZE - 0x10000;
	ASSERT(pthread_create(&t, NULL, churner_fn, &ch) == 0, "pthread_create");
	for (iter = 0; iter < 150; iter++) {
		uint32_t i, n = 8;
		uint64_t end;

		wr(p, PNIC_REG_FAULT_INFO, PNIC_FAULT_INFO_VALID);
		q_setup(p, 0, &a, RX_RING_OFF, pasid);
		q_setup(p, 1, &a, TX_RING_OFF, pasid);
		for (i = 0; i < n; i++) {
			*desc(&a, RX_RING_OFF, i) = (struct pnic_desc){
				.addr = a.iova + RX_BUF_OFF + i * BUF_SIZE, .len = BUF_SIZE };
			memset(a.va + TX_BUF_OFF + i * BUF_SIZE, iter + i, 600);
			*desc(&a, TX_RING_OFF, i) = (struct pnic_desc){
				.addr = a.iova + TX_BUF_OFF + i * BUF_SIZE, .len = 600 };
		}
		__sync_synchronize();
		q_tail(p, 0, n);
		q_tail(p, 1, n);
		end = now_ms() + 5000;
		for (;;) {
			uint32_t s0 = qrd(p, 0, PNIC_Q_STATUS) & 3, s1 = qrd(p, 1, PNIC_Q_STATUS) & 3;

			if (s0 == PNIC_Q_STATE_FAULTED || s1 == PNIC_Q_STATE_FAULTED) {
				uint64_t fiova = rd(p, PNIC_REG_FAULT_IOVA_LO) |
						 (uint64_t)rd(p, PNIC_REG_FAULT_IOVA_HI) << 32;

				ASSERT(fiova >= ch.iova && fiova < ch.iova + ch.len,
				       "fault at %#llx, outside the churned buffers",
				       (unsigned long long)fiova);
				faults++;
				break;
			}
			if (desc(&a, RX_RING_OFF, n - 1)->status & PNIC_DESC_DD) {
				__sync_synchronize();
				for (i = 0; i < n; i++)
					ASSERT(!memcmp(a.va + RX_BUF_OFF + i * BUF_SIZE,
						       a.va + TX_BUF_OFF + i * BUF_SIZE, 600),
					       "frame %u corrupted", i);
				ok++;
				break;
			}
			ASSERT(now_ms() < end, "iteration %u neither completed nor faulted", iter);
			usleep(100);
		}
	}
	ch.stop = 1;
	pthread_join(t, NULL);
	qwr(p, 0, PNIC_Q_CTRL, PNIC_Q_CTRL_RESET);
	qwr(p, 1, PNIC_Q_CTRL, PNIC_Q_CTRL_RESET);
	ASSERT(__vu_unmap(p->d.iommufd, ioas, 0, UINT64_MAX) == 0, "unmap all");
	munmap(a.va, AREA_SIZE);
	printf("churn (%s): %u bursts complete, %u faulted, %u unmap/map cycles\n",
	       pasid < 0 ? "RID" : "PASID", ok, faults, ch.n);
	ASSERT(ok > 0, "no burst completed");
}

static int cmd_unmap_while_active(struct pn *p)
{
	int ifd = p->d.iommufd, round;
	uint32_t A = vu_ioas_alloc(ifd), R = vu_ioas_alloc(ifd);

	vu_attach(&p->d, R, -1);
	vu_attach(&p->d, A, 9);
	pn_irqs(p);
	pn_enable(p, PNIC_BACKEND_LOOPBACK);
	pasid_enable(p);

	/* Rounds: PASID buffers, PASID rings, RID buffers, RID rings. */
	for (round = 0; round < 4; round++) {
		bool rid = round >= 2, rings = round & 1;
		uint32_t ioas = rid ? R : A, idx = 0, info;
		struct area a;
		uint64_t lo, hi, fiova;

		area_alloc(&a, 0x300000);
		/* Rings and buffers as separate mappings. */
		vu_map(ifd, ioas, a.va, 0x10000, a.iova);
		vu_map(ifd, ioas, a.va + 0x10000, AREA_SIZE - 0x10000, a.iova + 0x10000);
		wr(p, PNIC_REG_FAULT_INFO, PNIC_FAULT_INFO_VALID);
		q_setup(p, 0, &a, RX_RING_OFF, rid ? -1 : 9);
		q_setup(p, 1, &a, TX_RING_OFF, rid ? -1 : 9);
		loop_frames(p, 0, &a, &idx, 4, (uint8_t)round);

		/* Start a burst, then unmap under it. */
		lo = rings ? a.iova : a.iova + 0x10000;
		hi = rings ? a.iova + 0x10000 : a.iova + AREA_SIZE;
		{
			uint32_t i, s = idx;

			for (i = 0; i < RING - 1; i++) {
				uint32_t slot = (s + i) % RING;

				*desc(&a, RX_RING_OFF, s + i) = (struct pnic_desc){
					.addr = a.iova + RX_BUF_OFF + slot * BUF_SIZE,
					.len = BUF_SIZE };
				*desc(&a, TX_RING_OFF, s + i) = (struct pnic_desc){
					.addr = a.iova + TX_BUF_OFF + slot * BUF_SIZE,
					.len = 1500 };
			}
			__sync_synchronize();
			q_tail(p, 0, s + RING - 1);
			q_tail(p, 1, s + RING - 1);
			idx = s + RING - 1;
		}
		vu_unmap(ifd, ioas, lo, hi - lo);
		/* The user memory goes away too: a use-after-unmap would show. */
		ASSERT(munmap(rings ? a.va : a.va + 0x10000, hi - lo) == 0, "munmap");
		if (!wait_state(p, 0, PNIC_Q_STATE_FAULTED, 300) &&
		    !wait_state(p, 1, PNIC_Q_STATE_FAULTED, 300)) {
			/* The burst finished before the unmap: the next one faults. */
			if (rings) {
				q_tail(p, 1, idx + 1);
				ASSERT(wait_state(p, 1, PNIC_Q_STATE_FAULTED, 5000),
				       "round %d: no fault after unmapping the rings", round);
			} else {
				ASSERT(stream_until_fault(p, &a, &idx, 5000),
				       "round %d: no fault after unmapping the buffers", round);
			}
		}
		info = rd(p, PNIC_REG_FAULT_INFO);
		fiova = rd(p, PNIC_REG_FAULT_IOVA_LO) | (uint64_t)rd(p, PNIC_REG_FAULT_IOVA_HI) << 32;
		ASSERT(info & PNIC_FAULT_INFO_VALID, "round %d: no fault latched", round);
		ASSERT(fiova >= lo && fiova < hi, "round %d: fault IOVA %#llx outside [%#llx, %#llx)",
		       round, (unsigned long long)fiova, (unsigned long long)lo,
		       (unsigned long long)hi);
		ASSERT(!!(info & PNIC_FAULT_INFO_PASID_VALID) == !rid, "round %d: PASID bit", round);
		ASSERT(rd(p, PNIC_REG_FAULT_ERRNO) == ENOENT || rd(p, PNIC_REG_FAULT_ERRNO) == EINVAL,
		       "round %d: fault errno %u", round, rd(p, PNIC_REG_FAULT_ERRNO));
		/* Clean up the rest of this round. */
		qwr(p, 0, PNIC_Q_CTRL, PNIC_Q_CTRL_RESET);
		qwr(p, 1, PNIC_Q_CTRL, PNIC_Q_CTRL_RESET);
		ASSERT(__vu_unmap(ifd, ioas, 0, UINT64_MAX) == 0, "unmap all");
		munmap(rings ? a.va + 0x10000 : a.va, rings ? AREA_SIZE - 0x10000 : 0x10000);
		printf("round %d (%s %s): fault at iova %#llx, errno %u\n", round,
		       rid ? "RID" : "PASID", rings ? "rings" : "buffers",
		       (unsigned long long)fiova, rd(p, PNIC_REG_FAULT_ERRNO));
	}
	churn(p, A, 9);
	churn(p, R, -1);

	/* Recovery in a fresh mapping. */
	{
		struct area a;
		uint32_t idx = 0;

		area_alloc(&a, 0x300000);
		vu_map(ifd, A, a.va, AREA_SIZE, a.iova);
		wr(p, PNIC_REG_FAULT_INFO, PNIC_FAULT_INFO_VALID);
		q_setup(p, 0, &a, RX_RING_OFF, 9);
		q_setup(p, 1, &a, TX_RING_OFF, 9);
		loop_frames(p, 0, &a, &idx, 8, 99);
	}
	return 0;
}

/* ---- netdev backend: answer ARP, ICMP echo and echo UDP for the kernel ---- */

static uint16_t csum16(const uint8_t *b, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Build the reply to frame @f (length @n) in @r; return its length or 0. */
static uint32_t netdev_reply(const uint8_t *mac, const uint8_t *ip, const uint8_t *f,
			     uint32_t n, uint8_t *r)
{
	if (n >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[21] == 1 &&
	    !memcmp(f + 38, ip, 4)) {			/* ARP request for us */
		memcpy(r, f + 6, 6);
		memcpy(r + 6, mac, 6);
		memcpy(r + 12, f + 12, 8);
		r[21] = 2;				/* reply */
		memcpy(r + 22, mac, 6);
		memcpy(r + 28, ip, 4);
		memcpy(r + 32, f + 22, 10);		/* sender MAC + IP */
		memset(r + 42, 0, 18);
		return 60;
	}
	if (n >= 42 && n <= BUF_SIZE && f[12] == 0x08 && f[13] == 0x00 &&
	    (f[14] & 0xf) == 5 && f[23] == 1 && f[34] == 8 &&
	    !memcmp(f + 30, ip, 4)) {			/* ICMP echo request */
		uint32_t iplen = (uint32_t)f[16] << 8 | f[17];
		uint16_t c;

		if (iplen < 28 || 14 + iplen > n)
			return 0;
		memcpy(r, f, n);
		memcpy(r, f + 6, 6);
		memcpy(r + 6, mac, 6);
		memcpy(r + 26, f + 30, 4);
		memcpy(r + 30, f + 26, 4);
		r[24] = r[25] = 0;
		c = csum16(r + 14, 20, 0);
		r[24] = c >> 8;
		r[25] = c & 0xff;
		r[34] = 0;				/* echo reply */
		r[36] = r[37] = 0;
		c = csum16(r + 34, iplen - 20, 0);
		r[36] = c >> 8;
		r[37] = c & 0xff;
		return n;
	}
	if (n >= 42 && f[12] == 0x08 && f[13] == 0x00 && (f[14] & 0xf) == 5 &&
	    f[23] == 17 && !memcmp(f + 30, ip, 4)) {	/* UDP to us: echo */
		uint16_t c;

		memcpy(r, f, n);
		memcpy(r, f + 6, 6);
		memcpy(r + 6, mac, 6);
		memcpy(r + 26, f + 30, 4);		/* swap IPs */
		memcpy(r + 30, f + 26, 4);
		memcpy(r + 34, f + 36, 2);		/* swap ports */
		memcpy(r + 36, f + 34, 2);
		r[40] = r[41] = 0;			/* no UDP checksum */
		r[24] = r[25] = 0;
		c = csum16(r + 14, 20, 0);
		r[24] = c >> 8;
		r[25] = c & 0xff;
		return n;
	}
	return 0;
}

static int cmd_netdev(struct pn *p, const char *ready, int seconds)
{
	uint32_t ioas = vu_ioas_alloc(p->d.iommufd), rx = 0, tx = 0, replies = 0, m;
	const uint8_t ip[4] = { 10, 99, 0, 2 };
	uint8_t mac[6];
	uint64_t end;
	struct area a;
	int fd;

	vu_attach(&p->d, ioas, -1);
	area_alloc(&a, 0x100000);
	vu_map(p->d.iommufd, ioas, a.va, AREA_SIZE, a.iova);
	m = rd(p, PNIC_REG_MAC_LO);
	memcpy(mac, &m, 4);
	m = rd(p, PNIC_REG_MAC_HI);
	memcpy(mac + 4, &m, 2);
	pn_enable(p, PNIC_BACKEND_NETDEV);
	q_setup(p, 0, &a, RX_RING_OFF, -1);
	q_setup(p, 1, &a, TX_RING_OFF, -1);
	for (rx = 0; rx < RING; rx++)
		*desc(&a, RX_RING_OFF, rx) = (struct pnic_desc){
			.addr = a.iova + RX_BUF_OFF + rx * BUF_SIZE, .len = BUF_SIZE };
	__sync_synchronize();
	q_tail(p, 0, RING);
	rx = 0;
	fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT(fd >= 0, "cannot create %s", ready);
	close(fd);

	end = now_ms() + seconds * 1000ull;
	while (now_ms() < end) {
		struct pnic_desc *d = desc(&a, RX_RING_OFF, rx);
		uint32_t slot = rx % RING, len;

		if (!wait_dd(d, 100))
			continue;
		len = netdev_reply(mac, ip, a.va + RX_BUF_OFF + slot * BUF_SIZE, d->len,
				   a.va + TX_BUF_OFF + (tx % RING) * BUF_SIZE);
		if (len) {
			*desc(&a, TX_RING_OFF, tx) = (struct pnic_desc){
				.addr = a.iova + TX_BUF_OFF + (tx % RING) * BUF_SIZE,
				.len = len };
			__sync_synchronize();
			q_tail(p, 1, ++tx);
			ASSERT(wait_dd(desc(&a, TX_RING_OFF, tx - 1), 5000), "TX stuck");
			replies++;
		}
		*d = (struct pnic_desc){ .addr = a.iova + RX_BUF_OFF + slot * BUF_SIZE,
					 .len = BUF_SIZE };
		__sync_synchronize();
		rx++;
		q_tail(p, 0, rx + RING);
	}
	printf("netdev: %u frames received, %u replies sent\n", rx, replies);
	return replies ? 0 : 1;
}

/* Keep the device busy and open until the kernel asks for it back. */
static int cmd_hold(struct pn *p, const char *ready)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	int req = eventfd(0, EFD_CLOEXEC), fd;
	uint32_t ioas = vu_ioas_alloc(p->d.iommufd), idx = 0;
	struct pollfd pfd = { .fd = req, .events = POLLIN };
	struct area a;

	vu_attach(&p->d, ioas, -1);
	vu_attach(&p->d, ioas, 3);
	area_alloc(&a, 0x100000);
	vu_map(p->d.iommufd, ioas, a.va, AREA_SIZE, a.iova);
	set->argsz = sizeof(buf);
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_REQ_IRQ_INDEX;
	set->start = 0;
	set->count = 1;
	*(int32_t *)set->data = req;
	ASSERT(ioctl(p->d.fd, VFIO_DEVICE_SET_IRQS, set) == 0, "SET_IRQS REQ");
	pn_irqs(p);
	pn_enable(p, PNIC_BACKEND_LOOPBACK);
	q_setup(p, 0, &a, RX_RING_OFF, -1);
	q_setup(p, 1, &a, TX_RING_OFF, -1);
	loop_frames(p, 0, &a, &idx, 8, 5);
	/* Leave work posted: a TX frame waiting for an RX descriptor. */
	*desc(&a, TX_RING_OFF, idx) = (struct pnic_desc){ .addr = a.iova + TX_BUF_OFF, .len = 64 };
	__sync_synchronize();
	q_tail(p, 1, idx + 1);

	fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT(fd >= 0, "cannot create %s", ready);
	close(fd);
	ASSERT(poll(&pfd, 1, 60000) == 1, "no device request within 60 s");
	printf("hold: device request received, releasing\n");
	vu_close(&p->d);
	return 0;
}

int main(int argc, char **argv)
{
	struct pn p;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3) {
		fprintf(stderr, "usage: %s info|rid_dma|pasid_attach|pasid_isolation|"
			"unmap_while_active|hold|netdev CDEV [READYFILE [SECONDS]]\n", argv[0]);
		return 2;
	}
	pn_open(&p, argv[2]);
	if (!strcmp(argv[1], "info"))
		rc = cmd_info(&p);
	else if (!strcmp(argv[1], "rid_dma"))
		rc = cmd_rid_dma(&p);
	else if (!strcmp(argv[1], "pasid_attach"))
		rc = cmd_pasid_attach(&p);
	else if (!strcmp(argv[1], "pasid_isolation"))
		rc = cmd_pasid_isolation(&p);
	else if (!strcmp(argv[1], "unmap_while_active"))
		rc = cmd_unmap_while_active(&p);
	else if (!strcmp(argv[1], "netdev") && argc > 4)
		rc = cmd_netdev(&p, argv[3], atoi(argv[4]));
	else if (!strcmp(argv[1], "hold") && argc > 3)
		return cmd_hold(&p, argv[3]);
	else
		ASSERT(0, "unknown command %s", argv[1]);
	if (!rc)
		printf("OK %s\n", argv[1]);
	return rc;
}
