/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Queues across processes (doc/multi_process.md): a worker (secondary
 * process) sets up, runs and gives back its own queue pairs in its own PASID
 * domains; when it dies, the primary takes its queues down (the bus's
 * quiesce_domain op). Which process owns a queue and whether it still runs
 * is pasidnic.h's pnic_other_alive() (the bus answers); the release rules
 * and the kept queues are in pasidnic_queue.c (putting a kept queue back at
 * a set-up: pasidnic_queue_setup.c). Here: queue pair release,
 * the clean-up after a dead owner, the rte_pmd_pasidnic_* API.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_bus_iommufd.h>

#include "pasidnic.h"
#include "rte_pmd_pasidnic.h"

/*
 * Under pnic_qlock(): release queue pair @qid (both queues, the domain).
 * @own_only: leave alone a pair this process did not set up (its close).
 */
static int
pair_release_locked(struct rte_eth_dev *dev, struct pnic_port *p, uint16_t qid, bool own_only)
{
	struct pnic_qbase *rxq, *txq;

	/* The primary has gone and kept the queues for us: only ours to free. */
	if (pnic_kept_release_own_locked(dev, p, qid))
		return 0;
	rxq = pnic_queue(dev, PNIC_DIR_RX, qid);
	txq = pnic_queue(dev, PNIC_DIR_TX, qid);
	if (own_only && (rxq == NULL || rxq->owner != getpid()) &&
	    (txq == NULL || txq->owner != getpid()))
		return 0;
	if ((rxq != NULL && pnic_other_alive(rxq->owner)) ||
	    (txq != NULL && pnic_other_alive(txq->owner))) {
		PNIC_LOG(ERR, "port %u: queue pair %u belongs to process %d, which still runs",
			 p->port_id, qid, (int)(rxq != NULL ? rxq->owner : txq->owner));
		return -EBUSY;
	}
	if (rxq != NULL)
		pnic_q_release_locked(dev, PNIC_DIR_RX, qid);
	if (txq != NULL)
		pnic_q_release_locked(dev, PNIC_DIR_TX, qid);
	((struct pnic_proc *)dev->process_private)->pasid[qid] = 0;
	return 0;
}

int
pnic_queue_pair_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct pnic_port *p = pnic_port_of(dev);
	int ret;

	if (p == NULL)
		return -ENODEV;
	if (qid >= p->nb_qp)
		return -EINVAL;
	pnic_qlock(p);
	ret = pair_release_locked(dev, p, qid, false);
	pnic_qunlock(p);
	return ret;
}

void
pnic_queue_pairs_release_own(struct rte_eth_dev *dev)
{
	struct pnic_port *p = pnic_port_of(dev);
	uint16_t i;

	if (p == NULL)
		return;
	pnic_qlock(p);
	for (i = 0; i < p->nb_qp; i++)
		pair_release_locked(dev, p, i, true);
	pnic_qunlock(p);
}

/* What quiesce_one() looks for and how many it found. */
struct quiesce {
	int pasid;
	int n;
};

static void
quiesce_one(struct rte_eth_dev *dev, struct pnic_qbase *q, void *arg)
{
	struct quiesce *qs = arg;

	if (q->pasid != qs->pasid || q->owner == getpid())
		return;
	qs->n++;
	pnic_q_release_locked(dev, q->dir, q->queue_id);
}

/*
 * In the primary, after the process that owned the domain of @pasid died
 * (bus quiesce_domain op): reset the device queues programmed with @pasid and
 * free what of them is in shared memory. Returns how many queues it stopped.
 */
static int
pnic_queue_pair_quiesce(struct rte_eth_dev *dev, uint32_t pasid)
{
	struct quiesce qs = { .pasid = (int)pasid };

	/* A holder that died (this worker, maybe) left it repaired (pasidnic_qlock.c). */
	pnic_qlock(dev->data->dev_private);
	pnic_foreach_queue(dev, quiesce_one, &qs);
	pnic_qunlock(dev->data->dev_private);
	return qs.n;
}

/*
 * The primary's worker-exit handler (pnic_quiesce_domain, on the bus's
 * thread) against the primary closing the port: per process, not in the
 * port's shared data, which the close frees.
 */
static pthread_mutex_t pnic_close_lock = PTHREAD_MUTEX_INITIALIZER;
static bool pnic_closing[RTE_MAX_ETHPORTS];

void
pnic_closing_set(uint16_t port_id, bool closing)
{
	pthread_mutex_lock(&pnic_close_lock);
	pnic_closing[port_id] = closing;
	pthread_mutex_unlock(&pnic_close_lock);
}

/* Bus op, in the primary: the process that owned the domain of @pasid has exited. */
int
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

/* ---- rte_pmd_pasidnic.h ---- */

/*
 * The port of @port_id when it is a pasidnic port and @queue_id one of its
 * queue pairs; else NULL and *@err -ENODEV or -EINVAL. Reads no ethdev
 * shared data (the primary may have closed the port: see pasidnic_leave.c).
 */
static struct rte_eth_dev *
pnic_qp_of(uint16_t port_id, uint16_t queue_id, int *err)
{
	struct rte_eth_dev *dev;
	struct pnic_port *p;

	*err = -ENODEV;
	if (!rte_eth_dev_is_valid_port(port_id))
		return NULL;
	dev = &rte_eth_devices[port_id];
	p = dev->dev_ops == &pnic_eth_ops ? pnic_port_of(dev) : NULL;
	if (p == NULL)
		return NULL;
	*err = -EINVAL;
	if (queue_id >= p->nb_qp)
		return NULL;
	return dev;
}

/* Take the port's queue lock unless the port has gone: 0, or -ENODEV (logged). */
static int
lock_present(struct rte_eth_dev *dev, uint16_t port_id)
{
	struct pnic_port *p = pnic_port_of(dev);
	int err = pnic_qlock_ctl(p);

	if (err < 0)
		return err;
	if (!pnic_gone(p))
		return 0;
	pnic_qunlock(p);
	PNIC_LOG(ERR, "port %u: the primary process has closed or removed the port", port_id);
	return -ENODEV;
}

int
rte_pmd_pasidnic_queue_domain_set(uint16_t port_id, uint16_t queue_id,
				  struct rte_iommufd_domain *dom)
{
	struct rte_eth_dev *dev;
	struct pnic_proc *pp;
	struct pnic_port *p;
	int pasid = 0, err;

	dev = pnic_qp_of(port_id, queue_id, &err);
	if (dev == NULL)
		return err;
	p = pnic_port_of(dev);
	pp = dev->process_private;
	if (dom != NULL) {
		pasid = rte_iommufd_domain_pasid(dom);
		if (pasid < 1 || rte_iommufd_domain_device(dom) != &pp->idev->device) {
			PNIC_LOG(ERR, "port %u: PASID %d is not a domain of %s in this process",
				 port_id, pasid, p->name);
			return -EINVAL;
		}
	}
	err = lock_present(dev, port_id);
	if (err < 0)
		return err;
	if (pnic_queue(dev, PNIC_DIR_RX, queue_id) != NULL ||
	    pnic_queue(dev, PNIC_DIR_TX, queue_id) != NULL) {
		pnic_qunlock(p);
		return -EBUSY;
	}
	pp->pasid[queue_id] = dom != NULL ? pasid : 0;
	pnic_qunlock(p);
	PNIC_LOG(INFO, "port %u: queue pair %u will use %s %d", port_id, queue_id,
		 dom ? "PASID" : "the RID", dom ? rte_iommufd_domain_pasid(dom) : 0);
	return 0;
}

int
rte_pmd_pasidnic_queue_pasid(uint16_t port_id, uint16_t queue_id)
{
	const struct pnic_qbase *rxq;
	struct rte_eth_dev *dev;
	int pasid, err;

	dev = pnic_qp_of(port_id, queue_id, &err);
	if (dev == NULL)
		return err;
	/* A queue set up (by any process) says what it is programmed with. */
	err = lock_present(dev, port_id);
	if (err < 0)
		return err;
	rxq = pnic_queue(dev, PNIC_DIR_RX, queue_id);
	pasid = rxq != NULL ? rxq->pasid :
		((struct pnic_proc *)dev->process_private)->pasid[queue_id];
	pnic_qunlock(pnic_port_of(dev));
	return pasid;
}

int
rte_pmd_pasidnic_queue_pair_release(uint16_t port_id, uint16_t queue_id)
{
	struct rte_eth_dev *dev;
	int err;

	dev = pnic_qp_of(port_id, queue_id, &err);
	return dev == NULL ? err : pnic_queue_pair_release(dev, queue_id);
}
