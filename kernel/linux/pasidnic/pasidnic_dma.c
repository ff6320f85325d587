// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic: DMA to and from an address space (struct pnic_dma), with a
 * cache of pinned buffer pages.
 *
 * The first DMA to a page pins it through the implementation (->pin); later
 * DMA to it is a memcpy through its kernel mapping, under the cache's
 * spinlock (no lookup in the IOAS, no pin, no fault).
 *
 * Bound and eviction: at most PNIC_DMA_CACHE_PAGES pages per address
 * space, direct-mapped by IOVA page number (modulo the cache size). A page
 * whose slot holds another page is copied with ->rw: the hot path never
 * unpins (a pin and an unpin per frame cost more than ->rw). Cached pages
 * are dropped by an unmap of their range, which includes the detach or
 * replace of the address space.
 *
 * Pins count against the IOAS owner's RLIMIT_MEMLOCK as every iommufd pin
 * does; when a pin fails (memlock, a read-only or missing mapping, an unmap
 * in progress) that DMA falls back to ->rw, which gives the same result and
 * errno as before the cache existed, and after -ENOMEM no pin is tried until
 * the next unmap of the address space.
 *
 * Unmap: pnic_dma_unmap() (from the access's .unmap callback) waits for a
 * pin of a page in the range that is in progress (it cannot be blocked in a
 * fault of the range: iommufd marked the range and dropped its locks before
 * calling back), then unpins every cached page in the range before it
 * returns. It never takes a lock that is held across a fault.
 */
#include <linux/export.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "pasidnic_dma.h"

#define PNIC_DMA_CACHE_BITS	10
/* Pages pinned per address space at most (4 MiB with 4 KiB pages). */
#define PNIC_DMA_CACHE_PAGES	BIT(PNIC_DMA_CACHE_BITS)
#define PNIC_DMA_NO_PAGE	U64_MAX

/**
 * struct pnic_dma_slot - one cached page.
 * @iova: its IOVA (page aligned), PNIC_DMA_NO_PAGE when empty.
 * @page: the pinned page.
 * @write: pinned writable.
 */
struct pnic_dma_slot {
	u64 iova;
	struct page *page;
	bool write;
};

/**
 * struct pnic_dma - one address space as the engine sees it.
 * @ops: its implementation.
 * @ctx: the implementation's handle.
 * @pin_mutex: one pin at a time; never taken by an unmap.
 * @lock: @slots, @busy, @no_pin.
 * @busy: the page being pinned outside @lock (PNIC_DMA_NO_PAGE: none); an
 *	unmap of a range holding it waits for @wq.
 * @wq: woken when @busy changes.
 * @no_pin: a pin failed with -ENOMEM (memlock): copy with ->rw until the
 *	next unmap.
 * @slots: the cache.
 */
struct pnic_dma {
	const struct pnic_dma_ops *ops;
	void *ctx;
	struct mutex pin_mutex;	/* pins */
	spinlock_t lock;	/* @slots, @busy, @no_pin */
	u64 busy;
	wait_queue_head_t wq;
	bool no_pin;
	struct pnic_dma_slot slots[PNIC_DMA_CACHE_PAGES];
};

static struct pnic_dma_slot *pnic_dma_slot(struct pnic_dma *dma, u64 iova)
{
	/* contiguous buffers up to the cache size never collide */
	return &dma->slots[(iova >> PAGE_SHIFT) & (PNIC_DMA_CACHE_PAGES - 1)];
}

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
	struct pnic_dma *dma = kvzalloc(sizeof(*dma), GFP_KERNEL_ACCOUNT);
	unsigned int i;

	if (!dma)
		return NULL;
	dma->ops = ops;
	dma->ctx = ctx;
	mutex_init(&dma->pin_mutex);
	spin_lock_init(&dma->lock);
	init_waitqueue_head(&dma->wq);
	dma->busy = PNIC_DMA_NO_PAGE;
	for (i = 0; i < PNIC_DMA_CACHE_PAGES; i++)
		dma->slots[i].iova = PNIC_DMA_NO_PAGE;
	return dma;
}
EXPORT_SYMBOL_NS_GPL(pnic_dma_create, "PASIDNIC");

/**
 * pnic_dma_destroy() - free an address space object.
 * @dma: the object (NULL: nothing).
 *
 * Context: no DMA through @dma in flight or later; every page was unpinned
 * by pnic_dma_unmap() of the whole range (iommufd's detach does it), else
 * this warns and leaks the pins rather than unpin through a gone handle.
 */
void pnic_dma_destroy(struct pnic_dma *dma)
{
	unsigned int i;

	if (!dma)
		return;
	for (i = 0; i < PNIC_DMA_CACHE_PAGES; i++)
		WARN_ON_ONCE(dma->slots[i].iova != PNIC_DMA_NO_PAGE);
	mutex_destroy(&dma->pin_mutex);
	kvfree(dma);
}
EXPORT_SYMBOL_NS_GPL(pnic_dma_destroy, "PASIDNIC");

static bool pnic_dma_busy_in(struct pnic_dma *dma, u64 first, u64 last)
{
	bool busy;

	spin_lock(&dma->lock);
	busy = dma->busy != PNIC_DMA_NO_PAGE && dma->busy >= first &&
	       dma->busy <= last;
	spin_unlock(&dma->lock);
	return busy;
}

/**
 * pnic_dma_unmap() - a range of the address space is being unmapped.
 * @dma: the object.
 * @iova: start of the range.
 * @length: its length (0 and ranges past 2^64 reach the end).
 *
 * Call from the implementation's unmap notification (an iommufd access's
 * .unmap): every page this object has pinned in the range is unpinned
 * before it returns.
 */
void pnic_dma_unmap(struct pnic_dma *dma, u64 iova, u64 length)
{
	u64 first = iova & PAGE_MASK;
	u64 last = length ? iova + length - 1 : U64_MAX;
	unsigned int i;

	if (last < iova)
		last = U64_MAX;
	wait_event(dma->wq, !pnic_dma_busy_in(dma, first, last));
	for (i = 0; i < PNIC_DMA_CACHE_PAGES; i++) {
		struct pnic_dma_slot *s = &dma->slots[i];
		u64 victim = PNIC_DMA_NO_PAGE;

		spin_lock(&dma->lock);
		if (s->iova != PNIC_DMA_NO_PAGE && s->iova >= first &&
		    s->iova <= last) {
			victim = s->iova;
			s->iova = PNIC_DMA_NO_PAGE;
			s->page = NULL;
		}
		spin_unlock(&dma->lock);
		if (victim != PNIC_DMA_NO_PAGE)
			dma->ops->unpin(dma->ctx, victim);
	}
	spin_lock(&dma->lock);
	dma->no_pin = false;
	spin_unlock(&dma->lock);
}
EXPORT_SYMBOL_NS_GPL(pnic_dma_unmap, "PASIDNIC");

/*
 * Copy one chunk within page @pg of a cached page. Return: true on a hit.
 */
static bool pnic_dma_hit(struct pnic_dma *dma, u64 pg, unsigned int off,
			 void *buf, size_t n, bool write)
{
	struct pnic_dma_slot *s = pnic_dma_slot(dma, pg);
	bool hit;
	void *va;

	spin_lock(&dma->lock);
	hit = s->iova == pg && (s->write || !write);
	if (hit) {
		va = kmap_local_page(s->page);
		if (write)
			memcpy(va + off, buf, n);
		else
			memcpy(buf, va + off, n);
		kunmap_local(va);
	}
	spin_unlock(&dma->lock);
	return hit;
}

/*
 * Pin page @pg into its slot if the slot is free. Writable when the mapping
 * allows, so that TX and RX of one buffer share the pin.
 * Return: 0, -EBUSY when the slot holds another page, or the pin's -errno
 * (the caller falls back to ->rw).
 */
static int pnic_dma_fill(struct pnic_dma *dma, u64 pg)
{
	struct pnic_dma_slot *s = pnic_dma_slot(dma, pg);
	struct page *page;
	bool write = true;
	int rc;

	mutex_lock(&dma->pin_mutex);
	spin_lock(&dma->lock);
	if (dma->no_pin)
		rc = -ENOMEM;
	else if (s->iova != PNIC_DMA_NO_PAGE)
		rc = -EBUSY;
	else
		rc = 0;
	if (!rc)
		dma->busy = pg;
	spin_unlock(&dma->lock);
	if (rc)
		goto out;

	rc = dma->ops->pin(dma->ctx, pg, true, &page);
	if (rc == -EPERM) {
		write = false;
		rc = dma->ops->pin(dma->ctx, pg, false, &page);
	}
	spin_lock(&dma->lock);
	if (!rc) {
		s->iova = pg;
		s->page = page;
		s->write = write;
	} else if (rc == -ENOMEM) {
		dma->no_pin = true;
	}
	dma->busy = PNIC_DMA_NO_PAGE;
	spin_unlock(&dma->lock);
	wake_up_all(&dma->wq);
out:
	mutex_unlock(&dma->pin_mutex);
	return rc;
}

/**
 * pnic_dma_rw() - copy a buffer to or from the address space.
 * @dma: the object.
 * @iova: start of the buffer.
 * @buf: kernel memory.
 * @len: bytes, not 0.
 * @write: copy to @iova.
 *
 * Each page goes through the pin cache; a page that cannot be pinned is
 * copied with the implementation's ->rw.
 *
 * Return: 0, -EOVERFLOW for a range wrapping past 2^64, or ->rw's -errno
 * (the range is not mapped; or the thread got a signal while a fault
 * blocked).
 */
int pnic_dma_rw(struct pnic_dma *dma, u64 iova, void *buf, size_t len,
		bool write)
{
	u64 last;
	int rc;

	if (!len || check_add_overflow(iova, (u64)len - 1, &last))
		return -EOVERFLOW;
	while (len) {
		u64 pg = iova & PAGE_MASK;
		unsigned int off = iova - pg;
		size_t n = min_t(size_t, len, PAGE_SIZE - off);

		if (!pnic_dma_hit(dma, pg, off, buf, n, write) &&
		    (pnic_dma_fill(dma, pg) ||
		     !pnic_dma_hit(dma, pg, off, buf, n, write))) {
			rc = dma->ops->rw(dma->ctx, iova, buf, n, write);
			if (rc)
				return rc;
		}
		iova += n;
		buf += n;
		len -= n;
	}
	return 0;
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
 * mapped prefix of a partly mapped range). Pages are pinned into the cache
 * on the way; a page that cannot be pinned is probed with a 1-byte ->rw.
 *
 * Return: 0, -EOVERFLOW for a range wrapping past 2^64, or the first
 * failing page's -errno.
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
		u64 pg = pos & PAGE_MASK;
		struct pnic_dma_slot *s = pnic_dma_slot(dma, pg);
		bool hit;

		spin_lock(&dma->lock);
		hit = s->iova == pg && s->write;
		spin_unlock(&dma->lock);
		if (!hit && pnic_dma_fill(dma, pg)) {
			rc = dma->ops->rw(dma->ctx, pos, &byte, 1, false);
			if (rc) {
				*bad = pos;
				return rc;
			}
		}
		if ((pos | ~PAGE_MASK) >= last)
			return 0;
		pos = (pos | ~PAGE_MASK) + 1;
	}
}
EXPORT_SYMBOL_NS_GPL(pnic_dma_probe, "PASIDNIC");
