/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ethdev ops of a pasidnic port and their table (pnic_eth_ops):
 * configuration, start/stop, close, receive modes, MAC address, MTU; the
 * queue ops lead to pasidnic_queue_setup.c and pasidnic_queue.c, stats to
 * pasidnic_stats.c. Probe and remove: pasidnic_ethdev.c. The other files
 * are listed in pasidnic.h.
 */
#include <errno.h>
#include <stdlib.h>

#include <ethdev_driver.h>

#include "pasidnic.h"

static int
pnic_configure(struct rte_eth_dev *dev)
{
	const struct rte_eth_conf *conf = &dev->data->dev_conf;

	/* Port-wide operations are the primary's: they act on every worker's queues. */
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return -E_RTE_SECONDARY;
	if (conf->intr_conf.rxq && pnic_rx_intr_supported(dev, "intr_conf.rxq") < 0)
		return -ENOTSUP;
	if (conf->rxmode.mq_mode & RTE_ETH_MQ_RX_RSS_FLAG)
		PNIC_LOG(NOTICE, "port %u: the device has no RSS: RX queue n receives what "
			 "TX queue n sends (loopback), the netdev backend feeds RX queue 0",
			 dev->data->port_id);
	return 0;
}

static int
pnic_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct pnic_port *p = dev->data->dev_private;

	info->max_mac_addrs = 1;
	info->max_rx_pktlen = PNIC_MAX_PKT;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mtu = PNIC_MAX_PKT - RTE_ETHER_HDR_LEN;
	info->min_rx_bufsize = RTE_ETHER_MIN_LEN;
	info->max_rx_queues = p->nb_qp;
	info->max_tx_queues = p->nb_qp;
	info->rx_desc_lim.nb_max = PNIC_RING_MAX;
	info->rx_desc_lim.nb_min = PNIC_RING_MIN;
	info->rx_desc_lim.nb_align = 1;
	info->tx_desc_lim = info->rx_desc_lim;
	info->default_rxportconf.ring_size = PNIC_RING_DEFAULT;
	info->default_txportconf.ring_size = PNIC_RING_DEFAULT;
	info->default_rxportconf.nb_queues = 1;
	info->default_txportconf.nb_queues = 1;
	info->speed_capa = RTE_ETH_LINK_SPEED_FIXED;
	/* Workers set up their queue pairs while the port runs (doc/multi_process.md). */
	info->dev_capa = RTE_ETH_DEV_CAPA_RUNTIME_RX_QUEUE_SETUP |
			 RTE_ETH_DEV_CAPA_RUNTIME_TX_QUEUE_SETUP;
	return 0;
}

/* Stop @q if this process owns it (the unwinding of a failed start). */
static void
stop_own(struct rte_eth_dev *dev, struct pnic_qbase *q, void *arg __rte_unused)
{
	if (q->owner == getpid())
		pnic_q_start_stop(dev, q->dir, q->queue_id, false);
}

static void
stop_any(struct rte_eth_dev *dev, struct pnic_qbase *q, void *arg __rte_unused)
{
	pnic_q_start_stop(dev, q->dir, q->queue_id, false);
}

/*
 * The primary's close, under pnic_qlock(): release @q and empty its slot,
 * unless a worker that still runs owns it (it stays for the worker's bursts,
 * pasidnic_leave.c).
 */
static void
release_unused(struct rte_eth_dev *dev, struct pnic_qbase *q, void *arg __rte_unused)
{
	if (!pnic_other_alive(q->owner))
		pnic_q_release_locked(dev, q->dir, q->queue_id);
}

static int
pnic_start(struct rte_eth_dev *dev)
{
	/* TX queues, then RX queues. */
	static const unsigned int order[] = { PNIC_DIR_TX, PNIC_DIR_RX };
	struct pnic_port *p = dev->data->dev_private;
	struct rte_intr_handle *h = pnic_proc(p)->idev->intr_handle;
	unsigned int d;
	uint16_t i;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return -E_RTE_SECONDARY;
	if (dev->data->dev_conf.intr_conf.rxq) {
		if (rte_intr_vec_list_alloc(h, "pasidnic_intr_vec", dev->data->nb_rx_queues)) {
			PNIC_LOG(ERR, "port %u: no memory for the RX interrupt vectors",
				 dev->data->port_id);
			return -ENOMEM;
		}
		for (i = 0; i < dev->data->nb_rx_queues; i++)
			rte_intr_vec_list_index_set(h, i, RTE_INTR_VEC_RXTX_OFFSET + i);
	}
	for (d = 0; d < RTE_DIM(order); d++) {
		for (i = 0; i < pnic_nb_queues(dev, order[d]); i++) {
			const struct pnic_qbase *q = pnic_queue(dev, order[d], i);

			/*
			 * Queues not set up yet are set up (and started) at runtime;
			 * another process's queues are its own to start.
			 */
			if (q == NULL || q->deferred || q->owner != getpid())
				continue;
			ret = pnic_q_start_stop(dev, order[d], i, true);
			if (ret < 0)
				goto fail;
		}
	}
	pnic_wr(p, PNIC_REG_DEV_CTRL, PNIC_DEV_CTRL_ENABLE |
		p->args.backend << PNIC_DEV_CTRL_BACKEND_SHIFT);
	if (!(pnic_rd(p, PNIC_REG_DEV_STATUS) & PNIC_DEV_STATUS_ENABLED)) {
		PNIC_LOG(ERR, "port %u: %s: the device did not enable", dev->data->port_id,
			 p->name);
		ret = -EIO;
		goto fail;
	}
	pnic_link_update(dev, 0);
	return 0;
fail:
	pnic_foreach_queue(dev, stop_own, NULL);
	rte_intr_vec_list_free(h);
	return ret;
}

/*
 * ethdev points this process's fast path of the port to dummies before it
 * calls dev_stop, and leaves the port started when dev_stop fails: set it
 * back as ethdev's start does (the fields every supported DPDK version has).
 */
static void
fast_path_restore(struct rte_eth_dev *dev)
{
	struct rte_eth_fp_ops *fpo = &rte_eth_fp_ops[dev->data->port_id];

	fpo->rx_pkt_burst = dev->rx_pkt_burst;
	fpo->tx_pkt_burst = dev->tx_pkt_burst;
	fpo->tx_pkt_prepare = dev->tx_pkt_prepare;
	fpo->rx_queue_count = dev->rx_queue_count;
	fpo->rx_descriptor_status = dev->rx_descriptor_status;
	fpo->tx_descriptor_status = dev->tx_descriptor_status;
	fpo->rxq.data = dev->data->rx_queues;
	fpo->rxq.clbk = (void **)(uintptr_t)dev->post_rx_burst_cbs;
	fpo->txq.data = dev->data->tx_queues;
	fpo->txq.clbk = (void **)(uintptr_t)dev->pre_tx_burst_cbs;
}

/*
 * Stop the port: every queue, the workers' too. Refused (-EBUSY, logged)
 * while a worker that runs owns a queue, unless the port is leaving (close
 * or remove told the workers): doc/multi_process.md.
 */
static int
pnic_stop(struct rte_eth_dev *dev)
{
	struct pnic_port *p = dev->data->dev_private;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return -E_RTE_SECONDARY;
	ret = pnic_busy(dev, "stop");
	if (ret < 0) {
		fast_path_restore(dev);
		return ret;
	}
	pnic_wr(p, PNIC_REG_DEV_CTRL, p->args.backend << PNIC_DEV_CTRL_BACKEND_SHIFT);
	pnic_foreach_queue(dev, stop_any, NULL);
	rte_intr_vec_list_free(pnic_proc(p)->idev->intr_handle);
	dev->data->dev_started = 0;
	pnic_link_update(dev, 0);
	return 0;
}

/* This process's part of the port goes with the port (release_port only clears the pointer). */
void
pnic_proc_free(struct rte_eth_dev *dev)
{
	struct pnic_proc *pp = dev->process_private;

	if (pp != NULL)
		pthread_mutex_destroy(&pp->dev_mbox);
	free(pp);
	dev->process_private = NULL;
}

/*
 * Close. A secondary gives back the queue pairs it set up and detaches; the
 * port is the primary's. The primary's close cannot be refused (ethdev
 * releases the port whatever the op returns): the workers are told and
 * waited for, and what those still attached use is kept (pasidnic_leave.c).
 */
static int
pnic_close(struct rte_eth_dev *dev)
{
	struct pnic_port *p = dev->data->dev_private;
	bool keep;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		pnic_queue_pairs_release_own(dev);
		pnic_user_detach(dev);
		pnic_proc_free(dev);
		return 0;
	}
	pnic_closing_set(dev->data->port_id, true);
	pnic_leave(dev, "close");
	if (dev->data->dev_started)
		pnic_stop(dev);
	/* Before the port's data may go: the interrupt handler reads it. */
	pnic_intr_off(p);
	pnic_qlock(p);
	pnic_foreach_queue(dev, release_unused, NULL);
	keep = pnic_leave_keep_locked(dev);
	pnic_qunlock(p);
	/* Quiesced: no queue is enabled, the device is disabled. */
	pnic_wr(p, PNIC_REG_DEV_CTRL, 0);
	pnic_leave_done(dev, p, keep);
	pnic_proc_free(dev);
	return 0;
}

/*
 * The queue set-up and start ops: refused (-ENODEV) once the primary has
 * closed or removed the port (a worker that has not noticed yet).
 */
static int
present(struct rte_eth_dev *dev)
{
	const struct pnic_port *p = pnic_port_of(dev);

	if (p != NULL && !pnic_gone(p))
		return 0;
	PNIC_LOG(ERR, "port %u: the primary process has closed or removed the port",
		 (unsigned int)(dev - rte_eth_devices));
	return -ENODEV;
}

static int
rx_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc, unsigned int socket_id,
	 const struct rte_eth_rxconf *conf, struct rte_mempool *mp)
{
	int ret = present(dev);

	return ret < 0 ? ret : pnic_rx_queue_setup(dev, qid, nb_desc, socket_id, conf, mp);
}

static int
tx_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc, unsigned int socket_id,
	 const struct rte_eth_txconf *conf)
{
	int ret = present(dev);

	return ret < 0 ? ret : pnic_tx_queue_setup(dev, qid, nb_desc, socket_id, conf);
}

static int
rx_start(struct rte_eth_dev *dev, uint16_t qid)
{
	int ret = present(dev);

	return ret < 0 ? ret : pnic_rx_queue_start(dev, qid);
}

static int
tx_start(struct rte_eth_dev *dev, uint16_t qid)
{
	int ret = present(dev);

	return ret < 0 ? ret : pnic_tx_queue_start(dev, qid);
}

/* Receive modes: the driver filters in software (pasidnic_rxtx.c, rx_accept()). */
static int
rx_mode_set(struct rte_eth_dev *dev, bool promisc, bool on)
{
	struct pnic_port *p = dev->data->dev_private;

	if (promisc)
		p->promisc = on;
	else
		p->allmulti = on;
	return 0;
}

static int
pnic_promisc_enable(struct rte_eth_dev *dev)
{
	return rx_mode_set(dev, true, true);
}

static int
pnic_promisc_disable(struct rte_eth_dev *dev)
{
	return rx_mode_set(dev, true, false);
}

static int
pnic_allmulti_enable(struct rte_eth_dev *dev)
{
	return rx_mode_set(dev, false, true);
}

static int
pnic_allmulti_disable(struct rte_eth_dev *dev)
{
	return rx_mode_set(dev, false, false);
}

static int
pnic_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *mac)
{
	struct pnic_port *p = dev->data->dev_private;
	const uint8_t *b = mac->addr_bytes;
	int ret;

	/* A physical function's device registers are the primary's (pasidnic_mbox.c). */
	if (p->phys && rte_eal_process_type() != RTE_PROC_PRIMARY)
		return -E_RTE_SECONDARY;
	ret = pnic_wr(p, PNIC_REG_MAC_LO,
		      b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24);
	if (ret == 0)
		ret = pnic_wr(p, PNIC_REG_MAC_HI, b[4] | b[5] << 8);
	if (ret < 0)
		return ret;
	rte_ether_addr_copy(mac, &p->mac);
	return 0;
}

static int
pnic_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct pnic_port *p = dev->data->dev_private;
	uint32_t frame = mtu + RTE_ETHER_HDR_LEN;
	uint16_t i;
	int ret = pnic_qlock_ctl(p);

	if (ret < 0)
		return ret;
	/* One buffer per frame: every RX buffer must hold a whole frame. */
	for (i = 0; i < pnic_nb_queues(dev, PNIC_DIR_RX) && ret == 0; i++) {
		const struct pnic_rxq *rxq = (const void *)pnic_queue(dev, PNIC_DIR_RX, i);

		if (rxq != NULL && frame > rxq->buf_len) {
			PNIC_LOG(ERR, "port %u: MTU %u needs %u-byte buffers, RX queue %u has %u",
				 dev->data->port_id, mtu, frame, i, rxq->buf_len);
			ret = -EINVAL;
		}
	}
	pnic_qunlock(p);
	return ret;
}

const struct eth_dev_ops pnic_eth_ops = {
	.dev_configure = pnic_configure,
	.dev_start = pnic_start,
	.dev_stop = pnic_stop,
	.dev_close = pnic_close,
	.dev_infos_get = pnic_infos_get,
	.link_update = pnic_link_update,
	.promiscuous_enable = pnic_promisc_enable,
	.promiscuous_disable = pnic_promisc_disable,
	.allmulticast_enable = pnic_allmulti_enable,
	.allmulticast_disable = pnic_allmulti_disable,
	.mac_addr_set = pnic_mac_addr_set,
	.mtu_set = pnic_mtu_set,
	.stats_get = pnic_stats_get,
	.stats_reset = pnic_stats_reset,
	.xstats_get = pnic_xstats_get,
	.xstats_get_names = pnic_xstats_get_names,
	.xstats_reset = pnic_xstats_reset,
	.rx_queue_setup = rx_setup,
	.tx_queue_setup = tx_setup,
	.rx_queue_release = pnic_rx_queue_release,
	.tx_queue_release = pnic_tx_queue_release,
	.rx_queue_start = rx_start,
	.rx_queue_stop = pnic_rx_queue_stop,
	.tx_queue_start = tx_start,
	.tx_queue_stop = pnic_tx_queue_stop,
	.rx_queue_intr_enable = pnic_rx_intr_enable,
	.rx_queue_intr_disable = pnic_rx_intr_disable,
};
