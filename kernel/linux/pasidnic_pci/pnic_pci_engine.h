/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pasidnic_pci: the device engine of a function (doc/pasidnic.md §13.3).
 *
 * One kernel thread per function is the device: it polls the register
 * mailboxes of BAR0 and the doorbells of BAR2 while memory decoding is on,
 * applies register writes with pasidnic's semantics, moves frames between
 * the TX and RX rings of each queue pair (loopback) with every DMA
 * translated through the IOMMU domain of the queue's PASID or of the RID
 * (pnic_pci_dma_rw()), and publishes the register file back into BAR0.
 * All of struct pnic_pci_eng belongs to that thread: no lock.
 *
 * Files: pnic_pci_engine.c (thread, polling, reset, publishing),
 * pnic_pci_regs.c (register writes), pnic_pci_datapath.c (rings, DMA,
 * faults). Calls go engine -> regs -> datapath, never back.
 */
#ifndef PNIC_PCI_ENGINE_H
#define PNIC_PCI_ENGINE_H

#include "pasidnic_regs.h"
#include "pnic_pci.h"

/* Descriptors handled per queue per pass. */
#define PNIC_PCI_BUDGET		64

/**
 * struct pnic_pci_queue - one RX or TX queue (register semantics as
 *	pasidnic's struct pnic_queue).
 */
struct pnic_pci_queue {
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
};

/**
 * struct pnic_pci_eng - the device state of one function.
 * @fn: the function.
 * @nqp: queue pairs.
 * @regs: BAR0 (the register file and mailboxes) in the window; NULL while
 *	memory decoding is off.
 * @db: BAR2 (doorbells) in the window.
 * @master: bus mastering on (DMA allowed), as of this poll.
 * @gen: the function's reset generation this state belongs to.
 * @cfg_writes: the function's config write count when this poll began.
 * @seq: the last mailbox sequence number applied, per slot.
 * @dev_ctrl..@mac: device registers (pasidnic_regs.h).
 * @wakeups: passes with work after an idle poll (ENGINE_WAKEUPS).
 * @idle: the last pass found no work (DEV_STATUS.ENGINE_IDLE).
 * @q: the queues, RX 2n, TX 2n + 1.
 * @buf: the frame being moved.
 * @desc: descriptors of one batch.
 */
struct pnic_pci_eng {
	struct pnic_pci_fn *fn;
	unsigned int nqp;
	void __iomem *regs;
	void __iomem *db;
	bool master;
	unsigned int gen;
	unsigned int cfg_writes;
	u32 seq[PNIC_MBOX_SLOTS];
	u32 dev_ctrl;
	u32 irq_cause;
	u32 irq_mask;
	u32 fault_count;
	u32 fault_info;
	u32 fault_pasid;
	u32 fault_errno;
	u64 fault_iova;
	u8 mac[6];
	u32 wakeups;
	bool idle;
	struct pnic_pci_queue q[PNIC_MAX_QUEUES];
	u8 buf[PNIC_MAX_PKT];
	struct pnic_desc desc[PNIC_PCI_BUDGET];
};

/* pnic_pci_regs.c */
void pnic_pci_regs_reset(struct pnic_pci_eng *e);
void pnic_pci_reg_write(struct pnic_pci_eng *e, u32 off, u32 val);

/* pnic_pci_datapath.c */
void pnic_pci_queue_reset(struct pnic_pci_eng *e, unsigned int qn);
bool pnic_pci_qp_pass(struct pnic_pci_eng *e, unsigned int qp);

static inline bool pnic_pci_eng_active(const struct pnic_pci_eng *e)
{
	return e->master && (e->dev_ctrl & PNIC_DEV_CTRL_ENABLE);
}

static inline u32 pnic_pci_db_read(const struct pnic_pci_eng *e, u32 off)
{
	return readl(e->db + off);
}

static inline void pnic_pci_db_write(const struct pnic_pci_eng *e, u32 off,
				     u32 val)
{
	writel(val, e->db + off);
}

#endif /* PNIC_PCI_ENGINE_H */
