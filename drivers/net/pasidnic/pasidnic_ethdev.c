/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_pasidnic: ethdev PMD of the emulated PASID-capable NIC
 * (kernel/linux/pasidnic, doc/pasidnic.md) on the iommufd bus.
 *
 * The port: probe and remove, configuration, start/stop, close, receive
 * modes, MAC address, MTU. The other files are listed in pasidnic.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include <ethdev_driver.h>
#include <rte_bus_iommufd.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_string_fns.h>

#include "pasidnic.h"

RTE_LOG_REGISTER_DEFAULT(pasidnic_logtype, NOTICE);

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
static void
pnic_proc_free(struct rte_eth_dev *dev)
{
	free(dev->process_private);
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

	pnic_wr(p, PNIC_REG_MAC_LO, b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24);
	pnic_wr(p, PNIC_REG_MAC_HI, b[4] | b[5] << 8);
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

/* Check the device and read what it offers. */
static int
pnic_hw_init(struct pnic_port *p, struct rte_iommufd_device *idev)
{
	struct rte_iommufd_region bar0;
	uint32_t id, ver;
	uint64_t mac;
	unsigned int i;

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
	mac = (uint64_t)pnic_rd(p, PNIC_REG_MAC_HI) << 32 | pnic_rd(p, PNIC_REG_MAC_LO);
	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		p->mac.addr_bytes[i] = (uint8_t)(mac >> (8 * i));
	if (!rte_is_valid_assigned_ether_addr(&p->mac))
		rte_eth_random_addr(p->mac.addr_bytes);
	p->dev_fault_base = pnic_rd(p, PNIC_REG_FAULT_COUNT);
	p->wakeup_base = pnic_rd(p, PNIC_REG_ENGINE_WAKEUPS);
	return 0;
}

/* What every process sets in its own struct rte_eth_dev. */
static void
pnic_eth_dev_fill(struct rte_eth_dev *eth_dev, struct rte_iommufd_device *idev)
{
	eth_dev->device = &idev->device;
	eth_dev->intr_handle = idev->intr_handle;
	eth_dev->dev_ops = &pnic_eth_ops;
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
	if (ret == 0) {
		ret = pnic_user_attach(eth_dev);
		if (ret < 0)
			pnic_proc_free(eth_dev);
	}
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
	char err[256];
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return pnic_probe_secondary(idev);
	ret = pnic_devargs_of(idev->device.devargs, &args, err, sizeof(err));
	if (ret < 0) {
		PNIC_LOG(ERR, "%s: bad devargs '%s': %s", idev->name,
			 idev->device.devargs->drv_str, err);
		return ret;
	}
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
	ret = pnic_leave_init(eth_dev, idev->device.numa_node);
	if (ret < 0)
		goto fail;
	pnic_closing_set(eth_dev->data->port_id, false);
	rte_strscpy(p->name, idev->name, sizeof(p->name));
	p->port_id = eth_dev->data->port_id;
	p->args = args;
	p->promisc = true;
	ret = pnic_qlock_init(p);
	if (ret == 0)
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
	if (eth_dev->data->dev_private != NULL)
		pnic_leave_done(eth_dev, eth_dev->data->dev_private, false);
	pnic_proc_free(eth_dev);
	/* Frees dev_private and mac_addrs too (primary process). */
	rte_eth_dev_release_port(eth_dev);
	return ret;
}

/*
 * A secondary's port of @idev, found in this process's own ethdev state
 * (the shared data may be zeroed already: the primary closed the port).
 */
static int
port_of_secondary(const struct rte_iommufd_device *idev)
{
	unsigned int i;

	for (i = 0; i < RTE_MAX_ETHPORTS; i++) {
		const struct rte_eth_dev *dev = &rte_eth_devices[i];

		if (dev->state != RTE_ETH_DEV_UNUSED && dev->dev_ops == &pnic_eth_ops &&
		    dev->process_private != NULL &&
		    ((const struct pnic_proc *)dev->process_private)->idev == idev)
			return (int)i;
	}
	return -1;
}

/*
 * Remove (hot-unplug, the bus's cleanup): forced. In the primary the workers
 * are told and waited for (pnic_leave()), then the port is stopped, which
 * the workers' queues no longer refuse, and closed (close quiesces: queues
 * reset, device disabled, interrupts off).
 */
static int
pnic_remove(struct rte_iommufd_device *idev)
{
	struct rte_eth_dev *eth_dev;
	int ret, port;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		port = port_of_secondary(idev);
		return port < 0 ? 0 : rte_eth_dev_close((uint16_t)port);
	}
	eth_dev = rte_eth_dev_allocated(idev->device.name);
	if (eth_dev == NULL)
		return 0;
	pnic_leave(eth_dev, "device removal");
	if (eth_dev->data->dev_started) {
		ret = rte_eth_dev_stop(eth_dev->data->port_id);
		if (ret < 0)
			PNIC_LOG(ERR, "port %u: stop before removal failed: %s",
				 eth_dev->data->port_id, rte_strerror(-ret));
	}
	return rte_eth_dev_close(eth_dev->data->port_id);
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
