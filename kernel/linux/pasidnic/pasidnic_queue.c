// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic: registers, queues and the DMA engine.
 *
 * One engine thread per open device walks the enabled queues. It reads the
 * drivers' tail indexes from the doorbell page, so the fast path needs no
 * system call, and sleeps when it finds nothing to do after announcing it in
 * the doorbell page (PNIC_DB_ENGINE); the driver then kicks it through the
 * trapped PNIC_REG_KICK register. Every DMA of a queue goes through the
 * iommufd access of the queue's PASID (or of the RID) with pdev->lock held:
 * rings are pinned (iommufd_access_pin_pages()) on first use and accessed
 * through a kernel mapping under pdev->pin_lock until the queue is reset or
 * the access's .unmap callback unpins them; buffers are copied with
 * iommufd_access_rw().
 */
#include <linux/iommufd.h>
#include <linux/log2.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "pasidnic.h"

#define PNIC_RW_FLAGS		IOMMUFD_ACCESS_RW_KTHREAD

static u32 *pnic_db32(struct pnic_dev *pdev, unsigned int off)
{
	return (u32 *)(pdev->db + off);
}

static u32 pnic_db_tail(struct pnic_dev *pdev, unsigned int qn)
{
	return le32_to_cpu(READ_ONCE(*pnic_db32(pdev, PNIC_DB_TAIL(qn))));
}

static void pnic_db_set(struct pnic_dev *pdev, unsigned int off, u32 val)
{
	WRITE_ONCE(*pnic_db32(pdev, off), cpu_to_le32(val));
}

static bool pnic_dev_active(struct pnic_dev *pdev)
{
	return (pdev->dev_ctrl & PNIC_DEV_CTRL_ENABLE) &&
	       pnic_cfg_bus_master(pdev);
}

static void pnic_queue_fault(struct pnic_dev *pdev, unsigned int qn, u64 iova,
			     int err, u32 flags);

/* Unpin queue @q's ring. Context: @pdev->pin_lock held. */
static void pnic_ring_release(struct pnic_dev *pdev, struct pnic_queue *q)
{
	lockdep_assert_held(&pdev->pin_lock);
	if (!q->ring_va)
		return;
	vunmap(q->ring_va);
	iommufd_access_unpin_pages(q->ring_access, q->ring_iova, q->ring_len);
	kfree(q->ring_pages);
	q->ring_pages = NULL;
	q->ring_va = NULL;
	q->ring_access = NULL;
}

/* Pin queue @qn's ring if it is not. Context: both device locks held. */
static int pnic_ring_pin(struct pnic_dev *pdev, unsigned int qn)
{
	struct pnic_queue *q = &pdev->q[qn];
	struct iommufd_access *access;
	struct page **pages;
	u64 first, end;
	unsigned int n;
	void *va;
	int rc;

	lockdep_assert_held(&pdev->pin_lock);
	if (q->ring_va)
		return 0;
	access = pnic_queue_access(pdev, q);
	if (!access)
		return -ENXIO;
	if (check_add_overflow(q->base, (u64)q->size * PNIC_DESC_SIZE, &end) ||
	    end > U64_MAX - PAGE_SIZE)
		return -EOVERFLOW;
	first = q->base & PAGE_MASK;
	end = PAGE_ALIGN(end);
	n = (end - first) >> PAGE_SHIFT;
	pages = kcalloc(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	rc = iommufd_access_pin_pages(access, first, end - first, pages,
				      IOMMUFD_ACCESS_RW_WRITE);
	if (rc) {
		kfree(pages);
		return rc;
	}
	va = vmap(pages, n, VM_MAP, PAGE_KERNEL);
	if (!va) {
		iommufd_access_unpin_pages(access, first, end - first);
		kfree(pages);
		return -ENOMEM;
	}
	q->ring_pages = pages;
	q->ring_npages = n;
	q->ring_va = va;
	q->ring_iova = first;
	q->ring_len = end - first;
	q->ring_access = access;
	q->ring_rid = !(q->pasid & PNIC_Q_PASID_EN);
	return 0;
}

/**
 * pnic_ring_unmap() - an access's .unmap callback: unpin the rings it pinned.
 * @pdev: the device.
 * @access: the PASID access (ignored when @rid).
 * @rid: the callback is the RID access's.
 * @iova: start of the range being unmapped.
 * @length: its length.
 *
 * Every ring pinned through that access and overlapping the range is
 * unpinned before this returns; the queue faults at its next ring access.
 *
 * Context: takes @pdev->pin_lock, never @pdev->lock.
 */
void pnic_ring_unmap(struct pnic_dev *pdev, struct iommufd_access *access,
		     bool rid, u64 iova, u64 length)
{
	u64 last = length ? iova + length - 1 : iova;
	unsigned int i;

	if (last < iova)
		last = U64_MAX;
	mutex_lock(&pdev->pin_lock);
	for (i = 0; i < 2 * pdev->nqp; i++) {
		struct pnic_queue *q = &pdev->q[i];

		if (!q->ring_va || q->ring_rid != rid ||
		    (!rid && q->ring_access != access))
			continue;
		if (q->ring_iova > last || q->ring_iova + q->ring_len - 1 < iova)
			continue;
		pnic_ring_release(pdev, q);
	}
	mutex_unlock(&pdev->pin_lock);
}

/* Queue @qn's descriptor @idx, to or from its pinned ring. */
static int pnic_desc_rw(struct pnic_dev *pdev, unsigned int qn, u32 idx,
			struct pnic_desc *d, bool write)
{
	struct pnic_queue *q = &pdev->q[qn];
	u64 iova = q->base + (u64)(idx & (q->size - 1)) * PNIC_DESC_SIZE;
	void *slot;
	int rc;

	rc = pnic_ring_pin(pdev, qn);
	if (rc) {
		pnic_queue_fault(pdev, qn, iova, rc,
				 write ? PNIC_FAULT_INFO_WRITE : 0);
		return rc;
	}
	slot = q->ring_va + (iova - q->ring_iova);
	if (write) {
		/* len, status, rsvd in one store after the buffer DMA */
		smp_wmb();
		WRITE_ONCE(*(u64 *)(slot + 8), *(u64 *)&d->len);
	} else {
		memcpy(d, slot, sizeof(*d));
		/* descriptor before the buffer it points to */
		smp_rmb();
	}
	return 0;
}

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

static void pnic_raise(struct pnic_dev *pdev, u32 cause)
{
	pdev->irq_cause |= cause;
	if ((pdev->irq_mask & cause) && pnic_cfg_bus_master(pdev))
		pnic_irq_fire(pdev, PNIC_VEC_MISC);
}

/* Stop queue @qn on a DMA error and latch the fault. */
static void pnic_queue_fault(struct pnic_dev *pdev, unsigned int qn, u64 iova,
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
