/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Finding devices: PCI functions bound to a vfio driver that have a vfio
 * cdev (enumerated with libpciaccess, cdev from
 * /sys/bus/pci/devices/<BDF>/vfio-dev/) and emulated vfio devices (mdev
 * instances, /sys/bus/mdev/devices/<UUID>/vfio-dev/).
 *
 * Names are "pci-<domain:bus:dev.fn>" and "mdev-<uuid>": the PCI bus's
 * parser does not take them, so "-a iommufd:<name>" and "-a <name>" reach
 * this bus. Functions on other drivers are ignored quietly; one selected
 * with -a gets an error that says why and the command that fixes it.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pciaccess.h>

#include <rte_devargs.h>
#include <rte_memory.h>
#include <rte_string_fns.h>

#include "private.h"

#define PCI_SYSFS "/sys/bus/pci/devices"
#define MDEV_SYSFS "/sys/bus/mdev/devices"

static int
read_hex(const char *dir, const char *file, unsigned long *v)
{
	char path[PATH_MAX], buf[32];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (f == NULL)
		return -errno;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!ok)
		return -EIO;
	*v = strtoul(buf, NULL, 0);
	return 0;
}

/* Basename of the symlink @dir/@link in @out ("" when absent). */
static void
link_name(const char *dir, const char *link, char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *b;
	ssize_t n;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dir, link);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	b = strrchr(target, '/');
	rte_strscpy(out, b ? b + 1 : target, len);
}

/* The vfioN entry of @dir/vfio-dev into d->cdev. */
static int
find_cdev(const char *dir, struct iommufd_dev *d)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *dd;

	snprintf(path, sizeof(path), "%s/vfio-dev", dir);
	dd = opendir(path);
	if (dd == NULL)
		return -ENOENT;
	while ((e = readdir(dd)) != NULL) {
		if (strncmp(e->d_name, "vfio", 4) == 0 && isdigit((unsigned char)e->d_name[4])) {
			snprintf(d->pub.cdev, sizeof(d->pub.cdev), "/dev/vfio/devices/%s",
				 e->d_name);
			break;
		}
	}
	closedir(dd);
	return d->pub.cdev[0] ? 0 : -ENOENT;
}

static int
describe_pci(const char *bdf, struct iommufd_dev *d)
{
	char drv[64];
	unsigned long v;

	snprintf(d->pub.sysfs, sizeof(d->pub.sysfs), PCI_SYSFS "/%s", bdf);
	d->pub.kind = RTE_IOMMUFD_PHYSICAL;
	if (access(d->pub.sysfs, F_OK) != 0) {
		snprintf(d->error, sizeof(d->error), "no PCI function %s in this system (lspci -D)",
			 bdf);
		return -ENODEV;
	}
	if (read_hex(d->pub.sysfs, "vendor", &v) == 0)
		d->pub.vendor_id = v;
	if (read_hex(d->pub.sysfs, "device", &v) == 0)
		d->pub.device_id = v;
	if (read_hex(d->pub.sysfs, "numa_node", &v) == 0 && (long)v >= 0)
		d->pub.device.numa_node = (int)v;
	else
		d->pub.device.numa_node = SOCKET_ID_ANY;
	if (find_cdev(d->pub.sysfs, d) == 0)
		return 0;
	link_name(d->pub.sysfs, "driver", drv, sizeof(drv));
	if (strcmp(drv, "vfio-pci") == 0)
		snprintf(d->error, sizeof(d->error), "%s is bound to vfio-pci but has no vfio cdev "
			 "(%s/vfio-dev): the kernel lacks %s (Linux 6.6+)", bdf, d->pub.sysfs,
			 access("/dev/iommu", F_OK) == 0 ? "CONFIG_VFIO_DEVICE_CDEV" :
			 "CONFIG_IOMMUFD and CONFIG_VFIO_DEVICE_CDEV");
	else if (drv[0])
		snprintf(d->error, sizeof(d->error), "%s is bound to %s, not vfio-pci; fix: "
			 "modprobe vfio-pci; echo %s > /sys/bus/pci/drivers/%s/unbind; "
			 "echo vfio-pci > %s/driver_override; echo %s > /sys/bus/pci/drivers_probe",
			 bdf, drv, bdf, drv, d->pub.sysfs, bdf);
	else
		snprintf(d->error, sizeof(d->error), "%s is not bound to vfio-pci; fix: "
			 "modprobe vfio-pci; echo vfio-pci > %s/driver_override; "
			 "echo %s > /sys/bus/pci/drivers_probe", bdf, d->pub.sysfs, bdf);
	return -ENODEV;
}

static int
describe_mdev(const char *uuid, struct iommufd_dev *d)
{
	snprintf(d->pub.sysfs, sizeof(d->pub.sysfs), MDEV_SYSFS "/%s", uuid);
	d->pub.kind = RTE_IOMMUFD_EMULATED;
	d->pub.device.numa_node = SOCKET_ID_ANY;
	if (access(d->pub.sysfs, F_OK) != 0) {
		snprintf(d->error, sizeof(d->error), "no mdev %s; create one with: echo %s > "
			 "/sys/class/mdev_bus/<parent>/mdev_supported_types/<type>/create",
			 uuid, uuid);
		return -ENODEV;
	}
	if (find_cdev(d->pub.sysfs, d) == 0)
		return 0;
	snprintf(d->error, sizeof(d->error), "mdev %s has no vfio cdev (%s/vfio-dev): the "
		 "kernel lacks CONFIG_VFIO_DEVICE_CDEV (Linux 6.6+)", uuid, d->pub.sysfs);
	return -ENODEV;
}

int
iommufd_dev_describe(const char *name, struct iommufd_dev *d)
{
	d->error[0] = '\0';
	d->pub.cdev[0] = '\0';
	if (!iommufd_name_valid(name)) {
		snprintf(d->error, sizeof(d->error), "'%s' is not an iommufd bus device name "
			 "(pci-<domain:bus:dev.fn> or mdev-<uuid>)", name);
		return -EINVAL;
	}
	if (strncmp(name, IOMMUFD_PCI_PREFIX, strlen(IOMMUFD_PCI_PREFIX)) == 0)
		return describe_pci(name + strlen(IOMMUFD_PCI_PREFIX), d);
	return describe_mdev(name + strlen(IOMMUFD_MDEV_PREFIX), d);
}

bool
iommufd_dev_exists(const char *name)
{
	char path[PATH_MAX];

	if (!iommufd_name_valid(name))
		return false;
	if (strncmp(name, IOMMUFD_PCI_PREFIX, strlen(IOMMUFD_PCI_PREFIX)) == 0)
		snprintf(path, sizeof(path), PCI_SYSFS "/%s/vfio-dev", name + strlen(IOMMUFD_PCI_PREFIX));
	else
		snprintf(path, sizeof(path), MDEV_SYSFS "/%s/vfio-dev", name + strlen(IOMMUFD_MDEV_PREFIX));
	return access(path, F_OK) == 0;
}

static bool
is_ignored(const char *name)
{
	struct rte_devargs *da = iommufd_devargs_lookup(name);

	if (iommufd_bus.bus.conf.scan_mode == RTE_BUS_SCAN_ALLOWLIST)
		return da == NULL || da->policy != RTE_DEV_ALLOWED;
	return da != NULL && da->policy == RTE_DEV_BLOCKED;
}

struct iommufd_dev *
iommufd_dev_find(const char *name)
{
	struct rte_iommufd_device *p;

	FOREACH_IOMMUFD_DEVICE(p)
		if (strcmp(p->name, name) == 0)
			return IOMMUFD_DEV(p);
	return NULL;
}

/* Add @name to the bus when it is a usable vfio device and not ignored.
 * Devices on other drivers are skipped quietly (they are not ours).
 */
static void
consider(const char *name)
{
	struct iommufd_dev *d;
	char err[256];

	if (iommufd_dev_find(name) != NULL || is_ignored(name))
		return;
	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		IOMMUFD_LOG(ERR, "out of memory scanning %s", name);
		return;
	}
	if (iommufd_dev_describe(name, d) < 0) {
		/* A vfio-pci function without a cdev is ours to explain. */
		if (strstr(d->error, "CONFIG_VFIO_DEVICE_CDEV") != NULL)
			IOMMUFD_LOG(WARNING, "%s", d->error);
		free(d);
		return;
	}
	rte_strscpy(d->pub.name, name, sizeof(d->pub.name));
	d->pub.device.name = d->pub.name;
	d->pub.device.bus = &iommufd_bus.bus;
	d->pub.device.devargs = iommufd_devargs_lookup(name);
	d->pub.fd = -1;
	d->irq_index = ~0u;
	TAILQ_INIT(&d->domains);
	if (iommufd_devargs_of(d->pub.device.devargs, &d->args, err, sizeof(err)) < 0)
		snprintf(d->error, sizeof(d->error), "bad devargs: %s", err);
	/* Locked: a hotplug scan runs in the application's thread while the
	 * telemetry thread may walk the list.
	 */
	pthread_mutex_lock(&iommufd_lock);
	TAILQ_INSERT_TAIL(&iommufd_bus.devices, &d->pub, next);
	pthread_mutex_unlock(&iommufd_lock);
	IOMMUFD_LOG(DEBUG, "found %s (%s, %s)", name,
		    d->pub.kind == RTE_IOMMUFD_PHYSICAL ? "physical" : "emulated", d->pub.cdev);
}

static void
scan_pci(void)
{
	struct pci_device_iterator *it;
	struct pci_device *p;
	char name[RTE_DEV_NAME_MAX_LEN];
	int ret;

	ret = pci_system_init();
	if (ret != 0) {
		IOMMUFD_LOG(DEBUG, "libpciaccess cannot enumerate PCI: %s", strerror(ret));
		return;
	}
	it = pci_id_match_iterator_create(NULL);
	while (it != NULL && (p = pci_device_next(it)) != NULL) {
		snprintf(name, sizeof(name), IOMMUFD_PCI_PREFIX "%04x:%02x:%02x.%x", p->domain, p->bus,
			 p->dev, p->func);
		consider(name);
	}
	pci_iterator_destroy(it);
	pci_system_cleanup();
}

static void
scan_mdev(void)
{
	char name[RTE_DEV_NAME_MAX_LEN];
	struct dirent *e;
	DIR *dd;

	dd = opendir(MDEV_SYSFS);
	if (dd == NULL)
		return;
	while ((e = readdir(dd)) != NULL) {
		snprintf(name, sizeof(name), IOMMUFD_MDEV_PREFIX "%s", e->d_name);
		if (iommufd_name_valid(name)) /* a UUID, not "." or ".." */
			consider(name);
	}
	closedir(dd);
}

/* Every device named with -a must be on the bus: say why one is not. */
static void
check_selected(void)
{
	struct rte_devargs *da;
	struct iommufd_dev tmp;

	RTE_EAL_DEVARGS_FOREACH(RTE_BUS_IOMMUFD_NAME, da) {
		if (da->policy != RTE_DEV_ALLOWED || iommufd_dev_find(da->name) != NULL)
			continue;
		memset(&tmp, 0, sizeof(tmp));
		if (iommufd_dev_describe(da->name, &tmp) < 0)
			IOMMUFD_LOG(ERR, "%s cannot be used: %s", da->name, tmp.error);
	}
}

int
iommufd_scan(void)
{
	scan_pci();
	scan_mdev();
	check_selected();
	return 0;
}
