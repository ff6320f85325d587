/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Link state and the misc interrupt (vector 0, PNIC_VEC_MISC) of a pasidnic
 * port: link changes and DMA faults. A fault is logged with what the device
 * latched (queue, direction, ring or buffer, IOVA, PASID, errno) and every
 * faulted queue is marked: its fast path stops until the queue is stopped
 * and started again (doc/pmd_pasidnic.md, "Faults").
 *
 * A physical function (pasidnic_pci) raises no interrupt: the primary polls
 * IRQ_CAUSE with an EAL alarm every PHYS_POLL_US, on the same (interrupt)
 * thread, and handles what it finds with the misc vector's handler. It has
 * no RX interrupts either.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_alarm.h>
#include <rte_bus_iommufd.h>
#include <rte_cycles.h>
#include <rte_errno.h>

#include <linux/vfio.h>

#include "pasidnic.h"

int
pnic_link_update(struct rte_eth_dev *dev, int wait __rte_unused)
{
	struct pnic_port *p = dev->data->dev_private;
	struct rte_eth_link link;
	uint32_t st = pnic_rd(p, PNIC_REG_DEV_STATUS);

	memset(&link, 0, sizeof(link));
	link.link_status = (st != UINT32_MAX && (st & PNIC_DEV_STATUS_LINK_UP)) ?
			   RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN;
	/* A software device: no line rate (doc/pasidnic.md §11). */
	link.link_speed = link.link_status ? RTE_ETH_SPEED_NUM_UNKNOWN : RTE_ETH_SPEED_NUM_NONE;
	link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	link.link_autoneg = RTE_ETH_LINK_FIXED;
	return rte_eth_linkstatus_set(dev, &link);
}

static_assert(PNIC_MAX_QUEUES <= 32, "pnic_faults_scan() keeps the queues in 32 bits");

/* How long the interrupt thread waits before it tries the queue lock again. */
#define FAULT_RETRY_US 10000
/* Period of the event poll of a physical function. */
#define PHYS_POLL_US 100000

/* Is device queue @hwq in FAULTED? */
static bool
hwq_faulted(const struct pnic_port *p, unsigned int hwq)
{
	return (pnic_qrd(p, hwq, PNIC_Q_STATUS) & PNIC_Q_STATE_MASK) == PNIC_Q_STATE_FAULTED;
}

/*
 * Mark @q when the device put it in FAULTED: the fast path then stops using
 * it. @arg: the device queues seen FAULTED before the lock was taken (a
 * bitmap); only those are read again, under the lock (a queue may have been
 * restarted in between), so that the common case reads no register there.
 */
static void
fault_check(struct rte_eth_dev *dev, struct pnic_qbase *q, void *arg)
{
	struct pnic_port *p = dev->data->dev_private;
	const uint32_t *seen = arg;

	if (!q->started || q->faulted || !(*seen & (UINT32_C(1) << q->hwq)))
		return;
	if (!hwq_faulted(p, q->hwq))
		return;
	q->faulted = 1;
	PNIC_LOG(ERR, "port %u: %s queue %u faulted at IOVA %#llx"
		 " (PASID %d): stop and start the queue to recover",
		 dev->data->port_id, pnic_dir_name(q->dir), q->queue_id,
		 (unsigned long long)pnic_qrd(p, q->hwq, PNIC_Q_FAULT_IOVA_HI) << 32 |
		 pnic_qrd(p, q->hwq, PNIC_Q_FAULT_IOVA_LO), q->pasid);
}

static void pnic_fault_retry(void *arg);

/*
 * Find and mark every faulted queue, on the EAL interrupt thread, which must
 * never wait on a lock a worker can hold: the device queues are read
 * unlocked, and when the lock is busy, an alarm tries again later.
 */
static void
pnic_faults_scan(struct rte_eth_dev *dev)
{
	struct pnic_port *p = dev->data->dev_private;
	uint32_t seen = 0;
	unsigned int hwq;

	for (hwq = 0; hwq < 2 * p->nb_qp; hwq++)
		if (hwq_faulted(p, hwq))
			seen |= UINT32_C(1) << hwq;
	if (seen == 0)
		return;
	if (pnic_qtrylock(p) < 0) {
		if (rte_eal_alarm_set(FAULT_RETRY_US, pnic_fault_retry, dev) != 0)
			PNIC_LOG(ERR, "port %u: cannot set an alarm to look for faulted queues "
				 "again: they are marked at the next fault interrupt",
				 dev->data->port_id);
		return;
	}
	pnic_foreach_queue(dev, fault_check, &seen);
	pnic_qunlock(p);
}

static void
pnic_fault_retry(void *arg)
{
	pnic_faults_scan(arg);
}

/* Log the latched fault, acknowledge it, find every faulted queue. */
static void
pnic_fault_handle(struct rte_eth_dev *dev)
{
	struct pnic_port *p = dev->data->dev_private;
	uint32_t info = pnic_rd(p, PNIC_REG_FAULT_INFO);

	if (info != UINT32_MAX && (info & PNIC_FAULT_INFO_VALID)) {
		unsigned int q = info & PNIC_FAULT_INFO_QUEUE_MASK;
		uint64_t iova = (uint64_t)pnic_rd(p, PNIC_REG_FAULT_IOVA_HI) << 32 |
				pnic_rd(p, PNIC_REG_FAULT_IOVA_LO);
		int err = (int)pnic_rd(p, PNIC_REG_FAULT_ERRNO);
		char pasid[24] = "RID";

		if (info & PNIC_FAULT_INFO_PASID_VALID)
			snprintf(pasid, sizeof(pasid), "PASID %u",
				 pnic_rd(p, PNIC_REG_FAULT_PASID));
		PNIC_LOG(ERR, "port %u: DMA fault: %s queue %u, %s %s at IOVA %#llx"
			 ", %s: %s", dev->data->port_id, pnic_dir_name(q & 1), q / 2,
			 info & PNIC_FAULT_INFO_WRITE ? "write to" : "read of",
			 info & PNIC_FAULT_INFO_BUFFER ? "buffer" : "ring",
			 (unsigned long long)iova, pasid, strerror(err));
		pnic_wr(p, PNIC_REG_FAULT_INFO, PNIC_FAULT_INFO_VALID);
	}
	/* Every faulted queue, against queue start/stop/release on the control thread. */
	pnic_faults_scan(dev);
}

/* Vector 0 (PNIC_VEC_MISC): link changes and faults. */
static void
pnic_misc_intr(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct pnic_port *p = dev->data->dev_private;
	uint32_t cause = pnic_rd(p, PNIC_REG_IRQ_CAUSE);

	if (cause == UINT32_MAX || cause == 0)
		return;
	pnic_wr(p, PNIC_REG_IRQ_CAUSE, cause);
	if (cause & PNIC_IRQ_FAULT)
		pnic_fault_handle(dev);
	if ((cause & PNIC_IRQ_LINK) && pnic_link_update(dev, 0) == 0)
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
}

/*
 * The event poll of physical functions, per port of this process (the
 * primary): whether it runs. Not in the port's shared data, which close
 * frees: a poll that runs while the port closes (its alarm cannot be
 * cancelled from inside it, an application's LSC callback may close the port)
 * reads this before it sets itself again.
 */
static bool phys_poll_on[RTE_MAX_ETHPORTS];

/* One poll of a physical function's IRQ_CAUSE, as the misc vector; again in PHYS_POLL_US. */
static void
pnic_phys_poll(void *arg)
{
	struct rte_eth_dev *dev = arg;
	uint16_t port_id = (uint16_t)(dev - rte_eth_devices);

	if (!__atomic_load_n(&phys_poll_on[port_id], __ATOMIC_ACQUIRE))
		return;
	pnic_misc_intr(dev);
	if (__atomic_load_n(&phys_poll_on[port_id], __ATOMIC_ACQUIRE) &&
	    rte_eal_alarm_set(PHYS_POLL_US, pnic_phys_poll, dev) != 0)
		PNIC_LOG(ERR, "port %u: cannot set the event poll's alarm again: %s; link and "
			 "fault events of this physical function are no longer seen", port_id,
			 rte_strerror(rte_errno));
}

/* A physical function: no vectors; poll IRQ_CAUSE (the interrupt thread runs the alarm). */
static int
phys_poll_on_start(struct pnic_port *p)
{
	struct rte_eth_dev *dev = pnic_proc(p)->eth_dev;

	__atomic_store_n(&phys_poll_on[p->port_id], true, __ATOMIC_RELEASE);
	if (rte_eal_alarm_set(PHYS_POLL_US, pnic_phys_poll, dev) != 0) {
		__atomic_store_n(&phys_poll_on[p->port_id], false, __ATOMIC_RELEASE);
		PNIC_LOG(ERR, "%s: cannot set the alarm that polls link and fault events of "
			 "the physical function: %s", p->name, rte_strerror(rte_errno));
		return -rte_errno;
	}
	return 0;
}

int
pnic_intr_on(struct pnic_port *p)
{
	struct rte_iommufd_device *idev = pnic_proc(p)->idev;
	int ret;

	if (p->phys) {
		/* Cause and mask as on mdev ports, before the first poll reads them. */
		pnic_wr(p, PNIC_REG_IRQ_CAUSE, PNIC_IRQ_LINK | PNIC_IRQ_FAULT);
		pnic_wr(p, PNIC_REG_IRQ_MASK, PNIC_IRQ_LINK | PNIC_IRQ_FAULT);
		ret = phys_poll_on_start(p);
		if (ret < 0)
			return ret;
		p->intr_on = true;
		return 0;
	}
	if (rte_iommufd_intr_enable(idev, VFIO_PCI_MSIX_IRQ_INDEX, PNIC_NUM_VECS(p->nb_qp))) {
		PNIC_LOG(ERR, "%s: cannot enable %u MSI-X vectors: %s", idev->name,
			 PNIC_NUM_VECS(p->nb_qp), rte_strerror(rte_errno));
		return -rte_errno;
	}
	if (rte_intr_callback_register(idev->intr_handle, pnic_misc_intr, pnic_proc(p)->eth_dev)) {
		rte_iommufd_intr_disable(idev);
		return -EIO;
	}
	pnic_wr(p, PNIC_REG_IRQ_CAUSE, PNIC_IRQ_LINK | PNIC_IRQ_FAULT);
	pnic_wr(p, PNIC_REG_IRQ_MASK, PNIC_IRQ_LINK | PNIC_IRQ_FAULT);
	p->intr_on = true;
	return 0;
}

void
pnic_intr_off(struct pnic_port *p)
{
	struct pnic_proc *pp = pnic_proc(p);
	int ret;

	if (!p->intr_on)
		return;
	pnic_wr(p, PNIC_REG_IRQ_MASK, 0);
	if (p->phys) {
		__atomic_store_n(&phys_poll_on[p->port_id], false, __ATOMIC_RELEASE);
		/* Waits for a poll running on another thread; one it set again goes too. */
		rte_eal_alarm_cancel(pnic_phys_poll, pp->eth_dev);
	} else {
		do {
			ret = rte_intr_callback_unregister(pp->idev->intr_handle, pnic_misc_intr,
							   pp->eth_dev);
			if (ret == -EAGAIN)
				rte_delay_ms(1);
		} while (ret == -EAGAIN);
	}
	/* After the callback: it may have set one. */
	rte_eal_alarm_cancel(pnic_fault_retry, pp->eth_dev);
	if (!p->phys)
		rte_iommufd_intr_disable(pp->idev);
	p->intr_on = false;
}
