/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The doctor's memory probes: hugepages reserved and free per NUMA node and
 * page size (sysfs), the hugetlbfs mounts, RLIMIT_MEMLOCK and the
 * capabilities that decide whether it applies. iommufd charges every pinned
 * page to the user's RLIMIT_MEMLOCK unless the process that opened
 * /dev/iommu has CAP_IPC_LOCK.
 */
#include <dirent.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include <rte_string_fns.h>

#include "doctor.h"

#define NODE_DIR "/sys/devices/system/node"
#define MM_HUGEPAGES "/sys/kernel/mm/hugepages"
#define CAP_IPC_LOCK_BIT 14
#define CAP_SYS_ADMIN_BIT 21

/* The least locked memory for one worker: the demo's 64 MiB of DPDK memory
 * and a worker's heap (doc/host.md).
 */
#define DOC_MEMLOCK_MIN (128ull << 20)

static unsigned long
read_ulong(const char *dir, const char *file)
{
	char path[PATH_MAX];
	unsigned long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/* Every hugepages-<size>kB directory below @dir, as node @node. */
static void
scan_sizes(struct doc_report *r, const char *dir, int node)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	while (d != NULL && (e = readdir(d)) != NULL) {
		struct doc_hugepages *h;
		unsigned long kb;

		if (sscanf(e->d_name, "hugepages-%lukB", &kb) != 1 ||
		    r->nb_hp == DOC_MAX_HUGEPAGES)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		h = &r->hp[r->nb_hp++];
		h->node = node;
		h->size_kb = kb;
		h->total = read_ulong(path, "nr_hugepages");
		h->free = read_ulong(path, "free_hugepages");
		r->hugepage_bytes += (uint64_t)h->total * kb << 10;
	}
	if (d != NULL)
		closedir(d);
}

/* The hugetlbfs mounts into a finding. */
static void
probe_mounts(struct doc_report *r)
{
	char list[320] = "";
	bool writable = false;
	struct mntent *m;
	FILE *f = setmntent("/proc/mounts", "r");

	while (f != NULL && (m = getmntent(f)) != NULL) {
		if (strcmp(m->mnt_type, "hugetlbfs") != 0)
			continue;
		if (access(m->mnt_dir, W_OK) == 0)
			writable = true;
		if (list[0] != '\0')
			rte_strlcat(list, ", ", sizeof(list));
		rte_strlcat(list, m->mnt_dir, sizeof(list));
	}
	if (f != NULL)
		endmntent(f);
	if (list[0] == '\0')
		doc_add(r, "hugetlbfs", DOC_WARN, "mount -t hugetlbfs nodev /dev/hugepages "
			"(dpdk-hugepages.py -m), or run DPDK with --in-memory",
			"no hugetlbfs is mounted: EAL finds no hugepages unless --in-memory "
			"(pasid_mem heaps use memfds and need no mount)");
	else if (!writable)
		doc_add(r, "hugetlbfs", DOC_WARN, "run as root or mount one this user can write "
			"(mount -t hugetlbfs -o uid=<user> nodev <dir>)", "hugetlbfs mounted at %s, "
			"none writable by this user", list);
	else
		doc_add(r, "hugetlbfs", DOC_OK, NULL, "hugetlbfs mounted at %s", list);
}

void
doc_probe_hugepages(struct doc_report *r)
{
	unsigned long free_pages = 0;
	char path[PATH_MAX];
	struct dirent *e;
	unsigned int i;
	DIR *d;
	int node;

	d = opendir(NODE_DIR);
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (sscanf(e->d_name, "node%d", &node) != 1)
			continue;
		snprintf(path, sizeof(path), NODE_DIR "/%s/hugepages", e->d_name);
		scan_sizes(r, path, node);
	}
	if (d != NULL)
		closedir(d);
	if (r->nb_hp == 0)
		scan_sizes(r, MM_HUGEPAGES, -1);
	for (i = 0; i < r->nb_hp; i++) {
		const struct doc_hugepages *h = &r->hp[i];
		char where[24] = "";

		if (h->node >= 0)
			snprintf(where, sizeof(where), "node %d, ", h->node);
		free_pages += h->free;
		if (h->total > 0)
			doc_add(r, "hugepages", DOC_INFO, NULL, "%s%lu kB pages: %lu reserved, %lu "
				"free", where, h->size_kb, h->total, h->free);
	}
	r->hugepages = free_pages > 0;
	if (r->nb_hp == 0)
		doc_add(r, "hugepages", DOC_FAIL, "a kernel with CONFIG_HUGETLBFS=y",
			"the kernel has no hugepages (no %s)", MM_HUGEPAGES);
	else if (!r->hugepages)
		doc_add(r, "hugepages", DOC_FAIL, "dpdk-pasid-setup hugepages 2M 512 (or "
			"dpdk-hugepages.py -p 2M -r 1G); 1 GiB pages: hugepagesz=1G hugepages=N at "
			"boot", "no free hugepages (%llu MiB reserved, all in use or none): DPDK "
			"and the workers' heaps need them",
			(unsigned long long)(r->hugepage_bytes >> 20));
	probe_mounts(r);
}

/* CapEff of this process, 0 when unknown. */
static uint64_t
cap_eff(void)
{
	unsigned long long v = 0;
	char line[128];
	FILE *f = fopen("/proc/self/status", "r");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "CapEff: %llx", &v) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return v;
}

static void
mib(char *buf, size_t len, rlim_t v)
{
	if (v == RLIM_INFINITY)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%llu MiB", (unsigned long long)(v >> 20));
}

void
doc_probe_limits(struct doc_report *r)
{
	const char *fix = "ulimit -l unlimited, memlock in /etc/security/limits.conf or "
			  "LimitMEMLOCK=infinity in a systemd unit; or run with CAP_IPC_LOCK";
	uint64_t caps = cap_eff();
	bool ipc_lock = caps & (1ull << CAP_IPC_LOCK_BIT);
	struct rlimit rl;
	char cur[32], hp[32];

	doc_add(r, "capabilities", DOC_INFO, NULL, "uid %u; CAP_IPC_LOCK %s, CAP_SYS_ADMIN %s "
		"(binding functions, reserving hugepages and creating ports need root: "
		"dpdk-pasid-setup)", (unsigned int)getuid(), ipc_lock ? "yes" : "no",
		caps & (1ull << CAP_SYS_ADMIN_BIT) ? "yes" : "no");
	if (getrlimit(RLIMIT_MEMLOCK, &rl) != 0) {
		doc_add(r, "memlock", DOC_WARN, NULL, "cannot read RLIMIT_MEMLOCK");
		r->memlock = ipc_lock;
		return;
	}
	mib(cur, sizeof(cur), rl.rlim_cur);
	mib(hp, sizeof(hp), r->hugepage_bytes);
	if (ipc_lock) {
		r->memlock = true;
		doc_add(r, "memlock", DOC_OK, NULL, "CAP_IPC_LOCK: pinned memory is not charged "
			"to RLIMIT_MEMLOCK (%s)", cur);
	} else if (rl.rlim_cur == RLIM_INFINITY) {
		r->memlock = true;
		doc_add(r, "memlock", DOC_OK, NULL, "RLIMIT_MEMLOCK is unlimited");
	} else if ((uint64_t)rl.rlim_cur < DOC_MEMLOCK_MIN) {
		doc_add(r, "memlock", DOC_FAIL, fix, "RLIMIT_MEMLOCK is %llu KiB without "
			"CAP_IPC_LOCK: too low for DPDK memory and a worker's heap (at least %llu "
			"MiB; iommufd charges every pinned page, of all the user's processes)",
			(unsigned long long)(rl.rlim_cur >> 10), DOC_MEMLOCK_MIN >> 20);
	} else if ((uint64_t)rl.rlim_cur < r->hugepage_bytes) {
		r->memlock = true;
		doc_add(r, "memlock", DOC_WARN, fix, "RLIMIT_MEMLOCK is %s without CAP_IPC_LOCK: "
			"processes of this user can pin only that much of the %s of hugepages",
			cur, hp);
	} else {
		r->memlock = true;
		doc_add(r, "memlock", DOC_OK, NULL, "RLIMIT_MEMLOCK is %s, the hugepages are %s",
			cur, hp);
	}
}
