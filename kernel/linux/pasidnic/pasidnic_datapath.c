// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic: TX and RX of one queue pair, run by its engine thread.
 *
 * A pass holds the queue pair's lock (its configuration cannot change under
 * it) and a reference on each address space it uses (pnic_as_get()), which
 * is what attach, replace and detach of that address space wait for. No
 * device-wide lock is held across DMA: the fault latch and interrupts take
 * pdev->lock and irq_lock briefly. Frames for the network stack are queued
 * and handed to it after the pass (pnic_netdev_rx()).
 *
 * A DMA that fails with a signal pending was interrupted (close, reset,
 * detach): the pass is abandoned without a fault and the descriptor is
 * retried by a later pass. Any other failure faults the queue.
 */
#include <linux/sched/signal.h>

#include "pasidnic.h"

/* Counters: register reads load them lock-free. */
static void pnic_add64(u64 *c, u64 v)
{
	WRITE_ONCE(*c, *c + v);
}

static void pnic_add32(u32 *c, u32 v)
{
	WRITE_ONCE(*c, *c + v);
}

/*
 * Stop queue @qn on a DMA error and latch the fault. The state goes to
 * FAULTED last, inside pdev->lock: a reader that sees FAULTED (lock-free)
 * and then reads the fault registers (under pdev->lock) sees the latch.
 */
static void pnic_queue_fault(struct pnic_dev *pdev, unsigned int qn, u64 iova,
			     int err, u32 flags)
{
	struct pnic_queue *q = &pdev->q[qn];

	pnic_add32(&q->faults, 1);
	WRITE_ONCE(q->fault_iova, iova);
	mutex_lock(&pdev->lock);
	pdev->fault_count++;
	if (!(pdev->fault_info & PNIC_FAULT_INFO_VALID)) {
		pdev->fault_info = qn | flags | PNIC_FAULT_INFO_VALID;
		if (q->pasid & PNIC_Q_PASID_EN) {
			pdev->fault_info |= PNIC_FAULT_INFO_PASID_VALID;
			pdev->fault_pasid = q->pasid & PNIC_Q_PASID_MASK;
		} else {
			pdev->fault_pasid = 0;
		}
		pdev->fault_errno = -err;
		pdev->fault_iova = iova;
	}
	dev_dbg_ratelimited(pdev->vdev.dev,
			    "queue %u fault: iova 0x%llx pasid %s%u err %d\n",
			    qn, iova, q->pasid & PNIC_Q_PASID_EN ? "" : "(off) ",
			    q->pasid & PNIC_Q_PASID_MASK, err);
	WRITE_ONCE(q->state, PNIC_Q_STATE_FAULTED);
	pnic_raise(pdev, PNIC_IRQ_FAULT);
	mutex_unlock(&pdev->lock);
}

/*
 * A DMA of queue @qn failed with @rc: fault the queue, or on a signal
 * abandon the pass. Return: -EINTR (abandoned) or @rc.
 */
static int pnic_dma_failed(struct pnic_qp *qpx, unsigned int qn, u64 iova,
			   int rc, u32 flags)
{
	if (signal_pending(current))
		return -EINTR;
	pnic_queue_fault(qpx->pdev, qn, iova, rc, flags);
	return rc;
}

static u64 pnic_desc_iova(const struct pnic_queue *q, u32 idx)
{
	return q->base + (u64)(idx & (q->size - 1)) * PNIC_DESC_SIZE;
}

/* The address space of queue @dir of the pass, taken on first use. */
static struct pnic_as *pnic_pass_as(struct pnic_qp *qpx, unsigned int dir)
{
	struct pnic_queue *q = &qpx->pdev->q[PNIC_QUEUE(qpx->qp, dir)];

	return qpx->cur[dir] ?: pnic_as_get(qpx, dir, q->pasid);
}

/*
 * Descriptors the driver posted on queue @qn and the device did not consume.
 * With @check, an impossible tail puts the queue in ERROR.
 */
static u32 pnic_queue_avail(struct pnic_dev *pdev, unsigned int qn, bool check)
{
	struct pnic_queue *q = &pdev->q[qn];
	u32 n;

	if (READ_ONCE(q->state) != PNIC_Q_STATE_RUNNING)
		return 0;
	n = pnic_db_tail(pdev, qn) - READ_ONCE(q->head);
	if (n > READ_ONCE(q->size)) {
		if (check)
			WRITE_ONCE(q->state, PNIC_Q_STATE_ERROR);
		return 0;
	}
	/* the tail before the descriptors it publishes */
	smp_rmb();
	return n;
}

/* Queue @qn completed descriptors up to its head: tell the driver. */
static void pnic_queue_done(struct pnic_dev *pdev, unsigned int qn)
{
	struct pnic_queue *q = &pdev->q[qn];

	pnic_db_set(pdev, PNIC_DB_HEAD(qn), q->head);
	if ((q->ctrl & PNIC_Q_CTRL_IRQ_EN) && pnic_cfg_bus_master(pdev))
		pnic_irq_fire(pdev, PNIC_VEC_QP(qn / 2));
}

/*
 * Receive one frame on the queue pair's RX queue.
 * Return: 0 when delivered, -EAGAIN when the queue has no free descriptor
 * (retry), -EINTR when interrupted (retry), another -errno when dropped.
 */
static int pnic_rx_deliver(struct pnic_qp *qpx, const void *buf,
			   unsigned int len)
{
	struct pnic_dev *pdev = qpx->pdev;
	unsigned int qn = PNIC_QUEUE(qpx->qp, PNIC_DIR_RX);
	struct pnic_queue *q = &pdev->q[qn];
	u16 status = PNIC_DESC_DD;
	struct pnic_desc d;
	struct pnic_as *as;
	u64 addr, bad;
	u32 copy;
	int rc;

	if (q->state != PNIC_Q_STATE_RUNNING || !pnic_dev_active(pdev)) {
		pnic_add32(&q->drops, 1);
		return -ENETDOWN;
	}
	if (!pnic_queue_avail(pdev, qn, true))
		return -EAGAIN;
	as = pnic_pass_as(qpx, PNIC_DIR_RX);
	if (IS_ERR(as)) {
		if (PTR_ERR(as) == -EAGAIN)
			return -EINTR;
		return pnic_dma_failed(qpx, qn, pnic_desc_iova(q, q->head),
				       PTR_ERR(as), 0);
	}
	rc = pnic_desc_read(q, as, q->head, &d, 1, &bad);
	if (rc)
		return pnic_dma_failed(qpx, qn, bad, rc, 0);
	addr = le64_to_cpu(d.addr);
	copy = min_t(u32, len, le32_to_cpu(d.len));
	if (copy < len)
		status |= PNIC_DESC_TRUNC;
	if (copy) {
		/* whole frame or nothing */
		rc = pnic_dma_probe(as->dma, addr, copy, &bad);
		if (rc)
			return pnic_dma_failed(qpx, qn, bad, rc,
					       PNIC_FAULT_INFO_WRITE |
					       PNIC_FAULT_INFO_BUFFER);
		rc = pnic_dma_rw(as->dma, addr, (void *)buf, copy, true);
		if (rc)
			return pnic_dma_failed(qpx, qn, addr, rc,
					       PNIC_FAULT_INFO_WRITE |
					       PNIC_FAULT_INFO_BUFFER);
	}
	d.len = cpu_to_le32(copy);
	d.status = cpu_to_le16(status);
	d.rsvd = 0;
	rc = pnic_desc_write_back(q, as, q->head, &d, 1, &bad);
	if (rc)
		return pnic_dma_failed(qpx, qn, bad, rc, PNIC_FAULT_INFO_WRITE);
	pnic_add64(&q->pkts, 1);
	pnic_add64(&q->bytes, copy);
	pnic_queue_done(pdev, qn);
	return 0;
}

/*
 * Hand a transmitted frame to the backend.
 * Return: -EAGAIN or -EINTR when the frame should be retried, else 0.
 */
static int pnic_backend_tx(struct pnic_qp *qpx, u32 backend, void *buf,
			   unsigned int len, struct sk_buff_head *to_stack)
{
	int rc;

	switch (backend) {
	case PNIC_BACKEND_LOOPBACK:
		rc = pnic_rx_deliver(qpx, buf, len);
		return rc == -EAGAIN || rc == -EINTR ? rc : 0;
	case PNIC_BACKEND_NETDEV:
		pnic_netdev_rx_prepare(qpx->pdev, to_stack, buf, len);
		return 0;
	}
	return 0;
}

/* Transmit up to PNIC_BUDGET frames. Return: frames done. */
static unsigned int pnic_tx_poll(struct pnic_qp *qpx, u32 backend,
				 struct sk_buff_head *to_stack)
{
	struct pnic_dev *pdev = qpx->pdev;
	unsigned int qn = PNIC_QUEUE(qpx->qp, PNIC_DIR_TX);
	struct pnic_queue *q = &pdev->q[qn];
	struct pnic_desc *d = qpx->desc;
	unsigned int n, i, done = 0;
	struct pnic_as *as;
	u64 bad;
	int rc;

	n = min_t(u32, pnic_queue_avail(pdev, qn, true), PNIC_BUDGET);
	if (!n)
		return 0;
	as = pnic_pass_as(qpx, PNIC_DIR_TX);
	if (IS_ERR(as)) {
		if (PTR_ERR(as) != -EAGAIN)
			pnic_dma_failed(qpx, qn, pnic_desc_iova(q, q->head),
					PTR_ERR(as), 0);
		return 0;
	}
	rc = pnic_desc_read(q, as, q->head, d, n, &bad);
	if (rc) {
		pnic_dma_failed(qpx, qn, bad, rc, 0);
		return 0;
	}
	for (i = 0; i < n; i++) {
		u16 status = PNIC_DESC_DD;
		u32 len = le32_to_cpu(d[i].len);
		u64 addr = le64_to_cpu(d[i].addr);

		if (len < PNIC_MIN_PKT || len > PNIC_MAX_PKT) {
			status |= PNIC_DESC_ERR;
			pnic_add32(&q->drops, 1);
		} else {
			rc = pnic_dma_rw(as->dma, addr, qpx->buf, len, false);
			if (rc) {
				pnic_dma_failed(qpx, qn, addr, rc,
						PNIC_FAULT_INFO_BUFFER);
				break;
			}
			rc = pnic_backend_tx(qpx, backend, qpx->buf, len,
					     to_stack);
			if (rc)
				break;	/* peer full or interrupted: retry */
			pnic_add64(&q->pkts, 1);
			pnic_add64(&q->bytes, len);
		}
		d[i].len = cpu_to_le32(len);
		d[i].status = cpu_to_le16(status);
		d[i].rsvd = 0;
		done++;
	}
	if (!done)
		return 0;
	rc = pnic_desc_write_back(q, as, q->head, d, done, &bad);
	if (rc) {
		pnic_dma_failed(qpx, qn, bad, rc, PNIC_FAULT_INFO_WRITE);
		return 0;
	}
	pnic_queue_done(pdev, qn);
	return done;
}

/* Deliver frames the kernel sent (netdev backend) to RX queue 0. */
static unsigned int pnic_netdev_poll(struct pnic_qp *qpx)
{
	struct pnic_dev *pdev = qpx->pdev;
	struct net_device *nd = pdev->netdev;
	struct sk_buff *skb;
	unsigned int n = 0;
	int rc;

	while (n < PNIC_BUDGET && (skb = skb_dequeue(&pdev->netdev_rxq))) {
		rc = pnic_rx_deliver(qpx, skb->data, skb->len);
		if (rc == -EAGAIN || rc == -EINTR) {
			skb_queue_head(&pdev->netdev_rxq, skb);
			break;
		}
		if (rc) {
			DEV_STATS_INC(nd, tx_dropped);
		} else {
			DEV_STATS_INC(nd, tx_packets);
			DEV_STATS_ADD(nd, tx_bytes, skb->len);
		}
		dev_consume_skb_any(skb);
		n++;
	}
	return n;
}

/**
 * pnic_qp_pass() - one pass over a queue pair.
 * @qpx: the queue pair.
 * @to_stack: where frames for the network stack are queued.
 *
 * Context: the queue pair's engine, its lock held.
 * Return: true when work was done.
 */
bool pnic_qp_pass(struct pnic_qp *qpx, struct sk_buff_head *to_stack)
{
	struct pnic_dev *pdev = qpx->pdev;
	unsigned int done = 0;
	u32 backend;

	lockdep_assert_held(&qpx->lock);
	pnic_as_pass_begin(qpx);
	if (pnic_dev_active(pdev)) {
		backend = pnic_backend(pdev);
		done += pnic_tx_poll(qpx, backend, to_stack);
		if (qpx->qp == 0 && backend == PNIC_BACKEND_NETDEV &&
		    !skb_queue_empty_lockless(&pdev->netdev_rxq))
			done += pnic_netdev_poll(qpx);
	}
	pnic_as_pass_end(qpx);
	return done;
}

/**
 * pnic_qp_has_work() - is there anything the queue pair's engine could do?
 * @qpx: the queue pair.
 *
 * Context: any; takes no lock (reads the doorbell page and queue states).
 * Return: true when a pass would make progress.
 */
bool pnic_qp_has_work(struct pnic_qp *qpx)
{
	struct pnic_dev *pdev = qpx->pdev;
	unsigned int rx = PNIC_QUEUE(qpx->qp, PNIC_DIR_RX);
	unsigned int tx = PNIC_QUEUE(qpx->qp, PNIC_DIR_TX);
	u32 backend;

	if (READ_ONCE(qpx->dying) || !pnic_dev_active(pdev))
		return false;
	backend = pnic_backend(pdev);
	/* Loopback TX waiting for an RX slot is not work. */
	if (pnic_queue_avail(pdev, tx, false) &&
	    (backend != PNIC_BACKEND_LOOPBACK ||
	     READ_ONCE(pdev->q[rx].state) != PNIC_Q_STATE_RUNNING ||
	     pnic_queue_avail(pdev, rx, false)))
		return true;
	return qpx->qp == 0 && backend == PNIC_BACKEND_NETDEV &&
	       !skb_queue_empty_lockless(&pdev->netdev_rxq) &&
	       pnic_queue_avail(pdev, rx, false);
}
