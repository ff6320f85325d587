// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic_pci: DMA of a function through its IOMMU domains.
 *
 * pnic_pci_dma_rw() is one DMA of a function tagged with a PASID (or the
 * RID): it translates every page through the page table of the domain that
 * PASID (or the RID) is attached to, as the IOMMU would, and copies through
 * the kernel mapping of the physical page. Nothing attached (the blocking
 * domain) gives -ENXIO, an IOVA not mapped -ENOENT, a mapping without the
 * permission -EPERM, like pasidnic's faults (doc/pasidnic.md §7). A DMA
 * touches memory only when every page of it translates.
 *
 * Lifetime: a DMA runs inside an SRCU read section. Every change of what a
 * DMA may reach — attach_dev, set_dev_pasid, unmap_pages — makes the change
 * first and then waits for the DMAs that started before it
 * (pnic_pci_dma_sync()), so when the IOMMU core or iommufd goes on to free a
 * domain or unpin its pages no DMA can still use them.
 *
 * Callers: the engine (pnic_pci_datapath.c) for every ring and buffer
 * access, and the tests' DMA port in debugfs (pnic_pci_debugfs.c).
 */
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/srcu.h>

#include "pnic_pci.h"

DEFINE_STATIC_SRCU(pnic_pci_srcu);

/**
 * pnic_pci_dma_sync() - wait for every DMA that started before the call.
 * Call after changing a domain's page table or what a function is attached
 * to. May sleep.
 */
void pnic_pci_dma_sync(void)
{
	synchronize_srcu(&pnic_pci_srcu);
}

static struct iommu_domain *pnic_pci_dma_domain(struct pnic_pci_fn *fn,
						ioasid_t pasid)
{
	if (pasid == IOMMU_NO_PASID)
		return READ_ONCE(fn->rid);
	return xa_load(&fn->pasids, pasid);
}

/* The page of @iova in @dom for a read or a @write: 0 or -errno (as below). */
static int pnic_pci_dma_page(struct iommu_domain *dom, u64 iova, bool write,
			     struct page **page)
{
	unsigned int perm;
	phys_addr_t pa = pnic_pci_domain_lookup(dom, iova, &perm);

	if (!perm)
		return -ENOENT;
	if (!(perm & (write ? IOMMU_WRITE : IOMMU_READ)))
		return -EPERM;
	if (!pfn_valid(PHYS_PFN(pa)))
		return -EFAULT;
	*page = pfn_to_page(PHYS_PFN(pa));
	return 0;
}

/**
 * pnic_pci_dma_write64() - one 8-byte DMA write of @fn, tagged with @pasid,
 *	made with a single store.
 * @fn: the function.
 * @pasid: the PASID, or IOMMU_NO_PASID for the RID.
 * @iova: where, 8-byte aligned.
 * @val: the value (stored as is: the caller converts to little endian).
 * @bad: set to @iova on error (when not NULL).
 *
 * A driver polling the location sees the old value or @val, never a mix,
 * and never the old value again: what a descriptor write-back needs (a
 * memcpy may store some bytes twice, so a driver could see a status bit,
 * reuse the descriptor and have the second store undo its update).
 *
 * Return: 0, or -ENXIO, -ENOENT, -EPERM, -EFAULT as pnic_pci_dma_rw(),
 * -EINVAL when @iova is not aligned.
 */
int pnic_pci_dma_write64(struct pnic_pci_fn *fn, ioasid_t pasid, u64 iova,
			 u64 val, u64 *bad)
{
	struct iommu_domain *dom;
	struct page *page;
	int idx, ret;
	u64 *p;

	if (iova & 7)
		return -EINVAL;
	idx = srcu_read_lock(&pnic_pci_srcu);
	dom = pnic_pci_dma_domain(fn, pasid);
	ret = dom ? pnic_pci_dma_page(dom, iova & PAGE_MASK, true, &page) : -ENXIO;
	if (!ret) {
		p = kmap_local_page(page);
		WRITE_ONCE(p[offset_in_page(iova) / sizeof(*p)], val);
		kunmap_local(p);
	} else if (bad) {
		*bad = iova;
	}
	srcu_read_unlock(&pnic_pci_srcu, idx);
	return ret;
}

/**
 * pnic_pci_dma_rw() - one DMA of @fn, tagged with @pasid.
 * @fn: the function.
 * @pasid: the PASID, or IOMMU_NO_PASID for the RID.
 * @iova: first byte.
 * @buf: kernel buffer of @len bytes.
 * @len: bytes, at most PNIC_PCI_DMA_MAX.
 * @write: true: @buf to memory; false: memory to @buf.
 *
 * Return: 0, or -ENXIO (nothing attached), -ENOENT (a page not mapped),
 * -EPERM (a page lacks the permission), -EFAULT (a mapping that is not
 * memory with a struct page), -EOVERFLOW (the range wraps), -EINVAL (@len).
 * On error no byte of memory or of @buf was written, and *@bad (when not
 * NULL) is the IOVA that failed.
 */
int pnic_pci_dma_rw(struct pnic_pci_fn *fn, ioasid_t pasid, u64 iova,
		    void *buf, size_t len, bool write, u64 *bad)
{
	struct page *pages[PNIC_PCI_DMA_MAX / PAGE_SIZE + 1];
	unsigned int npages = 0, i;
	struct iommu_domain *dom;
	size_t done = 0;
	u64 pg;
	int idx, ret = 0;

	if (!len || len > PNIC_PCI_DMA_MAX)
		return -EINVAL;
	if (iova + len - 1 < iova) {
		if (bad)
			*bad = iova;
		return -EOVERFLOW;
	}
	idx = srcu_read_lock(&pnic_pci_srcu);
	dom = pnic_pci_dma_domain(fn, pasid);
	if (!dom) {
		ret = -ENXIO;
		if (bad)
			*bad = iova;
		goto out;
	}
	for (pg = iova & PAGE_MASK; pg <= iova + len - 1; pg += PAGE_SIZE) {
		ret = pnic_pci_dma_page(dom, pg, write, &pages[npages]);
		if (ret) {
			if (bad)
				*bad = max(pg, iova);
			goto out;
		}
		npages++;
		if (pg + PAGE_SIZE < pg)
			break;
	}
	for (i = 0; i < npages; i++) {
		size_t off = i ? 0 : offset_in_page(iova);
		size_t n = min_t(size_t, PAGE_SIZE - off, len - done);

		if (write)
			memcpy_to_page(pages[i], off, buf + done, n);
		else
			memcpy_from_page(buf + done, pages[i], off, n);
		done += n;
	}
out:
	srcu_read_unlock(&pnic_pci_srcu, idx);
	return ret;
}
