/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Copyright(c) 2026 The dpdk-pasid authors
 */
/*
 * Hugepage segments: a memfd_create(MFD_HUGETLB) or hugetlbfs file of whole
 * hugepages, mapped MAP_SHARED at a fixed VA inside the heap's reservation,
 * bound to a NUMA node and prefaulted.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <linux/memfd.h>
#include <numa.h>
#include <numaif.h>

#include <rte_common.h>
#include <rte_memory.h>

#include "iommufd_hook.h"
#include "pasid_mem_private.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static int
read_ulong(const char *path, unsigned long *val)
{
	FILE *f = fopen(path, "re");
	int ok;

	if (f == NULL)
		return -errno;
	ok = fscanf(f, "%lu", val) == 1;
	fclose(f);
	return ok ? 0 : -EIO;
}

/*
 * Check that @len bytes of hugepages of the source's size are free (on its
 * node), and say how to reserve them when they are not.
 */
int
pasid_mem_hugepage_check(const struct pasid_mem_seg_src *src, uint64_t len)
{
	unsigned long kb = src->page_size >> 10, need = len / src->page_size;
	unsigned long free_pages, resv = 0, total = 0, node_free;
	unsigned long overcommit = 0, surplus = 0;
	char dir[128], path[192];

	snprintf(dir, sizeof(dir), "/sys/kernel/mm/hugepages/hugepages-%lukB", kb);
	snprintf(path, sizeof(path), "%s/free_hugepages", dir);
	if (read_ulong(path, &free_pages) < 0) {
		PMEM_LOG(ERR, "heap %s: the kernel has no %lu kB hugepage pool (%s missing); %s",
			src->heap, kb, dir, src->page_size == RTE_PGSIZE_1G ?
			"boot with hugepagesz=1G hugepages=N" :
			"enable CONFIG_HUGETLBFS or use 2 MiB pages");
		return -ENOTSUP;
	}
	snprintf(path, sizeof(path), "%s/resv_hugepages", dir);
	read_ulong(path, &resv);
	snprintf(path, sizeof(path), "%s/nr_hugepages", dir);
	read_ulong(path, &total);
	free_pages = free_pages > resv ? free_pages - resv : 0;
	/* Surplus pages the kernel may still allocate (nr_overcommit_hugepages). */
	snprintf(path, sizeof(path), "%s/nr_overcommit_hugepages", dir);
	if (read_ulong(path, &overcommit) == 0) {
		snprintf(path, sizeof(path), "%s/surplus_hugepages", dir);
		read_ulong(path, &surplus);
		if (overcommit > surplus)
			free_pages += overcommit - surplus;
	}
	if (src->numa_node != SOCKET_ID_ANY) {
		snprintf(dir, sizeof(dir),
			"/sys/devices/system/node/node%d/hugepages/hugepages-%lukB",
			src->numa_node, kb);
		snprintf(path, sizeof(path), "%s/free_hugepages", dir);
		if (read_ulong(path, &node_free) == 0) {
			if (node_free < free_pages)
				free_pages = node_free;
			snprintf(path, sizeof(path), "%s/nr_hugepages", dir);
			read_ulong(path, &total);
		} else {
			/* No per-node sysfs (kernel without NUMA): use the global pool. */
			snprintf(dir, sizeof(dir), "/sys/kernel/mm/hugepages/hugepages-%lukB", kb);
		}
	}
	if (free_pages >= need)
		return 0;
	PMEM_LOG(ERR, "heap %s: %lu hugepages of %lu kB needed%s, only %lu free "
		"in a pool of %lu. Reserve more, e.g. "
		"'echo %lu > %s/nr_hugepages' or 'hugeadm --pool-pages-min %s:%lu'%s",
		src->heap, need, kb, src->numa_node != SOCKET_ID_ANY ? " on the heap's node" : "",
		free_pages, total, total + need - free_pages, dir,
		src->page_size == RTE_PGSIZE_1G ? "1GB" : "2MB", total + need - free_pages,
		src->page_size == RTE_PGSIZE_1G ?
		" (1 GiB pages usually need hugepagesz=1G hugepages=N at boot)" : "");
	return -ENOMEM;
}

int
pasid_mem_va_reserve(uint64_t len, uint64_t align, void **va)
{
	uint8_t *p, *a;
	uint64_t head, tail;

	p = iommufd_hook_mmap(NULL, len + align, PROT_NONE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		int err = errno;

		PMEM_LOG(ERR, "cannot reserve %" PRIu64 " bytes of address space: %s; "
			"lower max_size or raise the address space limit (ulimit -v)",
			len, strerror(err));
		return -err;
	}
	a = RTE_PTR_ALIGN_CEIL(p, align);
	head = a - p;
	tail = align - head;
	if (head)
		munmap(p, head);
	if (tail)
		munmap(a + len, tail);
	*va = a;
	return 0;
}

void
pasid_mem_va_release(void *va, uint64_t len)
{
	munmap(va, len);
}

/* Put the PROT_NONE reservation back over [va, va + len). */
static void
va_rereserve(void *va, uint64_t len)
{
	if (iommufd_hook_mmap(va, len, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) == MAP_FAILED)
		PMEM_LOG(ERR, "cannot restore the address space reservation at %p: %s",
			va, strerror(errno));
}

static int
seg_open(const struct pasid_mem_seg_src *src)
{
	char path[PATH_MAX];
	int fd, err;

	if (src->hugetlbfs_dir == NULL) {
		unsigned int flags = MFD_CLOEXEC | MFD_HUGETLB;

		flags |= (unsigned int)rte_log2_u64(src->page_size) << MFD_HUGE_SHIFT;
		fd = iommufd_hook_memfd_create(src->heap, flags);
		if (fd < 0) {
			err = errno;
			PMEM_LOG(ERR, "heap %s: memfd_create(MFD_HUGETLB, %" PRIu64 " kB) "
				"failed: %s%s", src->heap, src->page_size >> 10, strerror(err),
				err == EINVAL ?
				" (no hugetlbfs for this page size in the kernel)" : "");
			return -err;
		}
		return fd;
	}
	if (snprintf(path, sizeof(path), "%s/pasid_mem.%s.XXXXXX", src->hugetlbfs_dir,
			src->heap) >= (int)sizeof(path)) {
		PMEM_LOG(ERR, "heap %s: hugetlbfs path too long", src->heap);
		return -ENAMETOOLONG;
	}
	fd = iommufd_hook_fails(IOMMUFD_HOOK_OPEN, IOMMUFD_HOOK_SITE) ? -1 :
	     mkostemp(path, O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		PMEM_LOG(ERR, "heap %s: cannot create a file in hugetlbfs %s: %s",
			src->heap, src->hugetlbfs_dir, strerror(err));
		return -err;
	}
	/* Unlinked at once: the pages go back to the pool when the fd closes. */
	unlink(path);
	return fd;
}

int
pasid_mem_seg_create(const struct pasid_mem_seg_src *src, void *va, uint64_t len,
		struct pasid_mem_seg *seg)
{
	void *p;
	int fd, err;

	err = pasid_mem_hugepage_check(src, len);
	if (err < 0)
		return err;
	fd = seg_open(src);
	if (fd < 0)
		return fd;
	if (ftruncate(fd, len) < 0) {
		err = -errno;
		PMEM_LOG(ERR, "heap %s: sizing the hugepage file to %" PRIu64 " bytes failed: %s",
			src->heap, len, strerror(-err));
		goto fail_fd;
	}
	p = iommufd_hook_mmap(va, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED) {
		err = -errno;
		PMEM_LOG(ERR, "heap %s: mapping %" PRIu64 " bytes of %" PRIu64 " kB hugepages "
			"failed: %s%s", src->heap, len, src->page_size >> 10, strerror(-err),
			err == -ENOMEM ? " (the hugepage pool ran out: reserve more pages)" : "");
		goto fail_va;
	}
	if (src->numa_node != SOCKET_ID_ANY) {
		struct bitmask *nodes = numa_allocate_nodemask();

		if (nodes == NULL) {
			err = -ENOMEM;
			PMEM_LOG(ERR, "heap %s: out of memory for a NUMA node mask", src->heap);
			goto fail_va;
		}
		numa_bitmask_setbit(nodes, src->numa_node);
		err = mbind(va, len, MPOL_BIND, nodes->maskp, nodes->size + 1, MPOL_MF_STRICT);
		err = err < 0 ? -errno : 0;
		numa_bitmask_free(nodes);
		if (err < 0) {
			PMEM_LOG(ERR, "heap %s: binding the segment to NUMA node %d failed: %s",
				src->heap, src->numa_node, strerror(-err));
			goto fail_va;
		}
	}
	/* Prefault: errors come back here instead of SIGBUS on first touch. */
	if (madvise(va, len, MADV_POPULATE_WRITE) < 0) {
		err = -errno;
		PMEM_LOG(ERR, "heap %s: prefaulting %" PRIu64 " bytes of hugepages%s failed: %s%s",
			src->heap, len,
			src->numa_node != SOCKET_ID_ANY ? " on the heap's node" : "",
			strerror(-err), err == -EINVAL ?
			" (MADV_POPULATE_WRITE needs Linux 5.14)" :
			" (no free hugepage on that node: reserve pages there)");
		goto fail_va;
	}
	seg->fd = fd;
	seg->va = va;
	seg->len = len;
	seg->iova = RTE_BAD_IOVA;
	seg->added = false;
	return 0;

fail_va:
	va_rereserve(va, len);
fail_fd:
	close(fd);
	return err;
}

void
pasid_mem_seg_destroy(struct pasid_mem_seg *seg)
{
	if (seg->fd < 0)
		return;
	va_rereserve(seg->va, seg->len);
	close(seg->fd);
	seg->fd = -1;
	seg->iova = RTE_BAD_IOVA;
	seg->added = false;
}
