/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The doctor's kernel and device probes. What the kernel offers is what
 * the bus finds by trying (rte_iommufd_kernel_check()); whether a device
 * works, and with PASID domains, is decided by the bus trying it
 * (rte_iommufd_dev_check(): bind, the RID on a PASID-capable HWPT, one PASID
 * domain), never by reading firmware tables or the release string.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include <rte_bus_iommufd.h>
#include <rte_errno.h>
#include <rte_string_fns.h>

#include "doctor.h"

#define VFIO_PCI_DRV "/sys/bus/pci/drivers/vfio-pci"
#define MDEV_DEVICES "/sys/bus/mdev/devices"
#define PNIC_PARENT "/sys/class/mdev_bus/pasidnic"

/* The first line of @path into @buf ("" when unreadable). */
static void
read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (f == NULL)
		return;
	if (fgets(buf, len, f) == NULL)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* The last path component of the symlink @path into @buf ("" when none). */
static void
link_base(const char *path, char *buf, size_t len)
{
	char t[PATH_MAX];
	ssize_t n = readlink(path, t, sizeof(t) - 1);
	const char *b;

	buf[0] = '\0';
	if (n <= 0)
		return;
	t[n] = '\0';
	b = strrchr(t, '/');
	rte_strscpy(buf, b != NULL ? b + 1 : t, len);
}

/* A "what; fix: how" message of the bus into a finding's two halves. */
static void
add_split(struct doc_report *r, const char *check, enum doc_status st, const char *prefix,
	  const char *msg)
{
	const char *fix = strstr(msg, "; fix: ");
	int n = fix != NULL ? (int)(fix - msg) : (int)strlen(msg);

	doc_add(r, check, st, fix != NULL ? fix + 7 : NULL, "%s%.*s", prefix, n, msg);
}

/* The pid of a process that holds @path open (a vfio cdev or group), or 0. */
static long
holder_of(const char *path)
{
	char fdir[64], p[PATH_MAX], t[PATH_MAX];
	struct dirent *pe, *fe;
	long pid = 0, self = (long)getpid();
	DIR *proc, *fds;
	ssize_t n;

	proc = opendir("/proc");
	if (proc == NULL)
		return 0;
	while (pid == 0 && (pe = readdir(proc)) != NULL) {
		long id = strtol(pe->d_name, NULL, 10);

		if (id <= 0 || id == self)
			continue;
		snprintf(fdir, sizeof(fdir), "/proc/%ld/fd", id);
		fds = opendir(fdir);
		if (fds == NULL)
			continue;
		while ((fe = readdir(fds)) != NULL) {
			snprintf(p, sizeof(p), "%s/%s", fdir, fe->d_name);
			n = readlink(p, t, sizeof(t) - 1);
			if (n <= 0)
				continue;
			t[n] = '\0';
			if (strcmp(t, path) == 0) {
				pid = id;
				break;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	return pid;
}

/* A process holding the vfio cdev or the VFIO group of device @id (below
 * sysfs @dir) open, or 0.
 */
static long
device_holder(const char *dir, const char *id)
{
	char group[64], path[PATH_MAX];
	struct dirent *e;
	long pid = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s/vfio-dev", dir, id);
	d = opendir(path);
	while (d != NULL && pid == 0 && (e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "vfio", 4) != 0)
			continue;
		snprintf(path, sizeof(path), "/dev/vfio/devices/%.64s", e->d_name);
		pid = holder_of(path);
	}
	if (d != NULL)
		closedir(d);
	snprintf(path, sizeof(path), "%s/%s/iommu_group", dir, id);
	link_base(path, group, sizeof(group));
	if (pid == 0 && group[0] != '\0') {
		snprintf(path, sizeof(path), "/dev/vfio/%s", group);
		pid = holder_of(path);
	}
	return pid;
}

static const char *
iommu_name(const struct rte_iommufd_dev_check *c)
{
	static const char *const names[] = { "", "intel-vtd", "arm-smmuv3", "tegra241-cmdqv",
					     "amd" };

	if (!c->hw_info)
		return "";
	return c->iommu_type < RTE_DIM(names) ? names[c->iommu_type] : "other";
}

void
doc_probe_kernel(struct doc_report *r)
{
	struct rte_iommufd_kernel_info k;
	char err[512], v[16];
	struct utsname u;

	if (uname(&u) == 0)
		snprintf(r->kernel, sizeof(r->kernel), "%s", u.release);
	doc_add(r, "kernel", DOC_INFO, NULL, "Linux %s %s; the bus needs iommufd (6.2), vfio "
		"cdevs, IOMMU_GET_HW_INFO and IOMMU_HWPT_ALLOC (6.6), PASID attach through vfio "
		"(6.15), IOMMU_IOAS_MAP_FILE (6.13, optional): probed below, not read from the "
		"release", r->kernel, u.machine);
	if (rte_iommufd_kernel_check(&k, err, sizeof(err)) < 0) {
		add_split(r, "iommufd", DOC_FAIL, "", err);
	} else {
		r->iommufd = true;
		doc_add(r, "iommufd", DOC_OK, NULL, "/dev/iommu is iommufd and opens (probed: "
			"IOMMU_HWPT_ALLOC %s, IOMMU_IOAS_MAP_FILE %s)", k.hwpt_alloc ? "yes" : "no",
			k.map_file ? "yes" : "no");
		if (!k.hwpt_alloc)
			doc_add(r, "iommufd", DOC_WARN, "Linux 6.6+ (or a backport of "
				"IOMMU_HWPT_ALLOC)", "the kernel lacks IOMMU_HWPT_ALLOC: no PASID "
				"domains on physical functions");
		if (!k.map_file)
			doc_add(r, "iommufd", DOC_WARN, "Linux 6.13+ for IOMMU_IOAS_MAP_FILE",
				"the kernel lacks IOMMU_IOAS_MAP_FILE: heaps are mapped with "
				"IOMMU_IOAS_MAP (works, pins through the page tables)");
	}
	if (access("/sys/class/vfio-dev", F_OK) == 0)
		doc_add(r, "vfio", DOC_OK, NULL, "vfio device cdevs (/dev/vfio/devices/vfioN) "
			"are supported");
	else if (access("/sys/module/vfio", F_OK) == 0)
		doc_add(r, "vfio", DOC_FAIL, "a kernel with CONFIG_VFIO_DEVICE_CDEV=y (Linux 6.6+)",
			"vfio is loaded without device cdevs (CONFIG_VFIO_DEVICE_CDEV)");
	else
		doc_add(r, "vfio", DOC_WARN, "modprobe vfio-pci (loading pasidnic loads vfio too)",
			"vfio is not loaded: no vfio cdevs yet");
	read_line("/sys/module/iommufd/parameters/allow_unsafe_interrupts", v, sizeof(v));
	if (v[0] == 'Y' || v[0] == '1')
		doc_add(r, "unsafe_interrupts", DOC_WARN,
			"echo N > /sys/module/iommufd/parameters/allow_unsafe_interrupts "
			"(and drop iommufd.allow_unsafe_interrupts=1 from the boot options) "
			"unless the IOMMU cannot remap interrupts", "iommufd.allow_unsafe_interrupts is set: devices are used "
			"without interrupt remapping, so a device can raise interrupts it does not "
			"own");
	else if (v[0] != '\0')
		doc_add(r, "unsafe_interrupts", DOC_OK, NULL, "iommufd.allow_unsafe_interrupts "
			"is off");
}

/* Try device @name with the bus and record it and a finding. */
static void
try_device(struct doc_report *r, const char *name, const char *check, const char *drv)
{
	struct doc_device *dv;
	struct rte_iommufd_dev_check c;
	char ids[24] = "";
	long pid;
	int ret;

	if (r->nb_dev == DOC_MAX_DEVICES)
		return;
	dv = &r->dev[r->nb_dev++];
	memset(dv, 0, sizeof(*dv));
	rte_strscpy(dv->name, name, sizeof(dv->name));
	dv->emulated = name[0] == 'm';
	dv->iommu = "";
	if (!r->iommufd) {
		doc_add(r, check, DOC_INFO, NULL, "%s (%s): not tried: /dev/iommu is not usable",
			name, drv);
		return;
	}
	/* A cdev is bound by one file at a time: a holder is not disturbed. */
	pid = device_holder(dv->emulated ? MDEV_DEVICES : "/sys/bus/pci/devices", name + 4);
	if (pid != 0) {
		dv->busy = true;
		doc_add(r, check, DOC_INFO, NULL, "%s (%s): in use by process %ld, not tried (a "
			"vfio device is bound by one file at a time)", name, drv, pid);
		return;
	}
	ret = rte_iommufd_dev_check(name, &c);
	if (c.vendor_id != 0)
		snprintf(ids, sizeof(ids), " [%04x:%04x]", c.vendor_id, c.device_id);
	if (ret < 0) {
		char prefix[160];

		snprintf(prefix, sizeof(prefix), "%s%s (%s): cannot be used: ", name, ids, drv);
		add_split(r, check, DOC_WARN, prefix, c.error);
		return;
	}
	dv->usable = true;
	dv->pasid = c.pasid_domain;
	dv->pasid_attach = c.pasid_attach;
	dv->pasid_log2 = c.pasid_log2;
	dv->iommu = iommu_name(&c);
	if (c.pasid_domain)
		doc_add(r, check, DOC_OK, NULL, "%s%s (%s): %s%s%sPASID width %u, %s; PASID "
			"domains work (probed: one created and destroyed)", name, ids, drv,
			dv->iommu[0] ? "IOMMU " : "", dv->iommu, dv->iommu[0] ? ", " : "",
			c.pasid_log2, dv->emulated ? "PASIDs on IOASes" :
			"RID on a PASID-capable HWPT (IOMMU_HWPT_ALLOC_PASID)");
	else
		doc_add(r, check, DOC_INFO, dv->emulated ?
			"load a pasidnic with PASID support (doc/pasidnic.md)" :
			"for PASID domains: a function with a PCI PASID capability behind an "
			"IOMMU in scalable mode (intel_iommu=on,sm_on), Linux 6.15+ "
			"(doc/hardware.md)",
			"%s%s (%s): %s%s%sPASID width %u, RID only (works): %s", name, ids, drv,
			dv->iommu[0] ? "IOMMU " : "", dv->iommu, dv->iommu[0] ? ", " : "",
			c.pasid_log2, c.error);
}

void
doc_probe_functions(struct doc_report *r)
{
	char names[256] = "", name[80];
	struct dirent *e;
	unsigned int n = 0;
	DIR *d;

	d = opendir("/sys/class/iommu");
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		n++;
		if (names[0] != '\0')
			rte_strlcat(names, " ", sizeof(names));
		rte_strlcat(names, e->d_name, sizeof(names));
	}
	if (d != NULL)
		closedir(d);
	r->iommu = n > 0;
	if (n > 0)
		doc_add(r, "iommu", DOC_OK, NULL, "%u IOMMU%s registered: %s", n, n > 1 ? "s" : "",
			names);
	else
		doc_add(r, "iommu", DOC_WARN, "enable VT-d/AMD-Vi in the firmware and boot with "
			"intel_iommu=on,sm_on (scalable mode, for PASID) or amd_iommu=on",
			"no IOMMU is registered (/sys/class/iommu is empty): no physical "
			"functions, emulated ports only");
	n = 0;
	d = opendir(VFIO_PCI_DRV);
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strchr(e->d_name, ':') == NULL || strchr(e->d_name, '.') == NULL)
			continue; /* bind, unbind, module... */
		snprintf(name, sizeof(name), "pci-%.64s", e->d_name);
		try_device(r, name, "function", "vfio-pci");
		n++;
	}
	if (d != NULL)
		closedir(d);
	if (n == 0)
		doc_add(r, "function", DOC_INFO, "dpdk-pasid-setup bind <domain:bus:dev.fn>",
			"no PCI function is bound to vfio-pci");
}

void
doc_probe_pasidnic(struct doc_report *r)
{
	char path[PATH_MAX], type[64], types[256] = "", name[80];
	unsigned int n = 0;
	struct dirent *e;
	DIR *d;

	if (access("/sys/module/pasidnic", F_OK) != 0) {
		doc_add(r, "pasidnic", DOC_WARN, "modprobe pasidnic (installed with DKMS or "
			"make modules_install: doc/install.md), then dpdk-pasid-setup port add q4",
			"the pasidnic module is not loaded: no emulated ports");
		return;
	}
	r->pasidnic = true;
	d = opendir(PNIC_PARENT "/mdev_supported_types");
	while (d != NULL && (e = readdir(d)) != NULL) {
		char avail[16], item[64];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), PNIC_PARENT "/mdev_supported_types/%s/"
			 "available_instances", e->d_name);
		read_line(path, avail, sizeof(avail));
		snprintf(item, sizeof(item), "%s%.32s (%.8s free)", types[0] ? ", " : "",
			 e->d_name, avail);
		rte_strlcat(types, item, sizeof(types));
	}
	if (d != NULL)
		closedir(d);
	doc_add(r, "pasidnic", DOC_OK, NULL, "the pasidnic module is loaded; port types: %s",
		types[0] ? types : "none (no mdev parent " PNIC_PARENT ")");
	d = opendir(MDEV_DEVICES);
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), MDEV_DEVICES "/%s/mdev_type", e->d_name);
		link_base(path, type, sizeof(type));
		if (strncmp(type, "pasidnic", 8) != 0)
			continue;
		snprintf(name, sizeof(name), "mdev-%.64s", e->d_name);
		try_device(r, name, "port", type);
		n++;
	}
	if (d != NULL)
		closedir(d);
	if (n == 0)
		doc_add(r, "port", DOC_WARN, "dpdk-pasid-setup port add q4",
			"no pasidnic port exists: nothing to try emulated PASID domains on");
}
