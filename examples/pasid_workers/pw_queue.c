/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One worker's private queue pair (pw_queue.h): a PASID domain, a pasid_mem
 * heap in that domain only, an mbuf pool in the heap, and queue pair @queue of
 * a running pasidnic port programmed with the domain's PASID.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_iommufd.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pasid_mem.h>
#include <rte_pmd_pasidnic.h>

#include "pw_queue.h"

RTE_LOG_REGISTER(pw_queue_logtype, pasid_workers.queue, INFO);
#define PWQ_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, pw_queue_logtype, "pw_queue: " fmt "\n", ## __VA_ARGS__)

#define PWQ_HEAP_INITIAL (UINT64_C(32) << 20)
#define PWQ_HEAP_MAX (UINT64_C(64) << 20)
#define PWQ_POOL_CACHE 32

/* Log a failed step with its errno and a hint at the cause; return -err. */
/*
 * Test hook (doc/testing.md, "Test hooks"): with DPDK_PASID_HOOK_WORKER_STOP
 * set to "domain", "start" or "release", the process stops itself (SIGSTOP)
 * as it enters domain creation, queue start or queue release, so that a test
 * (mp_kill_soak) can SIGKILL it inside that phase. Read once; unarmed, one
 * branch per phase.
 */
static void
hook_stop(const char *phase)
{
	static const char *armed;
	static int armed_read;

	if (!armed_read) {
		armed = getenv("DPDK_PASID_HOOK_WORKER_STOP");
		armed_read = 1;
	}
	if (armed != NULL && strcmp(armed, phase) == 0) {
		PWQ_LOG(NOTICE, "test hook: stopped entering phase %s", phase);
		raise(SIGSTOP);
	}
}

static int
step_failed(const struct pw_queue *q, const char *step, int err, const char *hint)
{
	PWQ_LOG(ERR, "port %u queue pair %u: %s failed: %s%s%s%s", q->port, q->queue, step,
		rte_strerror(err), hint[0] != '\0' ? " (" : "", hint, hint[0] != '\0' ? ")" : "");
	return -err;
}

int
pw_queue_open(struct pw_queue *q, uint16_t port, uint16_t queue, uint16_t nb_desc,
	      unsigned int nb_mbufs, const char *tag)
{
	struct rte_eth_dev_info info;
	uint64_t iova = PW_IOVA_BASE(queue);
	int fd, ret;

	memset(q, 0, sizeof(*q));
	q->port = port;
	q->queue = queue;
	snprintf(q->tag, sizeof(q->tag), "%s", tag);
	ret = rte_eth_dev_info_get(port, &info);
	if (ret != 0)
		return step_failed(q, "rte_eth_dev_info_get", -ret, "is the port valid?");
	if (queue >= info.nb_rx_queues || queue >= info.nb_tx_queues)
		return step_failed(q, "queue check", EINVAL,
				   "the port has fewer queue pairs configured");

	/* Queues a crashed owner left behind: take them back (a no-op if none). */
	ret = rte_pmd_pasidnic_queue_pair_release(port, queue);
	if (ret == -EBUSY)
		return step_failed(q, "taking the queue pair", EBUSY,
				   "another live process uses it");
	if (ret < 0)
		return step_failed(q, "rte_pmd_pasidnic_queue_pair_release", -ret,
				   "is it a pasidnic port?");

	hook_stop("domain");
	q->dom = rte_iommufd_domain_create(info.device);
	if (q->dom == NULL) {
		ret = step_failed(q, "rte_iommufd_domain_create", rte_errno,
				  rte_errno == ESRCH ? "the primary process has exited" :
				  rte_errno == ENOSPC ? "no free PASID" : "see the bus log");
		goto fail;
	}
	q->pasid = rte_iommufd_domain_pasid(q->dom);
	if (rte_iommufd_domain_ioas(q->dom, &fd, &q->ioas) != 0) {
		ret = step_failed(q, "rte_iommufd_domain_ioas", rte_errno, "");
		goto fail;
	}

	q->heap = rte_pasid_mem_create(&(struct rte_pasid_mem_conf){
		.name = tag, .iommufd = fd, .ioas_id = q->ioas, .numa_node = SOCKET_ID_ANY,
		.initial_size = PWQ_HEAP_INITIAL, .max_size = PWQ_HEAP_MAX,
		.iova_min = iova, .iova_max = iova + PW_IOVA_SPAN - 1 });
	if (q->heap == NULL) {
		ret = step_failed(q, "rte_pasid_mem_create", rte_errno,
				  rte_errno == ENOMEM ? "free hugepages? RLIMIT_MEMLOCK?" :
				  rte_errno == EEXIST ? "tag not unique" : "see the pasid_mem log");
		goto fail;
	}
	q->socket = rte_pasid_mem_socket_id(q->heap);

	pw_queue_report_usage(q);

	q->mp = rte_pasid_mem_pktmbuf_pool_create(tag, nb_mbufs, PWQ_POOL_CACHE, 0,
						  RTE_MBUF_DEFAULT_BUF_SIZE, q->heap);
	if (q->mp == NULL) {
		ret = step_failed(q, "rte_pasid_mem_pktmbuf_pool_create", rte_errno,
				  rte_errno == EEXIST ? "pool name taken: tag not unique" :
				  "see the pasid_mem log");
		goto fail;
	}

	ret = rte_pmd_pasidnic_queue_domain_set(port, queue, q->dom);
	if (ret < 0) {
		ret = step_failed(q, "rte_pmd_pasidnic_queue_domain_set", -ret, "");
		goto fail;
	}
	ret = rte_eth_rx_queue_setup(port, queue, nb_desc, q->socket, NULL, q->mp);
	if (ret < 0) {
		ret = step_failed(q, "rte_eth_rx_queue_setup", -ret, "");
		goto fail;
	}
	ret = rte_eth_tx_queue_setup(port, queue, nb_desc, q->socket, NULL);
	if (ret < 0) {
		ret = step_failed(q, "rte_eth_tx_queue_setup", -ret, "");
		goto fail;
	}
	hook_stop("start");
	ret = rte_eth_dev_rx_queue_start(port, queue);
	if (ret < 0) {
		ret = step_failed(q, "rte_eth_dev_rx_queue_start", -ret, "is the port started?");
		goto fail;
	}
	ret = rte_eth_dev_tx_queue_start(port, queue);
	if (ret < 0) {
		ret = step_failed(q, "rte_eth_dev_tx_queue_start", -ret, "is the port started?");
		goto fail;
	}
	ret = rte_pmd_pasidnic_queue_pasid(port, queue);
	if (ret != q->pasid) {
		PWQ_LOG(ERR, "port %u queue pair %u: programmed with PASID %d, not the "
			"domain's PASID %d", port, queue, ret, q->pasid);
		ret = -EIO;
		goto fail;
	}
	PWQ_LOG(DEBUG, "port %u queue pair %u: PASID %d, IOAS %u, heap and pool \"%s\", "
		"IOVA window 0x%" PRIx64, port, queue, q->pasid, q->ioas, tag, iova);
	return 0;

fail:
	pw_queue_close(q);
	return ret;
}

int
pw_queue_close(struct pw_queue *q)
{
	int first = 0, ret;

	hook_stop("release");
	if (q->dom != NULL || q->mp != NULL) {
		ret = rte_pmd_pasidnic_queue_pair_release(q->port, q->queue);
		if (ret < 0) {
			PWQ_LOG(ERR, "port %u queue pair %u: release failed: %s", q->port,
				q->queue, rte_strerror(-ret));
			first = first ? first : ret;
		}
	}
	if (q->mp != NULL) {
		/* The queue pair gave its mbufs back: the tests check that none is missing. */
		printf("pool %s: %u available + %u in use == %u\n", q->mp->name,
		       rte_mempool_avail_count(q->mp), rte_mempool_in_use_count(q->mp),
		       q->mp->size);
		rte_mempool_free(q->mp);
		q->mp = NULL;
	}
	if (q->heap != NULL) {
		if (rte_pasid_mem_destroy(q->heap) != 0) {
			ret = -rte_errno;
			PWQ_LOG(ERR, "port %u queue pair %u: heap destroy failed: %s%s", q->port,
				q->queue, rte_strerror(rte_errno),
				rte_errno == EBUSY ? " (memory still allocated from it)" : "");
			first = first ? first : ret;
		}
		q->heap = NULL;
	}
	if (q->dom != NULL) {
		if (rte_iommufd_domain_destroy(q->dom) != 0) {
			ret = -rte_errno;
			PWQ_LOG(ERR, "port %u queue pair %u: domain of PASID %d: destroy failed: %s",
				q->port, q->queue, q->pasid, rte_strerror(rte_errno));
			first = first ? first : ret;
		}
		q->dom = NULL;
	}
	q->pasid = 0;
	q->ioas = 0;
	return first;
}

void
pw_queue_report_usage(struct pw_queue *q)
{
	struct rte_pasid_mem_stats st;

	if (q->dom == NULL || q->heap == NULL || rte_pasid_mem_stats_get(q->heap, &st) != 0)
		return;
	/* Best effort: telemetry only (rte_iommufd_domain_usage_set() logs why). */
	rte_iommufd_domain_usage_set(q->dom, q->tag, st.bytes_mapped);
}
