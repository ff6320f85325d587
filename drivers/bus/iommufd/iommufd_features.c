/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the running kernel offers, found by trying each optional uAPI (B9),
 * never from the release string: a vendor kernel with a backport has the
 * feature, a kernel with it compiled out does not, whatever uname says.
 * Every probe is an ioctl that the kernel rejects before it changes
 * anything (an object id of 0, which iommufd never hands out), so the errno
 * tells "unknown to this kernel" from "known":
 *
 *   feature                         probe                              absent
 *   IOMMU_HWPT_ALLOC                 dev_id 0                           ENOTTY
 *   IOMMU_IOAS_MAP_FILE              ioas_id 0                          ENOTTY
 *   PASID attach through vfio        VFIO_DEVICE_ATTACH_IOMMUFD_PT      EINVAL (flag unknown),
 *     (per device, at open)          + VFIO_DEVICE_ATTACH_PASID,        EOPNOTSUPP (its vfio
 *                                    PASID 1 on pt_id 0                 driver cannot)
 *   IOMMU_HWPT_ALLOC_PASID flag      tried for real on the RID's IOAS   (iommufd_device.c)
 *
 * Present when the kernel answers ENOENT (the object 0 does not exist). Any
 * other errno is a failed probe, reported as an error that names the feature:
 * the device is not used rather than run with a guess.
 * This file is the one place that decides; its callers only read the result.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "private.h"

/* The errno of an ioctl probe into "present" (1), "absent" (0), or -errno. */
static int
verdict(int err, int absent1, int absent2)
{
	if (err == ENOENT)
		return 1;
	if (err == absent1 || err == absent2)
		return 0;
	return -err;
}

int
iommufd_features_probe(int fd, struct iommufd_features *f, char *err, size_t errlen)
{
	struct iommu_hwpt_alloc h = { .size = sizeof(h), .data_type = IOMMU_HWPT_DATA_NONE };
	struct iommu_ioas_map_file m = {
		.size = sizeof(m), .flags = IOMMU_IOAS_MAP_READABLE, .fd = -1, .length = 4096,
	};
	int ret;

	memset(f, 0, sizeof(*f));
	ret = iommufd_hook_ioctl(fd, IOMMU_HWPT_ALLOC, &h) == 0 ? 0 : verdict(errno, ENOTTY, 0);
	if (ret < 0) {
		snprintf(err, errlen, "probing IOMMU_HWPT_ALLOC failed: %s", strerror(-ret));
		return ret;
	}
	f->hwpt_alloc = ret;
	ret = iommufd_hook_ioctl(fd, IOMMU_IOAS_MAP_FILE, &m) == 0 ? 0 :
	      verdict(errno, ENOTTY, 0);
	if (ret < 0) {
		snprintf(err, errlen, "probing IOMMU_IOAS_MAP_FILE failed: %s", strerror(-ret));
		return ret;
	}
	f->map_file = ret;
	IOMMUFD_LOG(DEBUG, "kernel features (probed): IOMMU_HWPT_ALLOC %s, "
		    "IOMMU_IOAS_MAP_FILE %s", f->hwpt_alloc ? "yes" : "no",
		    f->map_file ? "yes" : "no");
	return 0;
}

int
iommufd_feature_pasid_attach(struct iommufd_dev *d)
{
	struct vfio_device_attach_iommufd_pt at = {
		.argsz = sizeof(at), .flags = VFIO_DEVICE_ATTACH_PASID, .pasid = 1, .pt_id = 0,
	};
	int ret;

	if (iommufd_hook_ioctl(d->pub.fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) == 0) {
		/* Cannot happen (no object 0); undo it all the same. */
		iommufd_detach(d, 1);
		return 1;
	}
	ret = verdict(errno, EINVAL, EOPNOTSUPP);
	if (ret < 0)
		snprintf(d->error, sizeof(d->error), "probing PASID attach "
			 "(VFIO_DEVICE_ATTACH_IOMMUFD_PT with VFIO_DEVICE_ATTACH_PASID) failed: %s",
			 strerror(-ret));
	else if (ret == 0)
		IOMMUFD_LOG(DEBUG, "%s: VFIO_DEVICE_ATTACH_PASID: %s", d->pub.name,
			    errno == EINVAL ? "unknown to the kernel" :
			    "not supported by the device's vfio driver");
	return ret;
}
