/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench pmd [--seconds N]: packets per second forwarded between two
 * net_pasidnic ports (loopback backend) against two net_null ports with
 * copy=1, in the same process, one after the other, with the same loop (one
 * core, io forwarding both ways, bursts of 32), printed as ratios measured
 * side by side:
 *  - pasidnic on one queue pair per port / net_null ("ratio pasidnic/null:");
 *  - pasidnic on two queue pairs per port / on one (ports of 2 queue pairs);
 *  - two tenants on one port, each queue pair in its own PASID domain: the
 *    healthy tenant's rate beside a tenant whose DMA is stuck in a page fault
 *    / its solo rate (bench_tenant.c).
 *
 * Needs two pasidnic ports on the iommufd bus (-a iommufd:mdev-<uuid> twice,
 * or a single port forwarded to itself), of 2 queue pairs for the last two
 * runs, and the net_null driver (autoloaded by a shared DPDK build, else -d
 * librte_net_null.so). Under TCG only the ratios mean something.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "bench_pmd.h"
#include "testpasid.h"

#define BURST 32
#define NB_DESC 512
#define SEED_FRAMES 256
#define FRAME_LEN 64

static int
port_start(uint16_t port, uint16_t nq, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;
	uint16_t q;
	int ret;

	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(port, nq, nq, &conf);
	for (q = 0; q < nq && ret == 0; q++) {
		ret = rte_eth_rx_queue_setup(port, q, NB_DESC, rte_eth_dev_socket_id(port), NULL,
					     mp);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(port, q, NB_DESC,
						     rte_eth_dev_socket_id(port), NULL);
	}
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret == 0)
		ret = rte_eth_promiscuous_enable(port);
	if (ret < 0)
		fprintf(stderr, "bench pmd: port %u: %s\n", port, rte_strerror(-ret));
	return ret;
}

int
bench_seed(uint16_t port, uint16_t queue, struct rte_mempool *mp)
{
	struct rte_mbuf *m[BURST];
	unsigned int i, k, sent = 0, n = SEED_FRAMES;

	while (sent < n) {
		k = RTE_MIN(n - sent, (unsigned int)BURST);
		if (rte_pktmbuf_alloc_bulk(mp, m, k) != 0)
			return -ENOMEM;
		for (i = 0; i < k; i++) {
			uint8_t *d = (uint8_t *)rte_pktmbuf_append(m[i], FRAME_LEN);

			memset(d, 0, FRAME_LEN);
			memset(d, 0xff, RTE_ETHER_ADDR_LEN);
			d[12] = 0x88;
			d[13] = 0xb5;
		}
		i = rte_eth_tx_burst(port, queue, m, k);
		rte_pktmbuf_free_bulk(m + i, k - i);
		sent += i;
	}
	return 0;
}

double
bench_forward(uint16_t a, uint16_t b, uint16_t nq, unsigned int seconds)
{
	uint64_t hz = rte_get_timer_hz(), start = rte_get_timer_cycles();
	uint64_t end = start + seconds * hz, rx = 0;
	const uint16_t from[2] = { a, b }, to[2] = { b, a };
	struct rte_mbuf *m[BURST];
	unsigned int d;
	uint16_t q;

	while (rte_get_timer_cycles() < end) {
		for (q = 0; q < nq; q++) {
			for (d = 0; d < (a == b ? 1u : 2u); d++) {
				uint16_t n = rte_eth_rx_burst(from[d], q, m, BURST), s;

				if (n == 0)
					continue;
				rx += n;
				s = rte_eth_tx_burst(to[d], q, m, n);
				if (s < n)
					rte_pktmbuf_free_bulk(m + s, n - s);
			}
		}
	}
	return (double)rx * hz / (double)(rte_get_timer_cycles() - start);
}

static void
ports_stop(uint16_t a, uint16_t b)
{
	rte_eth_dev_stop(a);
	if (b != a)
		rte_eth_dev_stop(b);
}

/* Start pasidnic ports @a and @b with @nq queue pairs, seed every TX queue. */
static int
pnic_start(uint16_t a, uint16_t b, uint16_t nq, struct rte_mempool *mp)
{
	uint16_t q;

	if (port_start(a, nq, mp) || (b != a && port_start(b, nq, mp)))
		return -1;
	for (q = 0; q < nq; q++)
		if (bench_seed(a, q, mp) || (b != a && bench_seed(b, q, mp)))
			return -1;
	return 0;
}

int
bench_pmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	uint16_t pn[2], nl[2], port;
	unsigned int seconds = 5, npn = 0;
	struct rte_eth_dev_info info;
	struct rte_mempool *mp;
	double r_null, r_pnic, r_2qp = 0, r_solo = 0, r_beside = 0;
	bool two_qp;
	int opt, ret, rt = -1;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 's' || atoi(optarg) <= 0) {
			fprintf(stderr, "usage: bench pmd [--seconds N]\n");
			return 2;
		}
		seconds = (unsigned int)atoi(optarg);
	}
	RTE_ETH_FOREACH_DEV(port) {
		if (rte_eth_dev_info_get(port, &info) == 0 &&
		    strcmp(info.driver_name, "net_pasidnic") == 0 && npn < 2)
			pn[npn++] = port;
	}
	if (npn == 0) {
		fprintf(stderr, "bench pmd: no net_pasidnic port (-a iommufd:mdev-<uuid>)\n");
		return 1;
	}
	if (npn == 1)
		pn[1] = pn[0];
	if (rte_dev_probe("net_null_bench0,copy=1") != 0 ||
	    rte_dev_probe("net_null_bench1,copy=1") != 0 ||
	    rte_eth_dev_get_port_by_name("net_null_bench0", &nl[0]) != 0 ||
	    rte_eth_dev_get_port_by_name("net_null_bench1", &nl[1]) != 0) {
		fprintf(stderr, "bench pmd: cannot create net_null ports (is librte_net_null "
			"loaded? -d librte_net_null.so)\n");
		return 1;
	}
	mp = rte_pktmbuf_pool_create("bench_pmd", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     (int)rte_socket_id());
	if (mp == NULL) {
		fprintf(stderr, "bench pmd: mbuf pool: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	ret = port_start(nl[0], 1, mp) || port_start(nl[1], 1, mp);
	if (ret)
		return 1;
	bench_forward(nl[0], nl[1], 1, 1); /* warm-up */
	r_null = bench_forward(nl[0], nl[1], 1, seconds);
	ports_stop(nl[0], nl[1]);

	/* One queue pair per port. */
	if (pnic_start(pn[0], pn[1], 1, mp)) {
		fprintf(stderr, "bench pmd: cannot start the pasidnic ports\n");
		return 1;
	}
	bench_forward(pn[0], pn[1], 1, 1);
	r_pnic = bench_forward(pn[0], pn[1], 1, seconds);
	ports_stop(pn[0], pn[1]);

	/* Two queue pairs per port, then two tenants on one port. */
	two_qp = rte_eth_dev_info_get(pn[0], &info) == 0 && info.max_rx_queues >= 2;
	if (two_qp) {
		if (pnic_start(pn[0], pn[1], 2, mp)) {
			fprintf(stderr, "bench pmd: cannot start the pasidnic ports with 2 queue "
				"pairs\n");
			return 1;
		}
		bench_forward(pn[0], pn[1], 2, 1);
		r_2qp = bench_forward(pn[0], pn[1], 2, seconds);
		ports_stop(pn[0], pn[1]);
		rt = bench_tenants(pn[0], seconds, &r_solo, &r_beside);
	}

	printf("bench pmd: io forwarding on one core, %u s each, frames of %u bytes\n",
	       seconds, FRAME_LEN);
	printf("  net_null (copy=1), ports %u<->%u:   %12.0f packets/s\n", nl[0], nl[1], r_null);
	printf("  net_pasidnic, ports %u<->%u:        %12.0f packets/s\n", pn[0], pn[1], r_pnic);
	printf("  ratio pasidnic/null:              %12.4f\n", r_pnic / r_null);
	if (!two_qp) {
		printf("  (ports of 1 queue pair: no 2-queue-pair or two-tenant run)\n");
		return 0;
	}
	printf("  net_pasidnic, 2 queue pairs/port: %12.0f packets/s\n", r_2qp);
	printf("  ratio 2qp/1qp:                    %12.4f\n", r_2qp / r_pnic);
	if (rt != 0 && rt != -ETIMEDOUT) {
		printf("  two-tenant run failed: %s\n", rte_strerror(-rt));
		return 1;
	}
	printf("  tenant 0 alone, port %u:           %12.0f packets/s\n", pn[0], r_solo);
	printf("  tenant 0 beside a stuck tenant:   %12.0f packets/s%s\n", r_beside,
	       rt ? " (tenant 1 never faulted)" : "");
	printf("  ratio beside-stuck/solo:          %12.4f\n", r_beside / r_solo);
	return rt ? 1 : 0;
}
