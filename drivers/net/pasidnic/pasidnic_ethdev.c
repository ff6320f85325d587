/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_pasidnic: ethdev PMD of the emulated PASID-capable NIC
 * (kernel/linux/pasidnic, doc/pasidnic.md) on the iommufd bus.
 *
 * The port: probe and remove, configuration, start/stop, link and its
 * interrupt, faults, statistics, devargs. Queues are in pasidnic_rxtx.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include <ethdev_driver.h>
#include <rte_bus_iommufd.h>
#include <rte_cycles.h>
#include <rte_devargs.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>
#include <rte_string_fns.h>
#include <rte_version.h>

#include "pasidnic.h"
#include "rte_pmd_pasidnic.h"

RTE_LOG_REGISTER_DEFAULT(pasidnic_logtype, NOTICE);

#define PNIC_ARG_BACKEND "backend"

static const char * const pnic_valid_args[] = {
	PNIC_ARG_BACKEND,
	RTE_DEVARGS_KEY_DRIVER,
	NULL
};

static const struct eth_dev_ops pnic_ops;

static int
parse_backend(const char *key __rte_unused, const char *value, void *arg)
{
	uint32_t *backend = arg;

	if (strcmp(value, "loopback") == 0)
		*backend = PNIC_BACKEND_LOOPBACK;
	else if (strcmp(value, "netdev") == 0)
		*backend = PNIC_BACKEND_NETDEV;
	else
		return -EINVAL;
	return 0;
}

/*
 * The driver's keys. The bus refuses keys it does not know in its own layer,
 * so they come in the driver layer of the layered form:
 *   -a bus=iommufd,name=mdev-<uuid>/driver=net_pasidnic,backend=netdev
 */
static int
pnic_args_parse(const struct rte_devargs *da, struct pnic_args *args, const char *name)
{
	struct rte_kvargs *kv;
	int ret = 0;

	args->backend = PNIC_BACKEND_LOOPBACK;
	/* Legacy form (-a iommufd:<name>,...): every key is the bus's. */
	if (da == NULL || da->bus_str == NULL || da->drv_str == NULL || da->drv_str[0] == '\0')
		return 0;
	kv = rte_kvargs_parse(da->drv_str, pnic_valid_args);
	if (kv == NULL) {
		PNIC_LOG(ERR, "%s: bad devargs '%s' (known keys: " PNIC_ARG_BACKEND ")", name,
			 da->drv_str);
		return -EINVAL;
	}
	if (rte_kvargs_count(kv, PNIC_ARG_BACKEND) > 1 ||
	    rte_kvargs_process(kv, PNIC_ARG_BACKEND, parse_backend, &args->backend) < 0) {
		PNIC_LOG(ERR, "%s: bad value for '" PNIC_ARG_BACKEND "' (loopback or netdev, once)",
			 name);
		ret = -EINVAL;
	}
	rte_kvargs_free(kv);
	return ret;
}

static int
pnic_link_update(struct rte_eth_dev *dev, int wait __rte_unused)
{
	struct pnic_port *p = dev->data->dev_private;
	struct rte_eth_link link;
	uint32_t st = pnic_rd(p, PNIC_REG_DEV_STATUS);

	memset(&link, 0, sizeof(link));
	link.link_status = (st != UINT32_MAX && (st & PNIC_DEV_STATUS_LINK_UP)) ?
			   RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN;
	/* A software device: no line rate (doc/pasidnic.md §11). */
	link.link_speed = link.link_status ? RTE_ETH_SPEED_NUM_UNKNOWN : RTE_ETH_SPEED_NUM_NONE;
	link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	link.link_autoneg = RTE_ETH_LINK_FIXED;
	return rte_eth_linkstatus_set(dev, &link);
}

static const char *
dir_name(unsigned int q)
{
	return (q & 1) == PNIC_DIR_TX ? "TX" : "RX";
}

/* Mark the queues the device put in FAULTED; the fast path then stops using them. */
static void
pnic_faults_scan(struct rte_eth_dev *dev)
{
	struct pnic_port *p = dev->data->dev_private;
	uint16_t i;

	/* Against queue start/stop/release on the control thread. */
	rte_spinlock_recursive_lock(&p->qlock);

	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct pnic_rxq *rxq = dev->data->rx_queues[i];
		unsigned int q = PNIC_QUEUE(i, PNIC_DIR_RX);

		if (rxq == NULL || !rxq->started || rxq->faulted)
			continue;
		if ((pnic_qrd(p, q, PNIC_Q_STATUS) & PNIC_Q_STATE_MASK) == PNIC_Q_STATE_FAULTED) {
			rxq->faulted = 1;
			PNIC_LOG(ERR, "port %u: RX queue %u faulted at IOVA %#" PRIx64
				 " (PASID %d): stop and start the queue to recover",
				 dev->data->port_id, i,
				 (uint64_t)pnic_qrd(p, q, PNIC_Q_FAULT_IOVA_HI) << 32 |
				 pnic_qrd(p, q, PNIC_Q_FAULT_IOVA_LO), rxq->pasid);
		}
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		struct pnic_txq *txq = dev->data->tx_queues[i];
		unsigned int q = PNIC_QUEUE(i, PNIC_DIR_TX);

		if (txq == NULL || !txq->started || txq->faulted)
			continue;
		if ((pnic_qrd(p, q, PNIC_Q_STATUS) & PNIC_Q_STATE_MASK) == PNIC_Q_STATE_FAULTED) {
			txq->faulted = 1;
			PNIC_LOG(ERR, "port %u: TX queue %u faulted at IOVA %#" PRIx64
				 " (PASID %d): stop and start the queue to recover",
				 dev->data->port_id, i,
				 (uint64_t)pnic_qrd(p, q, PNIC_Q_FAULT_IOVA_HI) << 32 |
				 pnic_qrd(p, q, PNIC_Q_FAULT_IOVA_LO), txq->pasid);
		}
	}
	rte_spinlock_recursive_unlock(&p->qlock);
}

/* Log the latched fault, acknowledge it, find every faulted queue. */
static void
pnic_fault_handle(struct rte_eth_dev *dev)
{
	struct pnic_port *p = dev->data->dev_private;
	uint32_t info = pnic_rd(p, PNIC_REG_FAULT_INFO);

	if (info != UINT32_MAX && (info & PNIC_FAULT_INFO_VALID)) {
		unsigned int q = info & PNIC_FAULT_INFO_QUEUE_MASK;
		uint64_t iova = (uint64_t)pnic_rd(p, PNIC_REG_FAULT_IOVA_HI) << 32 |
				pnic_rd(p, PNIC_REG_FAULT_IOVA_LO);
		int err = (int)pnic_rd(p, PNIC_REG_FAULT_ERRNO);

		if (info & PNIC_FAULT_INFO_PASID_VALID)
			PNIC_LOG(ERR, "port %u: DMA fault: %s queue %u, %s %s at IOVA %#" PRIx64
				 ", PASID %u: %s", dev->data->port_id, dir_name(q), q / 2,
				 info & PNIC_FAULT_INFO_WRITE ? "write to" : "read of",
				 info & PNIC_FAULT_INFO_BUFFER ? "buffer" : "ring", iova,
				 pnic_rd(p, PNIC_REG_FAULT_PASID), strerror(err));
		else
			PNIC_LOG(ERR, "port %u: DMA fault: %s queue %u, %s %s at IOVA %#" PRIx64
				 ", RID: %s", dev->data->port_id, dir_name(q), q / 2,
				 info & PNIC_FAULT_INFO_WRITE ? "write to" : "read of",
				 info & PNIC_FAULT_INFO_BUFFER ? "buffer" : "ring", iova,
				 strerror(err));
		pnic_wr(p, PNIC_REG_FAULT_INFO, PNIC_FAULT_INFO_VALID);
	}
	pnic_faults_scan(dev);
}

/* Vector 0 (PNIC_VEC_MISC): link changes and faults. */
static void
pnic_misc_intr(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct pnic_port *p = dev->data->dev_private;
	uint32_t cause = pnic_rd(p, PNIC_REG_IRQ_CAUSE);

	if (cause == UINT32_MAX || cause == 0)
		return;
	pnic_wr(p, PNIC_REG_IRQ_CAUSE, cause);
	if (cause & PNIC_IRQ_FAULT)
		pnic_fault_handle(dev);
	if ((cause & PNIC_IRQ_LINK) && pnic_link_update(dev, 0) == 0)
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
}

static int
pnic_configure(struct rte_eth_dev *dev)
{
	const struct rte_eth_conf *conf = &dev->data->dev_conf;

	/* Port-wide operations are the primary's: they act on every worker's queues. */
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return -E_RTE_SECONDARY;

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

static int
pnic_start(struct rte_eth_dev *dev)
{
	struct pnic_port *p = dev->data->dev_private;
	struct rte_intr_handle *h = pnic_proc(p)->idev->intr_handle;
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
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		struct pnic_txq *txq = dev->data->tx_queues[i];

		/* Queues not set up yet are set up (and started) at runtime; another
		 * process's queues are its own to start. */
		if (txq == NULL || txq->deferred || txq->owner != getpid())
			continue;
		ret = pnic_tx_queue_start(dev, i);
		if (ret < 0)
			goto fail;
	}
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct pnic_rxq *rxq = dev->data->rx_queues[i];

		if (rxq == NULL || rxq->deferred || rxq->owner != getpid())
			continue;
		ret = pnic_rx_queue_start(dev, i);
		if (ret < 0)
			goto fail;
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
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct pnic_rxq *rxq = dev->data->rx_queues[i];

		if (rxq != NULL && rxq->owner == getpid())
			pnic_rx_queue_stop(dev, i);
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		const struct pnic_txq *txq = dev->data->tx_queues[i];

		if (txq != NULL && txq->owner == getpid())
			pnic_tx_queue_stop(dev, i);
	}
	rte_intr_vec_list_free(h);
	return ret;
}

static int
pnic_stop(struct rte_eth_dev *dev)
{
	struct pnic_port *p = dev->data->dev_private;
	uint16_t i;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return -E_RTE_SECONDARY;
	pnic_wr(p, PNIC_REG_DEV_CTRL, p->args.backend << PNIC_DEV_CTRL_BACKEND_SHIFT);
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		if (dev->data->rx_queues[i] != NULL)
			pnic_rx_queue_stop(dev, i);
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		if (dev->data->tx_queues[i] != NULL)
			pnic_tx_queue_stop(dev, i);
	rte_intr_vec_list_free(pnic_proc(p)->idev->intr_handle);
	dev->data->dev_started = 0;
	pnic_link_update(dev, 0);
	return 0;
}

static void
pnic_intr_off(struct pnic_port *p)
{
	struct pnic_proc *pp = pnic_proc(p);
	int ret;

	if (!p->intr_on)
		return;
	pnic_wr(p, PNIC_REG_IRQ_MASK, 0);
	do {
		ret = rte_intr_callback_unregister(pp->idev->intr_handle, pnic_misc_intr,
						   pp->eth_dev);
		if (ret == -EAGAIN)
			rte_delay_ms(1);
	} while (ret == -EAGAIN);
	rte_iommufd_intr_disable(pp->idev);
	p->intr_on = false;
}

/*
 * The primary's worker-exit handler (pnic_quiesce_domain, on the bus's
 * thread) against the primary closing the port: per process, not in the
 * port's shared data, which the close frees.
 */
static pthread_mutex_t pnic_close_lock = PTHREAD_MUTEX_INITIALIZER;
static bool pnic_closing[RTE_MAX_ETHPORTS];

/* This process's part of the port goes with the port (release_port only clears the pointer). */
static void
pnic_proc_free(struct rte_eth_dev *dev)
{
	free(dev->process_private);
	dev->process_private = NULL;
}

static int
pnic_close(struct rte_eth_dev *dev)
{
	struct pnic_port *p = dev->data->dev_private;
	uint16_t i;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		/* A secondary gives back the queue pairs it set up; the port is the primary's. */
		for (i = 0; i < p->nb_qp; i++) {
			const struct pnic_rxq *rxq = i < dev->data->nb_rx_queues ?
						     dev->data->rx_queues[i] : NULL;
			const struct pnic_txq *txq = i < dev->data->nb_tx_queues ?
						     dev->data->tx_queues[i] : NULL;

			if ((rxq != NULL && rxq->owner == getpid()) ||
			    (txq != NULL && txq->owner == getpid()))
				pnic_queue_pair_release(dev, i);
		}
		pnic_proc_free(dev);
		return 0;
	}
	pthread_mutex_lock(&pnic_close_lock);
	pnic_closing[dev->data->port_id] = true;
	pthread_mutex_unlock(&pnic_close_lock);
	if (dev->data->dev_started)
		pnic_stop(dev);
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		pnic_rx_queue_release(dev, i);
		dev->data->rx_queues[i] = NULL;
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		pnic_tx_queue_release(dev, i);
		dev->data->tx_queues[i] = NULL;
	}
	pnic_intr_off(p);
	/* Quiesced: no queue is enabled, the device is disabled. */
	pnic_wr(p, PNIC_REG_DEV_CTRL, 0);
	pnic_proc_free(dev);
	return 0;
}

static int
pnic_promisc_enable(struct rte_eth_dev *dev)
{
	struct pnic_port *p = dev->data->dev_private;

	p->promisc = true;
	return 0;
}

static int
pnic_promisc_disable(struct rte_eth_dev *dev)
{
	struct pnic_port *p = dev->data->dev_private;

	p->promisc = false;
	return 0;
}

static int
pnic_allmulti_enable(struct rte_eth_dev *dev)
{
	struct pnic_port *p = dev->data->dev_private;

	p->allmulti = true;
	return 0;
}

static int
pnic_allmulti_disable(struct rte_eth_dev *dev)
{
	struct pnic_port *p = dev->data->dev_private;

	p->allmulti = false;
	return 0;
}

static int
pnic_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *mac)
{
	struct pnic_port *p = dev->data->dev_private;
	const uint8_t *b = mac->addr_bytes;

	pnic_wr(p, PNIC_REG_MAC_LO, b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24);
	pnic_wr(p, PNIC_REG_MAC_HI, b[4] | b[5] << 8);
	rte_ether_addr_copy(mac, &p->mac);
	return 0;
}

static int
pnic_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	uint32_t frame = mtu + RTE_ETHER_HDR_LEN;
	uint16_t i;

	/* One buffer per frame: every RX buffer must hold a whole frame. */
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct pnic_rxq *rxq = dev->data->rx_queues[i];

		if (rxq != NULL && frame > rxq->buf_len) {
			PNIC_LOG(ERR, "port %u: MTU %u needs %u-byte buffers, RX queue %u has %u",
				 dev->data->port_id, mtu, frame, i, rxq->buf_len);
			return -EINVAL;
		}
	}
	return 0;
}

/* DPDK 25.11 moved the per-queue counters out of struct rte_eth_stats. */
#if RTE_VERSION >= RTE_VERSION_NUM(25, 11, 0, 0)
static int
pnic_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st, struct eth_queue_stats *qs)
{
#else
static int
pnic_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	struct rte_eth_stats *qs = st;
#endif
	struct pnic_port *p = dev->data->dev_private;
	uint16_t i;

	/* Against the primary's worker-exit handler freeing a dead worker's queues. */
	rte_spinlock_recursive_lock(&p->qlock);
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct pnic_rxq *rxq = dev->data->rx_queues[i];

		if (rxq == NULL)
			continue;
		st->ipackets += rxq->pkts;
		st->ibytes += rxq->bytes;
		st->ierrors += rxq->errors + rxq->truncated;
		st->imissed += pnic_qrd(p, PNIC_QUEUE(i, PNIC_DIR_RX), PNIC_Q_DROPS) -
			       rxq->drop_base;
		if (qs != NULL && i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			qs->q_ipackets[i] = rxq->pkts;
			qs->q_ibytes[i] = rxq->bytes;
		}
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		const struct pnic_txq *txq = dev->data->tx_queues[i];

		if (txq == NULL)
			continue;
		st->opackets += txq->pkts;
		st->obytes += txq->bytes;
		st->oerrors += txq->errors;
		if (qs != NULL && i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			qs->q_opackets[i] = txq->pkts;
			qs->q_obytes[i] = txq->bytes;
		}
	}
	rte_spinlock_recursive_unlock(&p->qlock);
	return 0;
}

static int
pnic_stats_reset(struct rte_eth_dev *dev)
{
	struct pnic_port *p = dev->data->dev_private;
	uint16_t i;

	rte_spinlock_recursive_lock(&p->qlock);
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct pnic_rxq *rxq = dev->data->rx_queues[i];

		if (rxq == NULL)
			continue;
		rxq->pkts = rxq->bytes = rxq->errors = rxq->truncated = 0;
		rxq->drop_base = pnic_qrd(p, PNIC_QUEUE(i, PNIC_DIR_RX), PNIC_Q_DROPS);
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		struct pnic_txq *txq = dev->data->tx_queues[i];

		if (txq == NULL)
			continue;
		txq->pkts = txq->bytes = txq->errors = 0;
	}
	rte_spinlock_recursive_unlock(&p->qlock);
	return 0;
}

/* Extended statistics: the device's, then per RX queue, then per TX queue. */
static const char * const dev_xstats[] = { "fault_count", "engine_wakeups" };
static const char * const rxq_xstats[] = {
	"faults", "device_drops", "truncated", "desc_errors", "filtered", "kicks", "faulted",
};
static const char * const txq_xstats[] = { "faults", "dropped", "kicks", "faulted" };

static unsigned int
xstats_count(const struct rte_eth_dev *dev)
{
	return RTE_DIM(dev_xstats) + dev->data->nb_rx_queues * RTE_DIM(rxq_xstats) +
	       dev->data->nb_tx_queues * RTE_DIM(txq_xstats);
}

static int
pnic_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
		      unsigned int size)
{
	unsigned int n = xstats_count(dev), k = 0, i, j;

	if (names == NULL || size < n)
		return n;
	for (j = 0; j < RTE_DIM(dev_xstats); j++)
		snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "%s", dev_xstats[j]);
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		for (j = 0; j < RTE_DIM(rxq_xstats); j++)
			snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "rx_q%u_%s", i,
				 rxq_xstats[j]);
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		for (j = 0; j < RTE_DIM(txq_xstats); j++)
			snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "tx_q%u_%s", i,
				 txq_xstats[j]);
	return n;
}

static int
pnic_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int size)
{
	struct pnic_port *p = dev->data->dev_private;
	unsigned int n = xstats_count(dev), k = 0, i;

	if (xs == NULL || size < n)
		return n;
	rte_spinlock_recursive_lock(&p->qlock);
	xs[k++].value = pnic_rd(p, PNIC_REG_FAULT_COUNT) - p->dev_fault_base;
	xs[k++].value = pnic_rd(p, PNIC_REG_ENGINE_WAKEUPS) - p->wakeup_base;
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct pnic_rxq *rxq = dev->data->rx_queues[i];
		unsigned int q = PNIC_QUEUE(i, PNIC_DIR_RX);

		xs[k++].value = rxq ? pnic_qrd(p, q, PNIC_Q_FAULTS) - rxq->fault_base : 0;
		xs[k++].value = rxq ? pnic_qrd(p, q, PNIC_Q_DROPS) - rxq->drop_base : 0;
		xs[k++].value = rxq ? rxq->truncated : 0;
		xs[k++].value = rxq ? rxq->errors : 0;
		xs[k++].value = rxq ? rxq->filtered : 0;
		xs[k++].value = rxq ? rxq->kicks : 0;
		xs[k++].value = rxq ? rxq->faulted : 0;
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		const struct pnic_txq *txq = dev->data->tx_queues[i];
		unsigned int q = PNIC_QUEUE(i, PNIC_DIR_TX);

		xs[k++].value = txq ? pnic_qrd(p, q, PNIC_Q_FAULTS) - txq->fault_base : 0;
		xs[k++].value = txq ? txq->errors : 0;
		xs[k++].value = txq ? txq->kicks : 0;
		xs[k++].value = txq ? txq->faulted : 0;
	}
	rte_spinlock_recursive_unlock(&p->qlock);
	for (i = 0; i < n; i++)
		xs[i].id = i;
	return n;
}

static int
pnic_xstats_reset(struct rte_eth_dev *dev)
{
	struct pnic_port *p = dev->data->dev_private;
	uint16_t i;

	rte_spinlock_recursive_lock(&p->qlock);
	p->dev_fault_base = pnic_rd(p, PNIC_REG_FAULT_COUNT);
	p->wakeup_base = pnic_rd(p, PNIC_REG_ENGINE_WAKEUPS);
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct pnic_rxq *rxq = dev->data->rx_queues[i];

		if (rxq == NULL)
			continue;
		rxq->fault_base = pnic_qrd(p, PNIC_QUEUE(i, PNIC_DIR_RX), PNIC_Q_FAULTS);
		rxq->filtered = rxq->kicks = 0;
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		struct pnic_txq *txq = dev->data->tx_queues[i];

		if (txq == NULL)
			continue;
		txq->fault_base = pnic_qrd(p, PNIC_QUEUE(i, PNIC_DIR_TX), PNIC_Q_FAULTS);
		txq->kicks = 0;
	}
	rte_spinlock_recursive_unlock(&p->qlock);
	return pnic_stats_reset(dev);
}

static const struct eth_dev_ops pnic_ops = {
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
	.rx_queue_setup = pnic_rx_queue_setup,
	.tx_queue_setup = pnic_tx_queue_setup,
	.rx_queue_release = pnic_rx_queue_release,
	.tx_queue_release = pnic_tx_queue_release,
	.rx_queue_start = pnic_rx_queue_start,
	.rx_queue_stop = pnic_rx_queue_stop,
	.tx_queue_start = pnic_tx_queue_start,
	.tx_queue_stop = pnic_tx_queue_stop,
	.rx_queue_intr_enable = pnic_rx_intr_enable,
	.rx_queue_intr_disable = pnic_rx_intr_disable,
};

/* Check the device and read what it offers. */
/* This process's access to the device: its fd and the doorbell page (BAR2). */
static int
pnic_proc_init(struct rte_eth_dev *eth_dev, struct rte_iommufd_device *idev)
{
	struct pnic_proc *pp = calloc(1, sizeof(*pp));
	size_t dbsize = 0;

	if (pp == NULL)
		return -ENOMEM;
	pp->idev = idev;
	pp->eth_dev = eth_dev;
	pp->fd = idev->fd;
	eth_dev->process_private = pp;
	pp->db = rte_iommufd_bar_map(idev, VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_DB, &dbsize);
	if (pp->db == NULL || dbsize < PNIC_BAR_DB_SIZE) {
		PNIC_LOG(ERR, "%s: cannot map the doorbell page (BAR%u): %s", idev->name,
			 PNIC_BAR_DB, rte_strerror(rte_errno));
		pnic_proc_free(eth_dev);
		return -ENODEV;
	}
	return 0;
}

static int
pnic_hw_init(struct pnic_port *p, struct rte_iommufd_device *idev)
{
	struct rte_iommufd_region bar0;
	uint32_t id, ver, mlo, mhi;

	if (rte_iommufd_region_info(idev, VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_REGS, &bar0) ||
	    bar0.size < PNIC_BAR_REGS_SIZE) {
		PNIC_LOG(ERR, "%s: no register BAR", idev->name);
		return -ENODEV;
	}
	p->bar0 = bar0.offset;
	id = pnic_rd(p, PNIC_REG_ID);
	ver = pnic_rd(p, PNIC_REG_VERSION);
	if (id != PNIC_ID_MAGIC || ver >> 16 != PNIC_VERSION >> 16) {
		PNIC_LOG(ERR, "%s: not a pasidnic of version %u (ID %#x, version %#x)",
			 idev->name, PNIC_VERSION >> 16, id, ver);
		return -ENODEV;
	}
	p->nb_qp = pnic_rd(p, PNIC_REG_NUM_QP);
	p->pasid_width = pnic_rd(p, PNIC_REG_PASID_WIDTH);
	p->caps = pnic_rd(p, PNIC_REG_CAPS);
	if (p->nb_qp == 0 || p->nb_qp > PNIC_MAX_QP) {
		PNIC_LOG(ERR, "%s: bad number of queue pairs %u", idev->name, p->nb_qp);
		return -ENODEV;
	}
	if (p->args.backend == PNIC_BACKEND_NETDEV && !(p->caps & PNIC_CAP_NETDEV)) {
		PNIC_LOG(ERR, "%s: the device has no netdev backend", idev->name);
		return -ENOTSUP;
	}
	/* PASID Enable (PCI PASID control register) before any queue uses a PASID. */
	if (p->pasid_width > 0) {
		uint16_t ctl = 1;

		if (rte_iommufd_region_write(idev, VFIO_PCI_CONFIG_REGION_INDEX, &ctl,
					     sizeof(ctl), PNIC_CFG_PASID_ECAP + 6)) {
			PNIC_LOG(ERR, "%s: cannot set PASID Enable", idev->name);
			return -EIO;
		}
	}
	mlo = pnic_rd(p, PNIC_REG_MAC_LO);
	mhi = pnic_rd(p, PNIC_REG_MAC_HI);
	p->mac.addr_bytes[0] = mlo & 0xff;
	p->mac.addr_bytes[1] = (mlo >> 8) & 0xff;
	p->mac.addr_bytes[2] = (mlo >> 16) & 0xff;
	p->mac.addr_bytes[3] = mlo >> 24;
	p->mac.addr_bytes[4] = mhi & 0xff;
	p->mac.addr_bytes[5] = (mhi >> 8) & 0xff;
	if (!rte_is_valid_assigned_ether_addr(&p->mac))
		rte_eth_random_addr(p->mac.addr_bytes);
	p->dev_fault_base = pnic_rd(p, PNIC_REG_FAULT_COUNT);
	p->wakeup_base = pnic_rd(p, PNIC_REG_ENGINE_WAKEUPS);
	return 0;
}

static int
pnic_intr_on(struct pnic_port *p)
{
	struct rte_iommufd_device *idev = pnic_proc(p)->idev;

	if (rte_iommufd_intr_enable(idev, VFIO_PCI_MSIX_IRQ_INDEX, PNIC_NUM_VECS(p->nb_qp))) {
		PNIC_LOG(ERR, "%s: cannot enable %u MSI-X vectors: %s", idev->name,
			 PNIC_NUM_VECS(p->nb_qp), rte_strerror(rte_errno));
		return -rte_errno;
	}
	if (rte_intr_callback_register(idev->intr_handle, pnic_misc_intr, pnic_proc(p)->eth_dev)) {
		rte_iommufd_intr_disable(idev);
		return -EIO;
	}
	pnic_wr(p, PNIC_REG_IRQ_CAUSE, PNIC_IRQ_LINK | PNIC_IRQ_FAULT);
	pnic_wr(p, PNIC_REG_IRQ_MASK, PNIC_IRQ_LINK | PNIC_IRQ_FAULT);
	p->intr_on = true;
	return 0;
}

/* What every process sets in its own struct rte_eth_dev. */
static void
pnic_eth_dev_fill(struct rte_eth_dev *eth_dev, struct rte_iommufd_device *idev)
{
	eth_dev->device = &idev->device;
	eth_dev->intr_handle = idev->intr_handle;
	eth_dev->dev_ops = &pnic_ops;
	eth_dev->rx_pkt_burst = pnic_recv;
	eth_dev->tx_pkt_burst = pnic_xmit;
	eth_dev->rx_queue_count = pnic_rx_queue_count;
}

/*
 * A secondary process (a worker) attaches to the port the primary probed:
 * the device fd it received from the primary through the bus, its own
 * doorbell mapping; no register is touched.
 */
static int
pnic_probe_secondary(struct rte_iommufd_device *idev)
{
	struct rte_eth_dev *eth_dev = rte_eth_dev_attach_secondary(idev->device.name);
	int ret;

	if (eth_dev == NULL) {
		PNIC_LOG(ERR, "%s: the primary process has no port for this device: give it the "
			 "same -a option", idev->name);
		return -ENODEV;
	}
	ret = pnic_proc_init(eth_dev, idev);
	if (ret < 0) {
		rte_eth_dev_release_port(eth_dev);
		return ret;
	}
	pnic_eth_dev_fill(eth_dev, idev);
	rte_eth_dev_probing_finish(eth_dev);
	PNIC_LOG(INFO, "%s: port %u attached in process %d", idev->name,
		 eth_dev->data->port_id, (int)getpid());
	return 0;
}

static int
pnic_probe(struct rte_iommufd_driver *drv __rte_unused, struct rte_iommufd_device *idev)
{
	struct rte_eth_dev *eth_dev;
	struct pnic_port *p;
	struct pnic_args args;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return pnic_probe_secondary(idev);
	ret = pnic_args_parse(idev->device.devargs, &args, idev->name);
	if (ret < 0)
		return ret;
	eth_dev = rte_eth_dev_allocate(idev->device.name);
	if (eth_dev == NULL)
		return -ENOMEM;
	p = rte_zmalloc_socket("pasidnic", sizeof(*p), RTE_CACHE_LINE_SIZE,
			       idev->device.numa_node);
	eth_dev->data->mac_addrs = rte_zmalloc("pasidnic_mac", sizeof(struct rte_ether_addr), 0);
	if (p == NULL || eth_dev->data->mac_addrs == NULL) {
		rte_free(p);
		ret = -ENOMEM;
		goto fail;
	}
	eth_dev->data->dev_private = p;
	pnic_closing[eth_dev->data->port_id] = false;
	rte_strscpy(p->name, idev->name, sizeof(p->name));
	p->port_id = eth_dev->data->port_id;
	rte_spinlock_recursive_init(&p->qlock);
	p->args = args;
	p->promisc = true;
	ret = pnic_proc_init(eth_dev, idev);
	if (ret < 0)
		goto fail;
	ret = pnic_hw_init(p, idev);
	if (ret < 0)
		goto fail;
	rte_ether_addr_copy(&p->mac, eth_dev->data->mac_addrs);
	pnic_eth_dev_fill(eth_dev, idev);
	eth_dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC | RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS;
	ret = pnic_intr_on(p);
	if (ret < 0)
		goto fail;
	rte_eth_dev_probing_finish(eth_dev);
	PNIC_LOG(INFO, "%s: port %u, %u queue pairs, PASID width %u, backend %s, MAC "
		 RTE_ETHER_ADDR_PRT_FMT, idev->name, eth_dev->data->port_id, p->nb_qp,
		 p->pasid_width, p->args.backend == PNIC_BACKEND_NETDEV ? "netdev" : "loopback",
		 RTE_ETHER_ADDR_BYTES(&p->mac));
	return 0;
fail:
	pnic_proc_free(eth_dev);
	rte_eth_dev_release_port(eth_dev);
	return ret;
}

static int
pnic_remove(struct rte_iommufd_device *idev)
{
	struct rte_eth_dev *eth_dev = rte_eth_dev_allocated(idev->device.name);

	if (eth_dev == NULL)
		return 0;
	/* Close quiesces: queues reset, device disabled, interrupts off. */
	return rte_eth_dev_close(eth_dev->data->port_id);
}

/* The port of @port_id when it is a pasidnic port. */
static struct rte_eth_dev *
pnic_port_of(uint16_t port_id)
{
	struct rte_eth_dev *dev;

	if (!rte_eth_dev_is_valid_port(port_id))
		return NULL;
	dev = &rte_eth_devices[port_id];
	return dev->dev_ops == &pnic_ops ? dev : NULL;
}

int
rte_pmd_pasidnic_queue_domain_set(uint16_t port_id, uint16_t queue_id,
				  struct rte_iommufd_domain *dom)
{
	struct rte_eth_dev *dev = pnic_port_of(port_id);
	struct pnic_proc *pp;
	struct pnic_port *p;
	uint32_t pasids[64];
	int n, i, nb, pasid;

	if (dev == NULL)
		return -ENODEV;
	p = dev->data->dev_private;
	pp = dev->process_private;
	if (queue_id >= p->nb_qp)
		return -EINVAL;
	if ((dev->data->rx_queues != NULL && queue_id < dev->data->nb_rx_queues &&
	     dev->data->rx_queues[queue_id] != NULL) ||
	    (dev->data->tx_queues != NULL && queue_id < dev->data->nb_tx_queues &&
	     dev->data->tx_queues[queue_id] != NULL))
		return -EBUSY;
	if (dom != NULL) {
		pasid = rte_iommufd_domain_pasid(dom);
		n = rte_iommufd_dev_pasids(&pp->idev->device, pasids, RTE_DIM(pasids));
		nb = n < (int)RTE_DIM(pasids) ? n : (int)RTE_DIM(pasids);
		for (i = 0; i < nb; i++)
			if ((int)pasids[i] == pasid)
				break;
		if (pasid < 1 || n < 0 || i == nb) {
			PNIC_LOG(ERR, "port %u: PASID %d is not a domain of %s in this process",
				 port_id, pasid, p->name);
			return -EINVAL;
		}
	}
	pp->domain[queue_id] = dom;
	PNIC_LOG(INFO, "port %u: queue pair %u will use %s %d", port_id, queue_id,
		 dom ? "PASID" : "the RID", dom ? rte_iommufd_domain_pasid(dom) : 0);
	return 0;
}

int
rte_pmd_pasidnic_queue_pasid(uint16_t port_id, uint16_t queue_id)
{
	struct rte_eth_dev *dev = pnic_port_of(port_id);
	const struct pnic_rxq *rxq;
	struct pnic_proc *pp;
	struct pnic_port *p;
	int pasid;

	if (dev == NULL)
		return -ENODEV;
	p = dev->data->dev_private;
	pp = dev->process_private;
	if (queue_id >= p->nb_qp)
		return -EINVAL;
	/* A queue set up (by any process) says what it is programmed with. */
	rte_spinlock_recursive_lock(&p->qlock);
	rxq = queue_id < dev->data->nb_rx_queues ? dev->data->rx_queues[queue_id] : NULL;
	pasid = rxq != NULL ? rxq->pasid :
		pp->domain[queue_id] ? rte_iommufd_domain_pasid(pp->domain[queue_id]) : 0;
	rte_spinlock_recursive_unlock(&p->qlock);
	return pasid;
}

int
rte_pmd_pasidnic_queue_pair_release(uint16_t port_id, uint16_t queue_id)
{
	struct rte_eth_dev *dev = pnic_port_of(port_id);

	if (dev == NULL)
		return -ENODEV;
	return pnic_queue_pair_release(dev, queue_id);
}

/* Bus op, in the primary: the process that owned the domain of @pasid has exited. */
static int
pnic_quiesce_domain(struct rte_iommufd_device *idev, uint32_t pasid)
{
	struct rte_eth_dev *eth_dev;
	int n;

	pthread_mutex_lock(&pnic_close_lock);
	eth_dev = rte_eth_dev_allocated(idev->device.name);
	if (eth_dev != NULL && !pnic_closing[eth_dev->data->port_id]) {
		n = pnic_queue_pair_quiesce(eth_dev, pasid);
		PNIC_LOG(INFO, "port %u: %d queue(s) of PASID %u stopped (their process has "
			 "exited)", eth_dev->data->port_id, n, pasid);
	}
	pthread_mutex_unlock(&pnic_close_lock);
	return 0;
}

static const struct rte_iommufd_id pnic_ids[] = {
	{ .vendor_id = PNIC_PCI_VENDOR_ID, .device_id = PNIC_PCI_DEVICE_ID },
	{ .vendor_id = 0 },
};

static struct rte_iommufd_driver pnic_driver = {
	.id_table = pnic_ids,
	.probe = pnic_probe,
	.remove = pnic_remove,
	.quiesce_domain = pnic_quiesce_domain,
};

RTE_PMD_REGISTER_IOMMUFD(net_pasidnic, pnic_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_pasidnic, PNIC_ARG_BACKEND "=loopback|netdev");
