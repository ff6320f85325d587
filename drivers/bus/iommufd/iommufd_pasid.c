/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-device PASID allocator. Userspace chooses PASID numbers (the kernel
 * hands none out and the vfio core does not range-check them), so the bus
 * validates every PASID against the device's width: 1 <= pasid < 2^width.
 * PASID 0 is the RID and is never handed out.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

/* A bitmap of 2^20 PASIDs is 128 KiB: cap the table, not the device. */
#define PASID_MAX_LOG2 20

int
iommufd_pasid_table_init(struct iommufd_pasid_table *t, unsigned int log2, uint32_t max)
{
	uint32_t limit;

	memset(t, 0, sizeof(*t));
	if (log2 == 0 || log2 > PASID_MAX_LOG2)
		return -EINVAL;
	limit = UINT32_C(1) << log2;
	if (max != 0 && max < limit - 1)
		limit = max + 1;
	t->bits = calloc((limit + 63) / 64, sizeof(uint64_t));
	if (t->bits == NULL)
		return -ENOMEM;
	t->limit = limit;
	t->bits[0] = 1; /* PASID 0 is the RID */
	return 0;
}

void
iommufd_pasid_table_fini(struct iommufd_pasid_table *t)
{
	free(t->bits);
	memset(t, 0, sizeof(*t));
}

bool
iommufd_pasid_valid(const struct iommufd_pasid_table *t, uint32_t pasid)
{
	return pasid >= 1 && pasid < t->limit;
}

bool
iommufd_pasid_in_use(const struct iommufd_pasid_table *t, uint32_t pasid)
{
	return iommufd_pasid_valid(t, pasid) && (t->bits[pasid / 64] >> (pasid % 64)) & 1;
}

int
iommufd_pasid_alloc(struct iommufd_pasid_table *t)
{
	uint32_t w, nwords = (t->limit + 63) / 64;

	for (w = 0; w < nwords; w++) {
		uint64_t freebits = ~t->bits[w];
		uint32_t pasid;

		if (freebits == 0)
			continue;
		pasid = w * 64 + (uint32_t)__builtin_ctzll(freebits);
		if (pasid >= t->limit)
			break;
		t->bits[w] |= UINT64_C(1) << (pasid % 64);
		t->nb_used++;
		return (int)pasid;
	}
	return -ENOSPC;
}

int
iommufd_pasid_free(struct iommufd_pasid_table *t, uint32_t pasid)
{
	if (!iommufd_pasid_in_use(t, pasid))
		return -EINVAL;
	t->bits[pasid / 64] &= ~(UINT64_C(1) << (pasid % 64));
	t->nb_used--;
	return 0;
}
