// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic: DMA to and from an address space (struct pnic_dma).
 *
 * Every buffer copy goes through the implementation's rw op.
 */
#include <linux/export.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "pasidnic_dma.h"

/**
 * struct pnic_dma - one address space as the engine sees it.
 * @ops: its implementation.
 * @ctx: the implementation's handle.
 */
struct pnic_dma {
	const struct pnic_dma_ops *ops;
	void *ctx;
};

/**
 * pnic_dma_create() - an address space for the engine.
 * @ops: the implementation.
 * @ctx: its handle, passed to every op.
 *
 * Return: the new object, or NULL without memory (charged to the caller's
 * memory cgroup).
 */
struct pnic_dma *pnic_dma_create(const struct pnic_dma_ops *ops, void *ctx)
{
	struct pnic_dma *dma = kzalloc(sizeof(*dma), GFP_KERNEL_ACCOUNT);

	if (!dma)
		return NULL;
	dma->ops = ops;
	dma->ctx = ctx;
	return dma;
}
EXPORT_SYMBOL_NS_GPL(pnic_dma_create, "PASIDNIC");

/**
 * pnic_dma_destroy() - free an address space object.
 * @dma: the object (NULL: nothing).
 *
 * Context: no DMA through @dma in flight or later.
 */
void pnic_dma_destroy(struct pnic_dma *dma)
{
	kfree(dma);
}
EXPORT_SYMBOL_NS_GPL(pnic_dma_destroy, "PASIDNIC");

/**
 * pnic_dma_unmap() - a range of the address space is being unmapped.
 * @dma: the object.
 * @iova: start of the range.
 * @length: its length.
 *
 * Call from the implementation's unmap notification (an iommufd access's
 * .unmap): every pin this object holds in the range is dropped before it
 * returns.
 */
void pnic_dma_unmap(struct pnic_dma *dma, u64 iova, u64 length)
{
}
EXPORT_SYMBOL_NS_GPL(pnic_dma_unmap, "PASIDNIC");

/**
 * pnic_dma_rw() - copy a buffer to or from the address space.
 * @dma: the object.
 * @iova: start of the buffer.
 * @buf: kernel memory.
 * @len: bytes, not 0.
 * @write: copy to @iova.
 *
 * Return: 0, or the implementation's -errno (the range is not mapped; or
 * the thread got a signal while a fault blocked).
 */
int pnic_dma_rw(struct pnic_dma *dma, u64 iova, void *buf, size_t len,
		bool write)
{
	return dma->ops->rw(dma->ctx, iova, buf, len, write);
}
EXPORT_SYMBOL_NS_GPL(pnic_dma_rw, "PASIDNIC");

/**
 * pnic_dma_probe() - is every page of a range mapped (for a write)?
 * @dma: the object.
 * @iova: start of the range.
 * @len: bytes, not 0.
 * @bad: set to the IOVA that failed.
 *
 * Lets a frame be written whole or not at all (an rw op may write the
 * mapped prefix of a partly mapped range). A range that wraps past 2^64 is
 * refused.
 *
 * Return: 0, -EOVERFLOW for a wrapping range, or the first failing page's
 * -errno.
 */
int pnic_dma_probe(struct pnic_dma *dma, u64 iova, size_t len, u64 *bad)
{
	u64 pos = iova, last;
	u8 byte;
	int rc;

	*bad = iova;
	if (!len || check_add_overflow(iova, (u64)len - 1, &last))
		return -EOVERFLOW;
	for (;;) {
		rc = dma->ops->rw(dma->ctx, pos, &byte, 1, false);
		if (rc) {
			*bad = pos;
			return rc;
		}
		if ((pos | ~PAGE_MASK) >= last)
			return 0;
		pos = (pos | ~PAGE_MASK) + 1;
		cond_resched();
	}
}
EXPORT_SYMBOL_NS_GPL(pnic_dma_probe, "PASIDNIC");
