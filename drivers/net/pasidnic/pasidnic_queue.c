/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Queues of a pasidnic port: start, stop and release, written once for both
 * directions over struct pnic_qbase; RX interrupts. Set-up:
 * pasidnic_queue_setup.c.
 *
 * Only the process that set a queue up (its owner, pasidnic.h) starts it,
 * fills it and frees its mbufs and ring; another process can only reset the
 * device queue, and releases a queue only once its owner has exited.
 */
#include <errno.h>
#include <string.h>

#include <ethdev_driver.h>

#include "pasidnic.h"

static void
q_free_mbufs(struct pnic_qbase *q)
{
	pnic_q_mbufs_free(q, true);
}

/* Stop @q: reset its device queue; its owner frees its mbufs. */
static void
q_stop(struct rte_eth_dev *dev, struct pnic_qbase *q)
{
	struct pnic_port *p = dev->data->dev_private;
	unsigned int dir = q->dir;

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
	pnic_queue_state_set(dev, dir, q->queue_id, RTE_ETH_QUEUE_STATE_STOPPED);
}

static int
q_stop_locked(struct rte_eth_dev *dev, unsigned int dir, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;
	struct pnic_qbase *q = pnic_queue(dev, dir, qid);

	if (q == NULL)
		return -EINVAL;
	pnic_qop_begin(p, PNIC_QOP_STOP, dir, qid, q);
	q_stop(dev, q);
	pnic_qop_end(p);
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
	/* Out of its slot first (I1), then freed (I4): the repair finishes a release. */
	pnic_qop_begin(p, PNIC_QOP_RELEASE, dir, qid, q);
	if (q->started && q->owner == getpid())
		q_stop(dev, q);
	pnic_queue_set(dev, dir, qid, NULL);
	pnic_queue_state_set(dev, dir, qid, RTE_ETH_QUEUE_STATE_STOPPED);
	rte_compiler_barrier();
	pnic_hook_park("qlock_release");
	/* The owner frees all; a dead owner's queue gives back what is in shared memory (P7). */
	pnic_q_free(dev, q, q->owner == getpid());
	pnic_qop_end(p);
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

/* Start @q, this process's: fill, program and enable. 0 or -errno (left stopped). */
static int
q_start(struct rte_eth_dev *dev, struct pnic_qbase *q)
{
	struct pnic_port *p = dev->data->dev_private;
	bool rx = q->dir == PNIC_DIR_RX;
	int ret;

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
	pnic_hook_park("qlock_start");
	if (rx)
		q->xstats.kicks += pnic_publish(p, q->hwq, q->tail);
	q->started = true;
	pnic_queue_state_set(dev, q->dir, q->queue_id, RTE_ETH_QUEUE_STATE_STARTED);
	return 0;
}

static int
q_start_locked(struct rte_eth_dev *dev, unsigned int dir, uint16_t qid)
{
	struct pnic_port *p = dev->data->dev_private;
	struct pnic_qbase *q = pnic_queue(dev, dir, qid);
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
	pnic_qop_begin(p, PNIC_QOP_START, dir, qid, q);
	ret = q_start(dev, q);
	pnic_qop_end(p);
	return ret;
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

int
pnic_rx_intr_supported(const struct rte_eth_dev *dev, const char *what)
{
	const struct pnic_port *p = dev->data->dev_private;

	if (p == NULL || !p->phys)
		return 0;
	PNIC_LOG(ERR, "port %u: %s: RX interrupts are not supported on %s, a physical function "
		 "of pasidnic_pci, which raises no interrupt: poll the RX queues",
		 dev->data->port_id, what, p->name);
	return -ENOTSUP;
}

/* RX interrupts: the queue's IRQ_EN bit (vector 1 + queue pair). */
static int
rx_intr_set(struct rte_eth_dev *dev, uint16_t qid, uint32_t irq)
{
	struct pnic_port *p = dev->data->dev_private;
	const struct pnic_qbase *q;
	int ret = pnic_rx_intr_supported(dev, irq ? "rx_queue_intr_enable" :
					 "rx_queue_intr_disable");

	if (ret < 0)
		return ret;
	ret = pnic_qlock_ctl(p);
	if (ret < 0)
		return ret;
	/* Under the lock: the queue may be released (and freed) meanwhile (P8). */
	q = pnic_queue(dev, PNIC_DIR_RX, qid);
	if (q == NULL || !q->started)
		ret = -EINVAL;
	else
		pnic_qwr(p, q->hwq, PNIC_Q_CTRL, PNIC_Q_CTRL_ENABLE | irq);
	pnic_qunlock(p);
	return ret;
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
