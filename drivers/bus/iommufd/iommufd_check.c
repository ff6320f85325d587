/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host checks for tools (dpdk-testpasid doctor), without EAL: what the
 * kernel's iommufd offers (the probes of iommufd_features.c on a fresh
 * /dev/iommu) and whether a device works as the bus uses it, decided by
 * doing it: the bus's own open (bind, PASID width, the RID on a
 * PASID-capable HWPT where possible), one PASID domain, and the bus's own
 * teardown. The device is never added to the bus's list.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <linux/iommufd.h>

#include <rte_errno.h>
#include <rte_string_fns.h>

#include "private.h"

#define IOMMU_MISC_DEV "/sys/class/misc/iommu/dev"

static void __rte_format_printf(3, 4)
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* 0 when @fd is iommufd's misc device (as sysfs names it), else -ENODEV. */
static int
is_iommufd(int fd, char *err, size_t errlen)
{
	unsigned int maj, min;
	struct stat st;
	char want[32];
	FILE *f;

	if (fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode)) {
		set_err(err, errlen, "/dev/iommu is not a character device (something is "
			"mounted over it?); fix: mount devtmpfs on /dev");
		return -ENODEV;
	}
	f = fopen(IOMMU_MISC_DEV, "r");
	if (f == NULL)
		return 0; /* no sysfs to compare with: a character device will do */
	if (fscanf(f, "%u:%u", &maj, &min) != 2) {
		fclose(f);
		return 0;
	}
	fclose(f);
	if (major(st.st_rdev) == maj && minor(st.st_rdev) == min)
		return 0;
	snprintf(want, sizeof(want), "%u:%u", maj, min);
	set_err(err, errlen, "/dev/iommu (%u:%u) is not iommufd's device (%s in sysfs): "
		"something is mounted over it; fix: umount /dev/iommu", major(st.st_rdev),
		minor(st.st_rdev), want);
	return -ENODEV;
}

int
rte_iommufd_kernel_check(struct rte_iommufd_kernel_info *info, char *err, size_t errlen)
{
	struct iommufd_features f;
	char why[128];
	int fd, ret;

	set_err(err, errlen, "%s", "");
	if (info == NULL) {
		rte_errno = EINVAL;
		return -1;
	}
	memset(info, 0, sizeof(*info));
	fd = iommufd_hook_open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = errno;
		if (ret == ENOENT)
			set_err(err, errlen, "no /dev/iommu: the kernel lacks CONFIG_IOMMUFD "
				"(Linux 6.2+; vfio cdevs need 6.6+); fix: modprobe iommufd, or "
				"a kernel with CONFIG_IOMMUFD=y");
		else if (ret == EACCES || ret == EPERM)
			set_err(err, errlen, "cannot open /dev/iommu: %s; fix: run as root or "
				"give the user access to /dev/iommu (udev rule)", strerror(ret));
		else
			set_err(err, errlen, "cannot open /dev/iommu: %s", strerror(ret));
		rte_errno = ret;
		return -1;
	}
	ret = is_iommufd(fd, err, errlen);
	if (ret == 0) {
		ret = iommufd_features_probe(fd, &f, why, sizeof(why));
		if (ret < 0)
			set_err(err, errlen, "/dev/iommu: %s", why);
	}
	close(fd);
	if (ret < 0) {
		rte_errno = -ret;
		return -1;
	}
	info->hwpt_alloc = f.hwpt_alloc;
	info->map_file = f.map_file;
	return 0;
}

/* The IOMMU of bound @d as IOMMU_GET_HW_INFO names it. */
static void
read_iommu_type(struct iommufd_dev *d, struct rte_iommufd_dev_check *c)
{
	struct iommu_hw_info hw = { .size = sizeof(hw), .dev_id = d->pub.devid };

	if (d->pub.kind != RTE_IOMMUFD_PHYSICAL)
		return;
	if (iommufd_hook_ioctl(iommufd_bus_ctx.fd, IOMMU_GET_HW_INFO, &hw) == 0) {
		c->hw_info = 1;
		c->iommu_type = hw.out_data_type;
	}
}

/* Create and destroy one PASID domain on open @d: c->pasid_domain. */
static void
try_domain(struct iommufd_dev *d, struct rte_iommufd_dev_check *c)
{
	struct rte_iommufd_domain *dom;
	int ret;

	if (!d->pasid_mode) {
		snprintf(c->error, sizeof(c->error), "%s", iommufd_why_no_pasid(d));
		return;
	}
	dom = iommufd_domain_create(d);
	if (dom == NULL) {
		snprintf(c->error, sizeof(c->error), "creating a PASID domain failed: %s",
			 strerror(rte_errno));
		return;
	}
	ret = iommufd_domain_destroy(dom);
	if (ret < 0) {
		snprintf(c->error, sizeof(c->error), "destroying a PASID domain failed: %s",
			 strerror(-ret));
		return;
	}
	c->pasid_domain = 1;
}

/* Is @name a device of this process's bus, bound now? */
static bool
in_use_here(const char *name)
{
	struct iommufd_dev *d;
	bool busy;

	pthread_mutex_lock(&iommufd_lock);
	d = iommufd_dev_find(name);
	busy = d != NULL && d->pub.fd >= 0;
	pthread_mutex_unlock(&iommufd_lock);
	return busy;
}

int
rte_iommufd_dev_check(const char *name, struct rte_iommufd_dev_check *c)
{
	struct iommufd_dev *d;
	char err[128];
	int ret;

	if (c == NULL || name == NULL) {
		rte_errno = EINVAL;
		return -1;
	}
	memset(c, 0, sizeof(*c));
	if (in_use_here(name)) {
		snprintf(c->error, sizeof(c->error), "%s is bound by this process's iommufd "
			 "bus: ask rte_iommufd_dev_info()", name);
		rte_errno = EBUSY;
		return -1;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		rte_errno = ENOMEM;
		return -1;
	}
	d->pub.fd = -1;
	d->irq_index = ~0u;
	TAILQ_INIT(&d->domains);
	ret = iommufd_dev_describe(name, d);
	if (ret == 0) {
		rte_strscpy(d->pub.name, name, sizeof(d->pub.name));
		d->pub.device.name = d->pub.name;
		/* PASID domains when possible; no DPDK memory (no EAL). */
		ret = iommufd_devargs_parse("dpdk_mem=0", &d->args, err, sizeof(err));
	}
	c->emulated = d->pub.kind == RTE_IOMMUFD_EMULATED;
	rte_strscpy(c->cdev, d->pub.cdev, sizeof(c->cdev));
	if (ret == 0)
		ret = iommufd_dev_open(d);
	c->vendor_id = d->pub.vendor_id;
	c->device_id = d->pub.device_id;
	if (ret < 0) {
		rte_strscpy(c->error, d->error, sizeof(c->error));
		free(d);
		rte_errno = -ret;
		return -1;
	}
	c->pasid_log2 = d->pub.pasid_log2;
	c->pasid_attach = d->pasid_attach;
	c->pasid_hwpt = d->rid_hwpt != 0;
	read_iommu_type(d, c);
	try_domain(d, c);
	iommufd_dev_close(d);
	free(d);
	return 0;
}
