/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A device's life on the bus: open its cdev, bind it to the process's
 * iommufd, learn its identity and PASID width, attach its RID, switch on bus
 * mastering (vfio-pci leaves it off and DMA and MSI are dropped silently);
 * and the reverse, in the safe order, when it is closed.
 *
 * The PASID width comes from IOMMU_GET_HW_INFO for physical devices (vfio-pci
 * hides the PCI PASID capability) and from the PCI PASID extended capability
 * (id 0x1b) in config space for emulated ones (GET_HW_INFO gives ENOENT).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include <rte_errno.h>
#include <rte_string_fns.h>

#include "private.h"

#define PCI_COMMAND 0x04
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4
#define PCI_EXT_CAP_START 0x100
#define PCI_EXT_CAP_ID_PASID 0x1b
#define PCI_PASID_CAP 0x04                 /* PASID capability register */
#define PCI_PASID_CAP_WIDTH(x) (((x) >> 8) & 0x1f)

static int
cfg_read(struct iommufd_dev *d, void *buf, size_t len, off_t off)
{
	return rte_iommufd_region_read(&d->pub, VFIO_PCI_CONFIG_REGION_INDEX, buf, len, off);
}

static int
cfg_write(struct iommufd_dev *d, const void *buf, size_t len, off_t off)
{
	return rte_iommufd_region_write(&d->pub, VFIO_PCI_CONFIG_REGION_INDEX, buf, len, off);
}

/* Width of the PCI PASID extended capability, 0 when there is none. */
static unsigned int
cfg_pasid_width(struct iommufd_dev *d)
{
	uint32_t hdr, cap;
	unsigned int off = PCI_EXT_CAP_START, hops = 0;

	while (off >= PCI_EXT_CAP_START && hops++ < 64) {
		if (cfg_read(d, &hdr, 4, off) < 0 || hdr == 0 || hdr == 0xffffffff)
			return 0;
		if ((hdr & 0xffff) == PCI_EXT_CAP_ID_PASID) {
			uint16_t c16;

			if (cfg_read(d, &c16, 2, off + PCI_PASID_CAP) < 0)
				return 0;
			cap = c16;
			return PCI_PASID_CAP_WIDTH(cap);
		}
		off = (hdr >> 20) & 0xffc;
	}
	return 0;
}

static int
bind(struct iommufd_dev *d)
{
	struct vfio_device_bind_iommufd b = { .argsz = sizeof(b), .iommufd = iommufd_bus_ctx.fd };

	d->pub.fd = iommufd_hook_open(d->pub.cdev, O_RDWR | O_CLOEXEC);
	if (d->pub.fd < 0) {
		snprintf(d->error, sizeof(d->error), "cannot open %s: %s%s", d->pub.cdev,
			 strerror(errno), errno == ENOENT ?
			 " (is devtmpfs mounted on /dev?)" : "");
		return -errno;
	}
	if (iommufd_hook_ioctl(d->pub.fd, VFIO_DEVICE_BIND_IOMMUFD, &b) == 0) {
		d->pub.devid = b.out_devid;
		return 0;
	}
	if (errno == EINVAL)
		snprintf(d->error, sizeof(d->error),
			 "VFIO_DEVICE_BIND_IOMMUFD of %s failed (EINVAL): "
			 "the device is in use by another process or through the legacy "
			 "VFIO group API (a cdev can be bound by one file at a time)", d->pub.cdev);
	else if (errno == EPERM)
		snprintf(d->error, sizeof(d->error),
			 "VFIO_DEVICE_BIND_IOMMUFD of %s failed (EPERM): "
			 "no interrupt remapping; enable it in the IOMMU or, unsafely, load "
			 "iommufd with allow_unsafe_interrupts=1", d->pub.cdev);
	else if (errno == EBUSY)
		snprintf(d->error, sizeof(d->error),
			 "VFIO_DEVICE_BIND_IOMMUFD of %s failed (EBUSY): "
			 "its VFIO group is open (/dev/vfio/<group>), e.g. by the PCI bus of "
			 "another DPDK process", d->pub.cdev);
	else
		snprintf(d->error, sizeof(d->error), "VFIO_DEVICE_BIND_IOMMUFD of %s failed: %s",
			 d->pub.cdev, strerror(errno));
	return -errno;
}

static int
read_info(struct iommufd_dev *d)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct rte_iommufd_region cfg;
	uint16_t ids[2];

	if (iommufd_hook_ioctl(d->pub.fd, VFIO_DEVICE_GET_INFO, &info)) {
		snprintf(d->error, sizeof(d->error), "VFIO_DEVICE_GET_INFO failed: %s",
			 strerror(errno));
		return -errno;
	}
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI)) {
		snprintf(d->error, sizeof(d->error), "%s is not a PCI vfio device (flags %#x)",
			 d->pub.cdev, info.flags);
		return -ENOTSUP;
	}
	d->num_regions = info.num_regions;
	d->num_irqs = info.num_irqs;
	if (rte_iommufd_region_info(&d->pub, VFIO_PCI_CONFIG_REGION_INDEX, &cfg) < 0 ||
	    cfg.size == 0) {
		snprintf(d->error, sizeof(d->error), "no PCI config region: %s",
			 strerror(rte_errno));
		return -EIO;
	}
	d->cfg_offset = cfg.offset;
	if (cfg_read(d, ids, sizeof(ids), 0) == 0) {
		d->pub.vendor_id = ids[0];
		d->pub.device_id = ids[1];
	}
	return 0;
}

static void
read_pasid_width(struct iommufd_dev *d)
{
	struct iommu_hw_info hw = { .size = sizeof(hw), .dev_id = d->pub.devid };

	if (d->pub.kind == RTE_IOMMUFD_EMULATED) {
		d->pub.pasid_log2 = cfg_pasid_width(d);
		return;
	}
	if (iommufd_hook_ioctl(iommufd_bus_ctx.fd, IOMMU_GET_HW_INFO, &hw) == 0)
		d->pub.pasid_log2 = hw.out_max_pasid_log2;
	else
		IOMMUFD_LOG(DEBUG, "%s: IOMMU_GET_HW_INFO failed: %s", d->pub.name,
			    strerror(errno));
}

/* Decide whether PASID domains are possible; 0, or -ENOTSUP when asked for
 * with pasid=on and not possible.
 */
static int
choose_pasid_mode(struct iommufd_dev *d)
{
	const char *why = NULL;

	if (d->args.pasid == IOMMUFD_PASID_OFF)
		return 0;
	if (d->pub.pasid_log2 == 0)
		why = d->pub.kind == RTE_IOMMUFD_PHYSICAL ?
		      "the device has no PASID support (IOMMU_GET_HW_INFO reports "
		      "out_max_pasid_log2 = 0: no PCI PASID capability, or the IOMMU "
		      "is not in scalable mode)" :
		      "the emulated device advertises no PCI PASID capability";
	else if (d->pub.kind == RTE_IOMMUFD_PHYSICAL && !iommufd_bus_ctx.features.hwpt_alloc)
		why = "the kernel lacks IOMMU_HWPT_ALLOC (probed; Linux 6.6+), which PASID "
		      "domains of physical devices need";
	else if (!d->pasid_attach)
		why = "the kernel cannot attach PASIDs through vfio (probed: "
		      "VFIO_DEVICE_ATTACH_PASID is unknown to it or to the device's vfio "
		      "driver; Linux 6.15+)";
	if (why == NULL) {
		d->pasid_mode = true;
		return 0;
	}
	if (d->args.pasid == IOMMUFD_PASID_ON) {
		snprintf(d->error, sizeof(d->error), "pasid=on but %s", why);
		return -ENOTSUP;
	}
	IOMMUFD_LOG(INFO, "%s: RID only: %s", d->pub.name, why);
	return 0;
}

/* The RID's domain: for physical devices on a kernel with HWPT_ALLOC, a
 * PASID-capable HWPT when the kernel and the IOMMU take the flag (the RID
 * must be on one before any PASID is attached); otherwise the IOAS itself.
 */
static int
attach_rid(struct iommufd_dev *d)
{
	int ret;

	if (d->args.dpdk_mem) {
		ret = iommufd_mem_init(&d->rid_ioas);
		d->dpdk_mem = ret == 0;
	} else {
		ret = iommufd_ioas_alloc(&d->rid_ioas);
	}
	if (ret < 0) {
		snprintf(d->error, sizeof(d->error), "IOMMU_IOAS_ALLOC failed: %s",
			 strerror(-ret));
		return ret;
	}
	/* Tried whenever the kernel has HWPT_ALLOC: whether it takes
	 * IOMMU_HWPT_ALLOC_PASID is found by trying (a failure falls back to
	 * the IOAS unless PASID domains need it).
	 */
	if (d->pub.kind == RTE_IOMMUFD_PHYSICAL && iommufd_bus_ctx.features.hwpt_alloc &&
	    d->args.pasid != IOMMUFD_PASID_OFF) {
		ret = iommufd_hwpt_alloc_pasid(d, d->rid_ioas, &d->rid_hwpt);
		if (ret == 0) {
			ret = iommufd_attach(d, 0, d->rid_hwpt);
			if (ret == 0)
				return 0;
			iommufd_destroy(d->rid_hwpt);
			d->rid_hwpt = 0;
		}
		if (d->pasid_mode) {
			snprintf(d->error, sizeof(d->error), "cannot put the RID on a "
				 "PASID-capable HWPT (IOMMU_HWPT_ALLOC_PASID): %s", strerror(-ret));
			return ret;
		}
		IOMMUFD_LOG(DEBUG, "%s: no PASID-capable HWPT (%s), RID on the IOAS",
			    d->pub.name, strerror(-ret));
	}
	ret = iommufd_attach(d, 0, d->rid_ioas);
	if (ret < 0)
		snprintf(d->error, sizeof(d->error), "attach of the RID to IOAS %u failed: %s",
			 d->rid_ioas, strerror(-ret));
	return ret;
}

static void
set_bus_master(struct iommufd_dev *d, bool on)
{
	uint16_t cmd;

	if (cfg_read(d, &cmd, sizeof(cmd), PCI_COMMAND) < 0)
		return;
	if (on)
		cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	else
		cmd &= ~PCI_COMMAND_MASTER;
	if (cfg_write(d, &cmd, sizeof(cmd), PCI_COMMAND) == 0)
		d->bus_master = on;
}

int
iommufd_dev_open(struct iommufd_dev *d)
{
	int ret;

	if (d->pub.fd >= 0)
		return 0;
	if (d->error[0])
		return -EINVAL;
	ret = iommufd_bus_ctx_get();
	if (ret < 0) {
		snprintf(d->error, sizeof(d->error), "no iommufd context (/dev/iommu: %s)",
			 strerror(-ret));
		return ret;
	}
	ret = bind(d);
	if (ret < 0)
		goto fail;
	ret = read_info(d);
	if (ret < 0)
		goto fail;
	read_pasid_width(d);
	if (d->pub.pasid_log2 > 0 && d->args.pasid != IOMMUFD_PASID_OFF) {
		ret = iommufd_feature_pasid_attach(d);
		if (ret < 0)
			goto fail;
		d->pasid_attach = ret == 1;
	}
	ret = choose_pasid_mode(d);
	if (ret < 0)
		goto fail;
	if (d->pasid_mode) {
		ret = iommufd_pasid_table_init(&d->pasids, d->pub.pasid_log2, d->args.max_domains);
		if (ret < 0) {
			snprintf(d->error, sizeof(d->error), "PASID table of %u bits: %s",
				 d->pub.pasid_log2, strerror(-ret));
			goto fail;
		}
	}
	ret = attach_rid(d);
	if (ret < 0)
		goto fail;
	if (d->dpdk_mem) {
		ret = iommufd_mem_follow();
		if (ret < 0) {
			snprintf(d->error, sizeof(d->error), "mapping DPDK memory into IOAS %u "
				 "failed: %s (see the messages above)", d->rid_ioas,
				 strerror(-ret));
			goto fail;
		}
	}
	ret = iommufd_intr_init(d);
	if (ret < 0) {
		snprintf(d->error, sizeof(d->error), "no interrupt handle: %s", strerror(-ret));
		goto fail;
	}
	set_bus_master(d, true);
	IOMMUFD_LOG(INFO, "%s: bound %s (dev id %u), %s, PASID width %u%s, RID on %s %u",
		    d->pub.name, d->pub.cdev, d->pub.devid,
		    d->pub.kind == RTE_IOMMUFD_PHYSICAL ? "physical" : "emulated",
		    d->pub.pasid_log2, d->pasid_mode ? ", PASID domains" : ", RID only",
		    d->rid_hwpt ? "HWPT" : "IOAS", d->rid_hwpt ? d->rid_hwpt : d->rid_ioas);
	return 0;
fail:
	{
		char why[sizeof(d->error)];

		rte_strscpy(why, d->error, sizeof(why));
		if (d->pub.fd >= 0) {
			iommufd_dev_close(d);
		} else {
			if (d->pasids.bits != NULL)
				iommufd_pasid_table_fini(&d->pasids);
			iommufd_bus_ctx_put();
		}
		rte_strscpy(d->error, why, sizeof(d->error));
	}
	return ret;
}

void
iommufd_dev_close(struct iommufd_dev *d)
{
	/* Under the bus lock: the rte_mp handler and the worker watch see the
	 * device either whole or closed, never half torn down (B2).
	 */
	pthread_mutex_lock(&iommufd_lock);
	if (d->pub.fd < 0) {
		pthread_mutex_unlock(&iommufd_lock);
		return;
	}
	/* The device is quiesced (driver remove) before we get here: stop its
	 * interrupts and DMA, then take its address spaces away.
	 */
	iommufd_intr_fini(d);
	if (d->bus_master)
		set_bus_master(d, false);
	iommufd_domains_destroy(d);
	if (d->pasids.bits != NULL)
		iommufd_pasid_table_fini(&d->pasids);
	iommufd_detach(d, 0);
	if (d->rid_hwpt != 0)
		iommufd_destroy(d->rid_hwpt);
	if (d->dpdk_mem) {
		iommufd_mem_fini();
		d->dpdk_mem = false;
	} else if (d->rid_ioas != 0) {
		iommufd_ioas_unmap(d->rid_ioas, 0, UINT64_MAX);
		iommufd_destroy(d->rid_ioas);
	}
	d->rid_hwpt = 0;
	d->error[0] = '\0';
	iommufd_dev_release(d);
	pthread_mutex_unlock(&iommufd_lock);
}
