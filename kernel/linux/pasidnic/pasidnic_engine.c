// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic: the DMA engine.
 *
 * One engine thread per open device walks the enabled queues. It reads the
 * drivers' tail indexes from the doorbell page, so the fast path needs no
 * system call, and sleeps when it finds nothing to do after announcing it in
 * the doorbell page (PNIC_DB_ENGINE); the driver then kicks it through the
 * trapped PNIC_REG_KICK register. Every DMA of a queue goes through the
 * iommufd access of the queue's PASID (or of the RID) with pdev->lock held;
 * buffers are copied with iommufd_access_rw().
 */
#include <linux/iommufd.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "pasidnic.h"

#define PNIC_RW_FLAGS		IOMMUFD_ACCESS_RW_KTHREAD

/**
 * pnic_raise() - latch an interrupt cause; signal it when enabled.
 * @pdev: the device.
 * @cause: PNIC_IRQ_*.
 *
 * Context: @pdev->lock held.
 */
void pnic_raise(struct pnic_dev *pdev, u32 cause)
{
	pdev->irq_cause |= cause;
	if ((pdev->irq_mask & cause) && pnic_cfg_bus_master(pdev))
		pnic_irq_fire(pdev, PNIC_VEC_MISC);
}

/**
 * pnic_queue_fault() - stop queue @qn on a DMA error and latch the fault.
 * @pdev: the device.
 * @qn: the queue.
 * @iova: the IOVA that failed.
 * @err: -errno of the failure.
 * @flags: PNIC_FAULT_INFO_WRITE and PNIC_FAULT_INFO_BUFFER.
 *
 * Context: @pdev->lock held.
 */
void pnic_queue_fault(struct pnic_dev *pdev, unsigned int qn, u64 iova,
			     int err, u32 flags)
{
	struct pnic_queue *q = &pdev->q[qn];

	q->state = PNIC_Q_STATE_FAULTED;
	q->faults++;
	q->fault_iova = iova;
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
	pnic_raise(pdev, PNIC_IRQ_FAULT);
}

/* A CPU copy through the queue's address space; no fault handling. */
static int pnic_queue_rw(struct pnic_dev *pdev, unsigned int qn, u64 iova,
			 void *buf, size_t len, bool write)
{
	struct iommufd_access *access = pnic_queue_access(pdev, &pdev->q[qn]);

	if (!access)
		return -ENXIO;	/* no address space attached */
	return iommufd_access_rw(access, iova, buf, len,
				 PNIC_RW_FLAGS |
				 (write ? IOMMUFD_ACCESS_RW_WRITE : 0));
}

/* DMA for queue @qn; on failure the queue faults and -errno is returned. */
static int pnic_queue_dma(struct pnic_dev *pdev, unsigned int qn, u64 iova,
			  void *buf, size_t len, bool write, bool buffer)
{
	int rc = pnic_queue_rw(pdev, qn, iova, buf, len, write);

	if (rc)
		pnic_queue_fault(pdev, qn, iova, rc,
				 (write ? PNIC_FAULT_INFO_WRITE : 0) |
				 (buffer ? PNIC_FAULT_INFO_BUFFER : 0));
	return rc;
}

/*
 * Check that every page of a buffer the device is about to write is mapped,
 * so that a frame is written whole or not at all (iommufd_access_rw() writes
 * the mapped prefix of a partly mapped range).
 */
static int pnic_queue_probe(struct pnic_dev *pdev, unsigned int qn, u64 iova,
			    size_t len)
{
	u64 pos = iova, end = iova + len;
	u8 byte;
	int rc;

	while (pos < end) {
		rc = pnic_queue_rw(pdev, qn, pos, &byte, 1, false);
		if (rc) {
			/* Reported as the write it stands for. */
			pnic_queue_fault(pdev, qn, pos, rc,
					 PNIC_FAULT_INFO_WRITE |
					 PNIC_FAULT_INFO_BUFFER);
			return rc;
		}
		pos = (pos & PAGE_MASK) + PAGE_SIZE;
	}
	return 0;
}

/* Write back status (and length) of the descriptor at @idx. */
static int pnic_desc_complete(struct pnic_dev *pdev, unsigned int qn, u32 idx,
			      struct pnic_desc *d, u32 len, u16 status)
{
	d->len = cpu_to_le32(len);
	d->status = cpu_to_le16(status);
	d->rsvd = 0;
	return pnic_desc_rw(pdev, qn, idx, d, true);
}

/* Does queue @qn have descriptors the driver posted and the device did not
 * consume? Marks the queue in error on an impossible tail.
 */
static u32 pnic_queue_avail(struct pnic_dev *pdev, unsigned int qn)
{
	struct pnic_queue *q = &pdev->q[qn];
	u32 n;

	if (q->state != PNIC_Q_STATE_RUNNING)
		return 0;
	n = pnic_db_tail(pdev, qn) - q->head;
	if (n > q->size) {
		q->state = PNIC_Q_STATE_ERROR;
		return 0;
	}
	/* the tail before the descriptors it publishes */
	smp_rmb();
	return n;
}

/**
 * pnic_rx_deliver() - receive one frame on RX queue @qp.
 * @pdev: the device.
 * @qp: the queue pair.
 * @buf: the frame.
 * @len: its length.
 *
 * Context: @pdev->lock held.
 * Return: 0 when delivered, -EAGAIN when the queue has no free descriptor
 * (the caller may retry), another -errno when the frame was dropped.
 */
int pnic_rx_deliver(struct pnic_dev *pdev, unsigned int qp, const void *buf,
		    unsigned int len)
{
	unsigned int qn = PNIC_QUEUE(qp, PNIC_DIR_RX);
	struct pnic_queue *q = &pdev->q[qn];
	struct pnic_desc d;
	u16 status = PNIC_DESC_DD;
	u32 copy;
	int rc;

	lockdep_assert_held(&pdev->lock);
	if (qp >= pdev->nqp || q->state != PNIC_Q_STATE_RUNNING ||
	    !pnic_dev_active(pdev)) {
		if (qp < pdev->nqp)
			q->drops++;
		return -ENETDOWN;
	}
	if (!pnic_queue_avail(pdev, qn))
		return -EAGAIN;

	rc = pnic_desc_rw(pdev, qn, q->head, &d, false);
	if (rc)
		return rc;
	copy = min_t(u32, len, le32_to_cpu(d.len));
	if (copy < len)
		status |= PNIC_DESC_TRUNC;
	if (copy) {
		rc = pnic_queue_probe(pdev, qn, le64_to_cpu(d.addr), copy);
		if (rc)
			return rc;
		rc = pnic_queue_dma(pdev, qn, le64_to_cpu(d.addr), (void *)buf,
				    copy, true, true);
		if (rc)
			return rc;
	}
	rc = pnic_desc_complete(pdev, qn, q->head, &d, copy, status);
	if (rc)
		return rc;
	q->head++;
	q->pkts++;
	q->bytes += copy;
	pnic_db_set(pdev, PNIC_DB_HEAD(qn), q->head);
	if ((q->ctrl & PNIC_Q_CTRL_IRQ_EN) && pnic_cfg_bus_master(pdev))
		pnic_irq_fire(pdev, PNIC_VEC_QP(qp));
	return 0;
}

/* Transmit up to PNIC_BUDGET frames of TX queue @qp. Return: frames done. */
static unsigned int pnic_tx_poll(struct pnic_dev *pdev, unsigned int qp,
				 void *buf)
{
	unsigned int qn = PNIC_QUEUE(qp, PNIC_DIR_TX);
	struct pnic_queue *q = &pdev->q[qn];
	unsigned int done = 0;
	u32 avail = pnic_queue_avail(pdev, qn);

	while (avail-- && done < PNIC_BUDGET) {
		struct pnic_desc d;
		u16 status = PNIC_DESC_DD;
		u32 len;

		if (pnic_desc_rw(pdev, qn, q->head, &d, false))
			break;
		len = le32_to_cpu(d.len);
		if (len < PNIC_MIN_PKT || len > PNIC_MAX_PKT) {
			status |= PNIC_DESC_ERR;
			q->drops++;
		} else {
			if (pnic_queue_dma(pdev, qn, le64_to_cpu(d.addr), buf,
					   len, false, true))
				break;
			if (pnic_backend_tx(pdev, qp, buf, len) == -EAGAIN)
				break;	/* loopback peer full: retry later */
			if (q->state != PNIC_Q_STATE_RUNNING)
				break;
		}
		if (pnic_desc_complete(pdev, qn, q->head, &d, len, status))
			break;
		q->head++;
		if (!(status & PNIC_DESC_ERR)) {
			q->pkts++;
			q->bytes += len;
		}
		done++;
	}
	if (done) {
		pnic_db_set(pdev, PNIC_DB_HEAD(qn), q->head);
		if ((q->ctrl & PNIC_Q_CTRL_IRQ_EN) && pnic_cfg_bus_master(pdev))
			pnic_irq_fire(pdev, PNIC_VEC_QP(qp));
	}
	return done;
}

/* One pass over every queue. Return: true when work was done. */
static bool pnic_engine_pass(struct pnic_dev *pdev, void *buf)
{
	unsigned int qp, done = 0;

	mutex_lock(&pdev->lock);
	mutex_lock(&pdev->pin_lock);
	if (pnic_dev_active(pdev)) {
		for (qp = 0; qp < pdev->nqp; qp++)
			done += pnic_tx_poll(pdev, qp, buf);
		if (pnic_backend_rx_pending(pdev))
			pnic_backend_rx_poll(pdev);
	}
	mutex_unlock(&pdev->pin_lock);
	mutex_unlock(&pdev->lock);
	return done;
}

/* Is there anything the engine could do now? */
static bool pnic_engine_has_work(struct pnic_dev *pdev)
{
	unsigned int qp;
	bool work = false;

	mutex_lock(&pdev->lock);
	if (pnic_dev_active(pdev)) {
		for (qp = 0; qp < pdev->nqp && !work; qp++) {
			unsigned int rx = PNIC_QUEUE(qp, PNIC_DIR_RX);
			unsigned int tx = PNIC_QUEUE(qp, PNIC_DIR_TX);
			u32 backend = pdev->dev_ctrl & PNIC_DEV_CTRL_BACKEND_MASK;

			if (!pnic_queue_avail(pdev, tx))
				continue;
			/* Loopback TX waiting for an RX slot is not work. */
			if (backend != PNIC_BACKEND_LOOPBACK ||
			    pdev->q[rx].state != PNIC_Q_STATE_RUNNING ||
			    pnic_queue_avail(pdev, rx))
				work = true;
		}
		if (!work && pnic_backend_rx_pending(pdev) &&
		    pnic_queue_avail(pdev, PNIC_QUEUE(0, PNIC_DIR_RX)))
			work = true;
	}
	mutex_unlock(&pdev->lock);
	return work;
}

static int pnic_engine_fn(void *data)
{
	struct pnic_dev *pdev = data;
	void *buf;

	buf = kmalloc(PNIC_MAX_PKT, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	while (!kthread_should_stop()) {
		if (pnic_engine_pass(pdev, buf)) {
			cond_resched();
			continue;
		}
		/* Announce the sleep, then look again (pairs with the
		 * driver's tail store, barrier, engine-state load).
		 */
		pnic_db_set(pdev, PNIC_DB_ENGINE, PNIC_ENGINE_SLEEPING);
		/* engine-state store before the tail loads of has_work */
		smp_mb();
		if (!pnic_engine_has_work(pdev))
			wait_event_idle(pdev->engine_wq,
					atomic_xchg(&pdev->kicked, 0) ||
					kthread_should_stop());
		pnic_db_set(pdev, PNIC_DB_ENGINE, PNIC_ENGINE_RUNNING);
		/* engine-state store before the next pass's tail loads */
		smp_mb();
		mutex_lock(&pdev->lock);
		pdev->wakeups++;
		mutex_unlock(&pdev->lock);
	}
	kfree(buf);
	return 0;
}

/**
 * pnic_engine_kick() - wake the engine (a write to PNIC_REG_KICK).
 * @pdev: the device.
 */
void pnic_engine_kick(struct pnic_dev *pdev)
{
	atomic_set(&pdev->kicked, 1);
	wake_up(&pdev->engine_wq);
}

/**
 * pnic_engine_start() - start the engine thread (device open).
 * @pdev: the device.
 *
 * Return: 0 or -errno.
 */
int pnic_engine_start(struct pnic_dev *pdev)
{
	struct task_struct *t;

	atomic_set(&pdev->kicked, 0);
	pnic_db_set(pdev, PNIC_DB_ENGINE, PNIC_ENGINE_RUNNING);
	t = kthread_run(pnic_engine_fn, pdev, "pasidnic/%s",
			dev_name(pdev->vdev.dev));
	if (IS_ERR(t))
		return PTR_ERR(t);
	pdev->engine = t;
	return 0;
}

/**
 * pnic_engine_stop() - stop the engine thread (device close).
 * @pdev: the device.
 *
 * Context: must not hold @pdev->lock.
 */
void pnic_engine_stop(struct pnic_dev *pdev)
{
	if (pdev->engine) {
		kthread_stop(pdev->engine);
		pdev->engine = NULL;
	}
}
