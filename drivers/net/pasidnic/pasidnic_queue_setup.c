/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Queue set-up of a pasidnic port, written once for both directions over
 * struct pnic_qbase: the PASID the queue pair uses in this process, the
 * queue's memory (structure and sw_ring in DPDK's main memory, the ring in
 * the queue's address space), and claiming its slot under the queue lock.
 * Start, stop and release: pasidnic_queue.c.
 *
 * One descriptor per frame. The rings and buffers are DMAed in the queue's
 * address space: the RID (DPDK memory at IOVA = VA) or the PASID domain set
 * with rte_pmd_pasidnic_queue_domain_set(). A queue belongs to the process
 * that set it up (pasidnic.h): only it starts it, fills it and frees its
 * mbufs and ring; another process can only reset the device queue.
 */
#include <errno.h>
#include <stdlib.h>

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

/* Is PASID @pasid the PASID of a domain of this process on @dev now? 1, 0, or -ENOMEM. */
static int
domain_exists(const struct rte_device *dev, int pasid)
{
	struct rte_iommufd_domain_info *info = NULL;
	int n = 0, max = 0, i, found = 0;

	/* Any number of domains (the list may grow between the two calls). */
	do {
		free(info);
		max = n + 16;
		info = malloc(sizeof(*info) * (size_t)max);
		if (info == NULL)
			return -ENOMEM;
		n = rte_iommufd_dev_domains(dev, info, (unsigned int)max);
	} while (n > max);
	for (i = 0; i < n && !found; i++)
		found = (int)info[i].pasid == pasid && info[i].owner == getpid();
	free(info);
	return found;
}

/*
 * The PASID queue pair @qid uses in this process: 0 (RID), or that of the
 * domain given with rte_pmd_pasidnic_queue_domain_set(), which must still be
 * a domain of this process: the driver keeps its PASID, not a pointer to it,
 * and asks the bus (P5). The PASID, or -ENXIO or -ENOMEM after a message.
 */
static int
qp_pasid(const struct rte_eth_dev *dev, unsigned int dir, uint16_t qid)
{
	const struct pnic_port *p = dev->data->dev_private;
	int pasid = pnic_proc(p)->pasid[qid], ret;

	if (pasid == 0)
		return 0;
	ret = domain_exists(dev->device, pasid);
	if (ret == 1)
		return pasid;
	PNIC_LOG(ERR, "port %u: %s queue %u: %s", dev->data->port_id, pnic_dir_name(dir), qid,
		 ret < 0 ? "no memory to list the bus's domains" :
		 "the domain given to its queue pair was destroyed: give it one again "
		 "(rte_pmd_pasidnic_queue_domain_set)");
	return ret < 0 ? ret : -ENXIO;
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
 * Free slot @qid for a new queue, lock held: release what is there, unless
 * another live process owns it. A queue of another live process that ethdev
 * "released" (it clears the slot after the release op, e.g. before a queue
 * setup) was kept aside: it goes back to its slot and the setup is refused;
 * a kept queue whose owner has exited since is freed.
 * 0, or -EBUSY after a message.
 */
static int
q_claim_locked(struct rte_eth_dev *dev, unsigned int dir, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;
	struct pnic_qbase *cur = pnic_queue(dev, dir, qid), *kept = p->kept[dir][qid];

	if (cur == NULL && kept != NULL) {
		/* Slot first, then forget it (I2: a kept queue in its slot is not kept). */
		pnic_queue_set(dev, dir, qid, kept);
		cur = kept;
	}
	p->kept[dir][qid] = NULL;
	if (cur == NULL || pnic_q_release_locked(dev, dir, qid))
		return 0;
	/* Another live process's: it stays in its slot, not kept. */
	p->kept[dir][qid] = NULL;
	PNIC_LOG(ERR, "port %u: %s queue %u belongs to process %d, which still runs",
		 dev->data->port_id, pnic_dir_name(dir), qid, (int)cur->owner);
	return -EBUSY;
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
	q->owner = getpid();
	return q;
}

/* Free a queue that was never installed (this process's). */
static void
q_unalloc(struct pnic_qbase *q)
{
	rte_free(q->sw_ring);
	rte_free((void *)(uintptr_t)q->ring);
	rte_free(q);
}

/*
 * Last step of a setup: the queue goes in its slot (I1: one store), which is
 * claimed under the lock. Allocation came first, without the lock (a
 * pasid_mem heap may grow: system calls). 0, or -EBUSY (@q is freed).
 */
static int
q_install(struct rte_eth_dev *dev, struct pnic_qbase *q, bool deferred)
{
	struct pnic_port *p = dev->data->dev_private;
	int ret;

	q->deferred = deferred;
	pnic_qlock(p);
	ret = q_claim_locked(dev, q->dir, q->queue_id);
	if (ret == 0)
		pnic_queue_set(dev, q->dir, q->queue_id, q);
	pnic_qunlock(p);
	if (ret < 0) {
		q_unalloc(q);
		return ret;
	}
	PNIC_LOG(DEBUG, "port %u: %s queue %u: %u descriptors, ring IOVA %#llx, %s %d",
		 q->port_id, pnic_dir_name(q->dir), q->queue_id, q->nb_desc,
		 (unsigned long long)q->ring_iova, q->pasid ? "PASID" : "RID", q->pasid);
	return 0;
}

/* The checks of a setup of queue @qid of direction @dir: its PASID, or -errno. */
static int
q_setup_check(struct rte_eth_dev *dev, unsigned int dir, uint16_t qid)
{
	const struct pnic_port *p = dev->data->dev_private;

	if (qid >= p->nb_qp)
		return -EINVAL;
	return qp_pasid(dev, dir, qid);
}

int
pnic_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		    unsigned int socket_id, const struct rte_eth_rxconf *conf,
		    struct rte_mempool *mp)
{
	struct pnic_rxq *rxq;
	uint32_t room;
	int pasid;

	pasid = q_setup_check(dev, PNIC_DIR_RX, qid);
	if (pasid < 0)
		return pasid;
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
	rxq->q.pasid = pasid;
	rxq->mp = mp;
	rxq->buf_len = (uint16_t)RTE_MIN(room - RTE_PKTMBUF_HEADROOM, (uint32_t)PNIC_MAX_PKT);
	return q_install(dev, &rxq->q, conf != NULL && conf->rx_deferred_start);
}

int
pnic_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		    unsigned int socket_id, const struct rte_eth_txconf *conf)
{
	struct pnic_qbase *q;
	int pasid;

	pasid = q_setup_check(dev, PNIC_DIR_TX, qid);
	if (pasid < 0)
		return pasid;
	q = q_alloc(dev, PNIC_DIR_TX, qid, nb_desc, socket_id, sizeof(struct pnic_txq));
	if (q == NULL)
		return -ENOMEM;
	q->pasid = pasid;
	return q_install(dev, q, conf != NULL && conf->tx_deferred_start);
}
