/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The conformance checks of what the kernel says about a device's PASIDs
 * (conformance.h): its width, the RID on a PASID-capable HWPT, N PASID
 * domains on N IOASes, replace, detach, and PASIDs out of range. They use
 * the bus's domain API where it has one (rte_iommufd_domain_create()) and
 * otherwise raw ioctls on the bus's iommufd and device fd, on a PASID no
 * domain of the bus uses, with objects of their own that they destroy.
 */
/* The bus's driver-side API (bus_iommufd_driver.h): a conformance tool drives the device. */
#define ALLOW_INTERNAL_API
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include <rte_errno.h>

#include "conformance.h"

#define PCI_ECAP_START 0x100
#define PCI_ECAP_ID_PASID 0x1b

int
conf_ioas_alloc(struct conf_run *r, uint32_t *ioas)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };

	if (ioctl(r->iommufd, IOMMU_IOAS_ALLOC, &a))
		return -errno;
	*ioas = a.out_ioas_id;
	return 0;
}

int
conf_hwpt_alloc(struct conf_run *r, uint32_t ioas, uint32_t flags, uint32_t *hwpt)
{
	struct iommu_hwpt_alloc a = {
		.size = sizeof(a),
		.flags = flags,
		.dev_id = r->idev->devid,
		.pt_id = ioas,
		.data_type = IOMMU_HWPT_DATA_NONE,
	};

	if (ioctl(r->iommufd, IOMMU_HWPT_ALLOC, &a))
		return -errno;
	*hwpt = a.out_hwpt_id;
	return 0;
}

void
conf_destroy(struct conf_run *r, uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	if (id != 0 && ioctl(r->iommufd, IOMMU_DESTROY, &d))
		fprintf(stderr, "conformance: IOMMU_DESTROY of object %u: %s\n", id,
			strerror(errno));
}

int
conf_attach(struct conf_run *r, uint32_t pasid, uint32_t pt)
{
	struct vfio_device_attach_iommufd_pt at = {
		.argsz = sizeof(at),
		.flags = pasid ? VFIO_DEVICE_ATTACH_PASID : 0,
		.pt_id = pt,
		.pasid = pasid,
	};

	return ioctl(r->idev->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) ? -errno : 0;
}

int
conf_detach(struct conf_run *r, uint32_t pasid)
{
	struct vfio_device_detach_iommufd_pt dt = {
		.argsz = sizeof(dt),
		.flags = pasid ? VFIO_DEVICE_DETACH_PASID : 0,
		.pasid = pasid,
	};

	return ioctl(r->idev->fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt) ? -errno : 0;
}

uint32_t
conf_free_pasid(struct conf_run *r)
{
	uint32_t pasids[64], p;
	int n, i;

	if (r->info.pasid_log2 == 0)
		return 0;
	n = rte_iommufd_dev_pasids(r->dev, pasids, RTE_DIM(pasids));
	for (p = (1u << r->info.pasid_log2) - 1; p >= 1; p--) {
		for (i = 0; i < n && i < (int)RTE_DIM(pasids) && pasids[i] != p; i++)
			;
		if (i >= n || i >= (int)RTE_DIM(pasids))
			return p;
	}
	return 0;
}

/* The Max PASID Width of the PCI PASID extended capability; -1: no capability. */
static int
cfg_pasid_width(struct conf_run *r)
{
	uint32_t hdr, off = PCI_ECAP_START;
	uint16_t cap;
	int hops;

	for (hops = 0; off >= PCI_ECAP_START && hops < 64; hops++) {
		if (rte_iommufd_region_read(r->idev, VFIO_PCI_CONFIG_REGION_INDEX, &hdr,
					    sizeof(hdr), off) < 0 || hdr == 0 || hdr == ~0u)
			return -1;
		if ((hdr & 0xffff) == PCI_ECAP_ID_PASID) {
			if (rte_iommufd_region_read(r->idev, VFIO_PCI_CONFIG_REGION_INDEX, &cap,
						    sizeof(cap), off + 4) < 0)
				return -1;
			return (cap >> 8) & 0x1f;
		}
		off = hdr >> 20;
	}
	return -1;
}

void
conf_check_width(struct conf_run *r)
{
	unsigned int w = r->info.pasid_log2;
	struct iommu_hw_info hw = { .size = sizeof(hw), .dev_id = r->idev->devid };
	int cw;

	if (r->info.emulated) {
		cw = cfg_pasid_width(r);
		if (cw < 0 ? w != 0 : (unsigned int)cw != w)
			conf_report(r, CONF_WIDTH, CONF_FAIL, "the bus says %u bits, the PCI PASID "
				    "capability %d (-1: none)", w, cw);
		else
			conf_report(r, CONF_WIDTH, CONF_PASS, "%u bits (%s)", w, cw < 0 ?
				    "no PCI PASID capability" : "the PCI PASID capability's Max "
				    "PASID Width");
		return;
	}
	if (ioctl(r->iommufd, IOMMU_GET_HW_INFO, &hw)) {
		conf_report(r, CONF_WIDTH, CONF_FAIL, "IOMMU_GET_HW_INFO: %s", strerror(errno));
		return;
	}
	if (hw.out_max_pasid_log2 != w)
		conf_report(r, CONF_WIDTH, CONF_FAIL, "the bus says %u bits, IOMMU_GET_HW_INFO "
			    "out_max_pasid_log2 = %u", w, hw.out_max_pasid_log2);
	else
		conf_report(r, CONF_WIDTH, CONF_PASS, "%u bits (IOMMU_GET_HW_INFO "
			    "out_max_pasid_log2)%s", w, w ? "" : ": the device or its IOMMU has "
			    "no PASID support, PASID domains are refused");
}

void
conf_check_rid_hwpt(struct conf_run *r)
{
	uint32_t hwpt;
	int ret;

	if (r->info.emulated) {
		conf_report(r, CONF_RID_HWPT, CONF_SKIP, CONF_EMULATED_WHY);
		return;
	}
	/* The kernel's side first: a PASID-capable HWPT for this device at all. */
	ret = conf_hwpt_alloc(r, r->info.default_ioas, IOMMU_HWPT_ALLOC_PASID, &hwpt);
	if (ret == -EOPNOTSUPP || ret == -EINVAL || ret == -ENOTTY) {
		conf_report(r, CONF_RID_HWPT, r->info.rid_hwpt ? CONF_FAIL : CONF_SKIP,
			    "the kernel allocates no PASID-capable HWPT for the device "
			    "(IOMMU_HWPT_ALLOC_PASID: %s)%s", strerror(-ret), r->info.rid_hwpt ?
			    ", yet the bus has one" : ": an IOMMU without scalable mode, or Linux "
			    "< 6.15; the RID is on its IOAS directly");
		return;
	}
	if (ret < 0) {
		conf_report(r, CONF_RID_HWPT, CONF_FAIL, "IOMMU_HWPT_ALLOC(PASID) on IOAS %u: %s",
			    r->info.default_ioas, strerror(-ret));
		return;
	}
	conf_destroy(r, hwpt);
	if (r->info.rid_hwpt == 0)
		conf_report(r, CONF_RID_HWPT, r->info.pasid_mode ? CONF_FAIL : CONF_SKIP,
			    "the kernel can, but the bus put the RID on its IOAS directly%s",
			    r->info.pasid_mode ? "" : " (RID-only: pasid=off, or no PASID attach "
			    "through vfio)");
	else
		conf_report(r, CONF_RID_HWPT, CONF_PASS, "the RID is on PASID-capable HWPT %u "
			    "(IOAS %u); the kernel allocates such HWPTs for the device",
			    r->info.rid_hwpt, r->info.default_ioas);
}

void
conf_check_pasid_hwpt(struct conf_run *r)
{
	uint32_t ioas = 0, plain = 0, hwpt = 0, pasid = conf_free_pasid(r);
	int ret, refused;

	if (r->info.emulated) {
		conf_report(r, CONF_PASID_HWPT, CONF_SKIP, CONF_EMULATED_WHY);
		return;
	}
	if (!r->info.pasid_mode || pasid == 0) {
		conf_report(r, CONF_PASID_HWPT, CONF_SKIP, "no PASID on this physical device%s "
			    "(a PASID-capable physical function is needed: doc/hardware.md)",
			    r->info.pasid_log2 ? " in PASID mode" : "");
		return;
	}
	ret = conf_ioas_alloc(r, &ioas);
	if (ret == 0)
		ret = conf_hwpt_alloc(r, ioas, 0, &plain);
	if (ret == 0)
		ret = conf_hwpt_alloc(r, ioas, IOMMU_HWPT_ALLOC_PASID, &hwpt);
	if (ret < 0) {
		conf_report(r, CONF_PASID_HWPT, CONF_FAIL, "IOAS and HWPTs for PASID %u: %s",
			    pasid, strerror(-ret));
		goto out;
	}
	refused = conf_attach(r, pasid, plain);
	if (refused == 0) {
		conf_detach(r, pasid);
		conf_report(r, CONF_PASID_HWPT, CONF_FAIL, "PASID %u attached to HWPT %u, which "
			    "was allocated without IOMMU_HWPT_ALLOC_PASID", pasid, plain);
		goto out;
	}
	ret = conf_attach(r, pasid, hwpt);
	if (ret < 0) {
		conf_report(r, CONF_PASID_HWPT, CONF_FAIL, "attach of PASID %u to PASID-capable "
			    "HWPT %u: %s", pasid, hwpt, strerror(-ret));
		goto out;
	}
	conf_detach(r, pasid);
	conf_report(r, CONF_PASID_HWPT, CONF_PASS, "PASID %u attaches to a PASID-capable HWPT; "
		    "a HWPT without IOMMU_HWPT_ALLOC_PASID is refused (%s)", pasid,
		    strerror(-refused));
out:
	conf_destroy(r, hwpt);
	conf_destroy(r, plain);
	conf_destroy(r, ioas);
}

void
conf_check_attach(struct conf_run *r)
{
	struct rte_iommufd_domain **doms;
	struct rte_iommufd_domain_info *di;
	unsigned int i, j, n = r->nb_domains;
	int got;

	if (r->info.pasid_log2 == 0 || !r->info.pasid_mode) {
		struct rte_iommufd_domain *d = rte_iommufd_domain_create(r->dev);

		if (d != NULL) {
			rte_iommufd_domain_destroy(d);
			conf_report(r, CONF_ATTACH, CONF_FAIL, "a PASID domain was created although "
				    "the device has %s", r->info.pasid_log2 ? "PASID mode off" :
				    "no PASID support");
		} else {
			conf_report(r, CONF_ATTACH, rte_errno == ENOTSUP ? CONF_PASS : CONF_FAIL,
				    "PASID attach refused: rte_iommufd_domain_create() %s (%s; "
				    "documented: ENOTSUP, the bus log says why)", rte_strerror(rte_errno),
				    r->info.pasid_log2 ? "PASID mode off" : "no PASID support");
		}
		return;
	}
	doms = calloc(n, sizeof(*doms));
	di = calloc(n + 8, sizeof(*di));
	if (doms == NULL || di == NULL) {
		conf_report(r, CONF_ATTACH, CONF_FAIL, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		doms[i] = rte_iommufd_domain_create(r->dev);
		if (doms[i] == NULL) {
			conf_report(r, CONF_ATTACH, CONF_FAIL, "domain %u of %u: %s", i + 1, n,
				    rte_strerror(rte_errno));
			goto out;
		}
	}
	got = rte_iommufd_dev_domains(r->dev, di, n + 8);
	if (got < (int)n) {
		conf_report(r, CONF_ATTACH, CONF_FAIL, "the bus lists %d domains, %u created",
			    got, n);
		goto out;
	}
	for (i = 0; i < (unsigned int)got && i < n + 8; i++) {
		if (di[i].pasid == 0 || di[i].pasid >= 1u << r->info.pasid_log2 ||
		    di[i].ioas == r->info.default_ioas) {
			conf_report(r, CONF_ATTACH, CONF_FAIL, "PASID %u outside the width (%u bits) "
				    "or on the default IOAS %u", di[i].pasid, r->info.pasid_log2,
				    di[i].ioas);
			goto out;
		}
		for (j = 0; j < i; j++) {
			if (di[j].pasid == di[i].pasid || di[j].ioas == di[i].ioas) {
				conf_report(r, CONF_ATTACH, CONF_FAIL, "PASIDs %u and %u share a PASID "
					    "or an IOAS (%u, %u)", di[j].pasid, di[i].pasid, di[j].ioas,
					    di[i].ioas);
				goto out;
			}
		}
	}
	conf_report(r, CONF_ATTACH, CONF_PASS, "%u PASIDs attached to %u distinct IOASes%s "
		    "(PASIDs %u..%u)", n, n, r->info.emulated ? "" : " through PASID-capable HWPTs",
		    di[0].pasid, di[got - 1].pasid);
out:
	for (i = 0; doms != NULL && i < n; i++)
		if (doms[i] != NULL && rte_iommufd_domain_destroy(doms[i]) < 0)
			fprintf(stderr, "conformance: destroy of a domain: %s\n",
				rte_strerror(rte_errno));
	free(doms);
	free(di);
}

/* A page table for PASID attaches on a new IOAS: the IOAS itself (emulated) or a
 * PASID-capable HWPT on it (physical, in *@hwpt). 0 or -errno.
 */
static int
pt_new(struct conf_run *r, uint32_t *ioas, uint32_t *hwpt, uint32_t *pt)
{
	int ret = conf_ioas_alloc(r, ioas);

	*hwpt = 0;
	*pt = *ioas;
	if (ret == 0 && !r->info.emulated) {
		ret = conf_hwpt_alloc(r, *ioas, IOMMU_HWPT_ALLOC_PASID, hwpt);
		*pt = *hwpt;
	}
	return ret;
}

static void
pt_free(struct conf_run *r, uint32_t ioas, uint32_t hwpt)
{
	conf_destroy(r, hwpt);
	conf_destroy(r, ioas);
}

void
conf_check_replace_detach(struct conf_run *r)
{
	uint32_t pasid = conf_free_pasid(r), ioas[2] = { 0 }, hwpt[2] = { 0 }, pt[2];
	int ret;

	if (!r->info.pasid_mode || pasid == 0) {
		conf_report(r, CONF_REPLACE, CONF_SKIP, "no PASID domains on this device");
		conf_report(r, CONF_DETACH, CONF_SKIP, "no PASID domains on this device");
		return;
	}
	ret = pt_new(r, &ioas[0], &hwpt[0], &pt[0]);
	if (ret == 0)
		ret = pt_new(r, &ioas[1], &hwpt[1], &pt[1]);
	if (ret == 0)
		ret = conf_attach(r, pasid, pt[0]);
	if (ret < 0) {
		conf_report(r, CONF_REPLACE, CONF_FAIL, "PASID %u on a new IOAS: %s", pasid,
			    strerror(-ret));
		conf_report(r, CONF_DETACH, CONF_SKIP, "nothing attached (see %s)", CONF_REPLACE);
		goto out;
	}
	/* A second attach of an attached PASID is a replace (vfio.h). */
	ret = conf_attach(r, pasid, pt[1]);
	if (ret < 0)
		conf_report(r, CONF_REPLACE, CONF_FAIL, "PASID %u from %s %u to %u: %s", pasid,
			    hwpt[0] ? "HWPT" : "IOAS", pt[0], pt[1], strerror(-ret));
	else
		conf_report(r, CONF_REPLACE, CONF_PASS, "PASID %u moved from IOAS %u to IOAS %u "
			    "by a second attach%s", pasid, ioas[0], ioas[1],
			    hwpt[0] ? " (PASID-capable HWPTs)" : "");
	ret = conf_detach(r, pasid);
	if (ret < 0) {
		conf_report(r, CONF_DETACH, CONF_FAIL, "detach of PASID %u: %s", pasid,
			    strerror(-ret));
		goto out;
	}
	/* Detached, the PASID is free: a new attach (not a replace) must work. */
	ret = conf_attach(r, pasid, pt[0]);
	if (ret < 0) {
		conf_report(r, CONF_DETACH, CONF_FAIL, "PASID %u detached, but a new attach "
			    "fails: %s", pasid, strerror(-ret));
		goto out;
	}
	ret = conf_detach(r, pasid);
	conf_report(r, CONF_DETACH, ret < 0 ? CONF_FAIL : CONF_PASS, "PASID %u detached%s%s",
		    pasid, ret < 0 ? " once, the second time: " : " and attached again",
		    ret < 0 ? strerror(-ret) : "");
out:
	pt_free(r, ioas[1], hwpt[1]);
	pt_free(r, ioas[0], hwpt[0]);
}

void
conf_check_out_of_range(struct conf_run *r)
{
	uint32_t bad[2], ioas = 0, hwpt = 0, pt;
	int ret, e[2];
	unsigned int i;

	if (r->info.pasid_log2 == 0 || !r->info.pasid_mode) {
		conf_report(r, CONF_OUT_OF_RANGE, CONF_SKIP, "no PASID domains on this device "
			    "(every PASID is refused: see %s)", CONF_ATTACH);
		return;
	}
	bad[0] = 1u << r->info.pasid_log2;
	bad[1] = UINT32_MAX;
	ret = pt_new(r, &ioas, &hwpt, &pt);
	if (ret < 0) {
		conf_report(r, CONF_OUT_OF_RANGE, CONF_FAIL, "a new IOAS: %s", strerror(-ret));
		goto out;
	}
	for (i = 0; i < RTE_DIM(bad); i++) {
		e[i] = conf_attach(r, bad[i], pt);
		if (e[i] == 0) {
			conf_detach(r, bad[i]);
			conf_report(r, CONF_OUT_OF_RANGE, CONF_FAIL, "PASID %#x attached, beyond "
				    "the width of %u bits", bad[i], r->info.pasid_log2);
			goto out;
		}
	}
	conf_report(r, CONF_OUT_OF_RANGE, CONF_PASS, "PASIDs %#x (2^width) and %#x refused "
		    "(%s, %s)", bad[0], bad[1], strerror(-e[0]), strerror(-e[1]));
out:
	pt_free(r, ioas, hwpt);
}
