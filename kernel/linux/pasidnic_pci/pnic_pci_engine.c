// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic_pci: the engine thread of a function (pnic_pci_engine.h).
 *
 * The thread polls while memory decoding is on: the BAR0 mailboxes (each
 * write applied in order, then the register file republished, then the
 * slot's ACK), and, with bus mastering and DEV_CTRL.ENABLE, one pass per
 * queue pair. It polls again at once after work; idle, it polls every
 * PNIC_PCI_POLL_MIN_US for PNIC_PCI_POLL_SPIN polls (a driver's writes come
 * in bursts), then backs off up to PNIC_PHYS_IDLE_POLL_MS; a new doorbell
 * tail or a config write (pnic_pci_engine_notify()) ends the back-off.
 * With memory decoding off it sleeps until a config write.
 *
 * Resets: a function level reset (FLR) and turning memory decoding on bump
 * the function's generation (pnic_pci_cfg.c); the thread then resets the
 * whole device, zeroes both BARs and publishes. A pass checks the
 * generation between queue pairs, so no DMA of an old generation starts
 * after a reset was seen.
 */
#include <linux/hrtimer.h>
#include <linux/io.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/unaligned.h>

#include "pnic_pci_engine.h"

#define PNIC_PCI_POLL_MIN_US	20
/* idle polls at the shortest interval before backing off */
#define PNIC_PCI_POLL_SPIN	100

/* What the config space says, read under the function's lock. */
struct pnic_pci_cfg_view {
	bool memory;
	bool master;
	unsigned int gen;
	u64 bar0;
	u64 bar2;
};

static void pnic_pci_cfg_view(struct pnic_pci_fn *fn,
			      struct pnic_pci_cfg_view *v)
{
	unsigned long flags;
	u16 cmd;

	raw_spin_lock_irqsave(&fn->lock, flags);
	cmd = get_unaligned_le16(&fn->cfg[PCI_COMMAND]);
	v->memory = cmd & PCI_COMMAND_MEMORY;
	v->master = cmd & PCI_COMMAND_MASTER;
	v->gen = fn->gen;
	v->bar0 = get_unaligned_le64(&fn->cfg[PCI_BASE_ADDRESS_0]) &
		  PCI_BASE_ADDRESS_MEM_MASK;
	v->bar2 = get_unaligned_le64(&fn->cfg[PCI_BASE_ADDRESS_2]) &
		  PCI_BASE_ADDRESS_MEM_MASK;
	raw_spin_unlock_irqrestore(&fn->lock, flags);
}

/* BAR @bar of @size bytes inside the window, or NULL. */
static void __iomem *pnic_pci_bar_va(struct pnic_pci *pp, u64 bar, u64 size)
{
	if (bar < pp->window.start || bar + size - 1 > pp->window.end)
		return NULL;
	return pp->win_va + (bar - pp->window.start);
}

/**
 * pnic_pci_regs_va() - where BAR0 of @fn is in the window.
 * @fn: the function; its lock held.
 *
 * Return: the mapping, or NULL when BAR0 is not (yet) inside the window.
 */
void __iomem *pnic_pci_regs_va(struct pnic_pci_fn *fn)
{
	lockdep_assert_held(&fn->lock);
	return pnic_pci_bar_va(fn->pp, get_unaligned_le64(&fn->cfg[PCI_BASE_ADDRESS_0]) &
			       PCI_BASE_ADDRESS_MEM_MASK, PNIC_BAR_REGS_SIZE);
}

/*
 * Store @val at BAR0 offset @off unless the function was reset since @e's
 * state was made: the store and the generation check are one step against
 * a reset (pnic_pci_cfg.c clears ID under the same lock). Return: stored.
 */
static bool pnic_pci_commit(struct pnic_pci_eng *e, u32 off, u32 val)
{
	struct pnic_pci_fn *fn = e->fn;
	unsigned long flags;
	bool current_gen;

	raw_spin_lock_irqsave(&fn->lock, flags);
	current_gen = fn->gen == e->gen;
	if (current_gen)
		writel(val, e->regs + off);
	raw_spin_unlock_irqrestore(&fn->lock, flags);
	return current_gen;
}

static void pnic_pci_wr(struct pnic_pci_eng *e, u32 off, u32 val)
{
	writel(val, e->regs + off);
}

static void pnic_pci_wr64(struct pnic_pci_eng *e, u32 off, u64 val)
{
	pnic_pci_wr(e, off, lower_32_bits(val));
	pnic_pci_wr(e, off + 4, upper_32_bits(val));
}

/*
 * Publish the register file into BAR0 (not the mailboxes); ID last, and
 * only while no reset is pending: a driver that reads PNIC_ID_MAGIC reads
 * a register file of the current generation.
 */
static void pnic_pci_publish(struct pnic_pci_eng *e)
{
	unsigned int qn;

	pnic_pci_wr(e, PNIC_REG_VERSION, PNIC_VERSION);
	pnic_pci_wr(e, PNIC_REG_CAPS, (e->fn->pp->pasid_width ?
				       PNIC_CAP_PASID : 0) | PNIC_CAP_LOOPBACK);
	pnic_pci_wr(e, PNIC_REG_NUM_QP, e->nqp);
	pnic_pci_wr(e, PNIC_REG_PASID_WIDTH, e->fn->pp->pasid_width);
	pnic_pci_wr(e, PNIC_REG_RING_MAX, PNIC_RING_MAX);
	pnic_pci_wr(e, PNIC_REG_DEV_CTRL, e->dev_ctrl);
	pnic_pci_wr(e, PNIC_REG_DEV_STATUS,
		    (e->dev_ctrl & PNIC_DEV_CTRL_ENABLE ?
		     PNIC_DEV_STATUS_ENABLED | PNIC_DEV_STATUS_LINK_UP : 0) |
		    (e->idle ? PNIC_DEV_STATUS_ENGINE_IDLE : 0) |
		    (e->fault_info & PNIC_FAULT_INFO_VALID ?
		     PNIC_DEV_STATUS_FAULT : 0));
	pnic_pci_wr(e, PNIC_REG_KICK, 0);
	pnic_pci_wr(e, PNIC_REG_IRQ_CAUSE, e->irq_cause);
	pnic_pci_wr(e, PNIC_REG_IRQ_MASK, e->irq_mask);
	pnic_pci_wr(e, PNIC_REG_FAULT_COUNT, e->fault_count);
	pnic_pci_wr(e, PNIC_REG_FAULT_INFO, e->fault_info);
	pnic_pci_wr(e, PNIC_REG_FAULT_PASID, e->fault_pasid);
	pnic_pci_wr(e, PNIC_REG_FAULT_ERRNO, e->fault_errno);
	pnic_pci_wr64(e, PNIC_REG_FAULT_IOVA_LO, e->fault_iova);
	pnic_pci_wr(e, PNIC_REG_MAC_LO, e->mac[0] | e->mac[1] << 8 |
		    e->mac[2] << 16 | (u32)e->mac[3] << 24);
	pnic_pci_wr(e, PNIC_REG_MAC_HI, e->mac[4] | e->mac[5] << 8);
	pnic_pci_wr(e, PNIC_REG_ENGINE_WAKEUPS, e->wakeups);
	for (qn = 0; qn < 2 * e->nqp; qn++) {
		const struct pnic_pci_queue *q = &e->q[qn];

		pnic_pci_wr64(e, PNIC_QREG(qn, PNIC_Q_BASE_LO), q->base);
		pnic_pci_wr(e, PNIC_QREG(qn, PNIC_Q_SIZE), q->size);
		pnic_pci_wr(e, PNIC_QREG(qn, PNIC_Q_PASID), q->pasid);
		pnic_pci_wr(e, PNIC_QREG(qn, PNIC_Q_CTRL), q->ctrl);
		pnic_pci_wr(e, PNIC_QREG(qn, PNIC_Q_STATUS), q->state);
		pnic_pci_wr(e, PNIC_QREG(qn, PNIC_Q_HEAD), q->head);
		pnic_pci_wr(e, PNIC_QREG(qn, PNIC_Q_TAIL),
			    pnic_pci_db_read(e, PNIC_DB_TAIL(qn)));
		pnic_pci_wr64(e, PNIC_QREG(qn, PNIC_Q_PKTS_LO), q->pkts);
		pnic_pci_wr64(e, PNIC_QREG(qn, PNIC_Q_BYTES_LO), q->bytes);
		pnic_pci_wr(e, PNIC_QREG(qn, PNIC_Q_FAULTS), q->faults);
		pnic_pci_wr(e, PNIC_QREG(qn, PNIC_Q_DROPS), q->drops);
		pnic_pci_wr64(e, PNIC_QREG(qn, PNIC_Q_FAULT_IOVA_LO),
			      q->fault_iova);
	}
	/* the register file before the ID that says it is there */
	wmb();
	pnic_pci_commit(e, PNIC_REG_ID, PNIC_ID_MAGIC);
}

/* Is @off a register mailbox slot @slot may write? */
static bool pnic_pci_slot_ok(struct pnic_pci_eng *e, unsigned int slot,
			     u32 off)
{
	if (off & 3)
		return false;
	if (slot == PNIC_MBOX_DEV)
		return off < PNIC_QREG_BASE;
	return off >= PNIC_QREG(slot - 1, 0) &&
	       off < PNIC_QREG(slot - 1, PNIC_QREG_STRIDE) &&
	       slot - 1 < 2 * e->nqp;
}

/* Apply the pending mailbox writes. Return: how many. */
static unsigned int pnic_pci_mailboxes(struct pnic_pci_eng *e)
{
	unsigned int slot, n = 0;

	for (slot = 0; slot < PNIC_MBOX_SLOTS; slot++) {
		void __iomem *mb = e->regs + PNIC_MBOX(slot);
		u32 seq = readl(mb + PNIC_MBOX_SEQ), off, val;

		if (seq == e->seq[slot])
			continue;
		/* SEQ is stored last: OFF and VAL after it */
		rmb();
		off = readl(mb + PNIC_MBOX_OFF);
		val = readl(mb + PNIC_MBOX_VAL);
		if (pnic_pci_slot_ok(e, slot, off))
			pnic_pci_reg_write(e, off, val);
		else
			dev_dbg_ratelimited(&e->fn->pp->bus->dev,
					    "function %u: mailbox %u write of %#x to %#x dropped\n",
					    e->fn->slot, slot, val, off);
		e->seq[slot] = seq;
		pnic_pci_publish(e);
		/*
		 * The register file before the ACK that says it is there. No
		 * ACK once a reset is pending: the write is lost with the state
		 * it changed, and SEQ and ACK read 0 after the reset.
		 */
		wmb();
		n++;
		if (!pnic_pci_commit(e, PNIC_MBOX(slot) + PNIC_MBOX_ACK, seq))
			break;
	}
	return n;
}

/* A new generation (FLR, memory decoding on): reset and publish. */
static void pnic_pci_eng_reset(struct pnic_pci_eng *e,
			       const struct pnic_pci_cfg_view *v)
{
	e->gen = v->gen;
	memset_io(e->regs, 0, PNIC_BAR_REGS_SIZE);
	memset_io(e->db, 0, PNIC_BAR_DB_SIZE);
	memset(e->seq, 0, sizeof(e->seq));
	memset(e->mac, 0, sizeof(e->mac));
	e->wakeups = 0;
	e->idle = true;
	pnic_pci_regs_reset(e);
	pnic_pci_publish(e);
}

/* Sum of the doorbell tails: changes when a driver posts. */
static u32 pnic_pci_tails(struct pnic_pci_eng *e)
{
	unsigned int qn;
	u32 sum = 0;

	for (qn = 0; qn < 2 * e->nqp; qn++)
		sum += pnic_pci_db_read(e, PNIC_DB_TAIL(qn));
	return sum;
}

/* One poll. Return: true when something was done or posted. */
static bool pnic_pci_poll(struct pnic_pci_eng *e, u32 *tails)
{
	struct pnic_pci_cfg_view v;
	bool work = false;
	unsigned int qp;
	u32 t;

	e->cfg_writes = READ_ONCE(e->fn->cfg_writes);
	/* the count before the view: a config write after it ends the next sleep */
	smp_rmb();
	pnic_pci_cfg_view(e->fn, &v);
	e->regs = pnic_pci_bar_va(e->fn->pp, v.bar0, PNIC_BAR_REGS_SIZE);
	e->db = pnic_pci_bar_va(e->fn->pp, v.bar2, PNIC_BAR_DB_SIZE);
	e->master = v.master;
	if (!v.memory || !e->regs || !e->db) {
		e->regs = NULL;
		return false;
	}
	if (v.gen != e->gen)
		pnic_pci_eng_reset(e, &v);
	if (pnic_pci_mailboxes(e))
		work = true;
	if (pnic_pci_eng_active(e)) {
		for (qp = 0; qp < e->nqp; qp++) {
			if (READ_ONCE(e->fn->gen) != e->gen)
				break;
			if (pnic_pci_qp_pass(e, qp))
				work = true;
		}
	}
	if (work && e->idle)
		e->wakeups++;
	if (work || e->idle != !work) {
		e->idle = !work;
		pnic_pci_publish(e);
	}
	t = pnic_pci_tails(e);
	if (t != *tails) {
		*tails = t;
		return true;
	}
	return work;
}

/*
 * Sleep @us microseconds (0: until woken), or less when woken; not at all
 * when a config write came since the last poll read the config space (its
 * notification may have come before this thread slept).
 */
static void pnic_pci_engine_sleep(struct pnic_pci_eng *e, unsigned int us)
{
	ktime_t t = us_to_ktime(us);

	set_current_state(TASK_INTERRUPTIBLE);
	if (kthread_should_stop() ||
	    READ_ONCE(e->fn->cfg_writes) != e->cfg_writes) {
		__set_current_state(TASK_RUNNING);
		return;
	}
	if (us)
		schedule_hrtimeout_range(&t, us / 4 * NSEC_PER_USEC,
					 HRTIMER_MODE_REL);
	else
		schedule();
	__set_current_state(TASK_RUNNING);
}

static int pnic_pci_engine_fn(void *data)
{
	struct pnic_pci_eng *e = data;
	unsigned int us = PNIC_PCI_POLL_MIN_US, idle = 0;
	u32 tails = 0;

	while (!kthread_should_stop()) {
		if (pnic_pci_poll(e, &tails)) {
			us = PNIC_PCI_POLL_MIN_US;
			idle = 0;
			cond_resched();
			continue;
		}
		/* memory decoding off: nothing to poll until a config write */
		pnic_pci_engine_sleep(e, e->regs ? us : 0);
		/* a driver's next write usually follows soon: back off late */
		if (++idle > PNIC_PCI_POLL_SPIN)
			us = min(us * 2, PNIC_PHYS_IDLE_POLL_MS * USEC_PER_MSEC);
	}
	return 0;
}

/**
 * pnic_pci_engine_start() - create the engine thread of @fn.
 * @fn: the function.
 * @nqp: its queue pairs, 1-PNIC_MAX_QP.
 *
 * Return: 0 or -errno (-ENOMEM, the thread's creation).
 */
int pnic_pci_engine_start(struct pnic_pci_fn *fn, unsigned int nqp)
{
	struct pnic_pci_eng *e = kzalloc_obj(*e);
	struct task_struct *t;

	if (!e)
		return -ENOMEM;
	e->fn = fn;
	e->nqp = nqp;
	e->gen = UINT_MAX;
	t = kthread_create(pnic_pci_engine_fn, e, "pasidnic_pci/%u", fn->slot);
	if (IS_ERR(t)) {
		kfree(e);
		return PTR_ERR(t);
	}
	fn->eng = e;
	WRITE_ONCE(fn->engine, t);
	wake_up_process(t);
	return 0;
}

/**
 * pnic_pci_engine_stop() - stop and free the engine of @fn (if started).
 * @fn: the function; no config write may race with this.
 */
void pnic_pci_engine_stop(struct pnic_pci_fn *fn)
{
	if (!fn->engine)
		return;
	kthread_stop(fn->engine);
	WRITE_ONCE(fn->engine, NULL);
	kfree(fn->eng);
	fn->eng = NULL;
}

/**
 * pnic_pci_engine_notify() - the config space changed: poll now.
 * @fn: the function.
 *
 * Context: any, raw spinlocks held included.
 */
void pnic_pci_engine_notify(struct pnic_pci_fn *fn)
{
	struct task_struct *t = READ_ONCE(fn->engine);

	if (t)
		wake_up_process(t);
}
