/* SPDX-License-Identifier: BSD-3-Clause */
/* The pasidnic test driver (pasidnic_drv.h). */
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "pasidnic_drv.h"
#include "test_assert.h"

uint64_t
pnic_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t
pnic_now_ms(void)
{
	return pnic_now_ns() / 1000000;
}

void
pnic_drv_init(struct pnic_drv *d, const struct pnic_regio_ops *ops, void *ctx,
	      volatile uint8_t *db)
{
	*d = (struct pnic_drv){ .ops = ops, .ctx = ctx, .db = db };
	TEST_ASSERT_EQ(pnic_drv_rd(d, PNIC_REG_ID), (uint32_t)PNIC_ID_MAGIC, "bad ID register %#x",
		       pnic_drv_rd(d, PNIC_REG_ID));
	d->nqp = pnic_drv_rd(d, PNIC_REG_NUM_QP);
	TEST_ASSERT_TRUE(d->nqp >= 1 && d->nqp <= PNIC_MAX_QP, "bad NUM_QP %u", d->nqp);
	d->pasid_width = pnic_drv_rd(d, PNIC_REG_PASID_WIDTH);
}

int
pnic_drv_try_rd(struct pnic_drv *d, uint32_t off, uint32_t *val)
{
	return d->ops->rd(d->ctx, off, val);
}

int
pnic_drv_try_wr(struct pnic_drv *d, uint32_t off, uint32_t val)
{
	return d->ops->wr(d->ctx, off, val);
}

uint32_t
pnic_drv_rd(struct pnic_drv *d, uint32_t off)
{
	uint32_t val = 0;
	int rc = pnic_drv_try_rd(d, off, &val);

	errno = -rc;
	TEST_ASSERT_EQ(rc, 0, "BAR0 read at %#x failed", off);
	return val;
}

void
pnic_drv_wr(struct pnic_drv *d, uint32_t off, uint32_t val)
{
	int rc = pnic_drv_try_wr(d, off, val);

	errno = -rc;
	TEST_ASSERT_EQ(rc, 0, "BAR0 write of %#x at %#x failed", val, off);
}

uint32_t
pnic_drv_qrd(struct pnic_drv *d, unsigned int q, uint32_t reg)
{
	return pnic_drv_rd(d, PNIC_QREG(q, reg));
}

void
pnic_drv_qwr(struct pnic_drv *d, unsigned int q, uint32_t reg, uint32_t val)
{
	pnic_drv_wr(d, PNIC_QREG(q, reg), val);
}

volatile uint32_t *
pnic_drv_db(struct pnic_drv *d, uint32_t off)
{
	TEST_ASSERT_NOT_NULL(d->db, "the doorbell page is not mapped");
	return (volatile uint32_t *)(d->db + off);
}

void
pnic_drv_enable(struct pnic_drv *d, uint32_t backend)
{
	pnic_drv_wr(d, PNIC_REG_IRQ_MASK, PNIC_IRQ_LINK | PNIC_IRQ_FAULT);
	pnic_drv_wr(d, PNIC_REG_DEV_CTRL, PNIC_DEV_CTRL_ENABLE |
		    (backend << PNIC_DEV_CTRL_BACKEND_SHIFT));
	TEST_ASSERT_TRUE(pnic_drv_rd(d, PNIC_REG_DEV_STATUS) & PNIC_DEV_STATUS_ENABLED,
			 "device not enabled");
}

uint64_t
pnic_drv_fault_iova(struct pnic_drv *d)
{
	return pnic_drv_rd(d, PNIC_REG_FAULT_IOVA_LO) |
	       (uint64_t)pnic_drv_rd(d, PNIC_REG_FAULT_IOVA_HI) << 32;
}

void
pnic_drv_fault_ack(struct pnic_drv *d)
{
	pnic_drv_wr(d, PNIC_REG_FAULT_INFO, PNIC_FAULT_INFO_VALID);
}

uint32_t
pnic_drv_q_state(struct pnic_drv *d, unsigned int q)
{
	return pnic_drv_qrd(d, q, PNIC_Q_STATUS) & PNIC_Q_STATE_MASK;
}

void
pnic_drv_q_reset(struct pnic_drv *d, unsigned int q)
{
	pnic_drv_qwr(d, q, PNIC_Q_CTRL, PNIC_Q_CTRL_RESET);
}

bool
pnic_drv_wait_state(struct pnic_drv *d, unsigned int q, uint32_t state, int ms)
{
	uint64_t end = pnic_now_ms() + ms;

	while (pnic_drv_q_state(d, q) != state) {
		if (pnic_now_ms() > end)
			return false;
		usleep(200);
	}
	return true;
}

bool
pnic_drv_engine_sleeping(struct pnic_drv *d, unsigned int q)
{
	/* One engine per queue pair: queue q belongs to queue pair q / 2. */
	return *pnic_drv_db(d, PNIC_DB_ENGINE(q / 2)) == PNIC_ENGINE_SLEEPING;
}

void
pnic_drv_kick(struct pnic_drv *d, unsigned int q)
{
	__sync_synchronize();
	if (pnic_drv_engine_sleeping(d, q)) {
		pnic_drv_wr(d, PNIC_REG_KICK, pnic_kick_mask(q / 2));
		d->kicks++;
	}
}

void
pnic_drv_tail(struct pnic_drv *d, unsigned int q, uint32_t tail)
{
	if (d->db == NULL) {
		pnic_drv_qwr(d, q, PNIC_Q_TAIL, tail);
		return;
	}
	*pnic_drv_db(d, PNIC_DB_TAIL(q)) = tail;
	pnic_drv_kick(d, q);
}

void
pnic_area_alloc(struct pnic_area *a, uint64_t iova)
{
	a->va = mmap(NULL, PNIC_AREA_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	TEST_ASSERT_TRUE(a->va != MAP_FAILED, "mmap of %u bytes", PNIC_AREA_SIZE);
	memset(a->va, 0, PNIC_AREA_SIZE);
	a->iova = iova;
}

void
pnic_area_free(struct pnic_area *a)
{
	munmap(a->va, PNIC_AREA_SIZE);
	a->va = NULL;
}

static uint32_t
ring_off(unsigned int dir)
{
	return dir == PNIC_DIR_RX ? PNIC_AREA_RX_RING : PNIC_AREA_TX_RING;
}

static uint32_t
buf_off(unsigned int dir, uint32_t idx)
{
	return (dir == PNIC_DIR_RX ? PNIC_AREA_RX_BUF : PNIC_AREA_TX_BUF) +
	       (idx % PNIC_RING) * PNIC_BUF_SIZE;
}

struct pnic_desc *
pnic_area_desc(struct pnic_area *a, unsigned int dir, uint32_t idx)
{
	return (struct pnic_desc *)(a->va + ring_off(dir)) + idx % PNIC_RING;
}

uint8_t *
pnic_area_buf(struct pnic_area *a, unsigned int dir, uint32_t idx)
{
	return a->va + buf_off(dir, idx);
}

void
pnic_area_post(struct pnic_area *a, unsigned int dir, uint32_t idx, uint32_t len)
{
	if (len == 0 && dir == PNIC_DIR_RX)
		len = PNIC_BUF_SIZE;
	*pnic_area_desc(a, dir, idx) = (struct pnic_desc){
		.addr = a->iova + buf_off(dir, idx), .len = len };
}

int
pnic_drv_q_ring(struct pnic_drv *d, unsigned int q, uint64_t ring_iova, uint32_t size,
		int pasid)
{
	const uint32_t reg[] = { PNIC_Q_CTRL, PNIC_Q_BASE_LO, PNIC_Q_BASE_HI, PNIC_Q_SIZE,
				 PNIC_Q_PASID, PNIC_Q_CTRL };
	const uint32_t val[] = { PNIC_Q_CTRL_RESET, (uint32_t)ring_iova,
				 (uint32_t)(ring_iova >> 32), size,
				 pasid < 0 ? 0 : PNIC_Q_PASID_EN | (uint32_t)pasid,
				 PNIC_Q_CTRL_ENABLE | (d->irq_en ? PNIC_Q_CTRL_IRQ_EN : 0) };
	unsigned int i;
	int rc = 0;

	for (i = 0; i < TEST_DIM(reg) && !rc; i++)
		rc = pnic_drv_try_wr(d, PNIC_QREG(q, reg[i]), val[i]);
	return rc;
}

void
pnic_drv_q_setup(struct pnic_drv *d, unsigned int q, struct pnic_area *a, int pasid)
{
	int rc;

	/* Stop the queue before its ring is cleared under it. */
	pnic_drv_q_reset(d, q);
	memset(a->va + ring_off(q % 2), 0, PNIC_RING * PNIC_DESC_SIZE);
	rc = pnic_drv_q_ring(d, q, a->iova + ring_off(q % 2), PNIC_RING, pasid);
	errno = -rc;
	TEST_ASSERT_EQ(rc, 0, "queue %u (PASID %d): set-up refused", q, pasid);
	TEST_ASSERT_EQ(pnic_drv_q_state(d, q), (uint32_t)PNIC_Q_STATE_RUNNING,
		       "queue %u (PASID %d) not running after enable (status %u)", q, pasid,
		       pnic_drv_qrd(d, q, PNIC_Q_STATUS));
}

void
pnic_drv_qp_setup(struct pnic_drv *d, unsigned int qp, struct pnic_area *a, int pasid)
{
	pnic_drv_q_setup(d, PNIC_QUEUE(qp, PNIC_DIR_RX), a, pasid);
	pnic_drv_q_setup(d, PNIC_QUEUE(qp, PNIC_DIR_TX), a, pasid);
}

void
pnic_drv_qp_reset(struct pnic_drv *d, unsigned int qp)
{
	pnic_drv_q_reset(d, PNIC_QUEUE(qp, PNIC_DIR_RX));
	pnic_drv_q_reset(d, PNIC_QUEUE(qp, PNIC_DIR_TX));
}

bool
pnic_wait_dd(volatile struct pnic_desc *desc, int ms)
{
	uint64_t end = pnic_now_ms() + ms;

	while (!(desc->status & PNIC_DESC_DD)) {
		if (pnic_now_ms() > end)
			return false;
		usleep(50);
	}
	__sync_synchronize();
	return true;
}

/* Fail naming where frame @idx of queue pair @qp got stuck. */
static void
loop_stuck(struct pnic_drv *d, unsigned int qp, uint32_t idx, const char *what)
{
	unsigned int rxq = PNIC_QUEUE(qp, PNIC_DIR_RX), txq = PNIC_QUEUE(qp, PNIC_DIR_TX);

	TEST_FAIL("%s descriptor %u of qp %u not done (TX status %u head %u, RX status %u, "
		  "fault info %#x errno %u)", what, idx, qp, pnic_drv_qrd(d, txq, PNIC_Q_STATUS),
		  pnic_drv_qrd(d, txq, PNIC_Q_HEAD), pnic_drv_qrd(d, rxq, PNIC_Q_STATUS),
		  pnic_drv_rd(d, PNIC_REG_FAULT_INFO), pnic_drv_rd(d, PNIC_REG_FAULT_ERRNO));
}

void
pnic_drv_loop_frames(struct pnic_drv *d, unsigned int qp, struct pnic_area *a,
		     uint32_t *idx, unsigned int n, uint8_t seed)
{
	unsigned int rxq = PNIC_QUEUE(qp, PNIC_DIR_RX), txq = PNIC_QUEUE(qp, PNIC_DIR_TX);
	uint32_t start = *idx, i, j;

	TEST_ASSERT_LE(n, PNIC_RING, "too many frames");
	for (i = 0; i < n; i++) {
		uint32_t len = 60 + ((seed + i) * 97) % (PNIC_BUF_SIZE - 60);
		uint8_t *tb = pnic_area_buf(a, PNIC_DIR_TX, start + i);

		for (j = 0; j < len; j++)
			tb[j] = (uint8_t)(seed * 31 + i * 7 + j);
		memset(pnic_area_buf(a, PNIC_DIR_RX, start + i), 0xee, PNIC_BUF_SIZE);
		pnic_area_post(a, PNIC_DIR_RX, start + i, 0);
		pnic_area_post(a, PNIC_DIR_TX, start + i, len);
	}
	__sync_synchronize();
	pnic_drv_tail(d, rxq, start + n);
	pnic_drv_tail(d, txq, start + n);
	for (i = 0; i < n; i++) {
		struct pnic_desc *rxd = pnic_area_desc(a, PNIC_DIR_RX, start + i);
		struct pnic_desc *txd = pnic_area_desc(a, PNIC_DIR_TX, start + i);

		if (!pnic_wait_dd(txd, 5000))
			loop_stuck(d, qp, start + i, "TX");
		if (!pnic_wait_dd(rxd, 5000))
			loop_stuck(d, qp, start + i, "RX");
		TEST_ASSERT_TRUE(!(txd->status & PNIC_DESC_ERR) && !(rxd->status & PNIC_DESC_ERR),
				 "descriptor error on frame %u of qp %u", start + i, qp);
		TEST_ASSERT_EQ(rxd->len, txd->len, "RX length %u != TX length %u", rxd->len,
			       txd->len);
		TEST_ASSERT_TRUE(!memcmp(pnic_area_buf(a, PNIC_DIR_RX, start + i),
					 pnic_area_buf(a, PNIC_DIR_TX, start + i), txd->len),
				 "received frame %u differs from the sent one", start + i);
	}
	TEST_ASSERT_EQ(pnic_drv_qrd(d, txq, PNIC_Q_HEAD), start + n, "TX head %u",
		       pnic_drv_qrd(d, txq, PNIC_Q_HEAD));
	if (d->db != NULL)
		TEST_ASSERT_EQ(*pnic_drv_db(d, PNIC_DB_HEAD(rxq)), start + n,
			       "RX head write-back %u", *pnic_drv_db(d, PNIC_DB_HEAD(rxq)));
	*idx = start + n;
}
