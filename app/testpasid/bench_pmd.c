/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench pmd [--seconds N]: packets per second forwarded between two
 * net_pasidnic ports (loopback backend) against two net_null ports with
 * copy=1, in the same process, one after the other, with the same loop (one
 * core, io forwarding both ways, bursts of 32), printed as a ratio.
 *
 * Needs two pasidnic ports on the iommufd bus (-a iommufd:mdev-<uuid> twice,
 * or a single port forwarded to itself) and the net_null driver (autoloaded
 * by a shared DPDK build, else -d librte_net_null.so). Under TCG only the
 * ratio means something.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "testpasid.h"

#define BURST 32
#define NB_DESC 512
#define SEED_FRAMES 256
#define FRAME_LEN 64

static int
port_start(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;
	int ret;

	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(port, 0, NB_DESC, rte_eth_dev_socket_id(port), NULL,
					     mp);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, NB_DESC, rte_eth_dev_socket_id(port), NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret == 0)
		ret = rte_eth_promiscuous_enable(port);
	if (ret < 0)
		fprintf(stderr, "bench pmd: port %u: %s\n", port, rte_strerror(-ret));
	return ret;
}

/* Put @n frames on port @port's TX queue (pasidnic circulates them). */
static int
seed(uint16_t port, struct rte_mempool *mp, unsigned int n)
{
	struct rte_mbuf *m[BURST];
	unsigned int i, k, sent = 0;

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
		i = rte_eth_tx_burst(port, 0, m, k);
		rte_pktmbuf_free_bulk(m + i, k - i);
		sent += i;
	}
	return 0;
}

/* io forwarding a -> b and b -> a for @seconds; frames received per second. */
static double
forward(uint16_t a, uint16_t b, unsigned int seconds)
{
	uint64_t hz = rte_get_timer_hz(), start = rte_get_timer_cycles();
	uint64_t end = start + seconds * hz, rx = 0;
	const uint16_t from[2] = { a, b }, to[2] = { b, a };
	struct rte_mbuf *m[BURST];
	unsigned int d;

	while (rte_get_timer_cycles() < end) {
		for (d = 0; d < (a == b ? 1u : 2u); d++) {
			uint16_t n = rte_eth_rx_burst(from[d], 0, m, BURST), s;

			if (n == 0)
				continue;
			rx += n;
			s = rte_eth_tx_burst(to[d], 0, m, n);
			if (s < n)
				rte_pktmbuf_free_bulk(m + s, n - s);
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
	double r_null, r_pnic;
	int opt, ret;

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
	ret = port_start(nl[0], mp) || port_start(nl[1], mp);
	if (ret)
		return 1;
	forward(nl[0], nl[1], 1); /* warm-up */
	r_null = forward(nl[0], nl[1], seconds);
	ports_stop(nl[0], nl[1]);

	ret = port_start(pn[0], mp) || (pn[1] != pn[0] && port_start(pn[1], mp));
	if (ret || seed(pn[0], mp, SEED_FRAMES) || (pn[1] != pn[0] &&
						    seed(pn[1], mp, SEED_FRAMES))) {
		fprintf(stderr, "bench pmd: cannot start the pasidnic ports\n");
		return 1;
	}
	forward(pn[0], pn[1], 1);
	r_pnic = forward(pn[0], pn[1], seconds);
	ports_stop(pn[0], pn[1]);

	printf("bench pmd: io forwarding on one core, %u s each, frames of %u bytes\n",
	       seconds, FRAME_LEN);
	printf("  net_null (copy=1), ports %u<->%u:   %12.0f packets/s\n", nl[0], nl[1], r_null);
	printf("  net_pasidnic, ports %u<->%u:        %12.0f packets/s\n", pn[0], pn[1], r_pnic);
	printf("  ratio pasidnic/null:              %12.4f\n", r_pnic / r_null);
	return 0;
}
