// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic: descriptor rings.
 *
 * A queue's ring is pinned (iommufd_access_pin_pages()) through the access of
 * the queue's address space on first use and accessed through a kernel
 * mapping until the queue is reset or disabled, or the access's .unmap
 * callback unpins it.
 *
 * Locking: q->ring_lock is held while the ring is pinned, read, written back
 * or unpinned, never across a buffer copy. Pinning can fault, but only in the
 * IOAS of the queue's own access. q->ring_owner (under q->ring_spin) names
 * the access that pinned or is pinning the ring, so an .unmap callback takes
 * ring_lock only for the rings of its own access and never waits for a queue
 * of another address space.
 */
#include <linux/iommufd.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "pasidnic.h"

static void pnic_ring_set_owner(struct pnic_queue *q,
				struct iommufd_access *access)
{
	spin_lock(&q->ring_spin);
	q->ring_owner = access;
	spin_unlock(&q->ring_spin);
}

/**
 * pnic_ring_release() - unpin queue @q's ring, if pinned.
 * @q: the queue.
 *
 * Context: @q->ring_lock held.
 */
void pnic_ring_release(struct pnic_queue *q)
{
	lockdep_assert_held(&q->ring_lock);
	if (q->ring_va) {
		vunmap(q->ring_va);
		iommufd_access_unpin_pages(q->ring_owner, q->ring_iova,
					   q->ring_len);
		kfree(q->ring_pages);
		q->ring_pages = NULL;
		q->ring_va = NULL;
	}
	pnic_ring_set_owner(q, NULL);
}

/* Pin queue @q's ring through @access if it is not. */
static int pnic_ring_pin(struct pnic_queue *q, struct iommufd_access *access)
{
	struct page **pages;
	u64 first, end;
	unsigned int n;
	void *va;
	int rc;

	lockdep_assert_held(&q->ring_lock);
	if (q->ring_va && q->ring_owner == access)
		return 0;
	pnic_ring_release(q);
	if (check_add_overflow(q->base, (u64)q->size * PNIC_DESC_SIZE, &end) ||
	    end > U64_MAX - PAGE_SIZE)
		return -EOVERFLOW;
	first = q->base & PAGE_MASK;
	end = PAGE_ALIGN(end);
	n = (end - first) >> PAGE_SHIFT;
	pages = kcalloc(n, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return -ENOMEM;
	/* Before the pin: an .unmap of this access now waits for it. */
	pnic_ring_set_owner(q, access);
	rc = iommufd_access_pin_pages(access, first, end - first, pages,
				      IOMMUFD_ACCESS_RW_WRITE);
	if (rc)
		goto err_free;
	va = vmap(pages, n, VM_MAP, PAGE_KERNEL);
	if (!va) {
		iommufd_access_unpin_pages(access, first, end - first);
		rc = -ENOMEM;
		goto err_free;
	}
	q->ring_pages = pages;
	q->ring_npages = n;
	q->ring_va = va;
	q->ring_iova = first;
	q->ring_len = end - first;
	return 0;

err_free:
	pnic_ring_set_owner(q, NULL);
	kfree(pages);
	return rc;
}

/**
 * pnic_ring_unmap() - an access's .unmap callback: unpin the rings it pinned.
 * @pdev: the device.
 * @access: the access whose IOAS range is being unmapped.
 * @iova: start of the range.
 * @length: its length.
 *
 * Every ring pinned through @access and overlapping the range is unpinned
 * before this returns; the queue faults at its next ring access when the
 * range stays unmapped.
 *
 * Context: takes only the ring locks of @access's rings; never a queue
 * pair's lock or @pdev->lock.
 */
void pnic_ring_unmap(struct pnic_dev *pdev, struct iommufd_access *access,
		     u64 iova, u64 length)
{
	u64 last = length ? iova + length - 1 : iova;
	unsigned int i;

	if (last < iova)
		last = U64_MAX;
	for (i = 0; i < 2 * pdev->nqp; i++) {
		struct pnic_queue *q = &pdev->q[i];
		bool mine;

		spin_lock(&q->ring_spin);
		mine = access && q->ring_owner == access;
		spin_unlock(&q->ring_spin);
		if (!mine)
			continue;
		mutex_lock(&q->ring_lock);
		if (q->ring_va && q->ring_owner == access &&
		    q->ring_iova <= last && q->ring_iova + q->ring_len - 1 >= iova)
			pnic_ring_release(q);
		mutex_unlock(&q->ring_lock);
	}
}

static void *pnic_desc_slot(struct pnic_queue *q, u32 idx)
{
	u64 iova = q->base + (u64)(idx & (q->size - 1)) * PNIC_DESC_SIZE;

	return q->ring_va + (iova - q->ring_iova);
}

/**
 * pnic_desc_read() - read @n descriptors of queue @q from index @idx.
 * @q: the queue.
 * @as: the queue's address space (a reference held).
 * @idx: free-running index of the first.
 * @d: where to copy them.
 * @n: how many, at most the ring size.
 * @fault_iova: set to the IOVA of descriptor @idx on failure.
 *
 * The descriptors are copied once: the driver cannot change them under the
 * engine. A read barrier orders them before the buffers they point to.
 *
 * Context: the queue pair's lock held.
 * Return: 0, or -errno when the ring cannot be pinned.
 */
int pnic_desc_read(struct pnic_queue *q, struct pnic_as *as, u32 idx,
		   struct pnic_desc *d, unsigned int n, u64 *fault_iova)
{
	unsigned int i;
	int rc;

	mutex_lock(&q->ring_lock);
	rc = pnic_ring_pin(q, as->access);
	if (!rc) {
		for (i = 0; i < n; i++)
			memcpy(&d[i], pnic_desc_slot(q, idx + i), sizeof(*d));
		/* descriptors before the buffers they point to */
		smp_rmb();
	}
	mutex_unlock(&q->ring_lock);
	if (rc)
		*fault_iova = q->base + (u64)(idx & (q->size - 1)) * PNIC_DESC_SIZE;
	return rc;
}

/**
 * pnic_desc_write_back() - write back length and status of @n descriptors.
 * @q: the queue.
 * @as: the queue's address space (a reference held).
 * @idx: free-running index of the first.
 * @d: the descriptors, len and status set.
 * @n: how many.
 * @fault_iova: set to the IOVA of descriptor @idx on failure.
 *
 * Each descriptor's len, status and rsvd go in one 8-byte store, after a
 * full barrier: the buffer accesses of the frames (loads for TX, stores for
 * RX) complete before the driver can see DD. The queue's head then moves
 * past them; a register read of HEAD sees both or neither.
 *
 * Context: the queue pair's lock held.
 * Return: 0, or -errno when the ring cannot be pinned.
 */
int pnic_desc_write_back(struct pnic_queue *q, struct pnic_as *as, u32 idx,
			 const struct pnic_desc *d, unsigned int n,
			 u64 *fault_iova)
{
	unsigned int i;
	int rc;

	mutex_lock(&q->ring_lock);
	rc = pnic_ring_pin(q, as->access);
	if (!rc) {
		write_seqcount_begin(&q->head_seq);
		/* buffer loads and stores before DD (load->store too) */
		smp_mb();
		for (i = 0; i < n; i++)
			WRITE_ONCE(*(u64 *)(pnic_desc_slot(q, idx + i) + 8),
				   *(const u64 *)&d[i].len);
		WRITE_ONCE(q->head, idx + n);
		write_seqcount_end(&q->head_seq);
	}
	mutex_unlock(&q->ring_lock);
	if (rc)
		*fault_iova = q->base + (u64)(idx & (q->size - 1)) * PNIC_DESC_SIZE;
	return rc;
}
