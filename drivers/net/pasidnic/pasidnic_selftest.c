/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bus's DMA self-test op (struct rte_iommufd_driver dma_selftest) for
 * conformance runs: one frame through the loopback backend on the port's
 * last queue pair, both queues tagged with the PASID under test, their two
 * descriptors in the caller's work area. The TX queue reads the frame at
 * src_iova, the RX queue writes it at dst_iova; the caller checks where it
 * landed. Only on a port that is not started and whose last queue pair no
 * process has set up; under the queue lock for the whole transfer (bounded
 * by SELFTEST_WAIT_MS), so no queue set-up races it. The device's enable
 * and backend are put back as they were, the two queues reset.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "pasidnic.h"

#define SELFTEST_WAIT_MS 1000
#define SELFTEST_RING 2                  /* descriptors per ring (PNIC_RING_MIN) */
#define SELFTEST_TX_RING_OFF 2048        /* TX ring in the work area; RX at 0 */

/* Reset device queue @hwq and start it on the ring at @ring_iova. 0 or -EIO. */
static int
selftest_q_on(struct pnic_port *p, unsigned int hwq, uint64_t ring_iova, uint32_t pasid)
{
	uint32_t st;

	pnic_qwr(p, hwq, PNIC_Q_CTRL, PNIC_Q_CTRL_RESET);
	pnic_qwr(p, hwq, PNIC_Q_BASE_LO, (uint32_t)ring_iova);
	pnic_qwr(p, hwq, PNIC_Q_BASE_HI, (uint32_t)(ring_iova >> 32));
	pnic_qwr(p, hwq, PNIC_Q_SIZE, SELFTEST_RING);
	pnic_qwr(p, hwq, PNIC_Q_PASID, pasid ? PNIC_Q_PASID_EN | pasid : 0);
	pnic_qwr(p, hwq, PNIC_Q_CTRL, PNIC_Q_CTRL_ENABLE);
	st = pnic_qrd(p, hwq, PNIC_Q_STATUS) & PNIC_Q_STATE_MASK;
	if (st != PNIC_Q_STATE_RUNNING) {
		PNIC_LOG(ERR, "%s: self-test: %s queue %u did not start (state %u)", p->name,
			 pnic_dir_name(hwq & 1), hwq / 2, st);
		return -EIO;
	}
	return 0;
}

/* Did device queue @hwq fault? Then fill in where (and why, when the latched fault is its). */
static bool
selftest_faulted(struct pnic_port *p, unsigned int hwq, struct rte_iommufd_dma_test *t)
{
	uint32_t info;

	if ((pnic_qrd(p, hwq, PNIC_Q_STATUS) & PNIC_Q_STATE_MASK) != PNIC_Q_STATE_FAULTED)
		return false;
	t->fault_iova = (uint64_t)pnic_qrd(p, hwq, PNIC_Q_FAULT_IOVA_HI) << 32 |
			pnic_qrd(p, hwq, PNIC_Q_FAULT_IOVA_LO);
	/* The misc interrupt handler may have acknowledged it already: then no reason. */
	info = pnic_rd(p, PNIC_REG_FAULT_INFO);
	if (info != UINT32_MAX && (info & PNIC_FAULT_INFO_VALID) &&
	    (info & PNIC_FAULT_INFO_QUEUE_MASK) == hwq)
		t->fault_errno = (int)pnic_rd(p, PNIC_REG_FAULT_ERRNO);
	return true;
}

/* The transfer itself, lock held, queue pair @qp free, device state saved. */
static int
selftest_run(struct pnic_port *p, unsigned int qp, struct rte_iommufd_dma_test *t)
{
	unsigned int rxq = PNIC_QUEUE(qp, PNIC_DIR_RX), txq = PNIC_QUEUE(qp, PNIC_DIR_TX);
	volatile struct pnic_desc *rx = t->work;
	volatile struct pnic_desc *tx =
		(volatile struct pnic_desc *)((uint8_t *)t->work + SELFTEST_TX_RING_OFF);
	uint64_t end;
	int ret;

	memset(t->work, 0, RTE_IOMMUFD_DMA_TEST_WORK);
	rx[0].addr = rte_cpu_to_le_64(t->dst_iova);
	rx[0].len = rte_cpu_to_le_32(t->len);
	tx[0].addr = rte_cpu_to_le_64(t->src_iova);
	tx[0].len = rte_cpu_to_le_32(t->len);
	rte_wmb();
	ret = selftest_q_on(p, rxq, t->work_iova, t->pasid);
	if (ret == 0)
		ret = selftest_q_on(p, txq, t->work_iova + SELFTEST_TX_RING_OFF, t->pasid);
	if (ret < 0)
		return ret;
	pnic_wr(p, PNIC_REG_DEV_CTRL, PNIC_DEV_CTRL_ENABLE |
		PNIC_BACKEND_LOOPBACK << PNIC_DEV_CTRL_BACKEND_SHIFT);
	if (!(pnic_rd(p, PNIC_REG_DEV_STATUS) & PNIC_DEV_STATUS_ENABLED)) {
		PNIC_LOG(ERR, "%s: self-test: the device did not enable", p->name);
		return -EIO;
	}
	pnic_publish(p, rxq, 1);
	pnic_publish(p, txq, 1);
	end = rte_get_timer_cycles() + rte_get_timer_hz() * SELFTEST_WAIT_MS / 1000;
	do {
		if (rte_le_to_cpu_16(rx[0].status) & PNIC_DESC_DD) {
			rte_rmb();
			return rte_le_to_cpu_16(rx[0].status) & PNIC_DESC_ERR ? -EFAULT : 0;
		}
		if (selftest_faulted(p, txq, t) || selftest_faulted(p, rxq, t))
			return -EFAULT;
		rte_delay_us_sleep(200);
	} while (rte_get_timer_cycles() < end);
	PNIC_LOG(ERR, "%s: self-test: no completion and no fault within %d ms", p->name,
		 SELFTEST_WAIT_MS);
	return -ETIMEDOUT;
}

int
pnic_dma_selftest(struct rte_iommufd_device *idev, struct rte_iommufd_dma_test *t)
{
	struct rte_eth_dev *dev;
	struct pnic_port *p;
	unsigned int qp;
	uint32_t ctrl;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return -EPERM;
	dev = rte_eth_dev_allocated(idev->device.name);
	if (dev == NULL)
		return -ENODEV;
	p = dev->data->dev_private;
	if (t->work == NULL || (t->work_iova & 4095) != 0 ||
	    t->len < RTE_IOMMUFD_DMA_TEST_MIN || t->len > RTE_IOMMUFD_DMA_TEST_MAX ||
	    (t->pasid != 0 && (p->pasid_width == 0 || t->pasid >= 1u << p->pasid_width))) {
		PNIC_LOG(ERR, "%s: self-test: bad request (PASID %u, width %u, length %u, work "
			 "IOVA %#llx)", p->name, t->pasid, p->pasid_width, t->len,
			 (unsigned long long)t->work_iova);
		return -EINVAL;
	}
	if (!(p->caps & PNIC_CAP_LOOPBACK))
		return -ENOTSUP;
	t->fault_iova = 0;
	t->fault_errno = 0;
	qp = p->nb_qp - 1;
	pnic_qlock(p);
	if (dev->data->dev_started || pnic_gone(p) || pnic_queue(dev, PNIC_DIR_RX, qp) ||
	    pnic_queue(dev, PNIC_DIR_TX, qp) || p->kept[PNIC_DIR_RX][qp] ||
	    p->kept[PNIC_DIR_TX][qp]) {
		pnic_qunlock(p);
		PNIC_LOG(ERR, "%s: self-test: the port is started or queue pair %u is set up",
			 p->name, qp);
		return -EBUSY;
	}
	ctrl = pnic_rd(p, PNIC_REG_DEV_CTRL) & ~PNIC_DEV_CTRL_RESET;
	ret = selftest_run(p, qp, t);
	pnic_qwr(p, PNIC_QUEUE(qp, PNIC_DIR_RX), PNIC_Q_CTRL, PNIC_Q_CTRL_RESET);
	pnic_qwr(p, PNIC_QUEUE(qp, PNIC_DIR_TX), PNIC_Q_CTRL, PNIC_Q_CTRL_RESET);
	pnic_wr(p, PNIC_REG_DEV_CTRL, ctrl);
	pnic_qunlock(p);
	return ret;
}
