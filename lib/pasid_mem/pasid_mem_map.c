/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Copyright(c) 2026 The dpdk-pasid authors
 */
/*
 * IOAS mapping: usable IOVA ranges (IOMMU_IOAS_IOVA_RANGES), whole-segment
 * maps (IOMMU_IOAS_MAP_FILE, or IOMMU_IOAS_MAP before Linux 6.13) and
 * whole-segment unmaps, and RLIMIT_MEMLOCK diagnostics.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <linux/capability.h>
#include <linux/iommufd.h>

#include <rte_cycles.h>

#include "iommufd_hook.h"
#include "pasid_mem_private.h"

/* The x86 MSI window: PASID-only IOASes do not report it as reserved. */
#define MSI_WINDOW_START 0xfee00000ull
#define MSI_WINDOW_LAST  0xfeefffffull
/* IOVA space of a heap without an IOMMU (48-bit, the common IOMMU width). */
#define NO_IOMMU_IOVA_LAST ((1ull << 48) - 1)
/* Ranges the first IOMMU_IOAS_IOVA_RANGES call has room for (one call, not two). */
#define IOVA_RANGES_GUESS 8

static bool
has_cap_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[CAP_TO_INDEX(CAP_IPC_LOCK)].effective & CAP_TO_MASK(CAP_IPC_LOCK);
}

/* Say why pinning @len bytes may fail, with the limit and the fix. */
void
pasid_mem_memlock_explain(uint64_t len)
{
	struct rlimit rl;
	char lim[32];

	if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		snprintf(lim, sizeof(lim), "unlimited");
	else
		snprintf(lim, sizeof(lim), "%llu bytes", (unsigned long long)rl.rlim_cur);
	PMEM_LOG(ERR, "pinning %" PRIu64 " bytes for the IOMMU needs locked-memory budget: "
		"RLIMIT_MEMLOCK is %s%s. iommufd charges pinned pages to the user (all its "
		"processes together) against this limit. Fix: 'ulimit -l unlimited' (or "
		"LimitMEMLOCK=infinity for a systemd unit, 'memlock' in "
		"/etc/security/limits.conf), or run with CAP_IPC_LOCK",
		len, lim, has_cap_ipc_lock() ? " (CAP_IPC_LOCK is held, so the limit is not the "
		"cause: the system is out of memory)" : " and the process lacks CAP_IPC_LOCK");
}

/*
 * Fail early (growth calls this before it allocates the hugepages) when one
 * segment alone is above the limit. Whether the process holds CAP_IPC_LOCK
 * is read once per heap.
 */
int
pasid_mem_memlock_precheck(struct pasid_mem_ioas *ioas, uint64_t len)
{
	struct rlimit rl;

	if (ioas->iommufd == RTE_PASID_MEM_NO_IOMMU)
		return 0;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
			len <= rl.rlim_cur)
		return 0;
	if (ioas->cap_ipc_lock < 0)
		ioas->cap_ipc_lock = has_cap_ipc_lock();
	if (ioas->cap_ipc_lock)
		return 0;
	pasid_mem_memlock_explain(len);
	return -ENOMEM;
}

static int
range_add(struct pasid_iova_range **r, unsigned int *n, unsigned int *cap,
		uint64_t start, uint64_t last)
{
	struct pasid_iova_range *nr;

	if (start > last)
		return 0;
	if (*n == *cap) {
		nr = realloc(*r, sizeof(**r) * (*cap ? *cap * 2 : 8));
		if (nr == NULL)
			return -ENOMEM;
		*r = nr;
		*cap = *cap ? *cap * 2 : 8;
	}
	(*r)[*n].start = start;
	(*r)[*n].last = last;
	(*n)++;
	return 0;
}

/* Add [start, last] ∩ [min, max] minus the MSI window. */
static int
range_add_clipped(struct pasid_iova_range **r, unsigned int *n, unsigned int *cap,
		uint64_t start, uint64_t last, uint64_t min, uint64_t max)
{
	int err;

	start = RTE_MAX(start, min);
	last = RTE_MIN(last, max);
	if (start > last)
		return 0;
	if (last < MSI_WINDOW_START || start > MSI_WINDOW_LAST)
		return range_add(r, n, cap, start, last);
	if (start < MSI_WINDOW_START) {
		err = range_add(r, n, cap, start, MSI_WINDOW_START - 1);
		if (err < 0)
			return err;
	}
	if (last > MSI_WINDOW_LAST)
		return range_add(r, n, cap, MSI_WINDOW_LAST + 1, last);
	return 0;
}

/**
 * The usable IOVA ranges of the IOAS within [@iova_min, @iova_max] (0 for no
 * upper bound), re-read from the kernel on every call (they change when
 * devices attach). Return: 0 with a malloc'ed array, or -errno.
 */
int
pasid_mem_ioas_ranges(const struct pasid_mem_ioas *ioas, uint64_t iova_min,
		uint64_t iova_max, struct pasid_iova_range **ranges, unsigned int *n)
{
	struct iommu_iova_range first[IOVA_RANGES_GUESS];
	struct iommu_iova_range *kr = first, *heap_kr = NULL, *tmp;
	struct iommu_ioas_iova_ranges q;
	unsigned int i, cap = 0, tries;
	int err = 0;

	*ranges = NULL;
	*n = 0;
	if (iova_max == 0)
		iova_max = UINT64_MAX;
	if (ioas->iommufd == RTE_PASID_MEM_NO_IOMMU)
		return range_add_clipped(ranges, n, &cap, 0, NO_IOMMU_IOVA_LAST,
			iova_min, iova_max);

	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.ioas_id = ioas->ioas_id;
	q.num_iovas = RTE_DIM(first);
	/*
	 * One call with room for a few ranges (an IOAS has one to three);
	 * EMSGSIZE returns the count needed: retry with that, again if it grew.
	 */
	for (tries = 0; tries < 4; tries++) {
		q.allowed_iovas = (uintptr_t)kr;
		if (iommufd_hook_ioctl(ioas->iommufd, IOMMU_IOAS_IOVA_RANGES, &q) == 0)
			break;
		err = -errno;
		if (err != -EMSGSIZE) {
			PMEM_LOG(ERR, "IOMMU_IOAS_IOVA_RANGES on IOAS %u (iommufd %d) failed: %s%s",
				ioas->ioas_id, ioas->iommufd, strerror(-err), err == -ENOENT ?
				" (no such IOAS: pass the id from IOMMU_IOAS_ALLOC)" :
				err == -ENOTTY ?
				" (the fd is not /dev/iommu)" : "");
			goto out;
		}
		tmp = realloc(heap_kr, sizeof(*kr) * (q.num_iovas ? q.num_iovas : 1));
		if (tmp == NULL) {
			err = -ENOMEM;
			goto out;
		}
		kr = heap_kr = tmp;
		err = 0;
	}
	if (tries == 4) {
		PMEM_LOG(ERR, "IOMMU_IOAS_IOVA_RANGES on IOAS %u kept changing size; retry",
			ioas->ioas_id);
		err = -EAGAIN;
		goto out;
	}
	for (i = 0; i < q.num_iovas; i++) {
		err = range_add_clipped(ranges, n, &cap, kr[i].start, kr[i].last,
			iova_min, iova_max);
		if (err < 0)
			goto out;
	}
out:
	free(heap_kr);
	if (err < 0) {
		free(*ranges);
		*ranges = NULL;
		*n = 0;
	}
	return err;
}

/*
 * Nanoseconds from the TSC, for the map timings in the heap statistics:
 * rte_rdtsc() makes no system call (clock_gettime() does whenever the
 * kernel's clock source is not the TSC, as in a TCG VM).
 */
uint64_t
pmem_now_ns(void)
{
	uint64_t hz = rte_get_tsc_hz(), c = rte_rdtsc();

	return hz ? c / hz * NS_PER_S + c % hz * NS_PER_S / hz : 0;
}

static void
map_error(const struct pasid_mem_ioas *ioas, const char *how, const struct pasid_mem_seg *seg,
		uint64_t iova, int err)
{
	PMEM_LOG(ERR, "%s of %" PRIu64 " bytes at IOVA %#" PRIx64 " in IOAS %u failed: %s%s",
		how, seg->len, iova, ioas->ioas_id, strerror(-err),
		err == -EEXIST ? " (something else mapped that IOVA: give the heap its own "
		"window with iova_min/iova_max)" :
		err == -EINVAL ? " (the IOVA hits a reserved region or is misaligned)" :
		err == -ENOSPC ? " (no IOVA space left)" : "");
	if (err == -ENOMEM)
		pasid_mem_memlock_explain(seg->len);
}

/**
 * Map a whole segment at the fixed @iova. Tries IOMMU_IOAS_MAP_FILE first and
 * falls back to IOMMU_IOAS_MAP (for good) when the kernel lacks it. EINVAL
 * (the IOVA hits a reserved region) is not logged when @may_retry.
 * Return: 0 or -errno.
 */
int
pasid_mem_ioas_map(struct pasid_mem_ioas *ioas, const struct pasid_mem_seg *seg,
		uint64_t iova, bool may_retry)
{
	const uint32_t flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
		IOMMU_IOAS_MAP_WRITEABLE;
	uint64_t t0;
	int err, rc;

	if (ioas->iommufd == RTE_PASID_MEM_NO_IOMMU)
		return 0;
	if (ioas->map_file) {
		struct iommu_ioas_map_file m = {
			.size = sizeof(m),
			.flags = flags,
			.ioas_id = ioas->ioas_id,
			.fd = seg->fd,
			.start = 0,
			.length = seg->len,
			.iova = iova,
		};

		t0 = pmem_now_ns();
		rc = iommufd_hook_ioctl(ioas->iommufd, IOMMU_IOAS_MAP_FILE, &m);
		ioas->map_end_ns = pmem_now_ns();
		ioas->map_ioctl_ns += ioas->map_end_ns - t0;
		ioas->map_calls++;
		if (rc == 0)
			return 0;
		err = -errno;
		if (err != -ENOTTY && err != -EOPNOTSUPP) {
			if (!may_retry || err != -EINVAL)
				map_error(ioas, "IOMMU_IOAS_MAP_FILE", seg, iova, err);
			return err;
		}
		PMEM_LOG(INFO, "IOMMU_IOAS_MAP_FILE is not available (Linux 6.13+): "
			"mapping by address with IOMMU_IOAS_MAP");
		ioas->map_file = false;
	}
	{
		struct iommu_ioas_map m = {
			.size = sizeof(m),
			.flags = flags,
			.ioas_id = ioas->ioas_id,
			.user_va = (uintptr_t)seg->va,
			.length = seg->len,
			.iova = iova,
		};

		t0 = pmem_now_ns();
		rc = iommufd_hook_ioctl(ioas->iommufd, IOMMU_IOAS_MAP, &m);
		ioas->map_end_ns = pmem_now_ns();
		ioas->map_ioctl_ns += ioas->map_end_ns - t0;
		ioas->map_calls++;
		if (rc == 0)
			return 0;
		err = -errno;
		if (!may_retry || err != -EINVAL)
			map_error(ioas, "IOMMU_IOAS_MAP", seg, iova, err);
		return err;
	}
}

/**
 * Unmap exactly one earlier mapping [@iova, @iova + @len) (never a part of
 * one: the kernel refuses splits with ENOENT). Return: 0 or -errno.
 */
int
pasid_mem_ioas_unmap(struct pasid_mem_ioas *ioas, uint64_t iova, uint64_t len)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u),
		.ioas_id = ioas->ioas_id,
		.iova = iova,
		.length = len,
	};
	uint64_t t0;
	int err, rc;

	if (ioas->iommufd == RTE_PASID_MEM_NO_IOMMU)
		return 0;
	ioas->unmap_calls++;
	errno = 0;
	t0 = pmem_now_ns();
	rc = iommufd_hook_ioctl(ioas->iommufd, IOMMU_IOAS_UNMAP, &u);
	ioas->unmap_ns += pmem_now_ns() - t0;
	if (rc == 0 && u.length == len)
		return 0;
	err = errno ? -errno : -EIO;
	PMEM_LOG(ERR, "IOMMU_IOAS_UNMAP of %" PRIu64 " bytes at IOVA %#" PRIx64 " in IOAS %u "
		"failed: %s (unmapped %llu bytes)%s", len, iova, ioas->ioas_id, strerror(-err),
		(unsigned long long)u.length, err == -ENOENT ? " (the IOAS no longer holds "
		"this mapping: was it unmapped or the IOAS destroyed behind the heap?)" : "");
	return err;
}
