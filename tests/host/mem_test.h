/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers for the pasid_mem host tests: EAL start-up, hugepage reservation
 * with restore at exit, leak accounting and log capture. Assertions:
 * tests/lib/test_assert.h.
 */
#ifndef MEM_TEST_H
#define MEM_TEST_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_pasid_mem.h>

#include "test_assert.h"

#define SKIP_EXIT 77
#define MB (1ull << 20)


/**
 * Start EAL for a test program @prog (no PCI, no hugepages of its own, no
 * shared config), file prefix @prefix (NULL: pasid_<program name>), DPDK's
 * log routed through mt_log_capture().
 */
void mt_eal_init(const char *prog, const char *prefix);
/** Skip the test (exit 77) with a reason. */
__rte_noreturn __rte_format_printf(1, 2) void mt_skip(const char *fmt, ...);

/**
 * Set the 2 MiB hugepage pool to @n pages (@node < 0: global through
 * /proc/sys/vm/nr_hugepages, else through the node's sysfs file). The first
 * call records the old setting and restores it at exit. Skips the test when
 * fewer than @n pages can be reserved (memory fragmentation) and @n > 0.
 */
void mt_hugepages_set(unsigned long n, int node);
/** Free 2 MiB hugepages (global). */
unsigned long mt_hugepages_free(void);

/** A snapshot of what a heap can leak. */
struct mt_usage {
	unsigned int fds;        /**< open fds */
	unsigned int huge_maps;  /**< hugetlb VMAs in /proc/self/maps */
	unsigned long free_hp;   /**< free 2 MiB hugepages */
};
void mt_usage(struct mt_usage *u);
/** Fail unless @now equals @before (named @what). */
void mt_usage_same(const struct mt_usage *before, const char *what);

/**
 * The start of every pasid_mem host test: reserve @hugepages 2 MiB pages
 * (@node as in mt_hugepages_set()), start EAL (mt_eal_init()) and record
 * what a heap could leak in @before (mt_usage()).
 */
void mt_setup(const char *prog, unsigned long hugepages, int node, struct mt_usage *before);

/**
 * A heap configuration for the tests: @name, no IOMMU, any NUMA node,
 * 2 MiB pages, 8 MiB segments, one segment at creation, at most @max_size.
 */
struct rte_pasid_mem_conf mt_conf(const char *name, uint64_t max_size);

/**
 * rte_pasid_mem_create(@c) must fail with rte_errno @err and, when @log is
 * not NULL, log @log (captured from here: mt_log_capture(), so the caller
 * can mt_log_expect() more of the same message). @what names the case in
 * the failure message and in the "ok: <what> -> <errno text>" line printed
 * on success. A heap that is created, a different rte_errno or a missing
 * message fails the test.
 */
void mt_create_refused(const struct rte_pasid_mem_conf *c, int err, const char *log,
		       const char *what);

/** Start capturing DPDK's log (in addition to printing it); works before or after EAL init. */
void mt_log_capture(void);
/** Fail unless the log captured since mt_log_capture() contains @s. */
void mt_log_expect(const char *s);
/** Whether the log captured since mt_log_capture() contains @s. */
bool mt_log_has(const char *s);

#endif /* MEM_TEST_H */
