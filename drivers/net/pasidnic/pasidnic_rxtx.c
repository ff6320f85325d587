/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fast path of a pasidnic port: the RX and TX bursts and
 * rx_queue_count. One descriptor per frame; the bursts take no lock and make
 * no system call, except the kick of a sleeping engine (pnic_publish()).
 * Queue set-up is in pasidnic_queue_setup.c, start and stop in pasidnic_queue.c.
 */
#include <ethdev_driver.h>
#include <rte_mbuf.h>

#include "pasidnic.h"

/* Software MAC filter when promiscuous mode is off (the device has none). */
static inline bool
rx_accept(const struct pnic_port *p, const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	if (p->promisc)
		return true;
	if (rte_is_multicast_ether_addr(&eh->dst_addr))
		return rte_is_broadcast_ether_addr(&eh->dst_addr) || p->allmulti;
	return rte_is_same_ether_addr(&eh->dst_addr, &p->mac);
}

uint16_t
pnic_recv(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct pnic_rxq *rxq = queue;
	struct pnic_qbase *q = &rxq->q;
	const struct pnic_port *p = q->port;
	uint16_t nb = 0;
	uint32_t posted = 0;

	while (nb < nb_pkts) {
		uint32_t slot = q->head & q->mask;
		volatile struct pnic_desc *d = &q->ring[slot];
		uint16_t status = rte_le_to_cpu_16(d->status);
		struct rte_mbuf *m, *nm;
		uint32_t len;

		if (!(status & PNIC_DESC_DD))
			break;
		rte_rmb();
		nm = rte_mbuf_raw_alloc(rxq->mp);
		if (unlikely(nm == NULL)) {
			rte_eth_devices[q->port_id].data->rx_mbuf_alloc_failed++;
			break;
		}
		len = rte_le_to_cpu_32(d->len);
		m = q->sw_ring[slot];
		pnic_rx_post(rxq, slot, nm);
		q->head++;
		q->tail++;
		posted++;
		if (unlikely(status & (PNIC_DESC_ERR | PNIC_DESC_TRUNC))) {
			if (status & PNIC_DESC_ERR)
				q->stats.errors++;
			else
				q->stats.truncated++;
			rte_pktmbuf_free_seg(m);
			continue;
		}
		m->data_off = RTE_PKTMBUF_HEADROOM;
		m->data_len = (uint16_t)len;
		m->pkt_len = len;
		m->port = q->port_id;
		m->packet_type = RTE_PTYPE_L2_ETHER;
		if (unlikely(!rx_accept(p, m))) {
			q->xstats.filtered++;
			rte_pktmbuf_free_seg(m);
			continue;
		}
		q->stats.bytes += len;
		pkts[nb++] = m;
	}
	if (posted != 0)
		q->xstats.kicks += pnic_publish(p, q->hwq, q->tail);
	q->stats.pkts += nb;
	return nb;
}

/* Free the mbufs of completed TX descriptors. */
static inline void
tx_clean(struct pnic_qbase *q)
{
	while (q->head != q->tail) {
		uint32_t slot = q->head & q->mask;
		uint16_t status = rte_le_to_cpu_16(q->ring[slot].status);

		if (!(status & PNIC_DESC_DD))
			break;
		if (unlikely(status & PNIC_DESC_ERR))
			q->stats.errors++;
		rte_pktmbuf_free_seg(q->sw_ring[slot]);
		q->sw_ring[slot] = NULL;
		q->head++;
	}
}

uint16_t
pnic_xmit(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct pnic_txq *txq = queue;
	struct pnic_qbase *q = &txq->q;
	uint16_t nb;

	if (unlikely(q->faulted))
		return 0;
	tx_clean(q);
	for (nb = 0; nb < nb_pkts; nb++) {
		struct rte_mbuf *m = pkts[nb];
		uint32_t slot = q->tail & q->mask;
		volatile struct pnic_desc *d;

		if (q->tail - q->head >= q->nb_desc)
			break;
		if (unlikely(m->nb_segs != 1 || m->data_len < PNIC_MIN_PKT ||
			     m->data_len > PNIC_MAX_PKT)) {
			/* No scatter-gather: a chained or malformed frame is dropped. */
			q->stats.errors++;
			rte_pktmbuf_free(m);
			continue;
		}
		d = &q->ring[slot];
		d->addr = rte_cpu_to_le_64(rte_mbuf_data_iova(m));
		d->len = rte_cpu_to_le_32(m->data_len);
		d->status = 0;
		d->rsvd = 0;
		q->sw_ring[slot] = m;
		q->stats.bytes += m->data_len;
		q->stats.pkts++;
		q->tail++;
	}
	if (nb != 0)
		q->xstats.kicks += pnic_publish(q->port, q->hwq, q->tail);
	return nb;
}

/* Frames the device has written to the ring and the application not yet taken. */
pasid_rx_queue_count_t
pnic_rx_queue_count(void *queue)
{
	const struct pnic_qbase *q = queue;
	uint32_t n = 0;

	while (n < q->nb_desc &&
	       (rte_le_to_cpu_16(q->ring[(q->head + n) & q->mask].status) & PNIC_DESC_DD))
		n++;
	return (pasid_rx_queue_count_t)n;
}
