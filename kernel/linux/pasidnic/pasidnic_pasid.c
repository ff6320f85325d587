// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic: iommufd binding, the RID and the PASID table.
 *
 * The RID uses the access the vfio emulated helpers create at bind time.
 * Every attached PASID gets its own iommufd_access, attached to the IOAS
 * userspace named in VFIO_DEVICE_ATTACH_IOMMUFD_PT, so DMA tagged with that
 * PASID can only reach that IOAS. Each is a struct pnic_as.
 *
 * Locking: the vfio core calls every op here with dev_set->lock held. An
 * engine takes a reference on an address space (pnic_as_get()) under
 * pdev->as_lock for the length of a pass. Attach (replace) and detach of one
 * address space mark it CHANGING or GONE, so no new DMA starts on it,
 * interrupt the DMA in flight on it (SIGKILL to the engines holding it: a
 * fault in that IOAS may never end otherwise) and wait until its references
 * are gone: they wait for that address space's DMA only, never for another
 * PASID's. An engine that meets a change sleeps until it ends, and the next
 * change of that address space first lets it have a pass (fairness: a loop
 * of replaces cannot starve it). The .unmap callbacks run from
 * IOMMU_IOAS_UNMAP with no lock held, or synchronously inside
 * iommufd_access_detach(), replace() and destroy(); they take only ring
 * locks and the pin cache of their own access and unpin everything of that
 * access in the range before returning.
 */
#include <linux/iommufd.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#include "pasidnic.h"

static void pnic_pasid_unmap(void *data, unsigned long iova,
			     unsigned long length)
{
	struct pnic_as *as = data;

	pnic_ring_unmap(as->pdev, as->access, iova, length);
	pnic_dma_unmap(as->dma, iova, length);
}

static const struct iommufd_access_ops pnic_pasid_access_ops = {
	.needs_pin_pages = 1,
	.unmap = pnic_pasid_unmap,
};

/**
 * pnic_rid_dma_unmap() - vfio .dma_unmap: the RID access's unmap callback.
 * @vdev: the vfio device.
 * @iova: start of the unmapped range.
 * @length: its length.
 *
 * Unpins the rings and buffer pages pinned through the RID's access in the
 * range.
 *
 * Context: see above; never takes pdev->lock or a queue pair's lock.
 */
void pnic_rid_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length)
{
	struct pnic_dev *pdev = vdev_to_pnic(vdev);

	pnic_ring_unmap(pdev, vdev->iommufd_access, iova, length);
	if (pdev->rid.dma)
		pnic_dma_unmap(pdev->rid.dma, iova, length);
}

/**
 * pnic_as_get() - take a reference on a queue's address space for DMA.
 * @qpx: the queue pair whose engine asks.
 * @dir: PNIC_DIR_RX or PNIC_DIR_TX: the queue.
 * @qpasid: the queue's PASID register.
 *
 * An address space being replaced is not taken: the engine is counted as
 * its waiter (@qpx->waits), ends the pass and sleeps in
 * pnic_as_wait_change() until the change ends; the next change of that
 * address space waits until the engine has had a pass.
 *
 * Context: the queue pair's engine, its lock held.
 * Return: the address space, ERR_PTR(-ENXIO) when none is attached (the
 * DMA faults) or ERR_PTR(-EAGAIN) while it is being replaced (retry after
 * pnic_as_wait_change()).
 */
struct pnic_as *pnic_as_get(struct pnic_qp *qpx, unsigned int dir, u32 qpasid)
{
	struct pnic_dev *pdev = qpx->pdev;
	struct pnic_as *as;

	spin_lock(&pdev->as_lock);
	if (qpasid & PNIC_Q_PASID_EN)
		as = xa_load(&pdev->pasids, qpasid & PNIC_Q_PASID_MASK);
	else
		as = &pdev->rid;
	if (!as || as->state == PNIC_AS_GONE) {
		as = ERR_PTR(-ENXIO);
	} else if (as->state == PNIC_AS_CHANGING) {
		if (!qpx->waits) {
			qpx->waits = as;
			WRITE_ONCE(as->waiters, as->waiters + 1);
		}
		as = ERR_PTR(-EAGAIN);
	} else {
		atomic_inc(&as->users);
		qpx->cur[dir] = as;
	}
	spin_unlock(&pdev->as_lock);
	return as;
}

/* Stop waiting for @as. Context: as_lock held. */
static void pnic_as_unwait(struct pnic_as *as)
{
	lockdep_assert_held(&as->pdev->as_lock);
	WRITE_ONCE(as->waiters, as->waiters - 1);
	if (!as->waiters) {
		/* the store before wake_up_var()'s waiter check */
		smp_mb();
		wake_up_var(&as->waiters);
	}
}

/**
 * pnic_as_pass_begin() - an engine pass starts.
 * @qpx: the queue pair.
 *
 * The address space the engine waited for (its change has ended) gets this
 * pass as its turn.
 *
 * Context: the queue pair's engine.
 */
void pnic_as_pass_begin(struct pnic_qp *qpx)
{
	if (!READ_ONCE(qpx->waits))
		return;
	spin_lock(&qpx->pdev->as_lock);
	qpx->turn = qpx->waits;
	qpx->waits = NULL;
	/* a change waits for this pass: it must not block in a fault */
	if (qpx->turn->hurry)
		send_sig(SIGKILL, current, 1);
	spin_unlock(&qpx->pdev->as_lock);
}

/**
 * pnic_as_pass_end() - an engine pass ends: drop its references.
 * @qpx: the queue pair.
 *
 * Drops the references pnic_as_get() took in the pass and ends the turn
 * pnic_as_pass_begin() gave (a change waiting for it may start).
 *
 * Context: the queue pair's engine.
 */
void pnic_as_pass_end(struct pnic_qp *qpx)
{
	struct pnic_dev *pdev = qpx->pdev;
	struct pnic_as *cur[2];
	unsigned int dir;

	spin_lock(&pdev->as_lock);
	for (dir = 0; dir < 2; dir++) {
		cur[dir] = qpx->cur[dir];
		qpx->cur[dir] = NULL;
	}
	if (qpx->turn) {
		pnic_as_unwait(qpx->turn);
		qpx->turn = NULL;
	}
	spin_unlock(&pdev->as_lock);
	for (dir = 0; dir < 2; dir++) {
		if (cur[dir] && atomic_dec_and_test(&cur[dir]->users))
			wake_up_var(&cur[dir]->users);
	}
}

static bool pnic_as_changing(struct pnic_qp *qpx)
{
	bool changing;

	spin_lock(&qpx->pdev->as_lock);
	changing = qpx->waits && qpx->waits->state == PNIC_AS_CHANGING;
	spin_unlock(&qpx->pdev->as_lock);
	return changing;
}

/**
 * pnic_as_wait_change() - sleep until the change the engine met ends.
 * @qpx: the queue pair.
 *
 * The end of a change wakes the engine (pnic_as_set_state()): no polling.
 *
 * Context: the queue pair's engine, between passes (no lock held).
 * Return: true when it waited for a change (the caller runs a pass), false
 * when the last pass met none.
 */
bool pnic_as_wait_change(struct pnic_qp *qpx)
{
	if (!READ_ONCE(qpx->waits))
		return false;
	wait_event_idle(qpx->pdev->as_wq, !pnic_as_changing(qpx) ||
			kthread_should_stop() || READ_ONCE(qpx->dying));
	return true;
}

/**
 * pnic_as_engine_gone() - an engine stopped: it waits for no change.
 * @qpx: the queue pair, its thread stopped.
 */
void pnic_as_engine_gone(struct pnic_qp *qpx)
{
	spin_lock(&qpx->pdev->as_lock);
	if (qpx->waits)
		pnic_as_unwait(qpx->waits);
	if (qpx->turn)
		pnic_as_unwait(qpx->turn);
	qpx->waits = NULL;
	qpx->turn = NULL;
	qpx->task = NULL;
	spin_unlock(&qpx->pdev->as_lock);
}

/* SIGKILL the engines whose pass uses @as or is its turn. */
static void pnic_as_interrupt(struct pnic_as *as)
{
	struct pnic_dev *pdev = as->pdev;
	unsigned int i;

	lockdep_assert_held(&pdev->as_lock);
	for (i = 0; i < pdev->nqp; i++) {
		struct pnic_qp *qpx = &pdev->qps[i];

		if (qpx->task && (qpx->cur[0] == as || qpx->cur[1] == as ||
				  qpx->turn == as))
			send_sig(SIGKILL, qpx->task, 1);
	}
}

/*
 * Stop DMA on @as: no new DMA starts (@state), the DMA in flight is
 * interrupted, and this returns when no engine holds @as.
 *
 * First every engine that met the previous change of @as gets its pass
 * (@as->waiters): without that, back-to-back replaces could keep an engine
 * from ever running. Such a pass blocked in another address space's fault
 * is interrupted too (@as->hurry makes a pass that starts later interrupt
 * itself), so this still waits for no other address space.
 */
static void pnic_as_quiesce(struct pnic_as *as, enum pnic_as_state state)
{
	struct pnic_dev *pdev = as->pdev;

	spin_lock(&pdev->as_lock);
	if (as->waiters) {
		as->hurry = true;
		pnic_as_interrupt(as);
	}
	spin_unlock(&pdev->as_lock);
	wait_var_event(&as->waiters, !READ_ONCE(as->waiters));

	spin_lock(&pdev->as_lock);
	as->hurry = false;
	as->state = state;
	pnic_as_interrupt(as);
	spin_unlock(&pdev->as_lock);
	wait_var_event(&as->users, !atomic_read(&as->users));
}

/* Set @as's state; the end of a change wakes the engines that wait for it. */
static void pnic_as_set_state(struct pnic_as *as, enum pnic_as_state state)
{
	spin_lock(&as->pdev->as_lock);
	as->state = state;
	spin_unlock(&as->pdev->as_lock);
	wake_up_all(&as->pdev->as_wq);
}

static bool pnic_pasid_valid(u32 pasid)
{
	return pnic_pasid_width && pasid != 0 &&
	       pasid < (1U << pnic_pasid_width);
}

/* Detach and free PASID @as, already out of the table and quiesced. */
static void pnic_pasid_free(struct pnic_as *as)
{
	iommufd_access_detach(as->access);
	iommufd_access_destroy(as->access);
	pnic_dma_destroy(as->dma);
	kfree(as);
}

/**
 * pnic_bind_iommufd() - vfio .bind_iommufd.
 * @vdev: the vfio device.
 * @ictx: the iommufd context.
 * @out_device_id: the RID access object id, returned to userspace.
 *
 * Context: dev_set->lock held.
 * Return: 0 or -errno.
 */
int pnic_bind_iommufd(struct vfio_device *vdev, struct iommufd_ctx *ictx,
		      u32 *out_device_id)
{
	struct pnic_dev *pdev = vdev_to_pnic(vdev);
	int rc;

	rc = vfio_iommufd_emulated_bind(vdev, ictx, out_device_id);
	if (rc)
		return rc;
	pdev->rid.dma = pnic_dma_create(&pnic_dma_iommufd_ops,
					vdev->iommufd_access);
	if (!pdev->rid.dma) {
		vfio_iommufd_emulated_unbind(vdev);
		return -ENOMEM;
	}
	pdev->rid.access = vdev->iommufd_access;
	pnic_as_set_state(&pdev->rid, PNIC_AS_GONE);
	iommufd_ctx_get(ictx);
	mutex_lock(&pdev->lock);
	pdev->ictx = ictx;
	mutex_unlock(&pdev->lock);
	return 0;
}

/**
 * pnic_unbind_iommufd() - vfio .unbind_iommufd: drop every PASID and the RID.
 * @vdev: the vfio device.
 *
 * Context: dev_set->lock held; the device is closed (no engine runs).
 */
void pnic_unbind_iommufd(struct vfio_device *vdev)
{
	struct pnic_dev *pdev = vdev_to_pnic(vdev);
	struct iommufd_ctx *ictx;
	struct pnic_as *as;
	unsigned long index;

	xa_for_each(&pdev->pasids, index, as) {
		pnic_as_quiesce(as, PNIC_AS_GONE);
		xa_erase(&pdev->pasids, index);
		pnic_pasid_free(as);
	}
	pnic_as_quiesce(&pdev->rid, PNIC_AS_GONE);
	vfio_iommufd_emulated_unbind(vdev);
	pdev->rid.access = NULL;
	pnic_dma_destroy(pdev->rid.dma);
	pdev->rid.dma = NULL;
	mutex_lock(&pdev->lock);
	ictx = pdev->ictx;
	pdev->ictx = NULL;
	mutex_unlock(&pdev->lock);
	if (ictx)
		iommufd_ctx_put(ictx);
}

/**
 * pnic_attach_ioas() - vfio .attach_ioas: attach (or replace) the RID.
 * @vdev: the vfio device.
 * @pt_id: an IOAS id.
 *
 * A replace waits for the RID's DMA in flight (interrupting it), never for
 * a PASID's.
 *
 * Context: dev_set->lock held.
 * Return: 0 or -errno.
 */
int pnic_attach_ioas(struct vfio_device *vdev, u32 *pt_id)
{
	struct pnic_dev *pdev = vdev_to_pnic(vdev);
	bool attached = vdev->iommufd_attached;
	int rc;

	if (attached)
		pnic_as_quiesce(&pdev->rid, PNIC_AS_CHANGING);
	rc = vfio_iommufd_emulated_attach_ioas(vdev, pt_id);
	if (!rc)
		pdev->rid.ioas_id = *pt_id;
	pnic_as_set_state(&pdev->rid, vdev->iommufd_attached ?
			  PNIC_AS_ACTIVE : PNIC_AS_GONE);
	return rc;
}

/**
 * pnic_detach_ioas() - vfio .detach_ioas: detach the RID.
 * @vdev: the vfio device.
 *
 * Returns with no RID DMA in flight; later RID DMA faults.
 *
 * Context: dev_set->lock held.
 */
void pnic_detach_ioas(struct vfio_device *vdev)
{
	struct pnic_dev *pdev = vdev_to_pnic(vdev);

	pnic_as_quiesce(&pdev->rid, PNIC_AS_GONE);
	vfio_iommufd_emulated_detach_ioas(vdev);
}

/**
 * pnic_pasid_attach_ioas() - vfio .pasid_attach_ioas.
 * @vdev: the vfio device.
 * @pasid: 1 .. 2^width - 1.
 * @pt_id: an IOAS id (HWPT ids are not accepted by iommufd accesses).
 *
 * A second attach of the same PASID replaces its IOAS; it waits for that
 * PASID's DMA in flight (interrupting it), never for another's. Memory is
 * charged to the caller's memory cgroup.
 *
 * Context: dev_set->lock held.
 * Return: 0, -EINVAL for a PASID outside the advertised width or an unbound
 * device, -ENOMEM, or the iommufd error (-ENOENT for an unknown IOAS).
 */
int pnic_pasid_attach_ioas(struct vfio_device *vdev, u32 pasid, u32 *pt_id)
{
	struct pnic_dev *pdev = vdev_to_pnic(vdev);
	struct iommufd_access *access;
	struct pnic_as *as;
	u32 access_id;
	int rc;

	if (!pnic_pasid_valid(pasid) || !pdev->ictx)
		return -EINVAL;

	as = xa_load(&pdev->pasids, pasid);
	if (as) {
		pnic_as_quiesce(as, PNIC_AS_CHANGING);
		rc = iommufd_access_replace(as->access, *pt_id);
		if (!rc)
			as->ioas_id = *pt_id;
		pnic_as_set_state(as, PNIC_AS_ACTIVE);
		return rc;
	}

	as = kzalloc(sizeof(*as), GFP_KERNEL_ACCOUNT);
	if (!as)
		return -ENOMEM;
	as->pdev = pdev;
	as->pasid = pasid;
	as->state = PNIC_AS_ACTIVE;
	access = iommufd_access_create(pdev->ictx, &pnic_pasid_access_ops, as,
				       &access_id);
	if (IS_ERR(access)) {
		kfree(as);
		return PTR_ERR(access);
	}
	as->access = access;
	as->dma = pnic_dma_create(&pnic_dma_iommufd_ops, access);
	if (!as->dma) {
		iommufd_access_destroy(access);
		kfree(as);
		return -ENOMEM;
	}
	rc = iommufd_access_attach(access, *pt_id);
	if (rc) {
		iommufd_access_destroy(access);
		pnic_dma_destroy(as->dma);
		kfree(as);
		return rc;
	}
	as->ioas_id = *pt_id;
	rc = xa_err(xa_store(&pdev->pasids, pasid, as, GFP_KERNEL_ACCOUNT));
	if (rc)
		pnic_pasid_free(as);
	return rc;
}

/**
 * pnic_pasid_detach_ioas() - vfio .pasid_detach_ioas.
 * @vdev: the vfio device.
 * @pasid: the PASID; detaching one that is not attached does nothing.
 *
 * Returns with no DMA of @pasid in flight (a DMA blocked in a fault is
 * interrupted); later DMA of queues tagged with @pasid faults. Waits for no
 * other PASID's DMA.
 *
 * Context: dev_set->lock held.
 */
void pnic_pasid_detach_ioas(struct vfio_device *vdev, u32 pasid)
{
	struct pnic_dev *pdev = vdev_to_pnic(vdev);
	struct pnic_as *as;

	as = xa_load(&pdev->pasids, pasid);
	if (!as)
		return;
	pnic_as_quiesce(as, PNIC_AS_GONE);
	xa_erase(&pdev->pasids, pasid);
	pnic_pasid_free(as);
}
