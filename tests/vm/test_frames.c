/* SPDX-License-Identifier: BSD-3-Clause */
/* Test frames of the pasidnic VM test programs (test_frames.h). */
#include <string.h>

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
