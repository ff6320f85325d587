/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pasidnic_autotest, registered into dpdk-test when the PMD plugin is loaded
 * there with -d (PASID_REGISTER_AUTOTEST, pasid_dpdk_compat.h;
 * doc/testing.md). On every net_pasidnic port (-a iommufd:mdev-<uuid>, the
 * loopback backend): one queue pair set up and started, a burst of numbered
 * frames sent, each received back whole and in order, the basic counters
 * agreeing, the port stopped. Fails when no net_pasidnic port was probed.
 */
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "pasid_dpdk_compat.h"

#define NB_FRAMES 32
#define FRAME_LEN 128

/* true when @cond holds, else false after printing where and why. */
#define EXPECT(cond, fmt, ...) ((cond) ? true : \
	(printf("pasidnic_autotest: %s:%d: '%s' failed: " fmt "\n", \
		__FILE__, __LINE__, #cond, ##__VA_ARGS__), false))

static int
send_frames(uint16_t port, struct rte_mempool *mp)
{
	struct rte_mbuf *m[NB_FRAMES];
	unsigned int i, sent;

	if (!EXPECT(rte_pktmbuf_alloc_bulk(mp, m, NB_FRAMES) == 0, "mbufs"))
		return -1;
	for (i = 0; i < NB_FRAMES; i++) {
		uint8_t *d = (uint8_t *)rte_pktmbuf_append(m[i], FRAME_LEN);

		memset(d, (int)i, FRAME_LEN);
		memset(d, 0xff, RTE_ETHER_ADDR_LEN);
		d[12] = 0x88;
		d[13] = 0xb5;
	}
	sent = rte_eth_tx_burst(port, 0, m, NB_FRAMES);
	rte_pktmbuf_free_bulk(m + sent, NB_FRAMES - sent);
	return EXPECT(sent == NB_FRAMES, "port %u sent %u of %u", port, sent, NB_FRAMES) ? 0 : -1;
}

/* Receive for up to 5 s; every frame whole, in order. */
static int
receive_frames(uint16_t port)
{
	uint64_t end = rte_get_timer_cycles() + 5 * rte_get_timer_hz();
	struct rte_mbuf *m[NB_FRAMES];
	unsigned int got = 0, n, i;
	int ret = 0;

	while (got < NB_FRAMES && rte_get_timer_cycles() < end) {
		n = rte_eth_rx_burst(port, 0, m, NB_FRAMES - got);
		for (i = 0; i < n; i++, got++) {
			const uint8_t *d = rte_pktmbuf_mtod(m[i], const uint8_t *);

			if (!EXPECT(m[i]->pkt_len == FRAME_LEN && d[FRAME_LEN - 1] == (uint8_t)got,
				    "frame %u: length %u, last byte %u", got, m[i]->pkt_len,
				    d[FRAME_LEN - 1]))
				ret = -1;
		}
		rte_pktmbuf_free_bulk(m, n);
	}
	if (!EXPECT(got == NB_FRAMES, "port %u received %u of %u frames in 5 s", port, got,
		    NB_FRAMES))
		return -1;
	return ret;
}

static int
test_port(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;
	struct rte_eth_stats st;
	int ret;

	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(port, 0, 256, rte_eth_dev_socket_id(port), NULL, mp);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, 256, rte_eth_dev_socket_id(port), NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (!EXPECT(ret == 0, "port %u set-up: %s", port, rte_strerror(-ret)))
		return -1;
	rte_eth_stats_reset(port);
	ret = send_frames(port, mp);
	if (ret == 0)
		ret = receive_frames(port);
	if (ret == 0 && (!EXPECT(rte_eth_stats_get(port, &st) == 0, "stats") ||
			 !EXPECT(st.opackets == NB_FRAMES && st.ipackets == NB_FRAMES &&
				 st.ierrors == 0 && st.oerrors == 0,
				 "port %u counters: out %llu, in %llu, errors %llu/%llu", port,
				 (unsigned long long)st.opackets, (unsigned long long)st.ipackets,
				 (unsigned long long)st.ierrors, (unsigned long long)st.oerrors)))
		ret = -1;
	rte_eth_dev_stop(port);
	return ret;
}

static int
pasidnic_autotest(void)
{
	struct rte_eth_dev_info info;
	struct rte_mempool *mp;
	unsigned int tested = 0;
	uint16_t port;
	int ret = 0;

	mp = rte_pktmbuf_pool_create("pasidnic_autotest", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	if (!EXPECT(mp != NULL, "mbuf pool"))
		return -1;
	RTE_ETH_FOREACH_DEV(port) {
		if (rte_eth_dev_info_get(port, &info) != 0 ||
		    strcmp(info.driver_name, "net_pasidnic") != 0)
			continue;
		tested++;
		if (test_port(port, mp) < 0)
			ret = -1;
	}
	rte_mempool_free(mp);
	if (!EXPECT(tested > 0, "no net_pasidnic port: give one with -a iommufd:mdev-<uuid>"))
		return -1;
	printf("%s: %u port(s) looped %d frames each\n", __func__, tested, NB_FRAMES);
	return ret;
}

PASID_REGISTER_AUTOTEST(pasidnic_autotest, pasidnic_autotest);
