/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_pasidnic internals: the port, its queues and register access.
 * The device's programming interface is kernel/linux/pasidnic/uapi/pasidnic_regs.h
 * (doc/pasidnic.md); this driver uses its names only.
 *
 * Files (no call goes up this list):
 *   pasidnic_ethdev.c   the driver: probe, remove, registration; this
 *                       process's device fd and doorbell mapping
 *   pasidnic_port.c     the port's ethdev ops and their table: configure,
 *                       start, stop, close, receive modes, MAC, MTU
 *   pasidnic_mp.c       queues across processes: queue pair release, the
 *                       clean-up after a dead owner, rte_pmd_pasidnic_*
 *   pasidnic_leave.c    the port leaving under live workers: who is attached,
 *                       the notice, the wait, what is kept for them
 *   pasidnic_stats.c    stats and xstats (one table of names and offsets)
 *   pasidnic_intr.c     link state, the misc interrupt (or, on a physical
 *                       function, the event poll), DMA faults
 *   pasidnic_queue_setup.c  queue set-up (both directions): the queue's
 *                       PASID, its memory, claiming its slot
 *   pasidnic_queue.c    queue start, stop, release (both directions), RX
 *                       interrupts
 *   pasidnic_qlock.c    the port's queue lock (a robust mutex shared by the
 *                       processes), its repair when a holder dies, freeing a
 *                       queue (also a dead owner's), the park test hook
 *   pasidnic_rxtx.c     the RX and TX bursts
 *   pasidnic_selftest.c the bus's DMA self-test op (conformance runs)
 *   pasidnic_devargs.c  the driver-layer devargs (no device, no EAL needed)
 *   pasidnic_mbox.c     register writes of a physical function (mailboxes)
 * (pasidnic_mp.c and pasidnic_ethdev.c read pnic_eth_ops of pasidnic_port.c:
 * data, not calls.)
 */
#ifndef PASIDNIC_H
#define PASIDNIC_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include <ethdev_driver.h>
#include <rte_bus_iommufd.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <pthread.h>

#include "bus_iommufd_driver.h"
#include "pasid_dpdk_compat.h"
#include "pasidnic_devargs.h"
#include "pasidnic_regs.h"

extern int pasidnic_logtype;
#define PNIC_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, pasidnic_logtype, "pasidnic: " fmt "\n", ##__VA_ARGS__)

/* Ring size when the application asks for 0 descriptors. */
#define PNIC_RING_DEFAULT 512

/*
 * Multi-process: the port (struct pnic_port) and the queues live in DPDK's
 * shared memory, so every process sees them at the same address; what is
 * per process (the device fd, the doorbell mapping, the PASID domains) is in
 * struct pnic_proc, the port's process_private. A queue pair belongs to the
 * process that sets it up (its owner): only the owner touches its ring and
 * mbufs, which may live in the owner's pasid_mem heap, mapped nowhere else.
 * Queue structures and their sw_rings are always in DPDK's main memory so
 * the primary can take a dead owner's queue pair down (pnic_quiesce_domain).
 */

/* Software counters of a queue that rte_eth_stats_reset() clears. */
struct pnic_qstats {
	uint64_t pkts;
	uint64_t bytes;
	/* RX: completed with ERR; TX: dropped (chained, too short or too long) or ERR */
	uint64_t errors;
	uint64_t truncated;            /* RX: frames longer than the buffer (dropped) */
};

/* Software counters that only rte_eth_xstats_reset() clears. */
struct pnic_qxstats {
	uint64_t filtered;             /* RX: dropped by the MAC filter (promiscuous off) */
	uint64_t kicks;                /* system calls to wake the engine (pnic_publish()) */
};

/*
 * What RX and TX queues share; the first member of struct pnic_rxq and
 * struct pnic_txq, so the control path handles both through it. The fast-path
 * fields come first.
 */
struct pnic_qbase {
	volatile struct pnic_desc *ring;
	struct rte_mbuf **sw_ring;     /* mbuf of each slot */
	struct pnic_port *port;
	uint32_t head;                 /* next to complete (RX) or to clean (TX) */
	uint32_t tail;                 /* descriptors posted (free-running) */
	uint32_t mask;
	uint32_t nb_desc;
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t hwq;                  /* device queue PNIC_QUEUE(queue_id, dir) */
	uint8_t dir;                   /* PNIC_DIR_RX or PNIC_DIR_TX */
	volatile uint8_t faulted;      /* set by the fault interrupt */
	struct pnic_qstats stats;
	struct pnic_qxstats xstats;
	/* control path */
	bool started;
	bool deferred;                 /* {rx,tx}_deferred_start */
	int pasid;                     /* 0: the RID */
	pid_t owner;                   /* process that set the queue up */
	rte_iova_t ring_iova;
	uint64_t fault_base;           /* Q_FAULTS register at the last xstats reset */
	uint64_t drop_base;            /* Q_DROPS register at the last stats reset */
};

/* An RX queue. */
struct pnic_rxq {
	struct pnic_qbase q;           /* first */
	struct rte_mempool *mp;
	uint16_t buf_len;              /* bytes the device may write per buffer */
};

/* A TX queue. */
struct pnic_txq {
	struct pnic_qbase q;           /* first */
};

/* What each process has of a port (dev->process_private). */
struct pnic_proc {
	struct rte_iommufd_device *idev; /* this process's bus device */
	struct rte_eth_dev *eth_dev;
	int fd;                        /* device fd in this process */
	/* Physical function, primary: its threads' writes of the device mailbox slot. */
	pthread_mutex_t dev_mbox;
	uint8_t *db;                   /* doorbell page (BAR2 mmap) in this process */
	/*
	 * PASID of the domain of each queue pair (rte_pmd_pasidnic_queue_domain_set),
	 * 0 for the RID. A number, not the domain: the domain may be destroyed
	 * meanwhile, and a queue setup asks the bus whether it still exists.
	 */
	int pasid[PNIC_MAX_QP];
};

/* What a holder of the queue lock is doing (pasidnic_qlock.c). */
enum pnic_qop_kind {
	PNIC_QOP_NONE = 0,
	PNIC_QOP_START,                /* q_start_locked() of queue (dir, qid) */
	PNIC_QOP_STOP,                 /* q_stop_locked() of queue (dir, qid) */
	PNIC_QOP_RELEASE,              /* pnic_q_release_locked() of queue q */
};

/*
 * The record of an operation that breaks the queue state's invariants for a
 * while (pasidnic_qlock.c), written under the lock before it does, cleared
 * after: what the next holder repairs if this one dies.
 */
struct pnic_qop {
	uint8_t kind;                  /* enum pnic_qop_kind */
	uint8_t dir;
	uint16_t qid;
	int32_t pid;                   /* the holder */
	struct pnic_qbase *q;          /* RELEASE: the queue (NULL once freed) */
};

/* Private data of a port, shared by all processes (dev->data->dev_private). */
struct pnic_port {
	char name[RTE_DEV_NAME_MAX_LEN]; /* bus device name, for messages */
	uint16_t port_id;
	uint64_t bar0;                 /* file offset of BAR0 (the same in every process) */
	uint32_t nb_qp;
	uint32_t pasid_width;
	uint32_t caps;
	/*
	 * A physical function of pasidnic_pci (PNIC_PCI_DEVICE_ID_PHYS): register
	 * writes through mailboxes (pasidnic_mbox.c), no interrupts (link and
	 * fault events polled, no RX interrupts). Else an mdev port.
	 */
	bool phys;
	struct pnic_args args;
	bool intr_on;                  /* the misc callback is registered */
	/*
	 * Serialises queue set-up/start/stop/release, stats and the fault
	 * interrupt across processes (control path only): pnic_qlock(). A
	 * process-shared robust mutex (pasidnic_qlock.c), and what it protects.
	 */
	pthread_mutex_t qlock;
	struct pnic_qop qop;
	uint32_t qlock_repairs;        /* times a dead holder's state was repaired */
	bool promisc;
	bool allmulti;
	/* Queues of live processes ethdev "released", by direction and queue id. */
	struct pnic_qbase *kept[2][PNIC_MAX_QP];
	uint64_t dev_fault_base;
	uint64_t wakeup_base;
	struct rte_ether_addr mac;
	/* Attached processes and the port's leaving (pasidnic_leave.c). */
	struct pnic_leave *leave;
};

/* The calling process's view of a port. */
static inline struct pnic_proc *
pnic_proc(const struct pnic_port *p)
{
	return rte_eth_devices[p->port_id].process_private;
}

/*
 * pasidnic_qlock.c: the port's queue lock (see struct pnic_port). Not
 * recursive. Whoever takes it after a holder died repairs the queue state
 * first (EOWNERDEAD), so it always returns with the invariants holding.
 */
/* Initialise the lock in the port's shared data (the primary, at probe). 0 or -errno. */
int pnic_qlock_init(struct pnic_port *p);
/* Take the lock, waiting for it. */
void pnic_qlock(struct pnic_port *p);
/* Take the lock if it is free: 0, or -EBUSY (another thread holds it). */
int pnic_qtrylock(struct pnic_port *p);
/*
 * Take the lock for a control operation: on the EAL interrupt thread only if
 * free (it must never wait on a worker), elsewhere waiting. 0 or -EBUSY.
 */
int pnic_qlock_ctl(struct pnic_port *p);
/*
 * Release the lock, then free what pnic_q_free() retired under it in this
 * thread: rte_free() can be a blocking request to the primary (a secondary
 * giving memory back), which must not happen with the lock held.
 */
void pnic_qunlock(struct pnic_port *p);

/* Record operation @kind on queue @q (or queue @dir/@qid) before it breaks an invariant. */
static inline void
pnic_qop_begin(struct pnic_port *p, enum pnic_qop_kind kind, unsigned int dir, uint16_t qid,
	       struct pnic_qbase *q)
{
	p->qop.pid = getpid();
	p->qop.dir = (uint8_t)dir;
	p->qop.qid = qid;
	p->qop.q = q;
	rte_compiler_barrier();
	p->qop.kind = (uint8_t)kind;
	rte_compiler_barrier();
}

/* The invariants hold again. */
static inline void
pnic_qop_end(struct pnic_port *p)
{
	rte_compiler_barrier();
	p->qop.kind = PNIC_QOP_NONE;
	p->qop.q = NULL;
	rte_compiler_barrier();
}

/*
 * Free queue @q, which is out of its slot, with the lock held: reset its
 * device queue and free its mbufs now; its ring, sw_ring and the structure
 * are unreachable from the port once it returns, and are given back to
 * DPDK's heap by this thread's next pnic_qunlock() (a death in between
 * leaks them, as any crashed worker's DPDK objects, doc/multi_process.md). Its owner
 * (@owner true) frees everything; another process (the owner has exited)
 * frees what is in DPDK's main memory: the mbufs of pools there go back to
 * them (the dead process's mempool cache and the mbufs it held are lost),
 * those in the dead process's own heap are not touched, and are counted.
 */
void pnic_q_free(struct rte_eth_dev *dev, struct pnic_qbase *q, bool owner);
/*
 * Free the mbufs of @q's sw_ring, clearing each slot first (see pnic_q_free).
 * Returns how many were not returned to their pools.
 */
unsigned int pnic_q_mbufs_free(struct pnic_qbase *q, bool owner);

/*
 * Test hook (doc/testing.md, "Test hooks"): with DPDK_PASID_HOOK_PARK=<point>
 * in its environment, a process that reaches point <point> writes "pasidnic:
 * parked in <point> ..." to stderr and pauses for ever, so that a test can
 * SIGKILL it there. Points: qlock (just after taking the queue lock),
 * qlock_start (in a queue start: device queue enabled, RX ring filled, not
 * marked started yet), qlock_release (in a queue release: the queue out of
 * its slot, nothing freed yet). Unarmed: one branch on a flag read at load.
 */
extern bool pnic_hook_park_armed;
void pnic_hook_park_at(const char *where);

static inline void
pnic_hook_park(const char *where)
{
	if (unlikely(pnic_hook_park_armed))
		pnic_hook_park_at(where);
}

/*
 * Is @pid a process other than the caller that still runs? The bus answers
 * (a zombie does not run); when it cannot tell, the process is taken to run,
 * so that a live process's queue is never freed under it.
 */
static inline bool
pnic_other_alive(pid_t pid)
{
	return pid != 0 && pid != getpid() && rte_iommufd_process_alive(pid) != 0;
}

static inline const char *
pnic_dir_name(unsigned int dir)
{
	return dir == PNIC_DIR_TX ? "TX" : "RX";
}

/* How many queues of direction @dir the port has (configured). */
static inline uint16_t
pnic_nb_queues(const struct rte_eth_dev *dev, unsigned int dir)
{
	if (dir == PNIC_DIR_RX)
		return dev->data->rx_queues != NULL ? dev->data->nb_rx_queues : 0;
	return dev->data->tx_queues != NULL ? dev->data->nb_tx_queues : 0;
}

/* Queue @qid of direction @dir, or NULL (not set up, or not configured). */
static inline struct pnic_qbase *
pnic_queue(const struct rte_eth_dev *dev, unsigned int dir, uint16_t qid)
{
	if (qid >= pnic_nb_queues(dev, dir))
		return NULL;
	return dir == PNIC_DIR_RX ? dev->data->rx_queues[qid] : dev->data->tx_queues[qid];
}

/* Put @q (or NULL) in ethdev's slot of queue @qid of direction @dir. */
static inline void
pnic_queue_set(struct rte_eth_dev *dev, unsigned int dir, uint16_t qid, struct pnic_qbase *q)
{
	if (dir == PNIC_DIR_RX)
		dev->data->rx_queues[qid] = q;
	else
		dev->data->tx_queues[qid] = q;
}

/* Record the state of queue @qid of direction @dir for ethdev. */
static inline void
pnic_queue_state_set(struct rte_eth_dev *dev, unsigned int dir, uint16_t qid, uint8_t state)
{
	if (dir == PNIC_DIR_RX)
		dev->data->rx_queue_state[qid] = state;
	else
		dev->data->tx_queue_state[qid] = state;
}

/*
 * pasidnic_mbox.c: write @val to register @off of physical function @p
 * through its mailbox slot and wait (bounded) until the device applied it.
 * A queue register's caller holds pnic_qlock(); a device register is the
 * primary's. 0, or (logged, naming the port and the register) -ETIMEDOUT
 * (the device did not acknowledge), -EPERM (a device register in a
 * secondary), -EINVAL (no such register), -errno of the BAR0 access.
 */
int pnic_mbox_wr(const struct pnic_port *p, uint32_t off, uint32_t val);

/*
 * BAR0 access (control path): 32-bit pread/pwrite on this process's device
 * fd; on a physical function, a read returns the register file the device
 * published and a write goes through the register's mailbox (pnic_mbox_wr()).
 */
static inline uint32_t
pnic_rd(const struct pnic_port *p, uint32_t off)
{
	uint32_t v = UINT32_MAX;

	if (pread(pnic_proc(p)->fd, &v, sizeof(v), p->bar0 + off) != sizeof(v))
		return UINT32_MAX;
	return rte_le_to_cpu_32(v);
}

/* Write @val to register @off: 0, or -errno after a message. */
static inline int
pnic_wr(const struct pnic_port *p, uint32_t off, uint32_t val)
{
	uint32_t v = rte_cpu_to_le_32(val);

	if (p->phys)
		return pnic_mbox_wr(p, off, val);
	if (pwrite(pnic_proc(p)->fd, &v, sizeof(v), p->bar0 + off) != sizeof(v)) {
		PNIC_LOG(ERR, "BAR0 write of %#x at %#x failed", val, off);
		return -EIO;
	}
	return 0;
}

static inline uint32_t
pnic_qrd(const struct pnic_port *p, unsigned int q, uint32_t reg)
{
	return pnic_rd(p, PNIC_QREG(q, reg));
}

/* Write queue @q's register @reg, with pnic_qlock() held: pnic_wr(). */
static inline int
pnic_qwr(const struct pnic_port *p, unsigned int q, uint32_t reg, uint32_t val)
{
	return pnic_wr(p, PNIC_QREG(q, reg), val);
}

/*
 * Publish a new tail of device queue @hwq (doc/pasidnic.md §5): descriptors
 * are written, store the tail in this process's doorbell mapping, full
 * barrier, and kick only when the engine of its queue pair says it sleeps
 * (KICK takes a mask of queue pairs). The kick is the one
 * system call of the data path, made only while the device is idle (it
 * stands for a doorbell MMIO write of real hardware). A physical function's
 * engines read RUNNING always: it polls its doorbells and is never kicked.
 */
static inline uint64_t
pnic_publish(const struct pnic_port *p, unsigned int hwq, uint32_t tail)
{
	const struct pnic_proc *pp = pnic_proc(p);
	volatile uint32_t *db_tail = (volatile uint32_t *)(pp->db + PNIC_DB_TAIL(hwq));
	volatile uint32_t *db_engine =
		(volatile uint32_t *)(pp->db + PNIC_DB_ENGINE(hwq / 2));
	uint32_t qp_mask = rte_cpu_to_le_32(1u << (hwq / 2));

	rte_wmb();
	*db_tail = rte_cpu_to_le_32(tail);
	rte_smp_mb();
	if (rte_le_to_cpu_32(*db_engine) == PNIC_ENGINE_SLEEPING) {
		if (pwrite(pp->fd, &qp_mask, sizeof(qp_mask), p->bar0 + PNIC_REG_KICK) !=
		    sizeof(qp_mask))
			return 0;
		return 1;
	}
	return 0;
}

/* Post mbuf @m in RX slot @slot: the device may write a frame into it. */
static inline void
pnic_rx_post(struct pnic_rxq *rxq, uint32_t slot, struct rte_mbuf *m)
{
	volatile struct pnic_desc *d = &rxq->q.ring[slot];

	rxq->q.sw_ring[slot] = m;
	d->addr = rte_cpu_to_le_64(m->buf_iova + RTE_PKTMBUF_HEADROOM);
	d->len = rte_cpu_to_le_32(rxq->buf_len);
	d->status = 0;
	d->rsvd = 0;
}

/* pasidnic_rxtx.c: the fast path */
uint16_t pnic_recv(void *rxq, struct rte_mbuf **pkts, uint16_t n);
uint16_t pnic_xmit(void *txq, struct rte_mbuf **pkts, uint16_t n);
pasid_rx_queue_count_t pnic_rx_queue_count(void *rxq);

/*
 * pasidnic_queue_setup.c: the ethdev queue set-up ops. 0, or -EINVAL (@qid is
 * not a queue pair of the device, unlogged: ethdev checked it; RX mbufs too
 * small), -ENXIO (the queue pair's domain was destroyed), -ENOMEM, -EBUSY
 * (another process that still runs owns the queue), after a message.
 */
int pnic_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			unsigned int socket_id, const struct rte_eth_rxconf *conf,
			struct rte_mempool *mp);
int pnic_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			unsigned int socket_id, const struct rte_eth_txconf *conf);

/* pasidnic_queue.c: the *_locked functions run with pnic_qlock() held */
void pnic_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid);
void pnic_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid);
int pnic_rx_queue_start(struct rte_eth_dev *dev, uint16_t qid);
int pnic_rx_queue_stop(struct rte_eth_dev *dev, uint16_t qid);
int pnic_tx_queue_start(struct rte_eth_dev *dev, uint16_t qid);
int pnic_tx_queue_stop(struct rte_eth_dev *dev, uint16_t qid);
int pnic_rx_intr_enable(struct rte_eth_dev *dev, uint16_t qid);
int pnic_rx_intr_disable(struct rte_eth_dev *dev, uint16_t qid);
/*
 * RX interrupts on a physical function (it raises no interrupt): -ENOTSUP,
 * logged naming @what (the request). 0 on an mdev port.
 */
int pnic_rx_intr_supported(const struct rte_eth_dev *dev, const char *what);
/*
 * Start (@start) or stop queue @qid of direction @dir: the ethdev ops of
 * either direction. 0, or -EINVAL (not set up), -EPERM (start: another
 * process owns it), -ENOMEM (start: the RX pool is short), -EIO.
 */
int pnic_q_start_stop(struct rte_eth_dev *dev, unsigned int dir, uint16_t qid, bool start);
/*
 * Release queue @qid of direction @dir and clear its slot: its owner frees
 * everything; for an owner that has exited, the device queue is reset and
 * what is in DPDK's main memory freed. A queue of another process that still
 * runs is kept aside (ethdev clears the slot whatever the op does) and put
 * back at the next set-up, which it refuses. Returns false when kept.
 */
bool pnic_q_release_locked(struct rte_eth_dev *dev, unsigned int dir, uint16_t qid);
void pnic_q_release(struct rte_eth_dev *dev, unsigned int dir, uint16_t qid);
/*
 * Call @fn for every queue that is set up, RX queues first, then TX queues,
 * in queue order. @fn may release the queue. Takes no lock.
 */
typedef void (*pnic_queue_fn)(struct rte_eth_dev *dev, struct pnic_qbase *q, void *arg);
void pnic_foreach_queue(struct rte_eth_dev *dev, pnic_queue_fn fn, void *arg);

/* pasidnic_intr.c */
int pnic_link_update(struct rte_eth_dev *dev, int wait);
/*
 * Primary: enable link and fault events: MSI-X and the misc interrupt, or on
 * a physical function (no interrupts) an alarm polling IRQ_CAUSE. 0 or -errno.
 */
int pnic_intr_on(struct pnic_port *p);
/* Undo pnic_intr_on(): once it returns, no handler or poll of the port runs or is pending. */
void pnic_intr_off(struct pnic_port *p);

/* pasidnic_stats.c: the ethdev ops */
pasid_eth_stats_get_fn pnic_stats_get;
int pnic_stats_reset(struct rte_eth_dev *dev);
int pnic_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			  unsigned int size);
int pnic_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int size);
int pnic_xstats_reset(struct rte_eth_dev *dev);

/* pasidnic_mp.c */
/*
 * Release both queues of pair @qid and forget its domain
 * (rte_pmd_pasidnic_queue_pair_release). 0, -EINVAL or -EBUSY (another
 * process that still runs owns them).
 */
int pnic_queue_pair_release(struct rte_eth_dev *dev, uint16_t qid);
/* Release the queue pairs this process set up (a secondary's close). */
void pnic_queue_pairs_release_own(struct rte_eth_dev *dev);
/*
 * The primary closes port @port_id (true) or probed it (false): from then
 * on the bus's quiesce_domain op leaves the port alone, or acts on it.
 */
void pnic_closing_set(uint16_t port_id, bool closing);
/* The bus's quiesce_domain op (struct rte_iommufd_driver). */
int pnic_quiesce_domain(struct rte_iommufd_device *idev, uint32_t pasid);

/* pasidnic_leave.c (doc/multi_process.md, "Primary exit, stop, close and unplug") */
/* This process's port of @dev (still valid in a worker once the primary has gone), or NULL. */
struct pnic_port *pnic_port_of(const struct rte_eth_dev *dev);
/* Has the primary closed or removed the port? (An atomic read; exact under pnic_qlock().) */
bool pnic_gone(const struct pnic_port *p);
/* Primary probe: the shared leave state. 0 or -ENOMEM. */
int pnic_leave_init(struct rte_eth_dev *dev, int socket);
/* Primary close (or a failed probe): forget the port here; free the leave state unless @keep. */
void pnic_leave_done(struct rte_eth_dev *dev, struct pnic_port *p, bool keep);
/* Secondary probe: register this process. 0, -ENODEV (the port goes), -ENOSPC, -errno. */
int pnic_user_attach(struct rte_eth_dev *dev);
/*
 * Secondary close, after pnic_queue_pairs_release_own(): unregister this
 * process; from then on it does not touch the port's shared data.
 */
void pnic_user_detach(struct rte_eth_dev *dev);
/*
 * Under pnic_qlock(), once the primary kept the port for live workers: free
 * this process's queues of pair @qid. False when nothing was kept (use ethdev's data).
 */
bool pnic_kept_release_own_locked(struct rte_eth_dev *dev, struct pnic_port *p, uint16_t qid);
/* Primary: 0, or -EBUSY (logged, naming @what) when a live worker owns a queue. */
int pnic_busy(struct rte_eth_dev *dev, const char *what);
/* Primary close/remove: mark the port gone, tell the workers, wait for them (bounded). */
void pnic_leave(struct rte_eth_dev *dev, const char *why);
/*
 * Primary close, under pnic_qlock(), after the queues of this process and of
 * exited ones are released: when workers are still attached, take the port's
 * shared structures away from ethdev (kept for them) and return true.
 */
bool pnic_leave_keep_locked(struct rte_eth_dev *dev);

/* pasidnic_selftest.c: the bus's dma_selftest op (struct rte_iommufd_driver) */
int pnic_dma_selftest(struct rte_iommufd_device *idev, struct rte_iommufd_dma_test *t);

/* pasidnic_port.c */
/* The port's ethdev ops: what makes an ethdev port a pasidnic port. */
extern const struct eth_dev_ops pnic_eth_ops;
/*
 * Free this process's part of the port (dev->process_private, struct
 * pnic_proc) and clear the pointer; ethdev's release_port only clears it.
 * Cannot fail; safe when the port has none (free(NULL)).
 */
void pnic_proc_free(struct rte_eth_dev *dev);

#endif /* PASIDNIC_H */
