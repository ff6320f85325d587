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
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/vfio.h>
#include <linux/wait.h>
#include <linux/xarray.h>

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

/**
 * struct pnic_pasid - one attached PASID: its own iommufd access.
 * @pdev: the device.
 * @pasid: the PASID number.
 * @ioas_id: the IOAS the access is attached to.
 * @access: the iommufd access every DMA tagged with @pasid goes through.
 */
struct pnic_pasid {
	struct pnic_dev *pdev;
	u32 pasid;
	u32 ioas_id;
	struct iommufd_access *access;
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
 * @ring_pages: the pinned pages of the ring (NULL: not pinned).
 * @ring_npages: how many.
 * @ring_va: their kernel mapping.
 * @ring_iova: first pinned IOVA (page aligned).
 * @ring_len: pinned length.
 * @ring_access: the access that pinned them.
 * @ring_rid: @ring_access is the RID's.
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
	struct page **ring_pages;
	unsigned int ring_npages;
	void *ring_va;
	u64 ring_iova;
	u64 ring_len;
	struct iommufd_access *ring_access;
	bool ring_rid;
};

/**
 * struct pnic_dev - one emulated NIC port (one mdev instance).
 * @vdev: the vfio device.
 * @nqp: queue pairs.
 * @lock: protects registers, queues, the PASID table and the RID access
 *	state; held by the engine around DMA. Never taken by the access
 *	.unmap callbacks.
 * @pin_lock: protects the pinned rings (struct pnic_queue ring_*); nests
 *	inside @lock; taken by the .unmap callbacks.
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
 * @wakeups: times the engine woke from sleep.
 * @q: queues, RX even and TX odd.
 * @ictx: the iommufd context from bind (NULL when unbound).
 * @pasids: attached PASIDs (struct pnic_pasid), indexed by number.
 * @db_page: the doorbell page (BAR2).
 * @db: its kernel mapping.
 * @engine: the DMA engine thread (only while the device is open).
 * @engine_wq: where the engine sleeps when idle.
 * @kicked: set by a kick, consumed by the engine.
 * @irq_lock: protects @msix and @req_trigger.
 * @msix: MSI-X eventfds.
 * @nvec: vectors enabled.
 * @req_trigger: the device request eventfd.
 * @netdev: the kernel network interface of this port.
 * @netdev_rxq: frames from the stack waiting for an RX descriptor.
 */
struct pnic_dev {
	struct vfio_device vdev;
	unsigned int nqp;
	struct mutex lock;	/* registers, queues, PASIDs; held for DMA */
	struct mutex pin_lock;	/* pinned rings; inside @lock */

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
	u32 wakeups;
	struct pnic_queue q[PNIC_MAX_QUEUES];

	struct iommufd_ctx *ictx;
	struct xarray pasids;

	struct page *db_page;
	u8 *db;

	struct task_struct *engine;
	wait_queue_head_t engine_wq;
	atomic_t kicked;

	struct mutex irq_lock;	/* @msix, @nvec, @req_trigger */
	struct eventfd_ctx *msix[PNIC_NUM_VECS(PNIC_MAX_QP)];
	unsigned int nvec;
	struct eventfd_ctx *req_trigger;

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
	return (pdev->dev_ctrl & PNIC_DEV_CTRL_ENABLE) &&
	       pnic_cfg_bus_master(pdev);
}

/* pasidnic_pasid.c: iommufd binding and the PASID table */
int pnic_bind_iommufd(struct vfio_device *vdev, struct iommufd_ctx *ictx,
		      u32 *out_device_id);
void pnic_unbind_iommufd(struct vfio_device *vdev);
int pnic_attach_ioas(struct vfio_device *vdev, u32 *pt_id);
void pnic_detach_ioas(struct vfio_device *vdev);
int pnic_pasid_attach_ioas(struct vfio_device *vdev, u32 pasid, u32 *pt_id);
void pnic_pasid_detach_ioas(struct vfio_device *vdev, u32 pasid);
void pnic_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length);
struct iommufd_access *pnic_queue_access(struct pnic_dev *pdev,
					 struct pnic_queue *q);
void pnic_ring_unmap(struct pnic_dev *pdev, struct iommufd_access *access,
		     bool rid, u64 iova, u64 length);

/* pasidnic_regs.c: BAR0 register decode */
void pnic_regs_reset(struct pnic_dev *pdev);
u32 pnic_reg_read(struct pnic_dev *pdev, u32 off);
void pnic_reg_write(struct pnic_dev *pdev, u32 off, u32 val);

/* pasidnic_ring.c: descriptor rings */
void pnic_ring_release(struct pnic_dev *pdev, struct pnic_queue *q);
int pnic_desc_rw(struct pnic_dev *pdev, unsigned int qn, u32 idx,
		 struct pnic_desc *d, bool write);

/* pasidnic_engine.c: the DMA engine */
void pnic_raise(struct pnic_dev *pdev, u32 cause);
void pnic_queue_fault(struct pnic_dev *pdev, unsigned int qn, u64 iova,
		      int err, u32 flags);
int pnic_engine_start(struct pnic_dev *pdev);
void pnic_engine_stop(struct pnic_dev *pdev);
void pnic_engine_kick(struct pnic_dev *pdev);
int pnic_rx_deliver(struct pnic_dev *pdev, unsigned int qp, const void *buf,
		    unsigned int len);

/* pasidnic_irq.c: interrupts */
int pnic_set_irqs(struct pnic_dev *pdev, u32 flags, unsigned int index,
		  unsigned int start, unsigned int count, void *data);
void pnic_irq_disable_all(struct pnic_dev *pdev);
void pnic_irq_fire(struct pnic_dev *pdev, unsigned int vec);
void pnic_irq_request(struct pnic_dev *pdev, unsigned int count);

/* pasidnic_backend.c: where transmitted frames go */
int pnic_backend_tx(struct pnic_dev *pdev, unsigned int qp, void *buf,
		    unsigned int len);
bool pnic_backend_rx_pending(struct pnic_dev *pdev);
void pnic_backend_rx_poll(struct pnic_dev *pdev);
int pnic_netdev_create(struct pnic_dev *pdev);
void pnic_netdev_destroy(struct pnic_dev *pdev);
void pnic_netdev_link_update(struct pnic_dev *pdev);

#endif /* PASIDNIC_H */
