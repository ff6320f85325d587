/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pasidnic: an emulated PASID-capable NIC exposed as a vfio mdev device.
 * Internal definitions shared by the module's source files.
 */
#ifndef PASIDNIC_H
#define PASIDNIC_H

#include <linux/eventfd.h>
#include <linux/kthread.h>
#include <linux/mdev.h>
#include <linux/mutex.h>
#include <linux/seqlock.h>
#include <linux/spinlock.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/vfio.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include "pasidnic_dma.h"
#include "pasidnic_regs.h"

#define PNIC_NAME		"pasidnic"
#define PNIC_OFFSET_SHIFT	40
#define PNIC_OFFSET_TO_INDEX(off)	((off) >> PNIC_OFFSET_SHIFT)
#define PNIC_INDEX_TO_OFFSET(idx)	((u64)(idx) << PNIC_OFFSET_SHIFT)
#define PNIC_OFFSET_MASK	((1ULL << PNIC_OFFSET_SHIFT) - 1)

/* Frames the kernel stack sent that wait for the engine (netdev backend). */
#define PNIC_NETDEV_BACKLOG	256
/* Descriptors handled per queue per engine pass. */
#define PNIC_BUDGET		64

extern unsigned int pnic_pasid_width;

struct pnic_dev;
struct pnic_eventfd;
struct pnic_qp;

/* struct pnic_as states: may a DMA start? */
enum pnic_as_state {
	PNIC_AS_ACTIVE,		/* yes */
	PNIC_AS_CHANGING,	/* not now: the IOAS is being replaced */
	PNIC_AS_GONE,		/* no: detached (the DMA faults) */
};

/**
 * struct pnic_as - an address space DMA can be tagged with: the RID or one
 *	attached PASID, each with its own iommufd access.
 * @pdev: the device.
 * @pasid: the PASID number (0: the RID).
 * @ioas_id: the IOAS the access is attached to.
 * @access: the iommufd access every DMA of this address space goes through.
 * @state: enum pnic_as_state; under pdev->as_lock.
 * @users: engine threads inside a DMA of this address space (see
 *	pnic_as_get()); attach, replace and detach wait for it to drop to 0.
 * @waiters: engines that found it CHANGING and have not yet had a pass
 *	after the change (under pdev->as_lock); the next change waits for it
 *	to drop to 0, so a stream of replaces cannot starve an engine.
 * @hurry: a change waits for @waiters: their passes interrupt themselves
 *	(SIGKILL) so that none blocks in a fault (under pdev->as_lock).
 * @dma: the engine's view of it (pasidnic_dma.h).
 */
struct pnic_as {
	struct pnic_dev *pdev;
	u32 pasid;
	u32 ioas_id;
	struct iommufd_access *access;
	enum pnic_as_state state;
	atomic_t users;
	unsigned int waiters;
	bool hurry;
	struct pnic_dma *dma;
};

/**
 * struct pnic_queue - device state of one RX or TX queue.
 * @base: ring IOVA.
 * @size: ring entries.
 * @pasid: PASID register (number and PNIC_Q_PASID_EN).
 * @ctrl: control register.
 * @state: PNIC_Q_STATE_*.
 * @head: device consumer index (free running).
 * @pkts: frames completed.
 * @bytes: bytes completed.
 * @faults: faults seen.
 * @drops: frames dropped (RX without a free descriptor).
 * @fault_iova: IOVA of the last fault.
 * @ring_lock: held while the ring is pinned, used or unpinned; never
 *	across a buffer copy. The .unmap callbacks take it.
 * @head_seq: a write-back of descriptors and the @head move that follows
 *	it are one step for a register read of HEAD (under @ring_lock).
 * @ring_spin: protects @ring_owner, which the .unmap callbacks read first.
 * @ring_owner: the access that pinned (or is pinning) the ring, else NULL.
 * @ring_pages: the pinned pages of the ring (NULL: not pinned).
 * @ring_npages: how many.
 * @ring_va: their kernel mapping.
 * @ring_iova: first pinned IOVA (page aligned).
 * @ring_len: pinned length.
 *
 * Configuration (@base .. @head) changes under the queue pair's lock;
 * counters are written by the queue pair's engine under that lock and read
 * lock-free (READ_ONCE) by register reads.
 */
struct pnic_queue {
	u64 base;
	u32 size;
	u32 pasid;
	u32 ctrl;
	u32 state;
	u32 head;
	u64 pkts;
	u64 bytes;
	u32 faults;
	u32 drops;
	u64 fault_iova;
	struct mutex ring_lock;	/* ring pin state and use */
	seqcount_mutex_t head_seq;
	spinlock_t ring_spin;	/* @ring_owner */
	struct iommufd_access *ring_owner;
	struct page **ring_pages;
	unsigned int ring_npages;
	void *ring_va;
	u64 ring_iova;
	u64 ring_len;
};

/**
 * struct pnic_qp - one queue pair's engine: RX queue 2n, TX queue 2n + 1.
 * @pdev: the device.
 * @qp: its number.
 * @lock: the queue pair's DMA and configuration: held by its engine across
 *	a pass, by writes of its queues' registers and by resets. Outside
 *	@pdev->lock.
 * @task: the engine thread (a reference is held while the device is open).
 * @wq: where the engine sleeps when idle.
 * @kicked: set by a kick, consumed by the engine.
 * @dying: the device closes: the engine does no more DMA.
 * @wakeups: times the engine woke from sleep.
 * @cur: the address spaces (RX, TX) the engine holds a reference on in
 *	this pass (under @pdev->as_lock), so a detach can interrupt its DMA.
 * @waits: the address space the engine found CHANGING (counted in its
 *	@waiters); the engine sleeps until the change ends (under as_lock).
 * @turn: @waits of the previous pass: this pass is its turn, and ends it.
 * @buf: frame buffer of the engine.
 * @desc: descriptors read in one batch.
 */
struct pnic_qp {
	struct pnic_dev *pdev;
	unsigned int qp;
	struct mutex lock;	/* the queue pair's DMA and configuration */
	struct task_struct *task;
	wait_queue_head_t wq;
	atomic_t kicked;
	bool dying;
	atomic_t wakeups;
	struct pnic_as *cur[2];
	struct pnic_as *waits;
	struct pnic_as *turn;
	void *buf;
	struct pnic_desc desc[PNIC_BUDGET];
};

/**
 * struct pnic_dev - one emulated NIC port (one mdev instance).
 * @vdev: the vfio device.
 * @nqp: queue pairs.
 * @lock: device registers (control, interrupt cause and mask, the fault
 *	latch, MAC), config space and @ictx. Short: never held across DMA, a
 *	page fault or a network-stack call; nests inside a queue pair's lock.
 * @as_lock: the address-space states and users (struct pnic_as), and the
 *	membership of @pasids as the engines see it.
 * @as_wq: engines waiting for the end of an address-space change.
 * @cfg: emulated config space.
 * @bar_mask: BAR size masks, for sizing.
 * @dev_ctrl: PNIC_REG_DEV_CTRL.
 * @irq_cause: PNIC_REG_IRQ_CAUSE.
 * @irq_mask: PNIC_REG_IRQ_MASK.
 * @fault_count: PNIC_REG_FAULT_COUNT.
 * @fault_info: PNIC_REG_FAULT_INFO.
 * @fault_pasid: PNIC_REG_FAULT_PASID.
 * @fault_errno: PNIC_REG_FAULT_ERRNO.
 * @fault_iova: PNIC_REG_FAULT_IOVA_*.
 * @mac: station address.
 * @q: queues, RX even and TX odd.
 * @qps: queue pairs and their engines.
 * @ictx: the iommufd context from bind (NULL when unbound).
 * @rid: the RID's address space.
 * @pasids: attached PASIDs (struct pnic_as), indexed by number.
 * @db_page: the doorbell page (BAR2).
 * @db: its kernel mapping.
 * @irq_lock: serialises the writers of the routings below (SET_IRQS, close).
 * @msix: MSI-X routings to eventfds (RCU; struct pnic_eventfd is private to
 *	pasidnic_irq.c).
 * @msix_enabled: MSI-X enabled by SET_IRQS (vfio-pci's irq_type MSI-X).
 * @err_trigger: the error routing (RCU; never signalled by the device).
 * @req_trigger: the device request routing (RCU).
 * @netdev: the kernel network interface of this port.
 * @netdev_rxq: frames from the stack waiting for an RX descriptor.
 */
struct pnic_dev {
	struct vfio_device vdev;
	unsigned int nqp;
	struct mutex lock;	/* registers, config space; never across DMA */
	spinlock_t as_lock;	/* struct pnic_as state and users */
	wait_queue_head_t as_wq;

	u8 cfg[PNIC_CFG_SIZE];
	u32 bar_mask[6];

	u32 dev_ctrl;
	u32 irq_cause;
	u32 irq_mask;
	u32 fault_count;
	u32 fault_info;
	u32 fault_pasid;
	u32 fault_errno;
	u64 fault_iova;
	u8 mac[ETH_ALEN];
	struct pnic_queue q[PNIC_MAX_QUEUES];
	struct pnic_qp qps[PNIC_MAX_QP];

	struct iommufd_ctx *ictx;
	struct pnic_as rid;
	struct xarray pasids;

	struct page *db_page;
	u8 *db;

	struct mutex irq_lock;	/* writers of the routings */
	struct pnic_eventfd __rcu *msix[PNIC_NUM_VECS(PNIC_MAX_QP)];
	bool msix_enabled;
	struct pnic_eventfd __rcu *err_trigger;
	struct pnic_eventfd __rcu *req_trigger;

	struct net_device *netdev;
	struct sk_buff_head netdev_rxq;
};

static inline struct pnic_dev *vdev_to_pnic(struct vfio_device *vdev)
{
	return container_of(vdev, struct pnic_dev, vdev);
}

/* The doorbell page (BAR2), shared with the drivers' mappings. */
static inline u32 *pnic_db32(struct pnic_dev *pdev, unsigned int off)
{
	return (u32 *)(pdev->db + off);
}

static inline u32 pnic_db_tail(struct pnic_dev *pdev, unsigned int qn)
{
	return le32_to_cpu(READ_ONCE(*pnic_db32(pdev, PNIC_DB_TAIL(qn))));
}

static inline void pnic_db_set(struct pnic_dev *pdev, unsigned int off, u32 val)
{
	WRITE_ONCE(*pnic_db32(pdev, off), cpu_to_le32(val));
}

/* pasidnic_cfg.c: PCI config space */
void pnic_cfg_init(struct pnic_dev *pdev);
void pnic_cfg_reset(struct pnic_dev *pdev);
int pnic_cfg_rw(struct pnic_dev *pdev, u8 *buf, size_t count, loff_t pos,
		bool is_write);
bool pnic_cfg_bus_master(struct pnic_dev *pdev);
bool pnic_cfg_pasid_enabled(struct pnic_dev *pdev);

/* Does the device do DMA (enabled and bus master)? */
static inline bool pnic_dev_active(struct pnic_dev *pdev)
{
	return (READ_ONCE(pdev->dev_ctrl) & PNIC_DEV_CTRL_ENABLE) &&
	       pnic_cfg_bus_master(pdev);
}

/* pasidnic_pasid.c: iommufd binding, the RID and the PASID table */
int pnic_bind_iommufd(struct vfio_device *vdev, struct iommufd_ctx *ictx,
		      u32 *out_device_id);
void pnic_unbind_iommufd(struct vfio_device *vdev);
int pnic_attach_ioas(struct vfio_device *vdev, u32 *pt_id);
void pnic_detach_ioas(struct vfio_device *vdev);
int pnic_pasid_attach_ioas(struct vfio_device *vdev, u32 pasid, u32 *pt_id);
void pnic_pasid_detach_ioas(struct vfio_device *vdev, u32 pasid);
void pnic_rid_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length);
struct pnic_as *pnic_as_get(struct pnic_qp *qpx, unsigned int dir, u32 qpasid);
void pnic_as_pass_begin(struct pnic_qp *qpx);
void pnic_as_pass_end(struct pnic_qp *qpx);
bool pnic_as_wait_change(struct pnic_qp *qpx);
void pnic_as_engine_gone(struct pnic_qp *qpx);

/* pasidnic_ring.c: descriptor rings */
void pnic_ring_release(struct pnic_queue *q);
void pnic_ring_unmap(struct pnic_dev *pdev, struct iommufd_access *access,
		     u64 iova, u64 length);
int pnic_desc_read(struct pnic_queue *q, struct pnic_as *as, u32 idx,
		   struct pnic_desc *d, unsigned int n, u64 *fault_iova);
int pnic_desc_write_back(struct pnic_queue *q, struct pnic_as *as, u32 idx,
			 const struct pnic_desc *d, unsigned int n,
			 u64 *fault_iova);

/* pasidnic_regs.c: BAR0 register decode */
int pnic_regs_reset(struct pnic_dev *pdev, bool killable);
int pnic_reg_read(struct pnic_dev *pdev, u32 off, u32 *val);
int pnic_reg_write(struct pnic_dev *pdev, u32 off, u32 val);

/* pasidnic_engine.c: the engine threads */
int pnic_engine_start(struct pnic_dev *pdev);
void pnic_engine_stop(struct pnic_dev *pdev);
int pnic_qp_lock_abort(struct pnic_qp *qpx);
void pnic_raise(struct pnic_dev *pdev, u32 cause);

/* pasidnic_datapath.c: TX and RX of one queue pair */
bool pnic_qp_pass(struct pnic_qp *qpx, struct sk_buff_head *to_stack);
bool pnic_qp_has_work(struct pnic_qp *qpx);

/**
 * pnic_engine_kick() - wake the engines of the queue pairs in @mask.
 * @pdev: the device.
 * @mask: bit n wakes queue pair n's engine; 0 wakes every engine.
 *
 * Context: any; never sleeps (a KICK register write does only this).
 */
static inline void pnic_engine_kick(struct pnic_dev *pdev, u32 mask)
{
	unsigned int i;

	if (!mask)
		mask = ~0U;
	for (i = 0; i < pdev->nqp; i++) {
		if (!(mask & BIT(i)))
			continue;
		atomic_set(&pdev->qps[i].kicked, 1);
		wake_up(&pdev->qps[i].wq);
	}
}

/* pasidnic_irq.c: interrupts */
long pnic_ioctl_get_irq_info(struct pnic_dev *pdev,
			     struct vfio_irq_info __user *uarg);
long pnic_ioctl_set_irqs(struct pnic_dev *pdev, struct vfio_irq_set __user *uarg);
void pnic_irq_disable_all(struct pnic_dev *pdev);
void pnic_irq_fire(struct pnic_dev *pdev, unsigned int vec);
void pnic_irq_request(struct pnic_dev *pdev, unsigned int count);
void pnic_irq_exit(void);

/* pasidnic_backend.c: the netdev backend */
u32 pnic_backend(struct pnic_dev *pdev);
void pnic_netdev_rx_prepare(struct pnic_dev *pdev, struct sk_buff_head *list,
			    const void *buf, unsigned int len);
void pnic_netdev_rx(struct pnic_dev *pdev, struct sk_buff_head *list);
int pnic_netdev_create(struct pnic_dev *pdev);
void pnic_netdev_destroy(struct pnic_dev *pdev);
void pnic_netdev_link_update(struct pnic_dev *pdev);

#endif /* PASIDNIC_H */
