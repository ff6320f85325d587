/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Copyright(c) 2026 The dpdk-pasid authors
 */
/*
 * IOVA allocator: the lowest aligned block inside the IOAS's usable ranges
 * that overlaps none of the heap's segments. Segments are few and large (one
 * per growth step), so a scan is enough; the state is the segment table
 * itself, so nothing can go out of step with the IOAS.
 */
#include <errno.h>
#include <stdint.h>

#include "pasid_mem_private.h"

/* Round @v up to @align (a power of two); false on overflow. */
static bool
align_up(uint64_t v, uint64_t align, uint64_t *out)
{
	uint64_t r = (v + align - 1) & ~(align - 1);

	if (r < v)
		return false;
	*out = r;
	return true;
}

/**
 * Find @size bytes at an IOVA aligned to @align inside one of @avail and
 * outside all of @used. IOVA 0 is never returned (a zero bus address hides
 * bugs). Return: 0 and *@iova, -EINVAL on bad arguments, -ENOSPC if nothing fits.
 */
int
pasid_iova_find(const struct pasid_iova_range *avail, unsigned int n_avail,
		const struct pasid_iova_range *used, unsigned int n_used,
		uint64_t size, uint64_t align, uint64_t *iova)
{
	uint64_t best = 0;
	bool found = false;
	unsigned int i, j;

	if (size == 0 || align == 0 || (align & (align - 1)) || (size & (align - 1)))
		return -EINVAL;
	for (i = 0; i < n_avail; i++) {
		uint64_t cand;
		bool moved;

		if (!align_up(avail[i].start, align, &cand))
			continue;
		if (cand == 0)
			cand = align;
		do {
			moved = false;
			if (cand < avail[i].start || cand > avail[i].last ||
					avail[i].last - cand < size - 1)
				break;
			for (j = 0; j < n_used; j++) {
				if (used[j].last < cand || used[j].start > cand + size - 1)
					continue;
				if (!align_up(used[j].last + 1, align, &cand) || cand == 0)
					goto next_range;
				moved = true;
				break;
			}
			if (!moved && (!found || cand < best)) {
				best = cand;
				found = true;
			}
		} while (moved);
next_range:
		;
	}
	if (!found)
		return -ENOSPC;
	*iova = best;
	return 0;
}
