/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Attaching a device's RID or one of its PASIDs to a page table, and the
 * PASID-capable HWPT a physical device's PASIDs (and its RID, for PASID
 * use) are attached to: VFIO_DEVICE_ATTACH_IOMMUFD_PT / _DETACH_IOMMUFD_PT
 * on the device's cdev, IOMMU_HWPT_ALLOC(IOMMU_HWPT_ALLOC_PASID) on the
 * iommufd. A second attach of an attached PASID is a hitless replace;
 * detach blocks its DMA.
 *
 * A leaf below the device (RID attach, iommufd_device.c), the PASID domains
 * (iommufd_domain.c) and the PASID attach probe (iommufd_features.c).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "private.h"

int
iommufd_attach(struct iommufd_dev *d, uint32_t pasid, uint32_t pt)
{
	struct vfio_device_attach_iommufd_pt at = {
		.argsz = sizeof(at),
		.pt_id = pt,
	};

	if (pasid != 0) {
		at.flags = VFIO_DEVICE_ATTACH_PASID;
		at.pasid = pasid;
	} else {
		at.argsz = offsetof(struct vfio_device_attach_iommufd_pt, pasid);
	}
	if (iommufd_hook_ioctl(d->pub.fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at)) {
		IOMMUFD_LOG(DEBUG, "%s: attach of %s %u to %u failed: %s", d->pub.name,
			    pasid ? "PASID" : "RID", pasid, pt, strerror(errno));
		return -errno;
	}
	return 0;
}

int
iommufd_detach(struct iommufd_dev *d, uint32_t pasid)
{
	struct vfio_device_detach_iommufd_pt dt = { .argsz = sizeof(dt) };

	if (pasid != 0) {
		dt.flags = VFIO_DEVICE_DETACH_PASID;
		dt.pasid = pasid;
	} else {
		dt.argsz = offsetof(struct vfio_device_detach_iommufd_pt, pasid);
	}
	if (iommufd_hook_ioctl(d->pub.fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt)) {
		IOMMUFD_LOG(DEBUG, "%s: detach of %s %u failed: %s", d->pub.name,
			    pasid ? "PASID" : "RID", pasid, strerror(errno));
		return -errno;
	}
	return 0;
}

int
iommufd_hwpt_alloc_pasid(struct iommufd_dev *d, uint32_t ioas, uint32_t *hwpt)
{
	struct iommu_hwpt_alloc a = {
		.size = sizeof(a),
		.flags = IOMMU_HWPT_ALLOC_PASID,
		.dev_id = d->pub.devid,
		.pt_id = ioas,
		.data_type = IOMMU_HWPT_DATA_NONE,
	};

	if (iommufd_hook_ioctl(iommufd_bus_ctx.fd, IOMMU_HWPT_ALLOC, &a)) {
		IOMMUFD_LOG(DEBUG, "%s: IOMMU_HWPT_ALLOC(PASID) on IOAS %u failed: %s",
			    d->pub.name, ioas, strerror(errno));
		return -errno;
	}
	*hwpt = a.out_hwpt_id;
	return 0;
}
