// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic_pci: the rings of a function's queue pairs.
 *
 * A pass moves up to PNIC_PCI_BUDGET frames from a queue pair's TX queue to
 * its RX queue (the loopback backend; physical functions have no netdev
 * backend), as pasidnic's engine does (doc/pasidnic.md §5): descriptors and
 * buffers are read and written by DMA tagged with the queue's PASID (or the
 * RID) through pnic_pci_dma_rw(); a descriptor is written back with one
 * 8-byte store of its len and status (pnic_pci_dma_write64()), as a device
 * writes a descriptor in one transaction; the device's head goes to the
 * BAR2 doorbell page after the descriptors. A DMA that fails stops the queue
 * (FAULTED), latches the fault (FAULT_* registers) and raises
 * PNIC_IRQ_FAULT; no DMA ever waits: pages reachable through a domain are
 * pinned by their mapper (iommufd).
 */
#include <linux/unaligned.h>

#include "pnic_pci_engine.h"

/**
 * pnic_pci_queue_reset() - reset queue @qn: disabled, head and doorbells 0.
 * @e: the engine state.
 * @qn: the queue.
 */
void pnic_pci_queue_reset(struct pnic_pci_eng *e, unsigned int qn)
{
	struct pnic_pci_queue *q = &e->q[qn];

	q->ctrl = 0;
	q->state = PNIC_Q_STATE_DISABLED;
	q->head = 0;
	q->fault_iova = 0;
	pnic_pci_db_write(e, PNIC_DB_TAIL(qn), 0);
	pnic_pci_db_write(e, PNIC_DB_HEAD(qn), 0);
}

static ioasid_t pnic_pci_queue_pasid(const struct pnic_pci_queue *q)
{
	return q->pasid & PNIC_Q_PASID_EN ? q->pasid & PNIC_Q_PASID_MASK :
	       IOMMU_NO_PASID;
}

/* Stop queue @qn on a DMA error of @err at @iova and latch the fault. */
static void pnic_pci_queue_fault(struct pnic_pci_eng *e, unsigned int qn,
				 u64 iova, int err, u32 flags)
{
	struct pnic_pci_queue *q = &e->q[qn];

	q->faults++;
	q->fault_iova = iova;
	e->fault_count++;
	if (!(e->fault_info & PNIC_FAULT_INFO_VALID)) {
		e->fault_info = qn | flags | PNIC_FAULT_INFO_VALID;
		e->fault_pasid = 0;
		if (q->pasid & PNIC_Q_PASID_EN) {
			e->fault_info |= PNIC_FAULT_INFO_PASID_VALID;
			e->fault_pasid = q->pasid & PNIC_Q_PASID_MASK;
		}
		e->fault_errno = -err;
		e->fault_iova = iova;
	}
	dev_dbg_ratelimited(&e->fn->pp->bus->dev,
			    "function %u queue %u fault: iova 0x%llx pasid %s%u err %d\n",
			    e->fn->slot, qn, iova,
			    q->pasid & PNIC_Q_PASID_EN ? "" : "(off) ",
			    q->pasid & PNIC_Q_PASID_MASK, err);
	q->state = PNIC_Q_STATE_FAULTED;
	e->irq_cause |= PNIC_IRQ_FAULT;
}

/* Descriptors posted on queue @qn and not consumed; a bad tail: ERROR. */
static u32 pnic_pci_avail(struct pnic_pci_eng *e, unsigned int qn)
{
	struct pnic_pci_queue *q = &e->q[qn];
	u32 n;

	if (q->state != PNIC_Q_STATE_RUNNING)
		return 0;
	n = pnic_pci_db_read(e, PNIC_DB_TAIL(qn)) - q->head;
	if (n > q->size) {
		q->state = PNIC_Q_STATE_ERROR;
		return 0;
	}
	/* the tail before the descriptors it publishes */
	rmb();
	return n;
}

/*
 * Read @n descriptors of queue @qn from index @idx on (they may wrap).
 * Return: 0, or the DMA's -errno with the failing IOVA in *@bad.
 */
static int pnic_pci_desc_read(struct pnic_pci_eng *e, unsigned int qn,
			      u32 idx, struct pnic_desc *d, u32 n, u64 *bad)
{
	struct pnic_pci_queue *q = &e->q[qn];
	ioasid_t pasid = pnic_pci_queue_pasid(q);
	u32 first = idx & (q->size - 1);
	u32 n1 = min(n, q->size - first);
	int rc;

	rc = pnic_pci_dma_rw(e->fn, pasid, q->base + (u64)first * PNIC_DESC_SIZE,
			     d, n1 * PNIC_DESC_SIZE, false, bad);
	if (rc || n1 == n)
		return rc;
	return pnic_pci_dma_rw(e->fn, pasid, q->base, d + n1,
			       (n - n1) * PNIC_DESC_SIZE, false, bad);
}

/*
 * Write back @n descriptors of queue @qn from index @idx on: each one's
 * second half (len, status, rsvd) in one 8-byte store, never its address:
 * the driver reuses a descriptor once it sees DD, and no later store of
 * this write-back may undo its update. The frames' buffer accesses come
 * first. Return: 0, or the DMA's -errno with the failing IOVA in *@bad.
 */
static int pnic_pci_desc_done(struct pnic_pci_eng *e, unsigned int qn,
			      u32 idx, const struct pnic_desc *d, u32 n,
			      u64 *bad)
{
	struct pnic_pci_queue *q = &e->q[qn];
	ioasid_t pasid = pnic_pci_queue_pasid(q);
	u32 i;
	int rc;

	/* buffer loads and stores before DD */
	smp_mb();
	for (i = 0; i < n; i++) {
		u64 at = q->base + (u64)((idx + i) & (q->size - 1)) * PNIC_DESC_SIZE;

		rc = pnic_pci_dma_write64(e->fn, pasid, at + 8,
					  get_unaligned((const u64 *)&d[i].len),
					  bad);
		if (rc)
			return rc;
	}
	return 0;
}

/* Queue @qn completed up to its head: tell the driver (BAR2). */
static void pnic_pci_queue_done(struct pnic_pci_eng *e, unsigned int qn)
{
	/* descriptors written back before the head that publishes them */
	wmb();
	pnic_pci_db_write(e, PNIC_DB_HEAD(qn), e->q[qn].head);
}

/*
 * Receive @len bytes of e->buf on RX queue @qn.
 * Return: 0 delivered or dropped, -EAGAIN no free descriptor (retry).
 */
static int pnic_pci_rx(struct pnic_pci_eng *e, unsigned int qn, u32 len)
{
	struct pnic_pci_queue *q = &e->q[qn];
	ioasid_t pasid = pnic_pci_queue_pasid(q);
	u16 status = PNIC_DESC_DD;
	struct pnic_desc d;
	u32 copy;
	u64 bad;
	int rc;

	if (q->state != PNIC_Q_STATE_RUNNING) {
		q->drops++;
		return 0;
	}
	if (!pnic_pci_avail(e, qn)) {
		if (q->state == PNIC_Q_STATE_RUNNING)
			return -EAGAIN;
		q->drops++;	/* the tail was impossible: ERROR */
		return 0;
	}
	rc = pnic_pci_desc_read(e, qn, q->head, &d, 1, &bad);
	if (rc) {
		pnic_pci_queue_fault(e, qn, bad, rc, 0);
		return 0;
	}
	copy = min(len, le32_to_cpu(d.len));
	if (copy < len)
		status |= PNIC_DESC_TRUNC;
	if (copy) {
		/* all or nothing: pnic_pci_dma_rw() checks every page first */
		rc = pnic_pci_dma_rw(e->fn, pasid, le64_to_cpu(d.addr), e->buf,
				     copy, true, &bad);
		if (rc) {
			pnic_pci_queue_fault(e, qn, bad, rc,
					     PNIC_FAULT_INFO_WRITE |
					     PNIC_FAULT_INFO_BUFFER);
			return 0;
		}
	}
	d.len = cpu_to_le32(copy);
	d.status = cpu_to_le16(status);
	d.rsvd = 0;
	rc = pnic_pci_desc_done(e, qn, q->head, &d, 1, &bad);
	if (rc) {
		pnic_pci_queue_fault(e, qn, bad, rc, PNIC_FAULT_INFO_WRITE);
		return 0;
	}
	q->head++;
	q->pkts++;
	q->bytes += copy;
	pnic_pci_queue_done(e, qn);
	return 0;
}

/**
 * pnic_pci_qp_pass() - one pass over queue pair @qp: TX to RX (loopback).
 * @e: the engine state.
 * @qp: the queue pair.
 *
 * Return: true when a descriptor was consumed.
 */
bool pnic_pci_qp_pass(struct pnic_pci_eng *e, unsigned int qp)
{
	unsigned int tx = PNIC_QUEUE(qp, PNIC_DIR_TX);
	unsigned int rx = PNIC_QUEUE(qp, PNIC_DIR_RX);
	struct pnic_pci_queue *q = &e->q[tx];
	ioasid_t pasid = pnic_pci_queue_pasid(q);
	bool loopback = (e->dev_ctrl & PNIC_DEV_CTRL_BACKEND_MASK) ==
			PNIC_BACKEND_LOOPBACK << PNIC_DEV_CTRL_BACKEND_SHIFT;
	struct pnic_desc *d = e->desc;
	u32 n, i, done = 0;
	u64 bad;
	int rc;

	n = min_t(u32, pnic_pci_avail(e, tx), PNIC_PCI_BUDGET);
	if (!n)
		return false;
	rc = pnic_pci_desc_read(e, tx, q->head, d, n, &bad);
	if (rc) {
		pnic_pci_queue_fault(e, tx, bad, rc, 0);
		return true;
	}
	for (i = 0; i < n; i++) {
		u16 status = PNIC_DESC_DD;
		u32 len = le32_to_cpu(d[i].len);

		if (len < PNIC_MIN_PKT || len > PNIC_MAX_PKT) {
			status |= PNIC_DESC_ERR;
			q->drops++;
		} else {
			rc = pnic_pci_dma_rw(e->fn, pasid, le64_to_cpu(d[i].addr),
					     e->buf, len, false, &bad);
			if (rc) {
				pnic_pci_queue_fault(e, tx, bad, rc,
						     PNIC_FAULT_INFO_BUFFER);
				break;
			}
			/* other backends: the frame leaves the function */
			if (loopback && pnic_pci_rx(e, rx, len) == -EAGAIN)
				break;	/* RX full: retry later */
			q->pkts++;
			q->bytes += len;
		}
		d[i].status = cpu_to_le16(status);
		d[i].rsvd = 0;
		done++;
	}
	if (!done)
		return q->state != PNIC_Q_STATE_RUNNING;
	rc = pnic_pci_desc_done(e, tx, q->head, d, done, &bad);
	if (rc) {
		pnic_pci_queue_fault(e, tx, bad, rc, PNIC_FAULT_INFO_WRITE);
		return true;
	}
	q->head += done;
	pnic_pci_queue_done(e, tx);
	return true;
}
