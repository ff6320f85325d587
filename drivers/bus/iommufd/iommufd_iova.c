/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IOVA ranges of an IOAS: where the device may be given addresses.
 *
 * IOMMU_IOAS_IOVA_RANGES reports the holes between reserved regions (the
 * domain aperture, the MSI window of RID attaches...). It is called twice:
 * with the array the caller has, then, on EMSGSIZE, with one of the size the
 * kernel wrote back. The ranges change with every attach and detach.
 */
#include <errno.h>
#include <stdlib.h>

#include <linux/iommufd.h>

#include "private.h"

int
iommufd_iova_ranges_get(iommufd_ioctl_t ioc, int fd, uint32_t ioas,
			struct iommufd_iova_range **ranges, uint32_t *n, uint64_t *align)
{
	struct iommu_ioas_iova_ranges q = { .size = sizeof(q), .ioas_id = ioas };
	struct iommu_iova_range *buf = NULL, *nbuf;
	uint32_t i, cap = 4;
	int tries;

	*ranges = NULL;
	*n = 0;
	for (tries = 0; tries < 4; tries++) {
		nbuf = realloc(buf, cap * sizeof(*buf));
		if (nbuf == NULL) {
			free(buf);
			return -ENOMEM;
		}
		buf = nbuf;
		q.num_iovas = cap;
		q.allowed_iovas = (uintptr_t)buf;
		if (ioc(fd, IOMMU_IOAS_IOVA_RANGES, &q) == 0)
			break;
		if (errno != EMSGSIZE || q.num_iovas <= cap) {
			int err = errno == EMSGSIZE ? EPROTO : errno;

			free(buf);
			return -err;
		}
		/* The kernel wrote back how many there are: size for them. */
		cap = q.num_iovas;
	}
	if (tries == 4) { /* the ranges kept growing between calls */
		free(buf);
		return -EAGAIN;
	}
	*ranges = malloc((q.num_iovas ? q.num_iovas : 1) * sizeof(**ranges));
	if (*ranges == NULL) {
		free(buf);
		return -ENOMEM;
	}
	for (i = 0; i < q.num_iovas; i++) {
		(*ranges)[i].start = buf[i].start;
		(*ranges)[i].last = buf[i].last;
	}
	*n = q.num_iovas;
	*align = q.out_iova_alignment;
	free(buf);
	return 0;
}

int
iommufd_iova_check(const struct iommufd_iova_range *r, uint32_t n, uint64_t align,
		   uint64_t iova, uint64_t len)
{
	uint32_t i;

	if (len == 0 || iova + len - 1 < iova)
		return -EINVAL;
	if (align > 1 && ((iova | len) & (align - 1)))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (iova >= r[i].start && iova + len - 1 <= r[i].last)
			return 0;
	return -EINVAL;
}

/* The x86 interrupt window is reserved for RID attaches only, so an IOAS
 * used by PASIDs alone does not report it (Linux drivers/iommu/iommufd/
 * device.c: attach_resv = hwpt_paging && pasid == IOMMU_NO_PASID).
 */
#define MSI_WINDOW_START UINT64_C(0xfee00000)
#define MSI_WINDOW_LAST UINT64_C(0xfeefffff)

bool
iommufd_iova_hits_msi_window(uint64_t iova, uint64_t len)
{
	return len != 0 && iova <= MSI_WINDOW_LAST && iova + len - 1 >= MSI_WINDOW_START;
}
