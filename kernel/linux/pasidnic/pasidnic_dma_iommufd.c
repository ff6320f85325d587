// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic: DMA translation through an iommufd access (struct pnic_dma_ops).
 *
 * rw is iommufd_access_rw() from a kthread (for by-VA mappings a
 * copy_{to,from}_user() in the owner's mm, which may fault; only a fatal
 * signal ends a fault that is never resolved). pin is
 * iommufd_access_pin_pages() of one page: it counts against the IOAS
 * owner's RLIMIT_MEMLOCK like every iommufd pin.
 */
#include <linux/iommufd.h>
#include <linux/mm.h>

#include "pasidnic_dma.h"

static int pnic_iommufd_rw(void *ctx, u64 iova, void *buf, size_t len,
			   bool write)
{
	return iommufd_access_rw(ctx, iova, buf, len,
				 IOMMUFD_ACCESS_RW_KTHREAD |
				 (write ? IOMMUFD_ACCESS_RW_WRITE : 0));
}

static int pnic_iommufd_pin(void *ctx, u64 iova, bool write, struct page **page)
{
	return iommufd_access_pin_pages(ctx, iova, PAGE_SIZE, page,
					write ? IOMMUFD_ACCESS_RW_WRITE : 0);
}

static void pnic_iommufd_unpin(void *ctx, u64 iova)
{
	iommufd_access_unpin_pages(ctx, iova, PAGE_SIZE);
}

const struct pnic_dma_ops pnic_dma_iommufd_ops = {
	.rw = pnic_iommufd_rw,
	.pin = pnic_iommufd_pin,
	.unpin = pnic_iommufd_unpin,
};
