/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_pasidnic internals: the port, its queues and register access.
 * The device's programming interface is kernel/linux/pasidnic/uapi/pasidnic_regs.h
 * (doc/pasidnic.md); this driver uses its names only.
 */
#ifndef PASIDNIC_H
#define PASIDNIC_H

#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include <ethdev_driver.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_spinlock.h>

#include "bus_iommufd_driver.h"
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

/* An RX queue. The fast-path fields come first. */
struct pnic_rxq {
	volatile struct pnic_desc *ring;
	struct rte_mbuf **sw_ring;     /* mbuf posted in each slot */
	struct rte_mempool *mp;
	struct pnic_port *port;
	uint32_t head;                 /* next descriptor the device completes */
	uint32_t tail;                 /* descriptors posted (free-running) */
	uint32_t mask;
	uint16_t buf_len;              /* bytes the device may write per buffer */
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t hwq;                  /* device queue index PNIC_QUEUE(queue_id, PNIC_DIR_RX) */
	volatile uint8_t faulted;      /* set by the fault interrupt */
	bool started;
	bool deferred;                 /* rx_deferred_start */
	/* software counters */
	uint64_t pkts;
	uint64_t bytes;
	uint64_t errors;               /* descriptors completed with ERR */
	uint64_t truncated;            /* frames longer than the buffer (dropped) */
	uint64_t filtered;             /* dropped by the MAC filter (promiscuous off) */
	uint64_t kicks;
	/* control path */
	uint32_t nb_desc;
	rte_iova_t ring_iova;
	int pasid;                     /* 0: the RID */
	pid_t owner;                   /* process that set the queue up */
	uint64_t fault_base;           /* FAULTS register at the last xstats reset */
	uint64_t drop_base;
};

/* A TX queue. */
struct pnic_txq {
	volatile struct pnic_desc *ring;
	struct rte_mbuf **sw_ring;
	struct pnic_port *port;
	uint32_t head;                 /* next descriptor to clean */
	uint32_t tail;                 /* descriptors posted */
	uint32_t mask;
	uint32_t nb_desc;
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t hwq;                  /* PNIC_QUEUE(queue_id, PNIC_DIR_TX) */
	volatile uint8_t faulted;
	bool started;
	bool deferred;                 /* tx_deferred_start */
	uint64_t pkts;
	uint64_t bytes;
	uint64_t errors;               /* dropped: chained, too short or too long, ERR */
	uint64_t kicks;
	rte_iova_t ring_iova;
	int pasid;
	pid_t owner;
	uint64_t fault_base;
	uint64_t drop_base;
};

/* Devargs of the driver layer (doc/pmd_pasidnic.md). */
struct pnic_args {
	uint32_t backend;              /* PNIC_BACKEND_* */
};

/* What each process has of a port (dev->process_private). */
struct pnic_proc {
	struct rte_iommufd_device *idev; /* this process's bus device */
	struct rte_eth_dev *eth_dev;
	int fd;                        /* device fd in this process */
	uint8_t *db;                   /* doorbell page (BAR2 mmap) in this process */
	/* PASID domain of each queue pair (rte_pmd_pasidnic_queue_domain_set). */
	struct rte_iommufd_domain *domain[PNIC_MAX_QP];
};

/* Private data of a port, shared by all processes (dev->data->dev_private). */
struct pnic_port {
	char name[RTE_DEV_NAME_MAX_LEN]; /* bus device name, for messages */
	uint16_t port_id;
	uint64_t bar0;                 /* file offset of BAR0 (the same in every process) */
	uint32_t nb_qp;
	uint32_t pasid_width;
	uint32_t caps;
	struct pnic_args args;
	bool intr_on;                  /* the misc callback is registered */
	/* Serialises queue start/stop/release with the fault interrupt (control path only). */
	rte_spinlock_recursive_t qlock;
	bool promisc;
	bool allmulti;
	/* Queues of live processes that ethdev "released" (pnic_rx_queue_release_locked). */
	struct pnic_rxq *rxq_kept[PNIC_MAX_QP];
	struct pnic_txq *txq_kept[PNIC_MAX_QP];
	uint64_t dev_fault_base;
	uint64_t wakeup_base;
	struct rte_ether_addr mac;
};

/* The calling process's view of a port. */
static inline struct pnic_proc *
pnic_proc(const struct pnic_port *p)
{
	return rte_eth_devices[p->port_id].process_private;
}

/* BAR0 access: 32-bit pread/pwrite on this process's device fd (control path). */
static inline uint32_t
pnic_rd(const struct pnic_port *p, uint32_t off)
{
	uint32_t v = UINT32_MAX;

	if (pread(pnic_proc(p)->fd, &v, sizeof(v), p->bar0 + off) != sizeof(v))
		return UINT32_MAX;
	return rte_le_to_cpu_32(v);
}

static inline void
pnic_wr(const struct pnic_port *p, uint32_t off, uint32_t val)
{
	uint32_t v = rte_cpu_to_le_32(val);

	if (pwrite(pnic_proc(p)->fd, &v, sizeof(v), p->bar0 + off) != sizeof(v))
		PNIC_LOG(ERR, "BAR0 write of %#x at %#x failed", val, off);
}

static inline uint32_t
pnic_qrd(const struct pnic_port *p, unsigned int q, uint32_t reg)
{
	return pnic_rd(p, PNIC_QREG(q, reg));
}

static inline void
pnic_qwr(const struct pnic_port *p, unsigned int q, uint32_t reg, uint32_t val)
{
	pnic_wr(p, PNIC_QREG(q, reg), val);
}

/*
 * Publish a new tail of device queue @hwq (doc/pasidnic.md §5): descriptors
 * are written, store the tail in this process's doorbell mapping, full
 * barrier, and kick only when the engine of its queue pair says it sleeps
 * (KICK takes a mask of queue pairs). The kick is the one
 * system call of the data path, made only while the device is idle (it
 * stands for a doorbell MMIO write of real hardware).
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

/* pasidnic_rxtx.c */
uint16_t pnic_recv(void *rxq, struct rte_mbuf **pkts, uint16_t n);
uint16_t pnic_xmit(void *txq, struct rte_mbuf **pkts, uint16_t n);
uint32_t pnic_rx_queue_count(void *rxq);
int pnic_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			unsigned int socket_id, const struct rte_eth_rxconf *conf,
			struct rte_mempool *mp);
int pnic_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			unsigned int socket_id, const struct rte_eth_txconf *conf);
void pnic_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid);
void pnic_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid);
int pnic_rx_queue_start(struct rte_eth_dev *dev, uint16_t qid);
int pnic_rx_queue_stop(struct rte_eth_dev *dev, uint16_t qid);
int pnic_tx_queue_start(struct rte_eth_dev *dev, uint16_t qid);
int pnic_tx_queue_stop(struct rte_eth_dev *dev, uint16_t qid);
int pnic_rx_intr_enable(struct rte_eth_dev *dev, uint16_t qid);
int pnic_rx_intr_disable(struct rte_eth_dev *dev, uint16_t qid);
int pnic_queue_pair_release(struct rte_eth_dev *dev, uint16_t qid);
int pnic_queue_pair_quiesce(struct rte_eth_dev *dev, uint32_t pasid);

#endif /* PASIDNIC_H */
