// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic: BAR0 register decode, queue and device reset.
 */
#include <linux/log2.h>

#include "pasidnic.h"

static void pnic_queue_reset(struct pnic_dev *pdev, unsigned int qn)
{
	struct pnic_queue *q = &pdev->q[qn];

	mutex_lock(&pdev->pin_lock);
	pnic_ring_release(pdev, q);
	mutex_unlock(&pdev->pin_lock);
	q->ctrl = 0;
	q->state = PNIC_Q_STATE_DISABLED;
	q->head = 0;
	q->fault_iova = 0;
	pnic_db_set(pdev, PNIC_DB_TAIL(qn), 0);
	pnic_db_set(pdev, PNIC_DB_HEAD(qn), 0);
}

/**
 * pnic_regs_reset() - device reset: every register to its reset value.
 * @pdev: the device.
 *
 * Context: @pdev->lock held.
 */
void pnic_regs_reset(struct pnic_dev *pdev)
{
	unsigned int i;

	lockdep_assert_held(&pdev->lock);
	for (i = 0; i < 2 * pdev->nqp; i++)
		pnic_queue_reset(pdev, i);
	mutex_lock(&pdev->pin_lock);
	for (i = 0; i < 2 * pdev->nqp; i++)
		memset(&pdev->q[i], 0, sizeof(pdev->q[i]));
	mutex_unlock(&pdev->pin_lock);
	pdev->dev_ctrl = 0;
	pdev->irq_cause = 0;
	pdev->irq_mask = 0;
	pdev->fault_count = 0;
	pdev->fault_info = 0;
	pdev->fault_pasid = 0;
	pdev->fault_errno = 0;
	pdev->fault_iova = 0;
	pnic_cfg_reset(pdev);
}

static u32 pnic_queue_read(struct pnic_dev *pdev, unsigned int qn, u32 reg)
{
	struct pnic_queue *q = &pdev->q[qn];

	switch (reg) {
	case PNIC_Q_BASE_LO:
		return lower_32_bits(q->base);
	case PNIC_Q_BASE_HI:
		return upper_32_bits(q->base);
	case PNIC_Q_SIZE:
		return q->size;
	case PNIC_Q_PASID:
		return q->pasid;
	case PNIC_Q_CTRL:
		return q->ctrl;
	case PNIC_Q_STATUS:
		return q->state;
	case PNIC_Q_HEAD:
		return q->head;
	case PNIC_Q_TAIL:
		return pnic_db_tail(pdev, qn);
	case PNIC_Q_PKTS_LO:
		return lower_32_bits(q->pkts);
	case PNIC_Q_PKTS_HI:
		return upper_32_bits(q->pkts);
	case PNIC_Q_BYTES_LO:
		return lower_32_bits(q->bytes);
	case PNIC_Q_BYTES_HI:
		return upper_32_bits(q->bytes);
	case PNIC_Q_FAULTS:
		return q->faults;
	case PNIC_Q_DROPS:
		return q->drops;
	case PNIC_Q_FAULT_IOVA_LO:
		return lower_32_bits(q->fault_iova);
	case PNIC_Q_FAULT_IOVA_HI:
		return upper_32_bits(q->fault_iova);
	}
	return 0;
}

static void pnic_queue_write(struct pnic_dev *pdev, unsigned int qn, u32 reg,
			     u32 val)
{
	struct pnic_queue *q = &pdev->q[qn];
	bool enabled = q->ctrl & PNIC_Q_CTRL_ENABLE;

	switch (reg) {
	case PNIC_Q_BASE_LO:
		if (!enabled)
			q->base = (q->base & GENMASK_ULL(63, 32)) | val;
		break;
	case PNIC_Q_BASE_HI:
		if (!enabled)
			q->base = (q->base & GENMASK_ULL(31, 0)) |
				  ((u64)val << 32);
		break;
	case PNIC_Q_SIZE:
		if (!enabled)
			q->size = val;
		break;
	case PNIC_Q_PASID:
		if (!enabled)
			q->pasid = val & (PNIC_Q_PASID_EN | PNIC_Q_PASID_MASK);
		break;
	case PNIC_Q_CTRL:
		if (val & PNIC_Q_CTRL_RESET) {
			pnic_queue_reset(pdev, qn);
			break;
		}
		q->ctrl = val & (PNIC_Q_CTRL_ENABLE | PNIC_Q_CTRL_IRQ_EN);
		if (!(val & PNIC_Q_CTRL_ENABLE)) {
			if (q->state == PNIC_Q_STATE_RUNNING)
				q->state = PNIC_Q_STATE_DISABLED;
			mutex_lock(&pdev->pin_lock);
			pnic_ring_release(pdev, q);
			mutex_unlock(&pdev->pin_lock);
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
			q->state = PNIC_Q_STATE_ERROR;
		else
			q->state = PNIC_Q_STATE_RUNNING;
		break;
	case PNIC_Q_TAIL:
		pnic_db_set(pdev, PNIC_DB_TAIL(qn), val);
		break;
	}
}

/**
 * pnic_reg_read() - a 32-bit read of BAR0.
 * @pdev: the device.
 * @off: register offset, 4-byte aligned.
 *
 * Context: @pdev->lock held.
 * Return: the register value (0 for holes).
 */
u32 pnic_reg_read(struct pnic_dev *pdev, u32 off)
{
	lockdep_assert_held(&pdev->lock);
	if (off >= PNIC_QREG_BASE) {
		unsigned int qn = (off - PNIC_QREG_BASE) / PNIC_QREG_STRIDE;

		if (qn >= 2 * pdev->nqp)
			return 0;
		return pnic_queue_read(pdev, qn,
				       (off - PNIC_QREG_BASE) % PNIC_QREG_STRIDE);
	}

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
		       (le32_to_cpu(READ_ONCE(*pnic_db32(pdev, PNIC_DB_ENGINE))) ==
			PNIC_ENGINE_SLEEPING ? PNIC_DEV_STATUS_ENGINE_IDLE : 0) |
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
		return pdev->wakeups;
	}
	return 0;
}

/**
 * pnic_reg_write() - a 32-bit write of BAR0.
 * @pdev: the device.
 * @off: register offset, 4-byte aligned.
 * @val: the value.
 *
 * Context: @pdev->lock held.
 */
void pnic_reg_write(struct pnic_dev *pdev, u32 off, u32 val)
{
	u32 old;

	lockdep_assert_held(&pdev->lock);
	if (off >= PNIC_QREG_BASE) {
		unsigned int qn = (off - PNIC_QREG_BASE) / PNIC_QREG_STRIDE;

		if (qn < 2 * pdev->nqp)
			pnic_queue_write(pdev, qn,
					 (off - PNIC_QREG_BASE) % PNIC_QREG_STRIDE,
					 val);
		pnic_engine_kick(pdev);
		return;
	}

	switch (off) {
	case PNIC_REG_DEV_CTRL:
		if (val & PNIC_DEV_CTRL_RESET) {
			pnic_regs_reset(pdev);
			pnic_netdev_link_update(pdev);
			break;
		}
		old = pdev->dev_ctrl;
		pdev->dev_ctrl = val & (PNIC_DEV_CTRL_ENABLE |
					PNIC_DEV_CTRL_BACKEND_MASK);
		if ((old ^ pdev->dev_ctrl) & PNIC_DEV_CTRL_ENABLE) {
			pnic_netdev_link_update(pdev);
			pnic_raise(pdev, PNIC_IRQ_LINK);
		}
		pnic_engine_kick(pdev);
		break;
	case PNIC_REG_KICK:
		pnic_engine_kick(pdev);
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
}
