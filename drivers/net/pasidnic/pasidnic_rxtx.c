/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Queues of a pasidnic port: set-up, start/stop, RX/TX bursts, RX interrupts.
 *
 * One descriptor per frame. The rings and buffers are DMAed in the queue's
 * address space: the RID (DPDK memory at IOVA = VA) or the PASID domain set
 * with rte_pmd_pasidnic_queue_domain_set(). The bursts take no lock and make
 * no system call, except the kick of a sleeping engine (pnic_publish()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_bus_iommufd.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "pasidnic.h"

#define RING_ALIGN 4096

/* The *_locked functions run with the port's qlock held (see the wrappers at the end). */
static int pnic_rx_queue_stop_locked(struct rte_eth_dev *dev, uint16_t qid);
static int pnic_tx_queue_stop_locked(struct rte_eth_dev *dev, uint16_t qid);
static bool pnic_rx_queue_release_locked(struct rte_eth_dev *dev, uint16_t qid);
static bool pnic_tx_queue_release_locked(struct rte_eth_dev *dev, uint16_t qid);

static uint32_t
ring_size(uint16_t nb_desc)
{
	uint32_t n = nb_desc ? nb_desc : PNIC_RING_DEFAULT;

	n = rte_align32pow2(n);
	if (n < PNIC_RING_MIN)
		return PNIC_RING_MIN;
	return n > PNIC_RING_MAX ? PNIC_RING_MAX : n;
}

/* The PASID of queue pair @qid in this process: that of its domain, or 0 (RID). */
static int
qp_pasid(const struct pnic_port *p, uint16_t qid)
{
	const struct pnic_proc *pp = pnic_proc(p);

	if (pp->domain[qid] == NULL)
		return 0;
	return rte_iommufd_domain_pasid(pp->domain[qid]);
}

/*
 * Where the queue structure and sw_ring go: DPDK's main memory, never a
 * pasid_mem heap (external heaps have socket ids from RTE_MAX_NUMA_NODES on),
 * so that any process can read the counters and the primary can free them
 * when the owner dies. The ring itself goes on @socket_id (the domain's heap).
 */
static int
ctl_socket(const struct rte_eth_dev *dev, unsigned int socket_id)
{
	if (socket_id < RTE_MAX_NUMA_NODES)
		return (int)socket_id;
	return dev->device->numa_node;
}

/* Allocate a ring of @n descriptors on @socket_id; NULL when there is no memory. */
static volatile struct pnic_desc *
ring_alloc(uint32_t n, unsigned int socket_id, rte_iova_t *iova)
{
	void *ring = rte_zmalloc_socket("pasidnic_ring", (size_t)n * PNIC_DESC_SIZE, RING_ALIGN,
					socket_id);

	if (ring == NULL)
		return NULL;
	*iova = rte_malloc_virt2iova(ring);
	if (*iova == RTE_BAD_IOVA) {
		rte_free(ring);
		return NULL;
	}
	return ring;
}

/*
 * Does task (process or thread) @tid still run? A zombie does not: the bus
 * hears of a worker's exit (pidfd) before its parent reaps it, and kill(0)
 * succeeds on a zombie.
 */
static bool
task_alive(int tid)
{
	char path[32], buf[160];
	const char *st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno != ENOENT && errno != ESRCH;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	st = strrchr(buf, ')');      /* "pid (comm) S ..." */
	return st == NULL || st[1] == '\0' || (st[2] != 'Z' && st[2] != 'X');
}

/* Is @pid a process other than the caller that still runs? */
static bool
other_alive(pid_t pid)
{
	return pid != 0 && pid != getpid() && task_alive(pid);
}

/* A dead owner's ring in DPDK's main memory (a RID queue) can be freed; one in its heap is gone. */
static void
ring_free_if_shared(volatile struct pnic_desc *ring)
{
	void *va = (void *)(uintptr_t)ring;
	const struct rte_memseg_list *msl = rte_mem_virt2memseg_list(va);

	if (msl != NULL && !msl->external)
		rte_free(va);
}

/*
 * A queue of another live process was "released" by ethdev (which clears the
 * slot after the release op, e.g. before a queue setup): put it back, and
 * refuse the setup. A kept queue whose owner has exited since is freed.
 * Returns -EBUSY when the queue went back to its owner.
 */
static int
rx_kept_restore(struct rte_eth_dev *dev, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;
	struct pnic_rxq *kept;
	int ret = 0;

	rte_spinlock_recursive_lock(&p->qlock);
	kept = p->rxq_kept[qid];
	p->rxq_kept[qid] = NULL;
	if (kept != NULL && dev->data->rx_queues[qid] == NULL) {
		dev->data->rx_queues[qid] = kept;
		if (other_alive(kept->owner))
			ret = -EBUSY;
		else
			pnic_rx_queue_release_locked(dev, qid);
	}
	rte_spinlock_recursive_unlock(&p->qlock);
	return ret;
}

static int
tx_kept_restore(struct rte_eth_dev *dev, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;
	struct pnic_txq *kept;
	int ret = 0;

	rte_spinlock_recursive_lock(&p->qlock);
	kept = p->txq_kept[qid];
	p->txq_kept[qid] = NULL;
	if (kept != NULL && dev->data->tx_queues[qid] == NULL) {
		dev->data->tx_queues[qid] = kept;
		if (other_alive(kept->owner))
			ret = -EBUSY;
		else
			pnic_tx_queue_release_locked(dev, qid);
	}
	rte_spinlock_recursive_unlock(&p->qlock);
	return ret;
}

/* Reset queue @q and program its ring and PASID; leaves it DISABLED. */
static void
q_program(struct pnic_port *p, unsigned int q, rte_iova_t ring, uint32_t size, int pasid)
{
	pnic_qwr(p, q, PNIC_Q_CTRL, PNIC_Q_CTRL_RESET);
	pnic_qwr(p, q, PNIC_Q_BASE_LO, (uint32_t)ring);
	pnic_qwr(p, q, PNIC_Q_BASE_HI, (uint32_t)(ring >> 32));
	pnic_qwr(p, q, PNIC_Q_SIZE, size);
	pnic_qwr(p, q, PNIC_Q_PASID, pasid > 0 ? PNIC_Q_PASID_EN | (uint32_t)pasid : 0);
}

static int
q_enable(struct pnic_port *p, unsigned int q, uint32_t ctrl)
{
	uint32_t st;

	pnic_qwr(p, q, PNIC_Q_CTRL, PNIC_Q_CTRL_ENABLE | ctrl);
	st = pnic_qrd(p, q, PNIC_Q_STATUS) & PNIC_Q_STATE_MASK;
	if (st != PNIC_Q_STATE_RUNNING) {
		PNIC_LOG(ERR, "%s: queue %u did not start (state %u%s)", p->name, q, st,
			 st == PNIC_Q_STATE_ERROR ? ": bad ring size, base or PASID" : "");
		pnic_qwr(p, q, PNIC_Q_CTRL, PNIC_Q_CTRL_RESET);
		return -EIO;
	}
	return 0;
}

int
pnic_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		    unsigned int socket_id, const struct rte_eth_rxconf *conf,
		    struct rte_mempool *mp)
{
	struct pnic_port *p = dev->data->dev_private;
	uint32_t n = ring_size(nb_desc);
	struct pnic_rxq *rxq;
	uint32_t room;

	if (qid >= p->nb_qp)
		return -EINVAL;
	if (dev->data->rx_queues[qid] != NULL)
		pnic_rx_queue_release(dev, qid);
	if (rx_kept_restore(dev, qid) < 0) {
		PNIC_LOG(ERR, "port %u: RX queue %u belongs to process %d, which still runs",
			 dev->data->port_id, qid,
			 (int)((struct pnic_rxq *)dev->data->rx_queues[qid])->owner);
		return -EBUSY;
	}
	room = rte_pktmbuf_data_room_size(mp);
	if (room <= RTE_PKTMBUF_HEADROOM + RTE_ETHER_MIN_LEN) {
		PNIC_LOG(ERR, "port %u: RX queue %u: mbufs of pool %s are too small (%u bytes)",
			 dev->data->port_id, qid, mp->name, room);
		return -EINVAL;
	}
	rxq = rte_zmalloc_socket("pasidnic_rxq", sizeof(*rxq), RTE_CACHE_LINE_SIZE,
				 ctl_socket(dev, socket_id));
	if (rxq == NULL)
		return -ENOMEM;
	rxq->sw_ring = rte_zmalloc_socket("pasidnic_rx_sw", n * sizeof(*rxq->sw_ring),
					  RTE_CACHE_LINE_SIZE, ctl_socket(dev, socket_id));
	rxq->ring = ring_alloc(n, socket_id, &rxq->ring_iova);
	if (rxq->sw_ring == NULL || rxq->ring == NULL) {
		PNIC_LOG(ERR, "port %u: RX queue %u: no memory for a ring of %u on socket %u",
			 dev->data->port_id, qid, n, socket_id);
		rte_free(rxq->sw_ring);
		rte_free((void *)(uintptr_t)rxq->ring);
		rte_free(rxq);
		return -ENOMEM;
	}
	rxq->nb_desc = n;
	rxq->mask = n - 1;
	rxq->mp = mp;
	rxq->buf_len = (uint16_t)RTE_MIN(room - RTE_PKTMBUF_HEADROOM, (uint32_t)PNIC_MAX_PKT);
	rxq->port = p;
	rxq->port_id = dev->data->port_id;
	rxq->queue_id = qid;
	rxq->hwq = PNIC_QUEUE(qid, PNIC_DIR_RX);
	rxq->pasid = qp_pasid(p, qid);
	rxq->owner = getpid();
	rxq->deferred = conf != NULL && conf->rx_deferred_start;
	dev->data->rx_queues[qid] = rxq;
	PNIC_LOG(DEBUG, "port %u: RX queue %u: %u descriptors, ring IOVA %#" PRIx64 ", %s %d",
		 rxq->port_id, qid, n, rxq->ring_iova, rxq->pasid ? "PASID" : "RID", rxq->pasid);
	return 0;
}

int
pnic_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		    unsigned int socket_id, const struct rte_eth_txconf *conf)
{
	struct pnic_port *p = dev->data->dev_private;
	uint32_t n = ring_size(nb_desc);
	struct pnic_txq *txq;

	if (qid >= p->nb_qp)
		return -EINVAL;
	if (dev->data->tx_queues[qid] != NULL)
		pnic_tx_queue_release(dev, qid);
	if (tx_kept_restore(dev, qid) < 0) {
		PNIC_LOG(ERR, "port %u: TX queue %u belongs to process %d, which still runs",
			 dev->data->port_id, qid,
			 (int)((struct pnic_txq *)dev->data->tx_queues[qid])->owner);
		return -EBUSY;
	}
	txq = rte_zmalloc_socket("pasidnic_txq", sizeof(*txq), RTE_CACHE_LINE_SIZE,
				 ctl_socket(dev, socket_id));
	if (txq == NULL)
		return -ENOMEM;
	txq->sw_ring = rte_zmalloc_socket("pasidnic_tx_sw", n * sizeof(*txq->sw_ring),
					  RTE_CACHE_LINE_SIZE, ctl_socket(dev, socket_id));
	txq->ring = ring_alloc(n, socket_id, &txq->ring_iova);
	if (txq->sw_ring == NULL || txq->ring == NULL) {
		PNIC_LOG(ERR, "port %u: TX queue %u: no memory for a ring of %u on socket %u",
			 dev->data->port_id, qid, n, socket_id);
		rte_free(txq->sw_ring);
		rte_free((void *)(uintptr_t)txq->ring);
		rte_free(txq);
		return -ENOMEM;
	}
	txq->nb_desc = n;
	txq->mask = n - 1;
	txq->port = p;
	txq->port_id = dev->data->port_id;
	txq->queue_id = qid;
	txq->hwq = PNIC_QUEUE(qid, PNIC_DIR_TX);
	txq->pasid = qp_pasid(p, qid);
	txq->owner = getpid();
	txq->deferred = conf != NULL && conf->tx_deferred_start;
	dev->data->tx_queues[qid] = txq;
	PNIC_LOG(DEBUG, "port %u: TX queue %u: %u descriptors, ring IOVA %#" PRIx64 ", %s %d",
		 txq->port_id, qid, n, txq->ring_iova, txq->pasid ? "PASID" : "RID", txq->pasid);
	return 0;
}

static void
rxq_free_mbufs(struct pnic_rxq *rxq)
{
	uint32_t i;

	for (i = 0; i < rxq->nb_desc; i++) {
		if (rxq->sw_ring[i] != NULL)
			rte_pktmbuf_free_seg(rxq->sw_ring[i]);
		rxq->sw_ring[i] = NULL;
	}
}

static void
txq_free_mbufs(struct pnic_txq *txq)
{
	uint32_t i;

	for (i = 0; i < txq->nb_desc; i++) {
		if (txq->sw_ring[i] != NULL)
			rte_pktmbuf_free_seg(txq->sw_ring[i]);
		txq->sw_ring[i] = NULL;
	}
}

/*
 * Release a queue and clear its slot. Its owner frees everything. When its
 * owner has exited, the device queue is reset and what is in DPDK's main
 * memory freed, but not the mbufs and a ring in the dead process's heap.
 * A queue of another process that still runs is not touched: it is kept
 * aside for rx_kept_restore() (ethdev clears the slot after the release op
 * whatever it does). Returns false when the queue was kept.
 */
static bool
pnic_rx_queue_release_locked(struct rte_eth_dev *dev, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;
	struct pnic_rxq *rxq = dev->data->rx_queues[qid];

	if (rxq == NULL)
		return true;
	if (other_alive(rxq->owner)) {
		PNIC_LOG(ERR, "port %u: RX queue %u belongs to process %d, which still runs: "
			 "not released", dev->data->port_id, qid, (int)rxq->owner);
		p->rxq_kept[qid] = rxq;
		return false;
	}
	if (rxq->owner == getpid()) {
		if (rxq->started)
			pnic_rx_queue_stop_locked(dev, qid);
		rxq_free_mbufs(rxq);
		dev->data->rx_queues[qid] = NULL;
		rte_free((void *)(uintptr_t)rxq->ring);
	} else {
		pnic_qwr(p, rxq->hwq, PNIC_Q_CTRL, PNIC_Q_CTRL_RESET);
		dev->data->rx_queue_state[qid] = RTE_ETH_QUEUE_STATE_STOPPED;
		dev->data->rx_queues[qid] = NULL;
		ring_free_if_shared(rxq->ring);
	}
	rte_free(rxq->sw_ring);
	rte_free(rxq);
	return true;
}

static bool
pnic_tx_queue_release_locked(struct rte_eth_dev *dev, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;
	struct pnic_txq *txq = dev->data->tx_queues[qid];

	if (txq == NULL)
		return true;
	if (other_alive(txq->owner)) {
		PNIC_LOG(ERR, "port %u: TX queue %u belongs to process %d, which still runs: "
			 "not released", dev->data->port_id, qid, (int)txq->owner);
		p->txq_kept[qid] = txq;
		return false;
	}
	if (txq->owner == getpid()) {
		if (txq->started)
			pnic_tx_queue_stop_locked(dev, qid);
		txq_free_mbufs(txq);
		dev->data->tx_queues[qid] = NULL;
		rte_free((void *)(uintptr_t)txq->ring);
	} else {
		pnic_qwr(p, txq->hwq, PNIC_Q_CTRL, PNIC_Q_CTRL_RESET);
		dev->data->tx_queue_state[qid] = RTE_ETH_QUEUE_STATE_STOPPED;
		dev->data->tx_queues[qid] = NULL;
		ring_free_if_shared(txq->ring);
	}
	rte_free(txq->sw_ring);
	rte_free(txq);
	return true;
}

static void
rx_post(struct pnic_rxq *rxq, uint32_t slot, struct rte_mbuf *m)
{
	volatile struct pnic_desc *d = &rxq->ring[slot];

	rxq->sw_ring[slot] = m;
	d->addr = rte_cpu_to_le_64(m->buf_iova + RTE_PKTMBUF_HEADROOM);
	d->len = rte_cpu_to_le_32(rxq->buf_len);
	d->status = 0;
	d->rsvd = 0;
}

static int
pnic_rx_queue_start_locked(struct rte_eth_dev *dev, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;
	struct pnic_rxq *rxq = dev->data->rx_queues[qid];
	unsigned int q = PNIC_QUEUE(qid, PNIC_DIR_RX);
	uint32_t i;
	int ret;

	if (rxq == NULL)
		return -EINVAL;
	if (rxq->owner != getpid()) {
		/* Its ring and mbufs may be in the owner's heap, mapped only there. */
		PNIC_LOG(ERR, "port %u: RX queue %u belongs to process %d: only it can start it",
			 dev->data->port_id, qid, (int)rxq->owner);
		return -EPERM;
	}
	if (rxq->started)
		return 0;
	rxq_free_mbufs(rxq);
	memset((void *)(uintptr_t)rxq->ring, 0, rxq->nb_desc * PNIC_DESC_SIZE);
	for (i = 0; i < rxq->nb_desc; i++) {
		struct rte_mbuf *m = rte_mbuf_raw_alloc(rxq->mp);

		if (m == NULL) {
			PNIC_LOG(ERR, "port %u: RX queue %u: pool %s cannot fill a ring of %u",
				 rxq->port_id, qid, rxq->mp->name, rxq->nb_desc);
			rxq_free_mbufs(rxq);
			return -ENOMEM;
		}
		rx_post(rxq, i, m);
	}
	q_program(p, q, rxq->ring_iova, rxq->nb_desc, rxq->pasid);
	rxq->head = 0;
	rxq->tail = rxq->nb_desc;
	rxq->faulted = 0;
	ret = q_enable(p, q, dev->data->dev_conf.intr_conf.rxq ? PNIC_Q_CTRL_IRQ_EN : 0);
	if (ret < 0) {
		rxq_free_mbufs(rxq);
		return ret;
	}
	rxq->kicks += pnic_publish(p, rxq->hwq, rxq->tail);
	rxq->started = true;
	dev->data->rx_queue_state[qid] = RTE_ETH_QUEUE_STATE_STARTED;
	return 0;
}

static int
pnic_rx_queue_stop_locked(struct rte_eth_dev *dev, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;
	struct pnic_rxq *rxq = dev->data->rx_queues[qid];

	if (rxq == NULL)
		return -EINVAL;
	/* After the reset the device no longer touches the ring or buffers. */
	pnic_qwr(p, rxq->hwq, PNIC_Q_CTRL, PNIC_Q_CTRL_RESET);
	/* Another process's mbufs are its own to free (at its next start or release). */
	if (rxq->owner == getpid())
		rxq_free_mbufs(rxq);
	rxq->started = false;
	dev->data->rx_queue_state[qid] = RTE_ETH_QUEUE_STATE_STOPPED;
	return 0;
}

static int
pnic_tx_queue_start_locked(struct rte_eth_dev *dev, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;
	struct pnic_txq *txq = dev->data->tx_queues[qid];
	unsigned int q = PNIC_QUEUE(qid, PNIC_DIR_TX);
	int ret;

	if (txq == NULL)
		return -EINVAL;
	if (txq->owner != getpid()) {
		PNIC_LOG(ERR, "port %u: TX queue %u belongs to process %d: only it can start it",
			 dev->data->port_id, qid, (int)txq->owner);
		return -EPERM;
	}
	if (txq->started)
		return 0;
	txq_free_mbufs(txq);
	memset((void *)(uintptr_t)txq->ring, 0, txq->nb_desc * PNIC_DESC_SIZE);
	q_program(p, q, txq->ring_iova, txq->nb_desc, txq->pasid);
	txq->head = 0;
	txq->tail = 0;
	txq->faulted = 0;
	ret = q_enable(p, q, 0);
	if (ret < 0)
		return ret;
	txq->started = true;
	dev->data->tx_queue_state[qid] = RTE_ETH_QUEUE_STATE_STARTED;
	return 0;
}

static int
pnic_tx_queue_stop_locked(struct rte_eth_dev *dev, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;
	struct pnic_txq *txq = dev->data->tx_queues[qid];

	if (txq == NULL)
		return -EINVAL;
	txq->started = false;
	pnic_qwr(p, txq->hwq, PNIC_Q_CTRL, PNIC_Q_CTRL_RESET);
	if (txq->owner == getpid()) {
		txq_free_mbufs(txq);
		txq->head = txq->tail = 0;
	}
	dev->data->tx_queue_state[qid] = RTE_ETH_QUEUE_STATE_STOPPED;
	return 0;
}

int
pnic_rx_intr_enable(struct rte_eth_dev *dev, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;
	struct pnic_rxq *rxq = dev->data->rx_queues[qid];

	if (rxq == NULL || !rxq->started)
		return -EINVAL;
	pnic_qwr(p, PNIC_QUEUE(qid, PNIC_DIR_RX), PNIC_Q_CTRL,
		 PNIC_Q_CTRL_ENABLE | PNIC_Q_CTRL_IRQ_EN);
	return 0;
}

int
pnic_rx_intr_disable(struct rte_eth_dev *dev, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;
	struct pnic_rxq *rxq = dev->data->rx_queues[qid];

	if (rxq == NULL || !rxq->started)
		return -EINVAL;
	pnic_qwr(p, PNIC_QUEUE(qid, PNIC_DIR_RX), PNIC_Q_CTRL, PNIC_Q_CTRL_ENABLE);
	return 0;
}

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
	const struct pnic_port *p = rxq->port;
	uint16_t nb = 0;
	uint32_t posted = 0;

	while (nb < nb_pkts) {
		uint32_t slot = rxq->head & rxq->mask;
		volatile struct pnic_desc *d = &rxq->ring[slot];
		uint16_t status = rte_le_to_cpu_16(d->status);
		struct rte_mbuf *m, *nm;
		uint32_t len;

		if (!(status & PNIC_DESC_DD))
			break;
		rte_rmb();
		nm = rte_mbuf_raw_alloc(rxq->mp);
		if (unlikely(nm == NULL)) {
			rte_eth_devices[rxq->port_id].data->rx_mbuf_alloc_failed++;
			break;
		}
		len = rte_le_to_cpu_32(d->len);
		m = rxq->sw_ring[slot];
		rx_post(rxq, slot, nm);
		rxq->head++;
		rxq->tail++;
		posted++;
		if (unlikely(status & (PNIC_DESC_ERR | PNIC_DESC_TRUNC))) {
			if (status & PNIC_DESC_ERR)
				rxq->errors++;
			else
				rxq->truncated++;
			rte_pktmbuf_free_seg(m);
			continue;
		}
		m->data_off = RTE_PKTMBUF_HEADROOM;
		m->data_len = (uint16_t)len;
		m->pkt_len = len;
		m->port = rxq->port_id;
		m->packet_type = RTE_PTYPE_L2_ETHER;
		if (unlikely(!rx_accept(p, m))) {
			rxq->filtered++;
			rte_pktmbuf_free_seg(m);
			continue;
		}
		rxq->bytes += len;
		pkts[nb++] = m;
	}
	if (posted != 0)
		rxq->kicks += pnic_publish(p, rxq->hwq, rxq->tail);
	rxq->pkts += nb;
	return nb;
}

/* Free the mbufs of completed TX descriptors. */
static inline void
tx_clean(struct pnic_txq *txq)
{
	while (txq->head != txq->tail) {
		uint32_t slot = txq->head & txq->mask;
		uint16_t status = rte_le_to_cpu_16(txq->ring[slot].status);

		if (!(status & PNIC_DESC_DD))
			break;
		if (unlikely(status & PNIC_DESC_ERR))
			txq->errors++;
		rte_pktmbuf_free_seg(txq->sw_ring[slot]);
		txq->sw_ring[slot] = NULL;
		txq->head++;
	}
}

uint16_t
pnic_xmit(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct pnic_txq *txq = queue;
	uint16_t nb;

	if (unlikely(txq->faulted))
		return 0;
	tx_clean(txq);
	for (nb = 0; nb < nb_pkts; nb++) {
		struct rte_mbuf *m = pkts[nb];
		uint32_t slot = txq->tail & txq->mask;
		volatile struct pnic_desc *d;

		if (txq->tail - txq->head >= txq->nb_desc)
			break;
		if (unlikely(m->nb_segs != 1 || m->data_len < PNIC_MIN_PKT ||
			     m->data_len > PNIC_MAX_PKT)) {
			/* No scatter-gather: a chained or malformed frame is dropped. */
			txq->errors++;
			rte_pktmbuf_free(m);
			continue;
		}
		d = &txq->ring[slot];
		d->addr = rte_cpu_to_le_64(rte_mbuf_data_iova(m));
		d->len = rte_cpu_to_le_32(m->data_len);
		d->status = 0;
		d->rsvd = 0;
		txq->sw_ring[slot] = m;
		txq->bytes += m->data_len;
		txq->pkts++;
		txq->tail++;
	}
	if (nb != 0)
		txq->kicks += pnic_publish(txq->port, txq->hwq, txq->tail);
	return nb;
}


/* Frames the device has written to the ring and the application not yet taken. */
uint32_t
pnic_rx_queue_count(void *queue)
{
	struct pnic_rxq *rxq = queue;
	uint32_t n = 0;

	while (n < rxq->nb_desc &&
	       (rte_le_to_cpu_16(rxq->ring[(rxq->head + n) & rxq->mask].status) & PNIC_DESC_DD))
		n++;
	return n;
}

void
pnic_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;

	rte_spinlock_recursive_lock(&p->qlock);
	pnic_rx_queue_release_locked(dev, qid);
	rte_spinlock_recursive_unlock(&p->qlock);
}

int
pnic_rx_queue_start(struct rte_eth_dev *dev, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;
	int ret;

	rte_spinlock_recursive_lock(&p->qlock);
	ret = pnic_rx_queue_start_locked(dev, qid);
	rte_spinlock_recursive_unlock(&p->qlock);
	return ret;
}

int
pnic_rx_queue_stop(struct rte_eth_dev *dev, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;
	int ret;

	rte_spinlock_recursive_lock(&p->qlock);
	ret = pnic_rx_queue_stop_locked(dev, qid);
	rte_spinlock_recursive_unlock(&p->qlock);
	return ret;
}

void
pnic_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;

	rte_spinlock_recursive_lock(&p->qlock);
	pnic_tx_queue_release_locked(dev, qid);
	rte_spinlock_recursive_unlock(&p->qlock);
}

int
pnic_tx_queue_start(struct rte_eth_dev *dev, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;
	int ret;

	rte_spinlock_recursive_lock(&p->qlock);
	ret = pnic_tx_queue_start_locked(dev, qid);
	rte_spinlock_recursive_unlock(&p->qlock);
	return ret;
}

int
pnic_tx_queue_stop(struct rte_eth_dev *dev, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;
	int ret;

	rte_spinlock_recursive_lock(&p->qlock);
	ret = pnic_tx_queue_stop_locked(dev, qid);
	rte_spinlock_recursive_unlock(&p->qlock);
	return ret;
}

/* Release both queues of pair @qid and forget its domain (rte_pmd_pasidnic_queue_pair_release). */
int
pnic_queue_pair_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;
	struct pnic_rxq *rxq;
	struct pnic_txq *txq;
	int ret = 0;

	if (qid >= p->nb_qp)
		return -EINVAL;
	rte_spinlock_recursive_lock(&p->qlock);
	rxq = qid < dev->data->nb_rx_queues ? dev->data->rx_queues[qid] : NULL;
	txq = qid < dev->data->nb_tx_queues ? dev->data->tx_queues[qid] : NULL;
	if ((rxq != NULL && other_alive(rxq->owner)) || (txq != NULL && other_alive(txq->owner))) {
		PNIC_LOG(ERR, "port %u: queue pair %u belongs to process %d, which still runs",
			 dev->data->port_id, qid, (int)(rxq != NULL ? rxq->owner : txq->owner));
		ret = -EBUSY;
		goto out;
	}
	if (rxq != NULL)
		pnic_rx_queue_release_locked(dev, qid);
	if (txq != NULL)
		pnic_tx_queue_release_locked(dev, qid);
	pnic_proc(p)->domain[qid] = NULL;
out:
	rte_spinlock_recursive_unlock(&p->qlock);
	return ret;
}

/*
 * Take the port's queue lock for the primary's worker-exit handler. A worker
 * killed inside a queue start/stop leaves the lock taken by a thread that is
 * gone: after half a second, take the lock over instead of waiting forever.
 * The holder is dead when its thread no longer runs, or when no holder has
 * been recorded for 100 ms on end (it died between taking the spinlock and
 * recording itself, or between the reverse steps of the unlock).
 */
static void
qlock_take_from_dead(struct pnic_port *p)
{
	uint64_t hz = rte_get_timer_hz();
	uint64_t deadline = rte_get_timer_cycles() + hz / 2, anonymous = 0, now;
	int holder;

	while (!rte_spinlock_recursive_trylock(&p->qlock)) {
		holder = p->qlock.user;
		now = rte_get_timer_cycles();
		anonymous = holder != -1 ? 0 : anonymous != 0 ? anonymous : now;
		if (now > deadline && ((holder != -1 && !task_alive(holder)) ||
				       (anonymous != 0 && now - anonymous > hz / 10))) {
			PNIC_LOG(WARNING, "port %u: the queue lock was held by thread %d, which "
				 "has exited: taking it over", p->port_id, holder);
			p->qlock.count = 0;
			p->qlock.user = -1;
			rte_spinlock_unlock(&p->qlock.sl);
		}
		rte_pause();
	}
}

/*
 * In the primary, after the process that owned the domain of @pasid died
 * (bus quiesce_domain op): reset the device queues programmed with @pasid and
 * free what of them is in shared memory. Returns how many queues it stopped.
 */
int
pnic_queue_pair_quiesce(struct rte_eth_dev *dev, uint32_t pasid)
{
	struct pnic_port *p = dev->data->dev_private;
	uint16_t i;
	int n = 0;

	qlock_take_from_dead(p);
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct pnic_rxq *rxq = dev->data->rx_queues[i];

		if (rxq == NULL || rxq->pasid != (int)pasid || rxq->owner == getpid())
			continue;
		n++;
		pnic_rx_queue_release_locked(dev, i);
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		struct pnic_txq *txq = dev->data->tx_queues[i];

		if (txq == NULL || txq->pasid != (int)pasid || txq->owner == getpid())
			continue;
		n++;
		pnic_tx_queue_release_locked(dev, i);
	}
	rte_spinlock_recursive_unlock(&p->qlock);
	return n;
}
