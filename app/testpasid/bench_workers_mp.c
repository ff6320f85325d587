/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Copyright(c) 2026 The dpdk-pasid authors
 */
/*
 * 'bench workers --secondaries': each domain brought up by a secondary
 * process of its own, as examples/pasid_workers does: the primary (this
 * process, not --in-memory) starts N secondaries one after the other
 * (this program again: bench workers-child), each of which, once its EAL is
 * up, times rte_iommufd_domain_create (a request to the primary) and
 * rte_pasid_mem_create, reports, waits, and on the primary's word times the
 * teardown. EAL start-up is excluded: only the children's own timings count.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <rte_common.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include <rte_bus_iommufd.h>
#include <rte_pasid_mem.h>

#include "bench_mem.h"
#include "testpasid.h"

struct child {
	pid_t pid;
	FILE *in, *out;	/* the child's stdin (we write), stdout (we read) */
};

struct rte_device *
bm_pasid_dev(void)
{
	struct rte_iommufd_dev_info in;
	struct rte_dev_iterator it;
	struct rte_device *dev;

	RTE_DEV_FOREACH(dev, "bus=" RTE_BUS_IOMMUFD_NAME, &it)
		if (rte_iommufd_dev_info(dev, &in) == 0 && in.bound && in.pasid_mode)
			return dev;
	return NULL;
}

int
bench_workers_child(int argc, char **argv)
{
	struct rte_pasid_mem_conf mc = {
		.numa_node = SOCKET_ID_ANY, .page_size = RTE_PGSIZE_2M,
	};
	struct rte_device *dev = bm_pasid_dev();
	struct rte_iommufd_domain *dom;
	struct rte_pasid_mem_heap *h;
	uint64_t t0, t1, t2, heap;
	char name[32], line[16];

	if (argc < 2 || dev == NULL) {
		printf("error %s\n", dev == NULL ? "no PASID-capable device" : "usage");
		return 2;
	}
	heap = strtoull(argv[1], NULL, 0) * BM_MB;
	mc.segment_size = mc.initial_size = mc.max_size = heap;
	snprintf(name, sizeof(name), "bench_s%d", (int)getpid());
	mc.name = name;
	t0 = bm_now_ns();
	dom = rte_iommufd_domain_create(dev);
	if (dom == NULL || rte_iommufd_domain_ioas(dom, &mc.iommufd, &mc.ioas_id) != 0) {
		printf("error domain: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	t1 = bm_now_ns();
	h = rte_pasid_mem_create(&mc);
	if (h == NULL) {
		printf("error heap: %s\n", rte_strerror(rte_errno));
		rte_iommufd_domain_destroy(dom);
		return 1;
	}
	printf("up %" PRIu64 " %" PRIu64 "\n", bm_now_ns() - t0, t1 - t0);
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 1;
	t0 = bm_now_ns();
	rte_pasid_mem_destroy(h);
	t1 = bm_now_ns();
	rte_iommufd_domain_destroy(dom);
	t2 = bm_now_ns();
	printf("down %" PRIu64 " %" PRIu64 "\n", t2 - t0, t2 - t1);
	fflush(stdout);
	return 0;
}

static int
child_start(struct child *c, const char *port, const char *prefix, unsigned int lcore,
		uint64_t heap)
{
	char lc[32], dev[128], hp[24];
	int to[2], from[2];

	snprintf(lc, sizeof(lc), "%u@(0-1)", 8 + lcore);
	snprintf(dev, sizeof(dev), "iommufd:%s", port);
	snprintf(hp, sizeof(hp), "%" PRIu64, heap >> 20);
	const char *args[16];
	unsigned int n = 0;

	args[n++] = "dpdk-testpasid";
	args[n++] = "--lcores";
	args[n++] = lc;
	args[n++] = "--proc-type=secondary";
	args[n++] = "--file-prefix";
	args[n++] = prefix;
	args[n++] = "--no-pci";
	args[n++] = "-a";
	args[n++] = dev;
	args[n++] = "--log-level=lib.eal:warning";
	args[n++] = "--";
	args[n++] = "bench";
	args[n++] = "workers-child";
	args[n++] = hp;
	args[n] = NULL;

	/* Close-on-exec: no child inherits another child's pipes (dup2() clears it). */
	if (pipe2(to, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(from, O_CLOEXEC) < 0) {
		close(to[0]);
		close(to[1]);
		return -errno;
	}
	c->pid = fork();
	if (c->pid == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		execv("/proc/self/exe", (char *const *)(uintptr_t)args);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	if (c->pid < 0) {
		close(to[1]);
		close(from[0]);
		return -errno;
	}
	c->in = fdopen(to[1], "w");
	c->out = fdopen(from[0], "r");
	return c->in && c->out ? 0 : -ENOMEM;
}

/* Read "<word> <total ns> <part ns>" from the child. */
static int
child_read(struct child *c, const char *word, uint64_t *total, uint64_t *part)
{
	char line[256], w[16];

	while (fgets(line, sizeof(line), c->out) != NULL) {
		if (strncmp(line, "error", 5) == 0) {
			fprintf(stderr, "bench workers: secondary %d: %s", (int)c->pid, line);
			return -1;
		}
		if (sscanf(line, "%15s %" SCNu64 " %" SCNu64, w, total, part) == 3 &&
		    strcmp(w, word) == 0)
			return 0;
	}
	fprintf(stderr, "bench workers: secondary %d ended before '%s'\n", (int)c->pid, word);
	return -1;
}

static void
child_end(struct child *c)
{
	if (c->in)
		fclose(c->in);
	if (c->out)
		fclose(c->out);
	if (c->pid > 0)
		waitpid(c->pid, NULL, 0);
}

int
bench_workers_secondaries(const char *port, const unsigned int *counts, unsigned int nc,
		uint64_t heap)
{
	char prefix[256];
	uint64_t first_up = 0, first_down = 0;
	unsigned int k, i;
	int ret = 0;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		fprintf(stderr, "bench workers: --secondaries needs a primary process\n");
		return -1;
	}
	snprintf(prefix, sizeof(prefix), "%s", rte_eal_get_runtime_dir());
	for (k = 0; k < nc && ret == 0; k++) {
		unsigned int n = counts[k];
		struct child *c = calloc(n, sizeof(*c));
		uint64_t up = 0, up_dom = 0, down = 0, down_heap = 0, t, p;

		if (c == NULL)
			return -1;
		for (i = 0; i < n && ret == 0; i++) {
			ret = child_start(&c[i], port, basename(prefix), i, heap);
			ret = ret ?: child_read(&c[i], "up", &t, &p);
			up += t;
			up_dom += p;
		}
		for (i = 0; i < n; i++) {
			if (c[i].in != NULL && ret == 0) {
				fputs("go\n", c[i].in);
				fflush(c[i].in);
				ret = child_read(&c[i], "down", &t, &p);
				down += t;
				down_heap += t - p;
			} else if (c[i].pid > 0) {
				kill(c[i].pid, SIGTERM);
			}
			child_end(&c[i]);
		}
		free(c);
		if (ret != 0)
			break;
		printf("secondaries %2u: bring-up %8.3f ms/domain (rte_iommufd_domain_create %6.3f "
			"ms), teardown %8.3f ms/domain (heap %6.3f ms); EAL start-up excluded\n", n,
			up / 1e6 / n, up_dom / 1e6 / n, down / 1e6 / n, down_heap / 1e6 / n);
		if (k == 0) {
			first_up = up / n;
			first_down = down / n;
		} else if (k == nc - 1) {
			printf("growth %u/%u as secondaries: bring-up %.3f, teardown %.3f\n", n,
				counts[0], (double)up / n / first_up, (double)down / n / first_down);
		}
	}
	return ret;
}
