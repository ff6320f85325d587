/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "bus_pnic.h"

struct rte_iommufd_device *nic;

uint32_t
rd(uint32_t off)
{
	uint32_t v = 0;

	if (rte_iommufd_region_read(nic, VFIO_PCI_BAR0_REGION_INDEX, &v, 4, off) < 0)
		FAIL("BAR0 read at %#x failed", off);
	return v;
}

void
wr(uint32_t off, uint32_t v)
{
	if (rte_iommufd_region_write(nic, VFIO_PCI_BAR0_REGION_INDEX, &v, 4, off) < 0)
		FAIL("BAR0 write at %#x failed", off);
}

void
q_setup(unsigned int q, uint32_t ring, uint32_t pasid)
{
	wr(PNIC_QREG(q, PNIC_Q_CTRL), PNIC_Q_CTRL_RESET);
	wr(PNIC_QREG(q, PNIC_Q_BASE_LO), (uint32_t)(IOVA + ring));
	wr(PNIC_QREG(q, PNIC_Q_BASE_HI), (uint32_t)((IOVA + ring) >> 32));
	wr(PNIC_QREG(q, PNIC_Q_SIZE), RING);
	wr(PNIC_QREG(q, PNIC_Q_PASID), PNIC_Q_PASID_EN | pasid);
	wr(PNIC_QREG(q, PNIC_Q_CTRL), PNIC_Q_CTRL_ENABLE);
	if ((rd(PNIC_QREG(q, PNIC_Q_STATUS)) & PNIC_Q_STATE_MASK) != PNIC_Q_STATE_RUNNING)
		FAIL("queue %u with PASID %u is not running (status %u)", q, pasid,
		     rd(PNIC_QREG(q, PNIC_Q_STATUS)));
}

static bool
wait_dd(volatile struct pnic_desc *d)
{
	int i;

	for (i = 0; i < 50000 && !(d->status & PNIC_DESC_DD); i++)
		usleep(100);
	__sync_synchronize();
	return d->status & PNIC_DESC_DD;
}

/* Loop one frame through queue pair @qp, descriptor @idx, in area @a. */
void
loop_frame(unsigned int qp, uint8_t *a, uint32_t idx, uint8_t seed)
{
	unsigned int rxq = PNIC_QUEUE(qp, PNIC_DIR_RX), txq = PNIC_QUEUE(qp, PNIC_DIR_TX);
	volatile struct pnic_desc *rxd = (struct pnic_desc *)(a + RX_RING) + idx % RING;
	volatile struct pnic_desc *txd = (struct pnic_desc *)(a + TX_RING) + idx % RING;
	unsigned int j;

	for (j = 0; j < FRAME; j++)
		a[TX_BUF + j] = (uint8_t)(seed + j * 3);
	memset(a + RX_BUF, 0, FRAME);
	rxd->addr = IOVA + RX_BUF;
	rxd->len = 2048;
	rxd->status = 0;
	txd->addr = IOVA + TX_BUF;
	txd->len = FRAME;
	txd->status = 0;
	__sync_synchronize();
	wr(PNIC_QREG(rxq, PNIC_Q_TAIL), idx + 1);
	wr(PNIC_QREG(txq, PNIC_Q_TAIL), idx + 1);
	if (!wait_dd(txd) || !wait_dd(rxd))
		FAIL("qp %u: frame %u not looped back (TX status %u, RX status %u, fault info %#x "
		     "errno %u)", qp, idx, rd(PNIC_QREG(txq, PNIC_Q_STATUS)),
		     rd(PNIC_QREG(rxq, PNIC_Q_STATUS)), rd(PNIC_REG_FAULT_INFO),
		     rd(PNIC_REG_FAULT_ERRNO));
	if (rxd->len != FRAME || memcmp(a + RX_BUF, a + TX_BUF, FRAME) != 0)
		FAIL("qp %u: the received frame differs from the sent one", qp);
}
