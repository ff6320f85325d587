// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic: iommufd binding and the PASID table.
 *
 * The RID uses the access the vfio emulated helpers create at bind time.
 * Every attached PASID gets its own iommufd_access, attached to the IOAS
 * userspace named in VFIO_DEVICE_ATTACH_IOMMUFD_PT, so DMA tagged with that
 * PASID can only reach that IOAS.
 *
 * Locking: the vfio core calls every op here with dev_set->lock held. The
 * ops take pdev->lock, the lock the DMA engine holds around each DMA, so a
 * detach waits for DMA in flight and later DMA finds no access and faults.
 * Rings are pinned (iommufd_access_pin_pages()) under pdev->pin_lock, which
 * nests inside pdev->lock. The .unmap callbacks run from IOMMU_IOAS_UNMAP
 * with no lock held, or synchronously inside iommufd_access_detach(),
 * replace() and destroy(), which are called here under pdev->lock: so they
 * take pdev->pin_lock only, never pdev->lock, and unpin every pinned ring of
 * their access that overlaps the range before returning.
 */
#include <linux/iommufd.h>
#include <linux/slab.h>

#include "pasidnic.h"

static void pnic_pasid_unmap(void *data, unsigned long iova,
			     unsigned long length)
{
	struct pnic_pasid *p = data;

	pnic_ring_unmap(p->pdev, p->access, false, iova, length);
}

static const struct iommufd_access_ops pnic_pasid_access_ops = {
	.needs_pin_pages = 1,
	.unmap = pnic_pasid_unmap,
};

/**
 * pnic_dma_unmap() - vfio .dma_unmap: the RID access's unmap callback.
 * @vdev: the vfio device.
 * @iova: start of the unmapped range.
 * @length: its length.
 *
 * Unpins the rings pinned through the RID's access in the range.
 *
 * Context: must not take pdev->lock (see above).
 */
void pnic_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length)
{
	pnic_ring_unmap(vdev_to_pnic(vdev), NULL, true, iova, length);
}

static bool pnic_pasid_valid(u32 pasid)
{
	return pnic_pasid_width && pasid != 0 &&
	       pasid < (1U << pnic_pasid_width);
}

static void pnic_pasid_free(struct pnic_pasid *p)
{
	iommufd_access_detach(p->access);
	iommufd_access_destroy(p->access);
	kfree(p);
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

	mutex_lock(&pdev->lock);
	rc = vfio_iommufd_emulated_bind(vdev, ictx, out_device_id);
	if (!rc) {
		iommufd_ctx_get(ictx);
		pdev->ictx = ictx;
	}
	mutex_unlock(&pdev->lock);
	return rc;
}

/**
 * pnic_unbind_iommufd() - vfio .unbind_iommufd: drop every PASID and the RID.
 * @vdev: the vfio device.
 *
 * Context: dev_set->lock held.
 */
void pnic_unbind_iommufd(struct vfio_device *vdev)
{
	struct pnic_dev *pdev = vdev_to_pnic(vdev);
	struct pnic_pasid *p;
	unsigned long index;

	mutex_lock(&pdev->lock);
	xa_for_each(&pdev->pasids, index, p) {
		xa_erase(&pdev->pasids, index);
		pnic_pasid_free(p);
	}
	vfio_iommufd_emulated_unbind(vdev);
	if (pdev->ictx) {
		iommufd_ctx_put(pdev->ictx);
		pdev->ictx = NULL;
	}
	mutex_unlock(&pdev->lock);
}

/**
 * pnic_attach_ioas() - vfio .attach_ioas: attach (or replace) the RID.
 * @vdev: the vfio device.
 * @pt_id: an IOAS id.
 *
 * Context: dev_set->lock held.
 * Return: 0 or -errno.
 */
int pnic_attach_ioas(struct vfio_device *vdev, u32 *pt_id)
{
	struct pnic_dev *pdev = vdev_to_pnic(vdev);
	int rc;

	mutex_lock(&pdev->lock);
	rc = vfio_iommufd_emulated_attach_ioas(vdev, pt_id);
	mutex_unlock(&pdev->lock);
	return rc;
}

/**
 * pnic_detach_ioas() - vfio .detach_ioas: detach the RID.
 * @vdev: the vfio device.
 *
 * Context: dev_set->lock held.
 */
void pnic_detach_ioas(struct vfio_device *vdev)
{
	struct pnic_dev *pdev = vdev_to_pnic(vdev);

	mutex_lock(&pdev->lock);
	vfio_iommufd_emulated_detach_ioas(vdev);
	mutex_unlock(&pdev->lock);
}

/**
 * pnic_pasid_attach_ioas() - vfio .pasid_attach_ioas.
 * @vdev: the vfio device.
 * @pasid: 1 .. 2^width - 1.
 * @pt_id: an IOAS id (HWPT ids are not accepted by iommufd accesses).
 *
 * A second attach of the same PASID replaces its IOAS.
 *
 * Context: dev_set->lock held.
 * Return: 0, -EINVAL for a PASID outside the advertised width or an unbound
 * device, or the iommufd error (-ENOENT for an unknown IOAS).
 */
int pnic_pasid_attach_ioas(struct vfio_device *vdev, u32 pasid, u32 *pt_id)
{
	struct pnic_dev *pdev = vdev_to_pnic(vdev);
	struct iommufd_access *access;
	struct pnic_pasid *p;
	u32 access_id;
	int rc;

	if (!pnic_pasid_valid(pasid))
		return -EINVAL;

	mutex_lock(&pdev->lock);
	if (!pdev->ictx) {
		rc = -EINVAL;
		goto out;
	}
	p = xa_load(&pdev->pasids, pasid);
	if (p) {
		rc = iommufd_access_replace(p->access, *pt_id);
		if (!rc)
			p->ioas_id = *pt_id;
		goto out;
	}

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p) {
		rc = -ENOMEM;
		goto out;
	}
	p->pdev = pdev;
	p->pasid = pasid;
	access = iommufd_access_create(pdev->ictx, &pnic_pasid_access_ops, p,
				       &access_id);
	if (IS_ERR(access)) {
		rc = PTR_ERR(access);
		kfree(p);
		goto out;
	}
	p->access = access;
	rc = iommufd_access_attach(access, *pt_id);
	if (rc) {
		iommufd_access_destroy(access);
		kfree(p);
		goto out;
	}
	p->ioas_id = *pt_id;
	rc = xa_err(xa_store(&pdev->pasids, pasid, p, GFP_KERNEL));
	if (rc)
		pnic_pasid_free(p);
out:
	mutex_unlock(&pdev->lock);
	return rc;
}

/**
 * pnic_pasid_detach_ioas() - vfio .pasid_detach_ioas.
 * @vdev: the vfio device.
 * @pasid: the PASID; detaching one that is not attached does nothing.
 *
 * Returns with no DMA of @pasid in flight; later DMA of queues tagged with
 * @pasid faults.
 *
 * Context: dev_set->lock held.
 */
void pnic_pasid_detach_ioas(struct vfio_device *vdev, u32 pasid)
{
	struct pnic_dev *pdev = vdev_to_pnic(vdev);
	struct pnic_pasid *p;

	mutex_lock(&pdev->lock);
	p = xa_erase(&pdev->pasids, pasid);
	if (p)
		pnic_pasid_free(p);
	mutex_unlock(&pdev->lock);
}

/**
 * pnic_queue_access() - the access a queue's DMA goes through.
 * @pdev: the device.
 * @q: the queue.
 *
 * Context: @pdev->lock held, and held until the access is no longer used.
 * Return: the PASID's access when the queue has PASID enabled, else the
 * RID's; NULL when that is not attached.
 */
struct iommufd_access *pnic_queue_access(struct pnic_dev *pdev,
					 struct pnic_queue *q)
{
	struct pnic_pasid *p;

	lockdep_assert_held(&pdev->lock);
	if (q->pasid & PNIC_Q_PASID_EN) {
		p = xa_load(&pdev->pasids, q->pasid & PNIC_Q_PASID_MASK);
		return p ? p->access : NULL;
	}
	if (!pdev->vdev.iommufd_attached)
		return NULL;
	return pdev->vdev.iommufd_access;
}
