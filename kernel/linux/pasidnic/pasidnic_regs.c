// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic: BAR0 register decode, queue and device reset.
 *
 * Locking: reads of queue registers take no lock (READ_ONCE of the fields
 * the engine updates); reads and writes of device registers take
 * pdev->lock, which is never held across DMA; writes of a queue's
 * registers take its queue pair's lock, so they wait for that queue pair's
 * engine pass only (a reset or disable interrupts the pass). KICK and TAIL
 * writes take no lock. Every syscall path sleeps killably (-EINTR).
 */
#include <linux/log2.h>

#include "pasidnic.h"

static int pnic_lock(struct mutex *m, bool killable)
{
	if (killable)
		return mutex_lock_killable(m);
	mutex_lock(m);
	return 0;
}

/* Reset queue @qn. Context: its queue pair's lock held. */
static void pnic_queue_reset(struct pnic_dev *pdev, unsigned int qn)
{
	struct pnic_queue *q = &pdev->q[qn];

	lockdep_assert_held(&pdev->qps[qn / 2].lock);
	mutex_lock(&q->ring_lock);
	pnic_ring_release(q);
	mutex_unlock(&q->ring_lock);
	WRITE_ONCE(q->ctrl, 0);
	WRITE_ONCE(q->state, PNIC_Q_STATE_DISABLED);
	WRITE_ONCE(q->head, 0);
	WRITE_ONCE(q->fault_iova, 0);
	pnic_db_set(pdev, PNIC_DB_TAIL(qn), 0);
	pnic_db_set(pdev, PNIC_DB_HEAD(qn), 0);
}

/**
 * pnic_regs_reset() - device reset: every register to its reset value.
 * @pdev: the device.
 * @killable: a syscall path: give up on a fatal signal.
 *
 * Each queue pair is reset under its lock; an engine pass in progress is
 * interrupted (pnic_qp_lock_abort()).
 *
 * Context: no device lock held.
 * Return: 0, or -EINTR (killable only; the reset may be partial).
 */
int pnic_regs_reset(struct pnic_dev *pdev, bool killable)
{
	unsigned int i;
	int rc;

	for (i = 0; i < pdev->nqp; i++) {
		struct pnic_qp *qpx = &pdev->qps[i];
		unsigned int dir;

		rc = killable ? pnic_qp_lock_abort(qpx) : 0;
		if (rc)
			return rc;
		if (!killable)
			mutex_lock(&qpx->lock);
		for (dir = 0; dir < 2; dir++) {
			struct pnic_queue *q = &pdev->q[PNIC_QUEUE(i, dir)];

			pnic_queue_reset(pdev, PNIC_QUEUE(i, dir));
			/* configuration and counters; not the ring state */
			memset(q, 0, offsetof(struct pnic_queue, ring_lock));
		}
		mutex_unlock(&qpx->lock);
	}
	rc = pnic_lock(&pdev->lock, killable);
	if (rc)
		return rc;
	WRITE_ONCE(pdev->dev_ctrl, 0);
	pdev->irq_cause = 0;
	pdev->irq_mask = 0;
	pdev->fault_count = 0;
	pdev->fault_info = 0;
	pdev->fault_pasid = 0;
	pdev->fault_errno = 0;
	pdev->fault_iova = 0;
	pnic_cfg_reset(pdev);
	pnic_netdev_link_update(pdev);
	mutex_unlock(&pdev->lock);
	return 0;
}

static u32 pnic_queue_read(struct pnic_dev *pdev, unsigned int qn, u32 reg)
{
	struct pnic_queue *q = &pdev->q[qn];
	unsigned int seq;
	u32 head;

	switch (reg) {
	case PNIC_Q_BASE_LO:
		return lower_32_bits(READ_ONCE(q->base));
	case PNIC_Q_BASE_HI:
		return upper_32_bits(READ_ONCE(q->base));
	case PNIC_Q_SIZE:
		return READ_ONCE(q->size);
	case PNIC_Q_PASID:
		return READ_ONCE(q->pasid);
	case PNIC_Q_CTRL:
		return READ_ONCE(q->ctrl);
	case PNIC_Q_STATUS:
		return READ_ONCE(q->state);
	case PNIC_Q_HEAD:
		do {
			seq = read_seqcount_begin(&q->head_seq);
			head = READ_ONCE(q->head);
		} while (read_seqcount_retry(&q->head_seq, seq));
		return head;
	case PNIC_Q_TAIL:
		return pnic_db_tail(pdev, qn);
	case PNIC_Q_PKTS_LO:
		return lower_32_bits(READ_ONCE(q->pkts));
	case PNIC_Q_PKTS_HI:
		return upper_32_bits(READ_ONCE(q->pkts));
	case PNIC_Q_BYTES_LO:
		return lower_32_bits(READ_ONCE(q->bytes));
	case PNIC_Q_BYTES_HI:
		return upper_32_bits(READ_ONCE(q->bytes));
	case PNIC_Q_FAULTS:
		return READ_ONCE(q->faults);
	case PNIC_Q_DROPS:
		return READ_ONCE(q->drops);
	case PNIC_Q_FAULT_IOVA_LO:
		return lower_32_bits(READ_ONCE(q->fault_iova));
	case PNIC_Q_FAULT_IOVA_HI:
		return upper_32_bits(READ_ONCE(q->fault_iova));
	}
	return 0;
}

/* Context: the queue pair's lock held. */
static void pnic_queue_write(struct pnic_dev *pdev, unsigned int qn, u32 reg,
			     u32 val)
{
	struct pnic_queue *q = &pdev->q[qn];
	bool enabled = q->ctrl & PNIC_Q_CTRL_ENABLE;

	switch (reg) {
	case PNIC_Q_BASE_LO:
		if (!enabled)
			WRITE_ONCE(q->base, (q->base & GENMASK_ULL(63, 32)) | val);
		break;
	case PNIC_Q_BASE_HI:
		if (!enabled)
			WRITE_ONCE(q->base, (q->base & GENMASK_ULL(31, 0)) |
				   ((u64)val << 32));
		break;
	case PNIC_Q_SIZE:
		if (!enabled)
			WRITE_ONCE(q->size, val);
		break;
	case PNIC_Q_PASID:
		if (!enabled)
			WRITE_ONCE(q->pasid,
				   val & (PNIC_Q_PASID_EN | PNIC_Q_PASID_MASK));
		break;
	case PNIC_Q_CTRL:
		if (val & PNIC_Q_CTRL_RESET) {
			pnic_queue_reset(pdev, qn);
			break;
		}
		WRITE_ONCE(q->ctrl, val & (PNIC_Q_CTRL_ENABLE | PNIC_Q_CTRL_IRQ_EN));
		if (!(val & PNIC_Q_CTRL_ENABLE)) {
			if (q->state == PNIC_Q_STATE_RUNNING)
				WRITE_ONCE(q->state, PNIC_Q_STATE_DISABLED);
			mutex_lock(&q->ring_lock);
			pnic_ring_release(q);
			mutex_unlock(&q->ring_lock);
			break;
		}
		if (q->state != PNIC_Q_STATE_DISABLED)
			break;
		if (q->size < PNIC_RING_MIN || q->size > PNIC_RING_MAX ||
		    !is_power_of_2(q->size) || (q->base & 15) ||
		    ((q->pasid & PNIC_Q_PASID_EN) &&
		     (!pnic_cfg_pasid_enabled(pdev) ||
		      !(q->pasid & PNIC_Q_PASID_MASK) ||
		      (q->pasid & PNIC_Q_PASID_MASK) >= (1U << pnic_pasid_width))))
			WRITE_ONCE(q->state, PNIC_Q_STATE_ERROR);
		else
			WRITE_ONCE(q->state, PNIC_Q_STATE_RUNNING);
		break;
	}
}

static bool pnic_engines_idle(struct pnic_dev *pdev)
{
	unsigned int i;

	for (i = 0; i < pdev->nqp; i++)
		if (le32_to_cpu(READ_ONCE(*pnic_db32(pdev, PNIC_DB_ENGINE(i)))) !=
		    PNIC_ENGINE_SLEEPING)
			return false;
	return true;
}

static u32 pnic_engine_wakeups(struct pnic_dev *pdev)
{
	unsigned int i;
	u32 sum = 0;

	for (i = 0; i < pdev->nqp; i++)
		sum += atomic_read(&pdev->qps[i].wakeups);
	return sum;
}

/* A device register. Context: @pdev->lock held. */
static u32 pnic_dev_reg_read(struct pnic_dev *pdev, u32 off)
{
	switch (off) {
	case PNIC_REG_ID:
		return PNIC_ID_MAGIC;
	case PNIC_REG_VERSION:
		return PNIC_VERSION;
	case PNIC_REG_CAPS:
		return (pnic_pasid_width ? PNIC_CAP_PASID : 0) |
		       PNIC_CAP_LOOPBACK | PNIC_CAP_NETDEV |
		       PNIC_CAP_NOTIFY_SUPPRESS;
	case PNIC_REG_NUM_QP:
		return pdev->nqp;
	case PNIC_REG_PASID_WIDTH:
		return pnic_pasid_width;
	case PNIC_REG_RING_MAX:
		return PNIC_RING_MAX;
	case PNIC_REG_DEV_CTRL:
		return pdev->dev_ctrl;
	case PNIC_REG_DEV_STATUS:
		return ((pdev->dev_ctrl & PNIC_DEV_CTRL_ENABLE) ?
			PNIC_DEV_STATUS_ENABLED | PNIC_DEV_STATUS_LINK_UP : 0) |
		       (pnic_engines_idle(pdev) ? PNIC_DEV_STATUS_ENGINE_IDLE : 0) |
		       ((pdev->fault_info & PNIC_FAULT_INFO_VALID) ?
			PNIC_DEV_STATUS_FAULT : 0);
	case PNIC_REG_IRQ_CAUSE:
		return pdev->irq_cause;
	case PNIC_REG_IRQ_MASK:
		return pdev->irq_mask;
	case PNIC_REG_FAULT_COUNT:
		return pdev->fault_count;
	case PNIC_REG_FAULT_INFO:
		return pdev->fault_info;
	case PNIC_REG_FAULT_PASID:
		return pdev->fault_pasid;
	case PNIC_REG_FAULT_ERRNO:
		return pdev->fault_errno;
	case PNIC_REG_FAULT_IOVA_LO:
		return lower_32_bits(pdev->fault_iova);
	case PNIC_REG_FAULT_IOVA_HI:
		return upper_32_bits(pdev->fault_iova);
	case PNIC_REG_MAC_LO:
		return pdev->mac[0] | pdev->mac[1] << 8 | pdev->mac[2] << 16 |
		       (u32)pdev->mac[3] << 24;
	case PNIC_REG_MAC_HI:
		return pdev->mac[4] | pdev->mac[5] << 8;
	case PNIC_REG_ENGINE_WAKEUPS:
		return pnic_engine_wakeups(pdev);
	}
	return 0;
}

/**
 * pnic_reg_read() - a 32-bit read of BAR0.
 * @pdev: the device.
 * @off: register offset, 4-byte aligned.
 * @val: the register value (0 for holes).
 *
 * Never waits for an engine pass.
 *
 * Context: no device lock held; sleeps killably.
 * Return: 0 or -EINTR.
 */
int pnic_reg_read(struct pnic_dev *pdev, u32 off, u32 *val)
{
	int rc;

	if (off >= PNIC_QREG_BASE) {
		unsigned int qn = (off - PNIC_QREG_BASE) / PNIC_QREG_STRIDE;

		*val = qn >= 2 * pdev->nqp ? 0 :
		       pnic_queue_read(pdev, qn,
				       (off - PNIC_QREG_BASE) % PNIC_QREG_STRIDE);
		return 0;
	}
	rc = mutex_lock_killable(&pdev->lock);
	if (rc)
		return rc;
	*val = pnic_dev_reg_read(pdev, off);
	mutex_unlock(&pdev->lock);
	return 0;
}

/* A write of queue @qn's register @reg. */
static int pnic_queue_reg_write(struct pnic_dev *pdev, unsigned int qn,
				u32 reg, u32 val)
{
	struct pnic_qp *qpx = &pdev->qps[qn / 2];
	int rc;

	if (reg == PNIC_Q_TAIL) {
		pnic_db_set(pdev, PNIC_DB_TAIL(qn), val);
		/* tail store before the kick (engine: see pnic_engine_fn) */
		smp_mb();
		pnic_engine_kick(pdev, BIT(qn / 2));
		return 0;
	}
	/* A reset or disable interrupts the pass (e.g. a stuck fault). */
	if (reg == PNIC_Q_CTRL &&
	    ((val & PNIC_Q_CTRL_RESET) || !(val & PNIC_Q_CTRL_ENABLE)))
		rc = pnic_qp_lock_abort(qpx);
	else
		rc = mutex_lock_killable(&qpx->lock);
	if (rc)
		return rc;
	pnic_queue_write(pdev, qn, reg, val);
	mutex_unlock(&qpx->lock);
	pnic_engine_kick(pdev, BIT(qn / 2));
	return 0;
}

/**
 * pnic_reg_write() - a 32-bit write of BAR0.
 * @pdev: the device.
 * @off: register offset, 4-byte aligned.
 * @val: the value.
 *
 * A KICK write only wakes engines: @val is a mask of queue pairs (bit n:
 * queue pair n; 0: all).
 *
 * Context: no device lock held; sleeps killably.
 * Return: 0 or -EINTR.
 */
int pnic_reg_write(struct pnic_dev *pdev, u32 off, u32 val)
{
	u32 old, changed;
	int rc;

	if (off >= PNIC_QREG_BASE) {
		unsigned int qn = (off - PNIC_QREG_BASE) / PNIC_QREG_STRIDE;

		if (qn >= 2 * pdev->nqp)
			return 0;
		return pnic_queue_reg_write(pdev, qn,
					    (off - PNIC_QREG_BASE) % PNIC_QREG_STRIDE,
					    val);
	}
	if (off == PNIC_REG_KICK) {
		pnic_engine_kick(pdev, val);
		return 0;
	}
	if (off == PNIC_REG_DEV_CTRL && (val & PNIC_DEV_CTRL_RESET)) {
		rc = pnic_regs_reset(pdev, true);
		pnic_engine_kick(pdev, 0);
		return rc;
	}

	rc = mutex_lock_killable(&pdev->lock);
	if (rc)
		return rc;
	switch (off) {
	case PNIC_REG_DEV_CTRL:
		old = pdev->dev_ctrl;
		WRITE_ONCE(pdev->dev_ctrl, val & (PNIC_DEV_CTRL_ENABLE |
						  PNIC_DEV_CTRL_BACKEND_MASK));
		changed = old ^ pdev->dev_ctrl;
		/* carrier and backlog follow enable and the backend */
		if (changed)
			pnic_netdev_link_update(pdev);
		if (changed & PNIC_DEV_CTRL_ENABLE)
			pnic_raise(pdev, PNIC_IRQ_LINK);
		break;
	case PNIC_REG_IRQ_CAUSE:
		pdev->irq_cause &= ~val;
		break;
	case PNIC_REG_IRQ_MASK:
		pdev->irq_mask = val & (PNIC_IRQ_LINK | PNIC_IRQ_FAULT);
		break;
	case PNIC_REG_FAULT_INFO:
		if (val & PNIC_FAULT_INFO_VALID)
			pdev->fault_info = 0;
		break;
	case PNIC_REG_MAC_LO:
		pdev->mac[0] = val;
		pdev->mac[1] = val >> 8;
		pdev->mac[2] = val >> 16;
		pdev->mac[3] = val >> 24;
		break;
	case PNIC_REG_MAC_HI:
		pdev->mac[4] = val;
		pdev->mac[5] = val >> 8;
		break;
	}
	mutex_unlock(&pdev->lock);
	if (off == PNIC_REG_DEV_CTRL)
		pnic_engine_kick(pdev, 0);
	return 0;
}
