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
 *   queue pair 0 brought up as a worker does (qp_up(): domain, heap, mbuf
 *   pool, queue set-up and start; the steps of examples/pasid_workers'
 *   pw_queue_open() with a heap of one segment, so that the sequence stays
 *   short).
 *   Then it brings the port up for the worker, touches DIR/p.ready and
 *   serves until DIR/p.quit exists.
 * worker (--proc-type=secondary, the port given with -a): qp_up() of queue
 *   pair 1 (the domain through the primary).
 *
 * Replay knobs (environment, printed when set): BUS_FAULT_FROM=N starts the
 * loop at N, BUS_FAULT_ONLY=N injects at N only, BUS_FAULT_ROUNDS=R runs the
 * whole loop R times.
 *
 * Each line of the loop is also written to DIR/<primary|worker>.report, by
 * this process itself: the test reads that file, so what it sees is complete
 * when DIR/p.ready appears or the process has exited. A fatal signal or an
 * exit() from anywhere but main()'s end is reported there and on stderr with
 * where the loop was and a backtrace.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_iommufd.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pasid_mem.h>
#include <rte_pmd_pasidnic.h>

#include "bus_fault_proc.h"
#include "iommufd_hook.h"
#include "test_assert.h"

#define NB_DESC 64
#define NB_MBUFS 255
#define HEAP_SIZE (UINT64_C(32) << 20) /* one segment */
#define IOVA_BASE(q) (((uint64_t)(q) + 1) << 32)
#define MAX_N 400

/* One process's queue pair in its own PASID domain. */
struct qp {
	uint16_t port;
	uint16_t queue;
	struct rte_iommufd_domain *dom;
	struct rte_pasid_mem_heap *heap;
	struct rte_mempool *mp;
};

static const char *port_name;
static char step[128];         /* the step that failed */

/* An unsigned environment knob, @def when unset. */
static unsigned int
knob(const char *name, unsigned int def)
{
	const char *v = getenv(name);
	unsigned long n;
	char *end;

	if (v == NULL || *v == '\0')
		return def;
	errno = 0;
	n = strtoul(v, &end, 10);
	TEST_ASSERT_TRUE(*end == '\0' && errno == 0 && n <= MAX_N,
			 "%s=%s: expected a number up to %u", name, v, MAX_N);
	bf_say("replay: %s=%lu", name, n);
	return (unsigned int)n;
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

/* ---- a queue pair in a PASID domain ---- */

static void
qp_down(struct qp *q)
{
	if (q->dom != NULL || q->mp != NULL)
		rte_pmd_pasidnic_queue_pair_release(q->port, q->queue);
	rte_mempool_free(q->mp);
	q->mp = NULL;
	if (q->heap != NULL)
		TEST_ASSERT_EQ(rte_pasid_mem_destroy(q->heap), 0, "heap destroy");
	q->heap = NULL;
	if (q->dom != NULL)
		TEST_ASSERT_EQ(rte_iommufd_domain_destroy(q->dom), 0, "domain destroy");
	q->dom = NULL;
}

static int
qp_up(struct qp *q, uint16_t port, uint16_t queue, const char *tag)
{
	struct rte_eth_dev_info info;
	uint32_t ioas;
	int fd, ret, socket;

	memset(q, 0, sizeof(*q));
	q->port = port;
	q->queue = queue;
	TEST_ASSERT_EQ(rte_eth_dev_info_get(port, &info), 0);
	q->dom = rte_iommufd_domain_create(info.device);
	if (q->dom == NULL)
		return failed("domain creation (rte_iommufd_domain_create)", rte_errno);
	TEST_ASSERT_EQ(rte_iommufd_domain_ioas(q->dom, &fd, &ioas), 0);
	q->heap = rte_pasid_mem_create(&(struct rte_pasid_mem_conf){
		.name = tag, .iommufd = fd, .ioas_id = ioas, .numa_node = SOCKET_ID_ANY,
		.initial_size = HEAP_SIZE, .max_size = HEAP_SIZE,
		.iova_min = IOVA_BASE(queue), .iova_max = IOVA_BASE(queue + 1) - 1 });
	if (q->heap == NULL)
		return failed("heap creation (rte_pasid_mem_create)", rte_errno);
	socket = rte_pasid_mem_socket_id(q->heap);
	q->mp = rte_pasid_mem_pktmbuf_pool_create(tag, NB_MBUFS, 0, 0,
						  RTE_MBUF_DEFAULT_BUF_SIZE, q->heap);
	if (q->mp == NULL)
		return failed("mbuf pool (rte_pasid_mem_pktmbuf_pool_create)", rte_errno);
	ret = rte_pmd_pasidnic_queue_domain_set(port, queue, q->dom);
	if (ret < 0)
		return failed("rte_pmd_pasidnic_queue_domain_set", -ret);
	ret = rte_eth_rx_queue_setup(port, queue, NB_DESC, socket, NULL, q->mp);
	if (ret < 0)
		return failed("RX queue set-up", -ret);
	ret = rte_eth_tx_queue_setup(port, queue, NB_DESC, socket, NULL);
	if (ret < 0)
		return failed("TX queue set-up", -ret);
	ret = rte_eth_dev_rx_queue_start(port, queue);
	if (ret < 0)
		return failed("RX queue start", -ret);
	ret = rte_eth_dev_tx_queue_start(port, queue);
	if (ret < 0)
		return failed("TX queue start", -ret);
	return 0;
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
primary_seq(struct qp *q)
{
	if (port_up() < 0)
		return -1;
	return qp_up(q, port_id, 0, "fault_p");
}

static void
primary_down(struct qp *q)
{
	qp_down(q);
	port_down();
}

/* ---- worker ---- */

static int
worker_seq(struct qp *q)
{
	return qp_up(q, (uint16_t)rte_eth_find_next(0), 1, "fault_w");
}

/* ---- the loop ---- */

/* One injection at @n: the sequence fails and names its step (true), or it
 * no longer reaches call @n and succeeds (false); either way it is torn down.
 */
static bool
inject_one(const char *who, int (*seq)(struct qp *), void (*down)(struct qp *), unsigned int n,
	   unsigned int round)
{
	const char *call;
	char when[64];
	struct qp q;
	unsigned long calls;
	bool fired;

	step[0] = '\0';
	bf_at("%s round %u N=%u: the injected run", who, round, n);
	TEST_ASSERT_EQ(iommufd_hook_arm(IOMMUFD_HOOK_ANY, n), 0,
		       "run with DPDK_PASID_HOOK_FAIL=any:0");
	memset(&q, 0, sizeof(q));
	if (seq(&q) == 0) {
		calls = iommufd_hook_count(&fired);
		TEST_ASSERT_TRUE(!fired, "%s: call %u failed but the sequence succeeded", who, n);
		bf_say("%s: N=%u: the sequence succeeded: it issues %lu calls", who, n, calls);
		/* the teardown is not under test: nothing fails in it */
		TEST_ASSERT_EQ(iommufd_hook_arm(IOMMUFD_HOOK_ANY, 0), 0);
		bf_at("%s round %u N=%u: the teardown of the successful run", who, round, n);
		down(&q);
		return false;
	}
	iommufd_hook_count(&fired);
	call = iommufd_hook_fired_at();
	TEST_ASSERT_TRUE(fired && call != NULL, "%s: N=%u: the sequence failed (%s) with no call "
			 "failed", who, n, step);
	TEST_ASSERT_TRUE(step[0] != '\0', "%s: N=%u: the failure names no step", who, n);
	/* The failed sequence unwound itself; what is left is the port. */
	bf_at("%s round %u N=%u: the teardown of the failed run", who, round, n);
	down(&q);
	bf_say("%s: N=%u: failed at %s (hook: %s)", who, n, step, call);
	snprintf(when, sizeof(when), "after the failed run of N=%u and its teardown", n);
	bf_fd_check(who, when);
	TEST_ASSERT_EQ(iommufd_hook_arm(IOMMUFD_HOOK_ANY, 0), 0);
	bf_at("%s round %u N=%u: the retry", who, round, n);
	TEST_ASSERT_EQ(seq(&q), 0, "%s: N=%u: the retry in place failed at %s", who, n, step);
	bf_at("%s round %u N=%u: the teardown of the retry", who, round, n);
	down(&q);
	return true;
}

static unsigned int
inject_all(const char *who, int (*seq)(struct qp *), void (*down)(struct qp *))
{
	unsigned int from = knob("BUS_FAULT_FROM", 1), only = knob("BUS_FAULT_ONLY", 0);
	unsigned int rounds = knob("BUS_FAULT_ROUNDS", 1);
	uint64_t t0 = rte_get_timer_cycles();
	unsigned int n, r, failures = 0;
	char when[64];
	struct qp q;
	long hp0;
	int fds0;

	if (only != 0)
		from = only;
	TEST_ASSERT_TRUE(from >= 1 && rounds >= 1, "BUS_FAULT_FROM and BUS_FAULT_ROUNDS "
			 "start at 1");
	/* A first run, nothing failing: what stays for the process's life
	 * (the bus's worker watch, ethdev's shared data, ...) is there before
	 * the baseline.
	 */
	bf_at("%s: the first run, nothing failing", who);
	TEST_ASSERT_EQ(iommufd_hook_arm(IOMMUFD_HOOK_ANY, 0), 0,
		       "run with DPDK_PASID_HOOK_FAIL=any:0");
	memset(&q, 0, sizeof(q));
	TEST_ASSERT_EQ(seq(&q), 0, "%s: the sequence fails with no fault injected: %s", who,
		       step);
	down(&q);
	fds0 = bf_fd_baseline();
	hp0 = hp_free();

	bf_say("%s: baseline: %d fds, %ld free hugepages", who, fds0, hp0);
	for (r = 1; r <= rounds; r++) {
		for (n = from; n <= MAX_N; n++) {
			bool failed_at_n = inject_one(who, seq, down, n, r);

			failures += failed_at_n;
			snprintf(when, sizeof(when), "after the teardown of N=%u", n);
			bf_fd_check(who, when);
			TEST_ASSERT_EQ(hp_free(), hp0, "%s: N=%u: free hugepages after the "
				       "teardown", who, n);
			if (!failed_at_n || n == only)
				break;
		}
		TEST_ASSERT_LE(n, MAX_N, "%s: the sequence never succeeded", who);
	}
	TEST_ASSERT_EQ(iommufd_hook_arm(IOMMUFD_HOOK_ANY, 0), 0);
	bf_fd_check(who, "at the end");
	TEST_ASSERT_EQ(hp_free(), hp0, "%s: free hugepages at the end", who);
	bf_say("ok: %s: %u injected failures, each a clear error, each retried in place with "
	    "success, fds and free hugepages back to the baseline (%.1f s)", who, failures,
	    (double)(rte_get_timer_cycles() - t0) / rte_get_timer_hz());
	return failures;
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
	int n;

	bf_death_watch();
	n = rte_eal_init(argc, argv);
	if (n < 0)
		TEST_FAIL("rte_eal_init: %s", rte_strerror(rte_errno));
	argc -= n;
	argv += n;
	if (argc >= 4 && strcmp(argv[1], "primary") == 0) {
		port_name = argv[2];
		bf_report_open(argv[3], "primary");
		inject_all("primary", primary_seq, primary_down);
		/* Serve the worker: the port up, no queue pair of ours. */
		bf_at("primary: the port up for the worker");
		TEST_ASSERT_EQ(port_up(), 0, "port up for the worker: %s", step);
		touch(argv[3], "p.ready");
		bf_say("primary ready: port %u", port_id);
		bf_at("primary: serving the worker");
		while (!exists(argv[3], "p.quit"))
			usleep(100 * 1000);
		bf_at("primary: the port down");
		port_down();
	} else if (argc >= 3 && strcmp(argv[1], "worker") == 0) {
		bf_report_open(argv[2], "worker");
		inject_all("worker", worker_seq, qp_down);
	} else {
		fprintf(stderr, "usage: %s [EAL options] -- primary PORT DIR | worker DIR\n",
			argv[0]);
		bf_finished();
		return 2;
	}
	bf_at("rte_eal_cleanup");
	rte_eal_cleanup();
	bf_say("exit");
	bf_finished();
	return 0;
}
