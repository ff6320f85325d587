/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pasidnic_drv: the one test driver of the pasidnic emulated NIC
 * (kernel/linux/pasidnic, doc/pasidnic.md) for the C test programs.
 *
 * The driver reaches BAR0 through a small register-access interface
 * (struct pnic_regio_ops), so the same code drives the device
 *  - through a raw vfio cdev (pasidnic_drv_vfio.h: pnic_vfio_open()), and
 *  - through the iommufd bus (pasidnic_drv_bus.h: pnic_bus_drv()).
 * Queue tails go through the mmap-ed doorbell page when the backend maps it
 * (vfio) and through the PNIC_Q_TAIL registers otherwise (bus).
 *
 * Test memory is a struct pnic_area: PNIC_AREA_SIZE bytes of user memory
 * that the test maps at pnic_area.iova in an address space, laid out as
 *   [PNIC_AREA_RX_RING, +4K)  RX descriptor ring  (PNIC_RING descriptors)
 *   [PNIC_AREA_TX_RING, +4K)  TX descriptor ring
 *   [PNIC_AREA_TX_BUF, ...)   PNIC_RING TX buffers of PNIC_BUF_SIZE bytes
 *   [PNIC_AREA_RX_BUF, ...)   PNIC_RING RX buffers of PNIC_BUF_SIZE bytes
 * Rings lie below PNIC_AREA_BUFS and buffers above it, so a test can map
 * (or unmap) the two separately. Descriptor index i uses slot i % PNIC_RING.
 *
 * Errors: every function that talks to the device fails the test (a
 * REASON: line and exit 1, tests/lib/test_assert.h) when the device does not
 * do what it should, unless its comment says it returns a result instead.
 * The pnic_drv_try_*() forms return -errno instead, for the hostile tests
 * (tests/vm/pasidnic_hostile*.c, pasidnic_stuck.c) that expect refusals.
 */
#ifndef PASIDNIC_DRV_H
#define PASIDNIC_DRV_H

#include <stdbool.h>
#include <stdint.h>

#include "pasidnic_regs.h"

/** Register access to BAR0 of one device; both return 0 or -errno. */
struct pnic_regio_ops {
	int (*rd)(void *ctx, uint32_t off, uint32_t *val);
	int (*wr)(void *ctx, uint32_t off, uint32_t val);
};

/** One pasidnic device as the test driver sees it. */
struct pnic_drv {
	const struct pnic_regio_ops *ops;
	void *ctx;                 /**< the backend's, passed to @ops */
	volatile uint8_t *db;      /**< the doorbell page (BAR2), or NULL */
	unsigned int nqp;          /**< queue pairs (PNIC_REG_NUM_QP) */
	unsigned int pasid_width;  /**< PASID bits (PNIC_REG_PASID_WIDTH; 0: none) */
	bool irq_en;               /**< enable queues with PNIC_Q_CTRL_IRQ_EN */
	unsigned int kicks;        /**< PNIC_REG_KICK writes so far */
};

/**
 * pnic_drv_init() - check the ID register, read the queue-pair count and the
 * PASID width.
 * @d: the driver to fill; @ops, @ctx: BAR0 access; @db: the mapped doorbell
 * page or NULL (tails then go through PNIC_Q_TAIL). @d->irq_en starts false.
 */
void pnic_drv_init(struct pnic_drv *d, const struct pnic_regio_ops *ops, void *ctx,
		   volatile uint8_t *db);

/** pnic_drv_rd()/pnic_drv_wr() - a 32-bit BAR0 register; a failed access fails the test. */
uint32_t pnic_drv_rd(struct pnic_drv *d, uint32_t off);
void pnic_drv_wr(struct pnic_drv *d, uint32_t off, uint32_t val);
/**
 * pnic_drv_try_rd()/pnic_drv_try_wr() - the same access, reporting failure.
 * Return: 0, or -errno of the refused access (*@val is then unspecified).
 */
int pnic_drv_try_rd(struct pnic_drv *d, uint32_t off, uint32_t *val);
int pnic_drv_try_wr(struct pnic_drv *d, uint32_t off, uint32_t val);
/** pnic_drv_qrd()/pnic_drv_qwr() - register @reg (PNIC_Q_*) of queue @q. */
uint32_t pnic_drv_qrd(struct pnic_drv *d, unsigned int q, uint32_t reg);
void pnic_drv_qwr(struct pnic_drv *d, unsigned int q, uint32_t reg, uint32_t val);
/** pnic_drv_db() - the doorbell-page word at @off (PNIC_DB_*); needs @d->db. */
volatile uint32_t *pnic_drv_db(struct pnic_drv *d, uint32_t off);

/**
 * pnic_drv_enable() - unmask the link and fault interrupts and enable the
 * device with @backend (PNIC_BACKEND_*); fails unless DEV_STATUS says enabled.
 */
void pnic_drv_enable(struct pnic_drv *d, uint32_t backend);
/** pnic_drv_fault_iova() - the IOVA of the latched fault (PNIC_REG_FAULT_IOVA_*). */
uint64_t pnic_drv_fault_iova(struct pnic_drv *d);
/** pnic_drv_fault_ack() - acknowledge the latched fault (write FAULT_INFO VALID). */
void pnic_drv_fault_ack(struct pnic_drv *d);

/** pnic_drv_q_state() - the state (PNIC_Q_STATE_*) of queue @q. */
uint32_t pnic_drv_q_state(struct pnic_drv *d, unsigned int q);
/** pnic_drv_q_reset() - reset queue @q (stops it; the ring is forgotten). */
void pnic_drv_q_reset(struct pnic_drv *d, unsigned int q);
/**
 * pnic_drv_wait_state() - wait up to @ms for queue @q to reach @state.
 * Return: true when it did, false on timeout (the test decides).
 */
bool pnic_drv_wait_state(struct pnic_drv *d, unsigned int q, uint32_t state, int ms);

/**
 * pnic_drv_engine_sleeping() - whether the engine serving queue @q says, in
 * the doorbell page, that it sleeps (and a new tail needs a kick). Needs @d->db.
 */
bool pnic_drv_engine_sleeping(struct pnic_drv *d, unsigned int q);
/** pnic_kick_mask() - the PNIC_REG_KICK value that wakes the engine of queue pair @qp. */
static inline uint32_t
pnic_kick_mask(unsigned int qp)
{
	return 1u << qp;
}

/**
 * pnic_drv_kick() - after a doorbell-page tail store of queue @q: order it
 * before the engine-state read, and kick the engine if it sleeps.
 * This is the whole notification protocol of the driver.
 */
void pnic_drv_kick(struct pnic_drv *d, unsigned int q);
/** pnic_drv_tail() - publish tail @tail of queue @q (doorbell + kick, or register). */
void pnic_drv_tail(struct pnic_drv *d, unsigned int q, uint32_t tail);

/* ---- test memory ---- */

#define PNIC_RING		16u		/* descriptors per ring */
#define PNIC_BUF_SIZE		0x800u		/* bytes per buffer */
#define PNIC_AREA_SIZE		(1u << 20)
#define PNIC_AREA_RX_RING	0x0000u
#define PNIC_AREA_TX_RING	0x1000u
#define PNIC_AREA_BUFS		0x10000u	/* rings below, buffers above */
#define PNIC_AREA_TX_BUF	0x10000u
#define PNIC_AREA_RX_BUF	0x80000u

/** PNIC_AREA_SIZE bytes of test memory, seen by the device at @iova. */
struct pnic_area {
	uint8_t *va;
	uint64_t iova;
};

/** pnic_area_alloc() - zeroed, prefaulted anonymous memory; the caller maps it at @iova. */
void pnic_area_alloc(struct pnic_area *a, uint64_t iova);
/** pnic_area_free() - munmap the whole area. */
void pnic_area_free(struct pnic_area *a);
/** pnic_area_desc() - descriptor @idx (mod PNIC_RING) of the @dir (PNIC_DIR_*) ring. */
struct pnic_desc *pnic_area_desc(struct pnic_area *a, unsigned int dir, uint32_t idx);
/** pnic_area_buf() - CPU address of the @dir buffer of descriptor @idx. */
uint8_t *pnic_area_buf(struct pnic_area *a, unsigned int dir, uint32_t idx);
/**
 * pnic_area_post() - write descriptor @idx of the @dir ring: its own buffer,
 * @len bytes (TX) or @len bytes of room (RX; PNIC_BUF_SIZE when 0), status 0.
 */
void pnic_area_post(struct pnic_area *a, unsigned int dir, uint32_t idx, uint32_t len);

/**
 * pnic_drv_q_ring() - reset queue @q, give it the ring at @ring_iova of
 * @size descriptors, tagged with @pasid (< 0: untagged, the RID), and enable
 * it (with PNIC_Q_CTRL_IRQ_EN when @d->irq_en). It neither touches the ring's
 * memory nor checks the queue's state afterwards: the caller decides.
 * Return: 0, or -errno of the first refused register access.
 */
int pnic_drv_q_ring(struct pnic_drv *d, unsigned int q, uint64_t ring_iova, uint32_t size,
		    int pasid);
/**
 * pnic_drv_q_setup() - reset queue @q and enable it on its ring of @a
 * (the RX or TX ring by the queue's direction), tagged with @pasid
 * (@pasid < 0: untagged, the RID). Fails unless the queue then runs.
 */
void pnic_drv_q_setup(struct pnic_drv *d, unsigned int q, struct pnic_area *a, int pasid);
/** pnic_drv_qp_setup() - pnic_drv_q_setup() of both queues of queue pair @qp. */
void pnic_drv_qp_setup(struct pnic_drv *d, unsigned int qp, struct pnic_area *a, int pasid);
/** pnic_drv_qp_reset() - reset both queues of queue pair @qp. */
void pnic_drv_qp_reset(struct pnic_drv *d, unsigned int qp);

/**
 * pnic_wait_dd() - wait up to @ms for the device to complete descriptor @desc.
 * Return: true when done (reads after it see the device's writes), false on timeout.
 */
bool pnic_wait_dd(volatile struct pnic_desc *desc, int ms);

/**
 * pnic_drv_loop_frames() - loop @n (<= PNIC_RING) frames back on queue pair
 * @qp (loopback backend), descriptors *@idx.., rings and buffers in @a;
 * frame k is @seed-patterned and 60..PNIC_BUF_SIZE bytes long. Fails unless
 * every frame comes back intact, in order, and the heads moved. *@idx += @n.
 */
void pnic_drv_loop_frames(struct pnic_drv *d, unsigned int qp, struct pnic_area *a,
			  uint32_t *idx, unsigned int n, uint8_t seed);

/** pnic_now_ms() - CLOCK_MONOTONIC in milliseconds. */
uint64_t pnic_now_ms(void);
/** pnic_now_ns() - CLOCK_MONOTONIC in nanoseconds. */
uint64_t pnic_now_ns(void);

#endif /* PASIDNIC_DRV_H */
