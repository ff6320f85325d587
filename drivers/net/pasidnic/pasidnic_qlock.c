/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The port's queue lock, shared by every process of the port, and what
 * happens when a process dies holding it.
 *
 * The lock is a process-shared robust pthread mutex in the port's shared
 * data (struct pnic_port, DPDK's hugepage memory, at the same address in
 * every process), initialised once by the primary at probe. It is not
 * recursive (ERRORCHECK: taking it twice in one thread is a bug, and
 * aborts). When its holder dies, the kernel marks it (the holder's robust
 * list), and the next taker, in any process, gets EOWNERDEAD: it repairs the
 * queue state (pnic_qlock_repair()) and marks the mutex consistent. No
 * timing, no guess about the holder, no read of another process's state.
 *
 * The queue state's invariants, which hold whenever nobody holds the lock:
 *  I1 an ethdev queue slot is NULL or holds a whole queue (allocated,
 *     initialised, then published by one store);
 *  I2 p->kept[dir][qid] is NULL or a queue that is not in its slot (a
 *     kept queue equal to its slot counts as not kept);
 *  I3 a queue that is started has its device queue enabled with its ring
 *     and, for RX, a posted mbuf in every sw_ring slot; a queue that is not
 *     started has its device queue reset (DISABLED) or never enabled, and
 *     ethdev's queue state says which;
 *  I4 every sw_ring slot is NULL or holds an mbuf that nothing else holds,
 *     and a queue's memory is freed at most once (pointers are cleared
 *     before what they point to is freed: a death in between leaks, it
 *     never frees twice).
 * An operation that breaks one of them for a moment records itself first in
 * p->qop (struct pnic_qop) and clears the record when the invariants hold
 * again; the repair finishes or undoes the recorded operation, and is
 * itself idempotent (a repairer that dies leaves the record and the mutex
 * marked for the next one).
 *
 * Also here, as the repair needs them: the reclaim of a dead owner's queue
 * (what of it is in memory every process maps goes back: its mbufs to their
 * pools, its rings and state to DPDK's heap) and the test hook that parks a
 * process inside the lock (DPDK_PASID_HOOK_PARK, doc/testing.md).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ethdev_driver.h>
#include <rte_common.h>
#include <rte_debug.h>
#include <rte_interrupts.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memory.h>

#include "pasidnic.h"

/* ---- the test hook: DPDK_PASID_HOOK_PARK=<point> ---- */

#define HOOK_PARK_ENV "DPDK_PASID_HOOK_PARK"

bool pnic_hook_park_armed;
static char hook_park_point[32];

/* Read once, before main() (or at the plugin's dlopen()). */
RTE_INIT(pnic_hook_park_init)
{
	const char *v = getenv(HOOK_PARK_ENV);

	if (v == NULL || v[0] == '\0')
		return;
	snprintf(hook_park_point, sizeof(hook_park_point), "%s", v);
	pnic_hook_park_armed = true;
}

void
pnic_hook_park_at(const char *where)
{
	char line[128];
	int n;

	if (strcmp(where, hook_park_point) != 0)
		return;
	n = snprintf(line, sizeof(line), "pasidnic: parked in %s (pid %d, " HOOK_PARK_ENV ")\n",
		     where, (int)getpid());
	if (n > 0 && write(STDERR_FILENO, line, RTE_MIN((size_t)n, sizeof(line) - 1)) < 0)
		n = 0;
	for (;;)
		pause();
}

/* ---- the lock ---- */

int
pnic_qlock_init(struct pnic_port *p)
{
	pthread_mutexattr_t a;
	int ret;

	ret = pthread_mutexattr_init(&a);
	if (ret == 0)
		ret = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	if (ret == 0)
		ret = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	if (ret == 0)
		ret = pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	if (ret == 0)
		ret = pthread_mutex_init(&p->qlock, &a);
	pthread_mutexattr_destroy(&a);
	if (ret != 0) {
		PNIC_LOG(ERR, "%s: cannot initialise the port's process-shared robust mutex: %s",
			 p->name, strerror(ret));
		return -ret;
	}
	memset(&p->qop, 0, sizeof(p->qop));
	return 0;
}

static const char *
qop_name(unsigned int kind)
{
	switch (kind) {
	case PNIC_QOP_START:
		return "a queue start";
	case PNIC_QOP_STOP:
		return "a queue stop";
	case PNIC_QOP_RELEASE:
		return "a queue release";
	default:
		return "?";
	}
}

/* Reset device queue @q and say it is stopped (I3). */
static void
q_reset(struct rte_eth_dev *dev, struct pnic_qbase *q)
{
	q->started = false;
	pnic_qwr(dev->data->dev_private, q->hwq, PNIC_Q_CTRL, PNIC_Q_CTRL_RESET);
	pnic_queue_state_set(dev, q->dir, q->queue_id, RTE_ETH_QUEUE_STATE_STOPPED);
}

/* Is @va in DPDK's main memory (mapped in every process), not a process's own heap? */
static bool
in_shared_memory(const void *va)
{
	const struct rte_memseg_list *msl = rte_mem_virt2memseg_list(va);

	return msl != NULL && !msl->external;
}

unsigned int
pnic_q_mbufs_free(struct pnic_qbase *q, bool owner)
{
	unsigned int lost = 0;
	uint32_t i;

	for (i = 0; i < q->nb_desc; i++) {
		struct rte_mbuf *m = q->sw_ring[i];

		if (m == NULL)
			continue;
		/* I4: cleared first, so that a death here leaks it rather than free it twice. */
		q->sw_ring[i] = NULL;
		rte_compiler_barrier();
		/*
		 * Another process may free a dead owner's mbuf only when the mbuf and
		 * its pool are in memory it maps, and the mbuf is plain (an external
		 * buffer's free callback is a function of the dead process).
		 */
		if (!owner && (!in_shared_memory(m) || !in_shared_memory(m->pool) ||
			       !RTE_MBUF_DIRECT(m))) {
			lost++;
			continue;
		}
		rte_pktmbuf_free_seg(m);
	}
	return lost;
}

/*
 * What pnic_q_free() retired under the lock, freed by the same thread after
 * it lets the lock go. Per thread: each thread drains only its own, so a
 * retired object is never freed while another thread's record (p->qop) may
 * still name it. Three objects per queue, two queues per pair, at most every
 * pair of a port in one hold (a close), plus one repair.
 */
#define RETIRED_MAX (3 * 2 * PNIC_MAX_QP + 3)
static RTE_DEFINE_PER_LCORE(void *, retired[RETIRED_MAX]);
static RTE_DEFINE_PER_LCORE(unsigned int, nb_retired);

static void
retire(void *obj)
{
	if (obj == NULL)
		return;
	if (RTE_PER_LCORE(nb_retired) == RETIRED_MAX) {
		/* Cannot happen with the bound above; freeing now is still correct. */
		rte_free(obj);
		return;
	}
	RTE_PER_LCORE(retired)[RTE_PER_LCORE(nb_retired)++] = obj;
}

void
pnic_q_free(struct rte_eth_dev *dev, struct pnic_qbase *q, bool owner)
{
	struct pnic_port *p = dev->data->dev_private;
	volatile struct pnic_desc *ring = q->ring;
	struct rte_mbuf **sw_ring = q->sw_ring;
	unsigned int lost = 0;

	/* The device no longer touches the ring or the buffers after the reset. */
	pnic_qwr(p, q->hwq, PNIC_Q_CTRL, PNIC_Q_CTRL_RESET);
	if (sw_ring != NULL)
		lost = pnic_q_mbufs_free(q, owner);
	/* I4: each pointer cleared before what it points to is freed. */
	q->ring = NULL;
	rte_compiler_barrier();
	/* A dead owner's ring in its own heap is not mapped here (it went with the process). */
	if (ring != NULL && (owner || in_shared_memory((const void *)(uintptr_t)ring)))
		retire((void *)(uintptr_t)ring);
	q->sw_ring = NULL;
	rte_compiler_barrier();
	retire(sw_ring);
	if (!owner)
		PNIC_LOG(INFO, "port %u: %s queue %u of process %d (exited) reclaimed; mbufs "
			 "not returned to their pools (in the dead process's own memory): %u",
			 q->port_id, pnic_dir_name(q->dir), q->queue_id, (int)q->owner, lost);
	if (p->qop.q == q)
		p->qop.q = NULL;
	rte_compiler_barrier();
	retire(q);
}

/*
 * The holder of the lock died (EOWNERDEAD): restore the invariants (see the
 * top of this file) from what it recorded in p->qop. Idempotent.
 */
static void
pnic_qlock_repair(struct pnic_port *p)
{
	struct rte_eth_dev *dev = &rte_eth_devices[p->port_id];
	struct pnic_qop op = p->qop;
	struct pnic_qbase *q;
	unsigned int dir;
	uint16_t i;

	if (op.kind == PNIC_QOP_NONE)
		PNIC_LOG(WARNING, "port %u: the queue lock's holder died holding it, with no queue "
			 "operation half done: checking the queue state", p->port_id);
	else
		PNIC_LOG(WARNING, "port %u: the queue lock's holder (process %d) died holding it, "
			 "in %s of %s queue %u: repairing the queue state", p->port_id,
			 (int)op.pid, qop_name(op.kind), pnic_dir_name(op.dir), op.qid);
	switch (op.kind) {
	case PNIC_QOP_START:
	case PNIC_QOP_STOP:
		/* Undo a start, finish a stop: reset, stopped (I3). Its mbufs stay (I4). */
		q = pnic_queue(dev, op.dir, op.qid);
		if (q != NULL)
			q_reset(dev, q);
		break;
	case PNIC_QOP_RELEASE:
		/*
		 * Finish it: a release is of the holder's own queue or of a dead
		 * owner's, and both are dead now. Out of its slot first (I1).
		 */
		q = op.q;
		if (q == NULL)
			break;
		if (pnic_queue(dev, op.dir, op.qid) == q) {
			pnic_queue_set(dev, op.dir, op.qid, NULL);
			pnic_queue_state_set(dev, op.dir, op.qid, RTE_ETH_QUEUE_STATE_STOPPED);
		}
		if (p->kept[op.dir][op.qid] == q)
			p->kept[op.dir][op.qid] = NULL;
		pnic_q_free(dev, q, false);
		break;
	default:
		break;
	}
	/* I2, whatever the holder did. */
	for (dir = PNIC_DIR_RX; dir <= PNIC_DIR_TX; dir++)
		for (i = 0; i < p->nb_qp; i++)
			if (p->kept[dir][i] != NULL && p->kept[dir][i] == pnic_queue(dev, dir, i))
				p->kept[dir][i] = NULL;
	p->qlock_repairs++;
	pnic_qop_end(p);
}

/* After pthread_mutex_lock/trylock returned @ret: 0 (held), or -EBUSY. */
static int
qlock_taken(struct pnic_port *p, int ret)
{
	if (ret == EOWNERDEAD) {
		pnic_qlock_repair(p);
		ret = pthread_mutex_consistent(&p->qlock);
		if (ret != 0)
			PNIC_LOG(ERR, "port %u: pthread_mutex_consistent: %s", p->port_id,
				 strerror(ret));
		ret = 0;
	}
	if (ret == EBUSY)
		return -EBUSY;
	/*
	 * EDEADLK: this thread holds it already (a bug of this driver);
	 * ENOTRECOVERABLE: a holder died and its repairer unlocked without
	 * marking it consistent, which this file never does.
	 */
	if (ret != 0)
		rte_panic("pasidnic: port %u: the queue lock: %s\n", p->port_id, strerror(ret));
	pnic_hook_park("qlock");
	return 0;
}

void
pnic_qlock(struct pnic_port *p)
{
	qlock_taken(p, pthread_mutex_lock(&p->qlock));
}

int
pnic_qtrylock(struct pnic_port *p)
{
	return qlock_taken(p, pthread_mutex_trylock(&p->qlock));
}

int
pnic_qlock_ctl(struct pnic_port *p)
{
	if (rte_thread_is_intr())
		return pnic_qtrylock(p);
	pnic_qlock(p);
	return 0;
}

void
pnic_qunlock(struct pnic_port *p)
{
	int ret = pthread_mutex_unlock(&p->qlock);
	unsigned int i, n = RTE_PER_LCORE(nb_retired);

	if (ret != 0)
		rte_panic("pasidnic: port %u: queue lock unlock: %s\n", p->port_id,
			  strerror(ret));
	RTE_PER_LCORE(nb_retired) = 0;
	for (i = 0; i < n; i++)
		rte_free(RTE_PER_LCORE(retired)[i]);
}
