/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Queues of a pasidnic port: set-up, start, stop and release, written once
 * for both directions over struct pnic_qbase; RX interrupts.
 *
 * One descriptor per frame. The rings and buffers are DMAed in the queue's
 * address space: the RID (DPDK memory at IOVA = VA) or the PASID domain set
 * with rte_pmd_pasidnic_queue_domain_set(). A queue belongs to the process
 * that set it up (pasidnic.h): only it starts it, fills it and frees its
 * mbufs and ring; another process can only reset the device queue.
 */
#include <errno.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_bus_iommufd.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "pasidnic.h"

#define RING_ALIGN 4096

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

/* A dead owner's ring in DPDK's main memory (a RID queue) can be freed; one in its heap is gone. */
static void
ring_free_if_shared(volatile struct pnic_desc *ring)
{
	void *va = (void *)(uintptr_t)ring;
	const struct rte_memseg_list *msl = rte_mem_virt2memseg_list(va);

	if (msl != NULL && !msl->external)
		rte_free(va);
}

static void
q_free_mbufs(struct pnic_qbase *q)
{
	uint32_t i;

	for (i = 0; i < q->nb_desc; i++) {
		if (q->sw_ring[i] != NULL)
			rte_pktmbuf_free_seg(q->sw_ring[i]);
		q->sw_ring[i] = NULL;
	}
}

/*
 * A queue of another live process was "released" by ethdev (which clears the
 * slot after the release op, e.g. before a queue setup): put it back, and
 * refuse the setup. A kept queue whose owner has exited since is freed.
 * Returns -EBUSY when the queue went back to its owner.
 */
static int
q_kept_restore(struct rte_eth_dev *dev, unsigned int dir, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;
	struct pnic_qbase *kept;
	int ret = 0;

	pnic_qlock(p);
	kept = p->kept[dir][qid];
	p->kept[dir][qid] = NULL;
	if (kept != NULL && pnic_queue(dev, dir, qid) == NULL) {
		pnic_queue_set(dev, dir, qid, kept);
		if (pnic_other_alive(kept->owner))
			ret = -EBUSY;
		else
			pnic_q_release_locked(dev, dir, qid);
	}
	pnic_qunlock(p);
	return ret;
}

/* First step of a setup: free slot @qid, unless another live process owns it. */
static int
q_claim(struct rte_eth_dev *dev, unsigned int dir, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;

	if (qid >= p->nb_qp)
		return -EINVAL;
	if (pnic_queue(dev, dir, qid) != NULL)
		pnic_q_release(dev, dir, qid);
	if (q_kept_restore(dev, dir, qid) < 0) {
		PNIC_LOG(ERR, "port %u: %s queue %u belongs to process %d, which still runs",
			 dev->data->port_id, pnic_dir_name(dir), qid,
			 (int)pnic_queue(dev, dir, qid)->owner);
		return -EBUSY;
	}
	return 0;
}

/* Allocate a queue of @size bytes (struct pnic_rxq or pnic_txq) and its rings. */
static struct pnic_qbase *
q_alloc(struct rte_eth_dev *dev, unsigned int dir, uint16_t qid, uint16_t nb_desc,
	unsigned int socket_id, size_t size)
{
	static const char * const names[2][2] = {
		[PNIC_DIR_RX] = { "pasidnic_rxq", "pasidnic_rx_sw" },
		[PNIC_DIR_TX] = { "pasidnic_txq", "pasidnic_tx_sw" },
	};
	struct pnic_port *p = dev->data->dev_private;
	uint32_t n = ring_size(nb_desc);
	struct pnic_qbase *q;

	q = rte_zmalloc_socket(names[dir][0], size, RTE_CACHE_LINE_SIZE,
			       ctl_socket(dev, socket_id));
	if (q == NULL)
		return NULL;
	q->sw_ring = rte_zmalloc_socket(names[dir][1], n * sizeof(*q->sw_ring),
					RTE_CACHE_LINE_SIZE, ctl_socket(dev, socket_id));
	q->ring = ring_alloc(n, socket_id, &q->ring_iova);
	if (q->sw_ring == NULL || q->ring == NULL) {
		PNIC_LOG(ERR, "port %u: %s queue %u: no memory for a ring of %u on socket %u",
			 dev->data->port_id, pnic_dir_name(dir), qid, n, socket_id);
		rte_free(q->sw_ring);
		rte_free((void *)(uintptr_t)q->ring);
		rte_free(q);
		return NULL;
	}
	q->nb_desc = n;
	q->mask = n - 1;
	q->port = p;
	q->port_id = dev->data->port_id;
	q->queue_id = qid;
	q->dir = (uint8_t)dir;
	q->hwq = PNIC_QUEUE(qid, dir);
	q->pasid = qp_pasid(p, qid);
	q->owner = getpid();
	return q;
}

/* Last step of a setup: the queue goes in its slot. */
static void
q_install(struct rte_eth_dev *dev, struct pnic_qbase *q, bool deferred)
{
	q->deferred = deferred;
	pnic_queue_set(dev, q->dir, q->queue_id, q);
	PNIC_LOG(DEBUG, "port %u: %s queue %u: %u descriptors, ring IOVA %#llx, %s %d",
		 q->port_id, pnic_dir_name(q->dir), q->queue_id, q->nb_desc,
		 (unsigned long long)q->ring_iova, q->pasid ? "PASID" : "RID", q->pasid);
}

int
pnic_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		    unsigned int socket_id, const struct rte_eth_rxconf *conf,
		    struct rte_mempool *mp)
{
	struct pnic_rxq *rxq;
	uint32_t room;
	int ret;

	ret = q_claim(dev, PNIC_DIR_RX, qid);
	if (ret < 0)
		return ret;
	room = rte_pktmbuf_data_room_size(mp);
	if (room <= RTE_PKTMBUF_HEADROOM + RTE_ETHER_MIN_LEN) {
		PNIC_LOG(ERR, "port %u: RX queue %u: mbufs of pool %s are too small (%u bytes)",
			 dev->data->port_id, qid, mp->name, room);
		return -EINVAL;
	}
	rxq = (struct pnic_rxq *)q_alloc(dev, PNIC_DIR_RX, qid, nb_desc, socket_id,
					 sizeof(*rxq));
	if (rxq == NULL)
		return -ENOMEM;
	rxq->mp = mp;
	rxq->buf_len = (uint16_t)RTE_MIN(room - RTE_PKTMBUF_HEADROOM, (uint32_t)PNIC_MAX_PKT);
	q_install(dev, &rxq->q, conf != NULL && conf->rx_deferred_start);
	return 0;
}

int
pnic_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		    unsigned int socket_id, const struct rte_eth_txconf *conf)
{
	struct pnic_qbase *q;
	int ret;

	ret = q_claim(dev, PNIC_DIR_TX, qid);
	if (ret < 0)
		return ret;
	q = q_alloc(dev, PNIC_DIR_TX, qid, nb_desc, socket_id, sizeof(struct pnic_txq));
	if (q == NULL)
		return -ENOMEM;
	q_install(dev, q, conf != NULL && conf->tx_deferred_start);
	return 0;
}

static int
q_stop_locked(struct rte_eth_dev *dev, unsigned int dir, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;
	struct pnic_qbase *q = pnic_queue(dev, dir, qid);

	if (q == NULL)
		return -EINVAL;
	q->started = false;
	/* After the reset the device no longer touches the ring or buffers. */
	pnic_qwr(p, q->hwq, PNIC_Q_CTRL, PNIC_Q_CTRL_RESET);
	/* Another process's mbufs are its own to free (at its next start or release). */
	if (q->owner == getpid()) {
		q_free_mbufs(q);
		if (dir == PNIC_DIR_TX) {
			q->head = 0;
			q->tail = 0;
		}
	}
	pnic_queue_state_set(dev, dir, qid, RTE_ETH_QUEUE_STATE_STOPPED);
	return 0;
}

bool
pnic_q_release_locked(struct rte_eth_dev *dev, unsigned int dir, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;
	struct pnic_qbase *q = pnic_queue(dev, dir, qid);

	if (q == NULL)
		return true;
	if (pnic_other_alive(q->owner)) {
		PNIC_LOG(ERR, "port %u: %s queue %u belongs to process %d, which still runs: "
			 "not released", dev->data->port_id, pnic_dir_name(dir), qid,
			 (int)q->owner);
		p->kept[dir][qid] = q;
		return false;
	}
	if (q->owner == getpid()) {
		if (q->started)
			q_stop_locked(dev, dir, qid);
		q_free_mbufs(q);
		pnic_queue_set(dev, dir, qid, NULL);
		rte_free((void *)(uintptr_t)q->ring);
	} else {
		pnic_qwr(p, q->hwq, PNIC_Q_CTRL, PNIC_Q_CTRL_RESET);
		pnic_queue_state_set(dev, dir, qid, RTE_ETH_QUEUE_STATE_STOPPED);
		pnic_queue_set(dev, dir, qid, NULL);
		ring_free_if_shared(q->ring);
	}
	rte_free(q->sw_ring);
	rte_free(q);
	return true;
}

void
pnic_q_release(struct rte_eth_dev *dev, unsigned int dir, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;

	pnic_qlock(p);
	pnic_q_release_locked(dev, dir, qid);
	pnic_qunlock(p);
}

/* Reset queue @q and program its ring and PASID; leaves it DISABLED. */
static void
q_program(struct pnic_port *p, const struct pnic_qbase *q)
{
	pnic_qwr(p, q->hwq, PNIC_Q_CTRL, PNIC_Q_CTRL_RESET);
	pnic_qwr(p, q->hwq, PNIC_Q_BASE_LO, (uint32_t)q->ring_iova);
	pnic_qwr(p, q->hwq, PNIC_Q_BASE_HI, (uint32_t)(q->ring_iova >> 32));
	pnic_qwr(p, q->hwq, PNIC_Q_SIZE, q->nb_desc);
	pnic_qwr(p, q->hwq, PNIC_Q_PASID,
		 q->pasid > 0 ? PNIC_Q_PASID_EN | (uint32_t)q->pasid : 0);
}

static int
q_enable(struct pnic_port *p, unsigned int hwq, uint32_t ctrl)
{
	uint32_t st;

	pnic_qwr(p, hwq, PNIC_Q_CTRL, PNIC_Q_CTRL_ENABLE | ctrl);
	st = pnic_qrd(p, hwq, PNIC_Q_STATUS) & PNIC_Q_STATE_MASK;
	if (st != PNIC_Q_STATE_RUNNING) {
		PNIC_LOG(ERR, "%s: queue %u did not start (state %u%s)", p->name, hwq, st,
			 st == PNIC_Q_STATE_ERROR ? ": bad ring size, base or PASID" : "");
		pnic_qwr(p, hwq, PNIC_Q_CTRL, PNIC_Q_CTRL_RESET);
		return -EIO;
	}
	return 0;
}

/* Post a fresh mbuf in every slot of an RX ring. 0 or -ENOMEM (nothing left posted). */
static int
rx_fill(struct pnic_rxq *rxq)
{
	uint32_t i;

	for (i = 0; i < rxq->q.nb_desc; i++) {
		struct rte_mbuf *m = rte_mbuf_raw_alloc(rxq->mp);

		if (m == NULL) {
			PNIC_LOG(ERR, "port %u: RX queue %u: pool %s cannot fill a ring of %u",
				 rxq->q.port_id, rxq->q.queue_id, rxq->mp->name, rxq->q.nb_desc);
			q_free_mbufs(&rxq->q);
			return -ENOMEM;
		}
		pnic_rx_post(rxq, i, m);
	}
	return 0;
}

static int
q_start_locked(struct rte_eth_dev *dev, unsigned int dir, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;
	struct pnic_qbase *q = pnic_queue(dev, dir, qid);
	bool rx = dir == PNIC_DIR_RX;
	int ret;

	if (q == NULL)
		return -EINVAL;
	if (q->owner != getpid()) {
		/* Its ring and mbufs may be in the owner's heap, mapped only there. */
		PNIC_LOG(ERR, "port %u: %s queue %u belongs to process %d: only it can start it",
			 dev->data->port_id, pnic_dir_name(dir), qid, (int)q->owner);
		return -EPERM;
	}
	if (q->started)
		return 0;
	q_free_mbufs(q);
	memset((void *)(uintptr_t)q->ring, 0, q->nb_desc * PNIC_DESC_SIZE);
	if (rx) {
		ret = rx_fill((struct pnic_rxq *)q);
		if (ret < 0)
			return ret;
	}
	q_program(p, q);
	q->head = 0;
	q->tail = rx ? q->nb_desc : 0;
	q->faulted = 0;
	ret = q_enable(p, q->hwq,
		       rx && dev->data->dev_conf.intr_conf.rxq ? PNIC_Q_CTRL_IRQ_EN : 0);
	if (ret < 0) {
		q_free_mbufs(q);
		return ret;
	}
	if (rx)
		q->xstats.kicks += pnic_publish(p, q->hwq, q->tail);
	q->started = true;
	pnic_queue_state_set(dev, dir, qid, RTE_ETH_QUEUE_STATE_STARTED);
	return 0;
}

int
pnic_q_start_stop(struct rte_eth_dev *dev, unsigned int dir, uint16_t qid, bool start)
{
	struct pnic_port *p = dev->data->dev_private;
	int ret;

	pnic_qlock(p);
	ret = start ? q_start_locked(dev, dir, qid) : q_stop_locked(dev, dir, qid);
	pnic_qunlock(p);
	return ret;
}

void
pnic_foreach_queue(struct rte_eth_dev *dev, pnic_queue_fn fn, void *arg)
{
	unsigned int dir;
	uint16_t i;

	for (dir = PNIC_DIR_RX; dir <= PNIC_DIR_TX; dir++) {
		for (i = 0; i < pnic_nb_queues(dev, dir); i++) {
			struct pnic_qbase *q = pnic_queue(dev, dir, i);

			if (q != NULL)
				fn(dev, q, arg);
		}
	}
}

/*
 * The ethdev queue ops of each direction, pnic_{rx,tx}_queue_{release,start,stop}():
 * the functions above with the direction PNIC_DIR_<X> filled in.
 */
#define PNIC_QUEUE_OPS(x, X) \
void pnic_ ## x ## _queue_release(struct rte_eth_dev *dev, uint16_t qid) \
{ \
	pnic_q_release(dev, PNIC_DIR_ ## X, qid); \
} \
int pnic_ ## x ## _queue_start(struct rte_eth_dev *dev, uint16_t qid) \
{ \
	return pnic_q_start_stop(dev, PNIC_DIR_ ## X, qid, true); \
} \
int pnic_ ## x ## _queue_stop(struct rte_eth_dev *dev, uint16_t qid) \
{ \
	return pnic_q_start_stop(dev, PNIC_DIR_ ## X, qid, false); \
}

PNIC_QUEUE_OPS(rx, RX)
PNIC_QUEUE_OPS(tx, TX)

/* RX interrupts: the queue's IRQ_EN bit (vector 1 + queue pair). */
static int
rx_intr_set(struct rte_eth_dev *dev, uint16_t qid, uint32_t irq)
{
	struct pnic_port *p = dev->data->dev_private;
	const struct pnic_qbase *q = pnic_queue(dev, PNIC_DIR_RX, qid);

	if (q == NULL || !q->started)
		return -EINVAL;
	pnic_qwr(p, q->hwq, PNIC_Q_CTRL, PNIC_Q_CTRL_ENABLE | irq);
	return 0;
}

int
pnic_rx_intr_enable(struct rte_eth_dev *dev, uint16_t qid)
{
	return rx_intr_set(dev, qid, PNIC_Q_CTRL_IRQ_EN);
}

int
pnic_rx_intr_disable(struct rte_eth_dev *dev, uint16_t qid)
{
	return rx_intr_set(dev, qid, 0);
}
