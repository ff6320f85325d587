/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Copyright(c) 2026 The dpdk-pasid authors
 */
/*
 * Heap configuration: every field of struct rte_pasid_mem_conf checked, with
 * a message that names the field and the fix, and the heap's geometry
 * (page and segment size, slots) derived from it.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>

#include <linux/magic.h>
#include <numa.h>

#include <rte_memory.h>
#include <rte_string_fns.h>

#include "pasid_mem_private.h"

#define DEFAULT_SEG_2M (32ull << 20)
#define KNOWN_FLAGS RTE_PASID_MEM_F_MAP_BY_VA

static int
bad_conf(const char *name, const char *what)
{
	PMEM_LOG(ERR, "heap %s: %s", name ? name : "(null)", what);
	return -EINVAL;
}

static int
check_numa_node(const char *name, int node)
{
	char msg[160];

	if (node == SOCKET_ID_ANY)
		return 0;
	if (node < 0) {
		snprintf(msg, sizeof(msg), "numa_node %d is neither a node nor SOCKET_ID_ANY",
			node);
		return bad_conf(name, msg);
	}
	if (numa_available() < 0) {
		if (node == 0)
			return 0;
		snprintf(msg, sizeof(msg), "numa_node %d does not exist: this system has no NUMA "
			"support, use 0 or SOCKET_ID_ANY", node);
		return bad_conf(name, msg);
	}
	if (node > numa_max_node() || !numa_bitmask_isbitset(numa_all_nodes_ptr, node)) {
		snprintf(msg, sizeof(msg), "numa_node %d does not exist or has no memory "
			"(nodes 0-%d; see /sys/devices/system/node)", node, numa_max_node());
		return bad_conf(name, msg);
	}
	return 0;
}

static int
check_hugetlbfs(const char *name, const char *dir, uint64_t page_size)
{
	struct statfs fs;
	char msg[PATH_MAX + 128];

	if (statfs(dir, &fs) < 0) {
		snprintf(msg, sizeof(msg), "hugetlbfs_dir %s: %s", dir, strerror(errno));
		return bad_conf(name, msg);
	}
	if ((unsigned long)fs.f_type != HUGETLBFS_MAGIC) {
		snprintf(msg, sizeof(msg), "hugetlbfs_dir %s is not a hugetlbfs mount "
			"(mount -t hugetlbfs -o pagesize=%" PRIu64 "K none %s)", dir,
			page_size >> 10, dir);
		return bad_conf(name, msg);
	}
	if ((uint64_t)fs.f_bsize != page_size) {
		snprintf(msg, sizeof(msg), "hugetlbfs_dir %s has %lu kB pages, the heap asks for "
			"%" PRIu64 " kB", dir, (unsigned long)fs.f_bsize >> 10, page_size >> 10);
		return bad_conf(name, msg);
	}
	return 0;
}

int
pasid_mem_conf_apply(const struct rte_pasid_mem_conf *c, struct rte_pasid_mem_heap *h)
{
	const char *n = c->name;
	uint64_t page = c->page_size ? c->page_size : RTE_PGSIZE_2M;
	uint64_t seg, max_segs;
	char msg[192];
	int err;

	if (n == NULL || n[0] == '\0')
		return bad_conf(n, "name is NULL or empty");
	if (strnlen(n, RTE_PASID_MEM_NAMESIZE) >= RTE_PASID_MEM_NAMESIZE)
		return bad_conf(n, "name is longer than RTE_PASID_MEM_NAMESIZE - 1 characters");
	if (page != RTE_PGSIZE_2M && page != RTE_PGSIZE_1G) {
		snprintf(msg, sizeof(msg), "page_size %" PRIu64 " is neither 2 MiB nor 1 GiB",
			page);
		return bad_conf(n, msg);
	}
	seg = c->segment_size ? c->segment_size : (page == RTE_PGSIZE_1G ? page : DEFAULT_SEG_2M);
	if (seg % page) {
		snprintf(msg, sizeof(msg), "segment_size %" PRIu64 " is not a multiple of the "
			"page size %" PRIu64, seg, page);
		return bad_conf(n, msg);
	}
	if (c->max_size < seg) {
		snprintf(msg, sizeof(msg), "max_size %" PRIu64 " is below one segment (%" PRIu64
			" bytes)", c->max_size, seg);
		return bad_conf(n, msg);
	}
	max_segs = c->max_size / seg;
	if (max_segs > RTE_MAX_MEMSEG_LISTS) {
		snprintf(msg, sizeof(msg), "max_size allows %" PRIu64 " segments but DPDK has only "
			"%d memseg lists (one per segment): use a larger segment_size",
			max_segs, RTE_MAX_MEMSEG_LISTS);
		return bad_conf(n, msg);
	}
	if (c->initial_size > max_segs * seg) {
		snprintf(msg, sizeof(msg), "initial_size %" PRIu64 " is above max_size %" PRIu64,
			c->initial_size, max_segs * seg);
		return bad_conf(n, msg);
	}
	if (c->iommufd < 0 && c->iommufd != RTE_PASID_MEM_NO_IOMMU)
		return bad_conf(n, "iommufd is negative (RTE_PASID_MEM_NO_IOMMU means no IOMMU)");
	if (c->iova_max != 0 && c->iova_max < c->iova_min)
		return bad_conf(n, "iova_max is below iova_min");
	if (c->flags & ~KNOWN_FLAGS) {
		snprintf(msg, sizeof(msg), "unknown flags %#x", c->flags & ~KNOWN_FLAGS);
		return bad_conf(n, msg);
	}
	err = check_numa_node(n, c->numa_node);
	if (err < 0)
		return err;
	if (c->hugetlbfs_dir != NULL) {
		err = check_hugetlbfs(n, c->hugetlbfs_dir, page);
		if (err < 0)
			return err;
	}

	rte_strlcpy(h->name, n, sizeof(h->name));
	h->src.heap = h->name;
	h->src.page_size = page;
	h->src.numa_node = c->numa_node;
	if (c->numa_node == 0 && numa_available() < 0)
		h->src.numa_node = SOCKET_ID_ANY;
	h->src.hugetlbfs_dir = c->hugetlbfs_dir ? strdup(c->hugetlbfs_dir) : NULL;
	if (c->hugetlbfs_dir != NULL && h->src.hugetlbfs_dir == NULL)
		return -ENOMEM;
	h->ioas.ioas_id = c->ioas_id;
	h->ioas.map_file = !(c->flags & RTE_PASID_MEM_F_MAP_BY_VA);
	h->ioas.cap_ipc_lock = -1;
	h->iova_min = c->iova_min;
	h->iova_max = c->iova_max;
	h->seg_size = seg;
	h->max_segs = (uint32_t)max_segs;
	h->min_segs = (uint32_t)((c->initial_size + seg - 1) / seg);
	/* Last: the heap's own duplicate of the iommufd (closed by heap_free()). */
	return pasid_mem_ioas_hold(&h->ioas, c->iommufd);
}
