/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The port leaving under live workers (doc/multi_process.md, "Primary exit,
 * stop, close and unplug"). The primary's close or remove must not free what
 * a worker (a secondary process) still reads: 22.11's
 * rte_eth_dev_release_port() frees the queue arrays, dev_private and the
 * MAC array and zeroes the shared rte_eth_dev_data, and a worker stopped
 * (SIGSTOP) cannot be asked to leave first. So:
 *
 *  - every secondary that attaches to the port registers its pid in the
 *    port's shared struct pnic_leave (and removes it when it closes);
 *  - the primary's close or remove first marks the port gone (under the
 *    queue lock: every control operation of a worker checks it there),
 *    broadcasts "pnic_port_leaving" (each worker's PMD raises
 *    RTE_ETH_EVENT_INTR_RMV on its EAL interrupt thread) and waits up to
 *    PNIC_LEAVE_WAIT_S for the registered processes to detach or exit (the
 *    bus says which run: rte_iommufd_process_alive());
 *  - processes that are still attached then (stopped, or slow) keep what
 *    they use: the primary leaves their queues in place and takes the port's
 *    shared structures away from ethdev, which then frees nothing of them.
 *    They stay in DPDK's memory of the --file-prefix (a few KiB per port),
 *    which goes when the last process of the group has exited. A worker
 *    that comes back finds the port gone: its bursts get nothing, its
 *    control operations -ENODEV, and it can still give back its own queues.
 * The wait never decides that a process has died: it only bounds how long
 * the primary waits before it leaves the shared state to the survivors.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_alarm.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_string_fns.h>

#include "pasidnic.h"

/* Secondaries attached to one port at most (a worker more is refused at probe). */
#define PNIC_MAX_USERS 64
/* How long the primary's close or remove waits for attached processes to leave. */
#define PNIC_LEAVE_WAIT_S 5
/* The rte_mp action: the primary tells the secondaries that a port goes (param: its name). */
#define PNIC_MP_LEAVING "pnic_port_leaving"

/* Shared (DPDK main memory), reached from struct pnic_port; under pnic_qlock(). */
struct pnic_leave {
	bool gone;                      /* the primary closes or removes the port */
	int32_t users[PNIC_MAX_USERS];  /* pids of the attached secondaries; 0: free */
	/* Kept for live users: the queue arrays ethdev no longer knows (NULL: not kept). */
	void **q[2];
	uint16_t nb_q[2];
};

/*
 * Per process: the port of each of this process's ethdev ports, and its bus
 * device name (the mp handler matches names without touching shared data).
 * Under proc_lock. In a worker the pointer stays valid once the primary has
 * gone: the primary never frees the port of a registered process that runs.
 */
static pthread_mutex_t proc_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pnic_port *proc_port[RTE_MAX_ETHPORTS];
static char proc_name[RTE_MAX_ETHPORTS][RTE_DEV_NAME_MAX_LEN];

static size_t
dev_index(const struct rte_eth_dev *dev)
{
	return (size_t)(dev - rte_eth_devices);
}

static void
proc_port_set(const struct rte_eth_dev *dev, struct pnic_port *p)
{
	size_t i = dev_index(dev);

	pthread_mutex_lock(&proc_lock);
	proc_port[i] = p;
	if (p != NULL)
		rte_strscpy(proc_name[i], p->name, sizeof(proc_name[i]));
	else
		proc_name[i][0] = '\0';
	pthread_mutex_unlock(&proc_lock);
}

struct pnic_port *
pnic_port_of(const struct rte_eth_dev *dev)
{
	struct pnic_port *p;

	pthread_mutex_lock(&proc_lock);
	p = proc_port[dev_index(dev)];
	pthread_mutex_unlock(&proc_lock);
	return p;
}

bool
pnic_gone(const struct pnic_port *p)
{
	return __atomic_load_n(&p->leave->gone, __ATOMIC_ACQUIRE);
}

int
pnic_leave_init(struct rte_eth_dev *dev, int socket)
{
	struct pnic_port *p = dev->data->dev_private;

	p->leave = rte_zmalloc_socket("pasidnic_leave", sizeof(*p->leave), 0, socket);
	if (p->leave == NULL)
		return -ENOMEM;
	proc_port_set(dev, p);
	return 0;
}

void
pnic_leave_done(struct rte_eth_dev *dev, struct pnic_port *p, bool keep)
{
	proc_port_set(dev, NULL);
	if (keep)
		return;
	rte_free(p->leave);
	p->leave = NULL;
}

/*
 * Count the registered processes that still run, forgetting those that have
 * exited; the pids go to @pids (up to @n). Under pnic_qlock().
 */
static unsigned int
users_live_locked(struct pnic_leave *lv, int32_t *pids, unsigned int n)
{
	unsigned int i, live = 0;

	for (i = 0; i < PNIC_MAX_USERS; i++) {
		if (lv->users[i] == 0)
			continue;
		if (!pnic_other_alive(lv->users[i])) {
			lv->users[i] = 0;
			continue;
		}
		if (live < n)
			pids[live] = lv->users[i];
		live++;
	}
	return live;
}

/* "123 456 ..." of the first @n of @pids (at most 8) in @buf. */
static const char *
pids_str(char *buf, size_t size, const int32_t *pids, unsigned int n)
{
	unsigned int i;
	size_t off = 0;

	buf[0] = '\0';
	for (i = 0; i < RTE_MIN(n, 8u) && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%d", i ? " " : "",
					(int)pids[i]);
	if (n > 8 && off < size)
		snprintf(buf + off, size - off, " ...");
	return buf;
}

/* ---- in a worker ---- */

/* EAL interrupt thread: tell this process's application that port @arg went. */
static void
rmv_raise(void *arg)
{
	size_t i = (uintptr_t)arg;
	struct rte_eth_dev *dev = &rte_eth_devices[i];
	bool ours;

	pthread_mutex_lock(&proc_lock);
	ours = proc_port[i] != NULL;
	pthread_mutex_unlock(&proc_lock);
	if (!ours)
		return;
	PNIC_LOG(NOTICE, "port %zu: the primary process closes or removes %s: "
		 "RTE_ETH_EVENT_INTR_RMV", i, proc_name[i]);
	rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_RMV, NULL);
}

/*
 * rte_mp handler (EAL's mp thread, which must not block): the port named in
 * the message goes. The event is raised from the EAL interrupt thread, as a
 * device's removal interrupt would be, so that an application callback may
 * call what the mp thread must not (a synchronous rte_mp request).
 */
static int
leaving_handle(const struct rte_mp_msg *msg, const void *peer __rte_unused)
{
	char name[RTE_DEV_NAME_MAX_LEN];
	size_t i;

	if (msg->len_param <= 0)
		return 0;
	rte_strscpy(name, (const char *)msg->param,
		    RTE_MIN(sizeof(name), (size_t)msg->len_param));
	pthread_mutex_lock(&proc_lock);
	for (i = 0; i < RTE_MAX_ETHPORTS; i++)
		if (proc_port[i] != NULL && strcmp(proc_name[i], name) == 0 &&
		    rte_eal_alarm_set(1, rmv_raise, (void *)(uintptr_t)i) != 0)
			PNIC_LOG(ERR, "port %zu: %s goes, but the removal event cannot be "
				 "scheduled: %s", i, name, rte_strerror(rte_errno));
	pthread_mutex_unlock(&proc_lock);
	return 0;
}

int
pnic_user_attach(struct rte_eth_dev *dev)
{
	static bool action_registered;
	struct pnic_port *p = dev->data->dev_private;
	struct pnic_leave *lv = p->leave;
	int ret = -ENOSPC;
	unsigned int i;

	if (!action_registered) {
		if (rte_mp_action_register(PNIC_MP_LEAVING, leaving_handle) < 0 &&
		    rte_errno != EEXIST) {
			PNIC_LOG(ERR, "%s: cannot register the rte_mp action %s: %s", p->name,
				 PNIC_MP_LEAVING, rte_strerror(rte_errno));
			return -rte_errno;
		}
		action_registered = true;
	}
	pnic_qlock(p);
	if (lv->gone) {
		ret = -ENODEV;
		PNIC_LOG(ERR, "%s: the primary process is closing or removing the port",
			 p->name);
		goto out;
	}
	for (i = 0; i < PNIC_MAX_USERS; i++) {
		if (lv->users[i] != 0 && pnic_other_alive(lv->users[i]))
			continue;
		lv->users[i] = getpid();
		ret = 0;
		break;
	}
	if (ret < 0)
		PNIC_LOG(ERR, "%s: %d processes are attached to the port already (the most "
			 "the driver tracks): stop one first", p->name, PNIC_MAX_USERS);
out:
	pnic_qunlock(p);
	if (ret == 0)
		proc_port_set(dev, p);
	return ret;
}

void
pnic_user_detach(struct rte_eth_dev *dev)
{
	struct pnic_port *p = pnic_port_of(dev);
	unsigned int i;

	if (p == NULL)
		return;
	pnic_qlock(p);
	for (i = 0; i < PNIC_MAX_USERS; i++)
		if (p->leave->users[i] == getpid())
			p->leave->users[i] = 0;
	pnic_qunlock(p);
	/* From here on this process does not touch the port's shared data. */
	proc_port_set(dev, NULL);
}

bool
pnic_kept_release_own_locked(struct rte_eth_dev *dev, struct pnic_port *p, uint16_t qid)
{
	struct pnic_leave *lv = p->leave;
	unsigned int dir;
	uint32_t i;

	if (lv->q[PNIC_DIR_RX] == NULL && lv->q[PNIC_DIR_TX] == NULL)
		return false;
	for (dir = PNIC_DIR_RX; dir <= PNIC_DIR_TX; dir++) {
		struct pnic_qbase *q = qid < lv->nb_q[dir] ? lv->q[dir][qid] : NULL;

		if (q == NULL || q->owner != getpid())
			continue;
		/* The primary reset the device queue; the rest is this process's. */
		for (i = 0; i < q->nb_desc; i++)
			if (q->sw_ring[i] != NULL)
				rte_pktmbuf_free_seg(q->sw_ring[i]);
		rte_free((void *)(uintptr_t)q->ring);
		rte_free(q->sw_ring);
		rte_free(q);
		lv->q[dir][qid] = NULL;
	}
	((struct pnic_proc *)dev->process_private)->pasid[qid] = 0;
	return true;
}

/* ---- in the primary ---- */

int
pnic_busy(struct rte_eth_dev *dev, const char *what)
{
	struct pnic_port *p = dev->data->dev_private;
	unsigned int dir, n = 0;
	int32_t pid = 0;
	uint16_t i;

	pnic_qlock(p);
	if (!p->leave->gone) {
		for (dir = PNIC_DIR_RX; dir <= PNIC_DIR_TX; dir++) {
			for (i = 0; i < pnic_nb_queues(dev, dir); i++) {
				const struct pnic_qbase *q = pnic_queue(dev, dir, i);

				if (q != NULL && pnic_other_alive(q->owner)) {
					pid = pid != 0 ? pid : q->owner;
					n++;
				}
			}
		}
	}
	pnic_qunlock(p);
	if (n == 0)
		return 0;
	PNIC_LOG(ERR, "port %u: %s refused: %u queue(s) belong to worker process %d%s, which "
		 "still runs; the workers must give them back first "
		 "(rte_pmd_pasidnic_queue_pair_release()), or remove the device "
		 "(rte_dev_remove(), forced: it tells the workers)", dev->data->port_id, what,
		 n, (int)pid, n > 1 ? " and others" : "");
	return -EBUSY;
}

void
pnic_leave(struct rte_eth_dev *dev, const char *why)
{
	struct pnic_port *p = dev->data->dev_private;
	struct pnic_leave *lv = p->leave;
	uint64_t deadline = rte_get_timer_cycles() + PNIC_LEAVE_WAIT_S * rte_get_timer_hz();
	int32_t pids[8];
	struct rte_mp_msg msg;
	unsigned int n;
	char buf[96];
	bool was_gone;

	pnic_qlock(p);
	was_gone = lv->gone;
	__atomic_store_n(&lv->gone, true, __ATOMIC_RELEASE);
	n = users_live_locked(lv, pids, RTE_DIM(pids));
	pnic_qunlock(p);
	if (was_gone || n == 0)
		return;
	memset(&msg, 0, sizeof(msg));
	rte_strscpy(msg.name, PNIC_MP_LEAVING, sizeof(msg.name));
	msg.len_param = (int)strlen(p->name) + 1;
	memcpy(msg.param, p->name, (size_t)msg.len_param);
	if (rte_mp_sendmsg(&msg) < 0)
		PNIC_LOG(ERR, "port %u: cannot tell the worker processes that the port goes: %s",
			 dev->data->port_id, rte_strerror(rte_errno));
	PNIC_LOG(NOTICE, "port %u: %s: told %u worker process(es) (%s) that the port goes; "
		 "waiting up to %d s for them to detach", dev->data->port_id, why, n,
		 pids_str(buf, sizeof(buf), pids, n), PNIC_LEAVE_WAIT_S);
	for (;;) {
		pnic_qlock(p);
		n = users_live_locked(lv, pids, RTE_DIM(pids));
		pnic_qunlock(p);
		if (n == 0 || rte_get_timer_cycles() > deadline)
			break;
		rte_delay_us_sleep(10 * 1000);
	}
	if (n == 0)
		PNIC_LOG(NOTICE, "port %u: every worker process has detached", dev->data->port_id);
}

bool
pnic_leave_keep_locked(struct rte_eth_dev *dev)
{
	struct pnic_port *p = dev->data->dev_private;
	struct pnic_leave *lv = p->leave;
	int32_t pids[8];
	unsigned int n, dir;
	char buf[96];

	n = users_live_locked(lv, pids, RTE_DIM(pids));
	if (n == 0)
		return false;
	for (dir = PNIC_DIR_RX; dir <= PNIC_DIR_TX; dir++) {
		lv->nb_q[dir] = pnic_nb_queues(dev, dir);
		lv->q[dir] = dir == PNIC_DIR_RX ? dev->data->rx_queues : dev->data->tx_queues;
	}
	/* ethdev frees what it still points to, and zeroes the rest (22.11 release_port). */
	dev->data->rx_queues = NULL;
	dev->data->nb_rx_queues = 0;
	dev->data->tx_queues = NULL;
	dev->data->nb_tx_queues = 0;
	dev->data->mac_addrs = NULL;
	dev->data->dev_private = NULL;
	PNIC_LOG(WARNING, "port %u: %u worker process(es) (%s) still attached %d s after they "
		 "were told (stopped, or busy): their queues and the port's shared state stay in "
		 "DPDK memory for them until the last process of this --file-prefix exits; they "
		 "find the port gone", p->port_id, n, pids_str(buf, sizeof(buf), pids, n),
		 PNIC_LEAVE_WAIT_S);
	return true;
}
