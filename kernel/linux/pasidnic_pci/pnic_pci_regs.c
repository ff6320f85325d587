// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic_pci: register writes of a function, as they arrive through the
 * BAR0 mailboxes (pasidnic_regs.h, "Physical functions"). The semantics are
 * pasidnic's trapped writes (doc/pasidnic.md §3): RW1C IRQ_CAUSE, the fault
 * latch cleared by writing VALID, self-clearing device and queue resets,
 * queue configuration frozen while the queue is enabled and checked when it
 * is enabled. KICK does nothing: the engine polls.
 */
#include <linux/log2.h>

#include "pnic_pci_engine.h"

/**
 * pnic_pci_regs_reset() - the device reset: every register and queue.
 * @e: the engine state.
 */
void pnic_pci_regs_reset(struct pnic_pci_eng *e)
{
	unsigned int qn;

	for (qn = 0; qn < 2 * e->nqp; qn++) {
		pnic_pci_queue_reset(e, qn);
		memset(&e->q[qn], 0, sizeof(e->q[qn]));
	}
	e->dev_ctrl = 0;
	e->irq_cause = 0;
	e->irq_mask = 0;
	e->fault_count = 0;
	e->fault_info = 0;
	e->fault_pasid = 0;
	e->fault_errno = 0;
	e->fault_iova = 0;
}

static bool pnic_pci_pasid_enabled(struct pnic_pci_fn *fn)
{
	unsigned long flags;
	bool on;

	raw_spin_lock_irqsave(&fn->lock, flags);
	on = fn->cfg[PNIC_PCI_PASID_ECAP + PCI_PASID_CTRL] &
	     PCI_PASID_CTRL_ENABLE;
	raw_spin_unlock_irqrestore(&fn->lock, flags);
	return on;
}

/* Enabling queue @qn: RUNNING, or ERROR for a bad configuration. */
static u32 pnic_pci_queue_check(struct pnic_pci_eng *e, unsigned int qn)
{
	struct pnic_pci_queue *q = &e->q[qn];
	u32 pasid = q->pasid & PNIC_Q_PASID_MASK;

	if (q->size < PNIC_RING_MIN || q->size > PNIC_RING_MAX ||
	    !is_power_of_2(q->size) || (q->base & 15))
		return PNIC_Q_STATE_ERROR;
	if ((q->pasid & PNIC_Q_PASID_EN) &&
	    (!pnic_pci_pasid_enabled(e->fn) || !pasid ||
	     pasid >= BIT(e->fn->pp->pasid_width)))
		return PNIC_Q_STATE_ERROR;
	return PNIC_Q_STATE_RUNNING;
}

static void pnic_pci_queue_write(struct pnic_pci_eng *e, unsigned int qn,
				 u32 reg, u32 val)
{
	struct pnic_pci_queue *q = &e->q[qn];
	bool enabled = q->ctrl & PNIC_Q_CTRL_ENABLE;

	switch (reg) {
	case PNIC_Q_BASE_LO:
		if (!enabled)
			q->base = (q->base & GENMASK_ULL(63, 32)) | val;
		break;
	case PNIC_Q_BASE_HI:
		if (!enabled)
			q->base = (q->base & GENMASK_ULL(31, 0)) | (u64)val << 32;
		break;
	case PNIC_Q_SIZE:
		if (!enabled)
			q->size = val;
		break;
	case PNIC_Q_PASID:
		if (!enabled)
			q->pasid = val & (PNIC_Q_PASID_EN | PNIC_Q_PASID_MASK);
		break;
	case PNIC_Q_TAIL:
		pnic_pci_db_write(e, PNIC_DB_TAIL(qn), val);
		break;
	case PNIC_Q_CTRL:
		if (val & PNIC_Q_CTRL_RESET) {
			pnic_pci_queue_reset(e, qn);
			break;
		}
		q->ctrl = val & (PNIC_Q_CTRL_ENABLE | PNIC_Q_CTRL_IRQ_EN);
		if (!(val & PNIC_Q_CTRL_ENABLE)) {
			if (q->state == PNIC_Q_STATE_RUNNING)
				q->state = PNIC_Q_STATE_DISABLED;
			break;
		}
		if (q->state == PNIC_Q_STATE_DISABLED)
			q->state = pnic_pci_queue_check(e, qn);
		break;
	}
}

/**
 * pnic_pci_reg_write() - apply one register write.
 * @e: the engine state.
 * @off: register offset (the mailbox slot was checked by the caller).
 * @val: the value.
 */
void pnic_pci_reg_write(struct pnic_pci_eng *e, u32 off, u32 val)
{
	u32 old;

	if (off >= PNIC_QREG_BASE) {
		unsigned int qn = (off - PNIC_QREG_BASE) / PNIC_QREG_STRIDE;

		if (qn < 2 * e->nqp)
			pnic_pci_queue_write(e, qn,
					     (off - PNIC_QREG_BASE) % PNIC_QREG_STRIDE,
					     val);
		return;
	}
	switch (off) {
	case PNIC_REG_DEV_CTRL:
		if (val & PNIC_DEV_CTRL_RESET) {
			pnic_pci_regs_reset(e);
			break;
		}
		old = e->dev_ctrl;
		e->dev_ctrl = val & (PNIC_DEV_CTRL_ENABLE |
				     PNIC_DEV_CTRL_BACKEND_MASK);
		if ((old ^ e->dev_ctrl) & PNIC_DEV_CTRL_ENABLE)
			e->irq_cause |= PNIC_IRQ_LINK;
		break;
	case PNIC_REG_IRQ_CAUSE:
		e->irq_cause &= ~val;
		break;
	case PNIC_REG_IRQ_MASK:
		e->irq_mask = val & (PNIC_IRQ_LINK | PNIC_IRQ_FAULT);
		break;
	case PNIC_REG_FAULT_INFO:
		if (val & PNIC_FAULT_INFO_VALID)
			e->fault_info = 0;
		break;
	case PNIC_REG_MAC_LO:
		e->mac[0] = val;
		e->mac[1] = val >> 8;
		e->mac[2] = val >> 16;
		e->mac[3] = val >> 24;
		break;
	case PNIC_REG_MAC_HI:
		e->mac[4] = val;
		e->mac[5] = val >> 8;
		break;
	}
}
