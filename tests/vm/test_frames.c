/* SPDX-License-Identifier: BSD-3-Clause */
/* Test frames of the pasidnic VM test programs (test_frames.h). */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "test_assert.h"
#include "test_frames.h"

void
tf_fill(struct rte_mbuf *m, const struct rte_ether_addr *mac, uint16_t q, uint32_t seq,
	uint8_t tag)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)d;
	unsigned int i;

	rte_ether_addr_copy(mac, &eh->dst_addr);
	rte_ether_addr_copy(mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(0x88b5); /* local experimental */
	d[14] = tag;
	d[15] = (uint8_t)q;
	memcpy(d + 16, &seq, sizeof(seq));
	for (i = 20; i < TF_LEN; i++)
		d[i] = tag ^ (uint8_t)(i + seq);
	m->data_len = m->pkt_len = TF_LEN;
}

bool
tf_check(const struct rte_mbuf *m, uint16_t q, uint32_t seq, uint8_t tag)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	unsigned int i;
	uint32_t s;

	if (m->pkt_len != TF_LEN || d[14] != tag || d[15] != (uint8_t)q)
		return false;
	memcpy(&s, d + 16, sizeof(s));
	if (s != seq)
		return false;
	for (i = 20; i < TF_LEN; i++)
		if (d[i] != (uint8_t)(tag ^ (uint8_t)(i + seq)))
			return false;
	return true;
}

unsigned int
tf_send(uint16_t port, uint16_t q, struct rte_mempool *mp, const struct rte_ether_addr *mac,
	unsigned int n, uint32_t seq, uint8_t tag, unsigned int ms)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;
	struct rte_mbuf *tx[TF_MAX_BURST];
	unsigned int i, sent = 0;

	TEST_ASSERT_LE(n, TF_MAX_BURST, "more than %u frames at once", TF_MAX_BURST);
	TEST_ASSERT_EQ(rte_pktmbuf_alloc_bulk(mp, tx, n), 0, "no %u mbufs in pool %s", n, mp->name);
	for (i = 0; i < n; i++)
		tf_fill(tx[i], mac, q, seq + i, tag);
	while (sent < n && rte_get_timer_cycles() < end)
		sent += rte_eth_tx_burst(port, q, tx + sent, n - sent);
	if (sent < n)
		rte_pktmbuf_free_bulk(tx + sent, n - sent);
	return sent;
}

unsigned int
tf_rx_wait(uint16_t port, uint16_t q, struct rte_mbuf **pkts, unsigned int n, unsigned int ms)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;
	unsigned int got = 0;

	while (got < n && rte_get_timer_cycles() < end) {
		unsigned int r = rte_eth_rx_burst(port, q, pkts + got, n - got);

		got += r;
		if (r == 0)
			rte_delay_us_sleep(200);
	}
	return got;
}

uint64_t
tf_xstat(uint16_t port, const char *name)
{
	uint64_t id, v;

	TEST_ASSERT_EQ(rte_eth_xstats_get_id_by_name(port, name, &id), 0, "no xstat %s", name);
	TEST_ASSERT_EQ(rte_eth_xstats_get_by_id(port, &id, &v, 1), 1, "xstat %s unreadable", name);
	return v;
}

void
tf_noop_free(void *addr, void *opaque)
{
	(void)addr;
	(void)opaque;
}
