/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pasidnic: DMA translation, the interface between the engine and an
 * address-space implementation.
 *
 * The engine reaches guest/user memory only through struct pnic_dma (one
 * per address space): pnic_dma_rw() copies a buffer, pnic_dma_probe()
 * checks that a range is mapped. An implementation provides struct
 * pnic_dma_ops; pasidnic_dma_iommufd.c is the one for iommufd accesses.
 *
 * The generic part (pasidnic_dma.c) is exported in the symbol namespace
 * "PASIDNIC" so that another module (a second implementation, e.g. one
 * walking an IOMMU domain's page table) can build on it with
 * MODULE_IMPORT_NS("PASIDNIC") and this header.
 */
#ifndef PASIDNIC_DMA_H
#define PASIDNIC_DMA_H

#include <linux/types.h>

struct page;

/**
 * struct pnic_dma_ops - how to reach one kind of address space.
 * @rw: copy @len bytes between @buf and @iova (@write: to @iova). Return 0
 *	or -errno (the range is not mapped, or an interrupting signal).
 * @pin: pin the page at page-aligned @iova (@write: writable) and return it
 *	in *@page. Return 0 or -errno. May sleep and fault.
 * @unpin: undo one @pin of @iova. Must not wait for a fault.
 */
struct pnic_dma_ops {
	int (*rw)(void *ctx, u64 iova, void *buf, size_t len, bool write);
	int (*pin)(void *ctx, u64 iova, bool write, struct page **page);
	void (*unpin)(void *ctx, u64 iova);
};

struct pnic_dma;

struct pnic_dma *pnic_dma_create(const struct pnic_dma_ops *ops, void *ctx);
void pnic_dma_destroy(struct pnic_dma *dma);
void pnic_dma_unmap(struct pnic_dma *dma, u64 iova, u64 length);
int pnic_dma_rw(struct pnic_dma *dma, u64 iova, void *buf, size_t len,
		bool write);
int pnic_dma_probe(struct pnic_dma *dma, u64 iova, size_t len, u64 *bad);

/* pasidnic_dma_iommufd.c: ctx is a struct iommufd_access */
extern const struct pnic_dma_ops pnic_dma_iommufd_ops;

#endif /* PASIDNIC_DMA_H */
