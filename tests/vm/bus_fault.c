/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bus-fault [EAL options] -- primary PORT DIR | worker DIR
 *
 * Fault injection over a named bring-up sequence (bus_fault_injection.sh).
 * Run with DPDK_PASID_HOOK_FAIL=any:0: the hook (iommufd_hook.h) is armed
 * but fails nothing until this program sets N. For N = 1, 2, ... the
 * sequence runs with the Nth open/ioctl/mmap/eventfd/memfd_create/rte_mp call
 * issued by our own code (bus, pasid_mem, PMD) failing; it must end in an
 * error that names the failed step; the process then retries in place with
 * nothing failing, which must succeed; everything is torn down and the fd
 * count and free hugepages must be back at their baseline. The loop ends at
 * the first N the sequence does not reach.
 *
 * primary (EAL: the port blocked with -b, so that probing it is a step):
 *   rte_dev_probe of PORT, port configure (2 queue pairs) and start, then
 *   queue pair 0 brought up as a worker does (pw_queue_open(): domain,
 *   heap, pool, queue set-up and start). Then it configures the port for
 *   the worker, touches DIR/p.ready and serves until DIR/p.quit exists.
 * worker (--proc-type=secondary, the port given with -a): pw_queue_open()
 *   of queue pair 1 (domain creation through the primary, heap creation,
 *   queue set-up and start).
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_iommufd.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "iommufd_hook.h"
#include "pw_queue.h"
#include "test_assert.h"

#define NB_DESC 64
#define NB_MBUFS 511
#define MAX_N 400

static const char *port_name;
static char step[128];         /* the step that failed */

static void
say(const char *fmt, ...) __rte_format_printf(1, 2);

static void
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("[%d] ", getpid());
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
}

static int
fd_count(void)
{
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	TEST_ASSERT_NOT_NULL(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own fd */
}

static long
hp_free(void)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	TEST_ASSERT_NOT_NULL(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "HugePages_Free: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static int
failed(const char *what, int err)
{
	snprintf(step, sizeof(step), "%s: %s", what, rte_strerror(err));
	return -1;
}

/* ---- primary ---- */

static struct rte_device *port_dev;
static uint16_t port_id;
static bool port_started;

static void
port_down(void)
{
	if (port_dev == NULL)
		return;
	if (port_started)
		rte_eth_dev_stop(port_id);
	port_started = false;
	/* The driver's remove closes the port; the bus then closes the device. */
	TEST_ASSERT_EQ(rte_dev_remove(port_dev), 0, "rte_dev_remove(%s)", port_name);
	port_dev = NULL;
}

static int
port_up(void)
{
	char devargs[128];
	struct rte_eth_conf conf;
	uint16_t p;
	int ret;

	snprintf(devargs, sizeof(devargs), "iommufd:%s", port_name);
	ret = rte_dev_probe(devargs);
	if (ret < 0)
		return failed("rte_dev_probe of the port", -ret);
	RTE_ETH_FOREACH_DEV(p) {
		struct rte_eth_dev_info info;

		if (rte_eth_dev_info_get(p, &info) == 0 &&
		    strcmp(rte_dev_name(info.device), port_name) == 0) {
			port_dev = info.device;
			port_id = p;
		}
	}
	if (port_dev == NULL)
		return failed("finding the probed port", ENODEV);
	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(port_id, 2, 2, &conf);
	if (ret < 0)
		return failed("rte_eth_dev_configure", -ret);
	ret = rte_eth_dev_start(port_id);
	if (ret < 0)
		return failed("rte_eth_dev_start", -ret);
	port_started = true;
	return 0;
}

static int
primary_seq(struct pw_queue *q)
{
	int ret;

	if (port_up() < 0)
		return -1;
	ret = pw_queue_open(q, port_id, 0, NB_DESC, NB_MBUFS, "fault_p");
	if (ret < 0)
		return failed("queue pair 0 bring-up (domain, heap, queue set-up and start: "
			      "the step is in the log above)", -ret);
	return 0;
}

static void
primary_down(struct pw_queue *q)
{
	pw_queue_close(q);
	port_down();
}

/* ---- worker ---- */

static int
worker_seq(struct pw_queue *q)
{
	int ret = pw_queue_open(q, (uint16_t)rte_eth_find_next(0), 1, NB_DESC, NB_MBUFS,
				"fault_w");

	if (ret < 0)
		return failed("queue pair 1 bring-up (domain through the primary, heap, queue "
			      "set-up and start: the step is in the log above)", -ret);
	return 0;
}

static void
worker_down(struct pw_queue *q)
{
	TEST_ASSERT_EQ(pw_queue_close(q), 0);
}

/* ---- the loop ---- */

static unsigned int
inject_all(const char *who, int (*seq)(struct pw_queue *), void (*down)(struct pw_queue *))
{
	struct pw_queue q;
	unsigned long calls;
	unsigned int n;
	bool fired;
	long hp0;
	int fds0;

	/* A first run, nothing failing: what stays for the process's life
	 * (the bus's worker watch, ethdev's shared data, ...) is there before
	 * the baseline.
	 */
	TEST_ASSERT_EQ(iommufd_hook_arm(IOMMUFD_HOOK_ANY, 0), 0,
		       "run with DPDK_PASID_HOOK_FAIL=any:0");
	memset(&q, 0, sizeof(q));
	TEST_ASSERT_EQ(seq(&q), 0, "%s: the sequence fails with no fault injected: %s", who,
		       step);
	down(&q);
	fds0 = fd_count();
	hp0 = hp_free();

	say("%s: baseline: %d fds, %ld free hugepages", who, fds0, hp0);
	for (n = 1; n <= MAX_N; n++) {
		step[0] = '\0';
		TEST_ASSERT_EQ(iommufd_hook_arm(IOMMUFD_HOOK_ANY, n), 0,
			       "run with DPDK_PASID_HOOK_FAIL=any:0");
		memset(&q, 0, sizeof(q));
		if (seq(&q) == 0) {
			calls = iommufd_hook_count(&fired);
			TEST_ASSERT_TRUE(!fired, "%s: call %u failed but the sequence succeeded",
					 who, n);
			say("%s: N=%u: the sequence succeeded: it issues %lu calls", who, n,
			    calls);
			down(&q);
			break;
		}
		calls = iommufd_hook_count(&fired);
		TEST_ASSERT_TRUE(fired, "%s: N=%u: the sequence failed (%s) with no call "
				 "failed", who, n, step);
		/* The failed sequence unwound itself; what is left is the port. */
		down(&q);
		say("%s: N=%u: failed at %s", who, n, step);
		TEST_ASSERT_EQ(iommufd_hook_arm(IOMMUFD_HOOK_ANY, 0), 0);
		TEST_ASSERT_EQ(seq(&q), 0, "%s: N=%u: the retry in place failed at %s", who, n,
			       step);
		down(&q);
		TEST_ASSERT_EQ(fd_count(), fds0, "%s: N=%u: fds after the retry's teardown", who,
			       n);
		TEST_ASSERT_EQ(hp_free(), hp0, "%s: N=%u: free hugepages after the teardown",
			       who, n);
	}
	TEST_ASSERT_LE(n, MAX_N, "%s: the sequence never succeeded", who);
	TEST_ASSERT_EQ(iommufd_hook_arm(IOMMUFD_HOOK_ANY, 0), 0);
	TEST_ASSERT_EQ(fd_count(), fds0, "%s: fds at the end", who);
	TEST_ASSERT_EQ(hp_free(), hp0, "%s: free hugepages at the end", who);
	say("ok: %s: %u injected failures, each a clear error, each retried in place with "
	    "success, fds and free hugepages back to the baseline", who, n - 1);
	return n - 1;
}

static void
touch(const char *dir, const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	TEST_ASSERT_NOT_NULL(f, "%s", path);
	fclose(f);
}

static bool
exists(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

int
main(int argc, char **argv)
{
	int n = rte_eal_init(argc, argv);

	if (n < 0)
		TEST_FAIL("rte_eal_init: %s", rte_strerror(rte_errno));
	argc -= n;
	argv += n;
	if (argc >= 4 && strcmp(argv[1], "primary") == 0) {
		port_name = argv[2];
		inject_all("primary", primary_seq, primary_down);
		/* Serve the worker: the port up, no queue pair of ours. */
		TEST_ASSERT_EQ(port_up(), 0, "port up for the worker: %s", step);
		touch(argv[3], "p.ready");
		say("primary ready: port %u", port_id);
		while (!exists(argv[3], "p.quit"))
			usleep(100 * 1000);
		port_down();
	} else if (argc >= 3 && strcmp(argv[1], "worker") == 0) {
		inject_all("worker", worker_seq, worker_down);
	} else {
		fprintf(stderr, "usage: %s [EAL options] -- primary PORT DIR | worker DIR\n",
			argv[0]);
		return 2;
	}
	rte_eal_cleanup();
	say("exit");
	return 0;
}
