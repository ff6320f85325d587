// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic: descriptor rings.
 *
 * A queue's ring is pinned (iommufd_access_pin_pages()) on first use and
 * accessed through a kernel mapping until the queue is reset or the access's
 * .unmap callback unpins it.
 */
#include <linux/iommufd.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "pasidnic.h"

/**
 * pnic_ring_release() - unpin queue @q's ring, if pinned.
 * @pdev: the device.
 * @q: the queue.
 *
 * Context: @pdev->pin_lock held.
 */
void pnic_ring_release(struct pnic_dev *pdev, struct pnic_queue *q)
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

/**
 * pnic_desc_rw() - queue @qn's descriptor @idx, to or from its pinned ring.
 * @pdev: the device.
 * @qn: the queue.
 * @idx: free-running descriptor index.
 * @d: the descriptor (read into, or its len/status written back).
 * @write: direction.
 *
 * Context: @pdev->lock and @pdev->pin_lock held.
 * Return: 0, or -errno when the ring cannot be pinned (the queue faults).
 */
int pnic_desc_rw(struct pnic_dev *pdev, unsigned int qn, u32 idx,
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
