/* SPDX-License-Identifier: (GPL-2.0 OR BSD-3-Clause) */
/*
 * pasidnic: register layout of the emulated PASID-capable NIC.
 *
 * Only uAPI types (<linux/types.h>) are used, so it builds in userspace too.
 * This header is the single source of truth for the device's programming
 * interface. It is shared by the kernel module, the DPDK PMD and the test
 * driver; doc/pasidnic.md describes the semantics.
 *
 * All registers are little-endian. BAR0 is trapped on mdev ports (access it
 * with 32-bit pread/pwrite on the vfio device fd; 64-bit values are split
 * into _LO/_HI); on physical functions it is polled memory written through
 * mailboxes (below).
 * BAR2 is one mmap-able page of doorbells and device write-back.
 */
#ifndef PASIDNIC_REGS_H
#define PASIDNIC_REGS_H

#include <linux/types.h>

/* PCI identity: emulated only, never a physical device. */
#define PNIC_PCI_VENDOR_ID		0x1234	/* QEMU's id for emulated devices */
#define PNIC_PCI_DEVICE_ID		0x50a5
/* pasidnic_pci's PCI functions (physical mode, doc/pasidnic.md §13) */
#define PNIC_PCI_DEVICE_ID_PHYS		0x50a6
#define PNIC_PCI_SUBSYS_VENDOR_ID	0x1234
#define PNIC_PCI_SUBSYS_ID		0x0001
#define PNIC_PCI_REVISION		0x01
#define PNIC_PCI_CLASS			0x020000	/* Ethernet controller */

/* Config space layout (4096 bytes, PCI Express). */
#define PNIC_CFG_SIZE			4096
#define PNIC_CFG_MSIX_CAP		0x40	/* MSI-X capability */
#define PNIC_CFG_EXP_CAP		0x50	/* PCI Express capability */
#define PNIC_CFG_PASID_ECAP		0x100	/* PASID extended capability */

/* BARs (vfio region indexes 0, 2 and 4). */
#define PNIC_BAR_REGS			0	/* trapped registers */
#define PNIC_BAR_DB			2	/* mmap-able doorbell page */
#define PNIC_BAR_MSIX			4	/* MSI-X table + PBA (reads 0) */
#define PNIC_BAR_REGS_SIZE		4096
#define PNIC_BAR_DB_SIZE		4096
#define PNIC_BAR_MSIX_SIZE		4096
#define PNIC_MSIX_TABLE_OFF		0x000
#define PNIC_MSIX_PBA_OFF		0x800

/* Limits. */
#define PNIC_MAX_QP			8	/* queue pairs per port */
#define PNIC_MAX_QUEUES			(2 * PNIC_MAX_QP)
#define PNIC_RING_MIN			2
#define PNIC_RING_MAX			4096
#define PNIC_MAX_PKT			9216	/* largest frame, bytes */
#define PNIC_MIN_PKT			14	/* an Ethernet header */

/* Interrupt vectors (MSI-X, VFIO_PCI_MSIX_IRQ_INDEX). */
#define PNIC_VEC_MISC			0	/* link change, faults */
#define PNIC_VEC_QP(qp)			(1 + (qp))	/* queue pair events */
#define PNIC_NUM_VECS(nqp)		(1 + (nqp))

/* ---- BAR0: global registers ---- */
#define PNIC_REG_ID			0x000	/* RO: PNIC_ID_MAGIC */
#define PNIC_ID_MAGIC			0x50415349u	/* "PASI" */
#define PNIC_REG_VERSION		0x004	/* RO: major << 16 | minor */
#define PNIC_VERSION			0x00010001u
#define PNIC_REG_CAPS			0x008	/* RO: PNIC_CAP_* */
#define PNIC_CAP_PASID			0x00000001u
#define PNIC_CAP_LOOPBACK		0x00000002u
#define PNIC_CAP_NETDEV			0x00000004u
#define PNIC_CAP_NOTIFY_SUPPRESS	0x00000008u
#define PNIC_REG_NUM_QP			0x00c	/* RO: queue pairs */
#define PNIC_REG_PASID_WIDTH		0x010	/* RO: PASID bits (0: none) */
#define PNIC_REG_RING_MAX		0x014	/* RO: PNIC_RING_MAX */
#define PNIC_REG_DEV_CTRL		0x018	/* RW */
#define PNIC_DEV_CTRL_ENABLE		0x00000001u
#define PNIC_DEV_CTRL_RESET		0x00000002u	/* WO, self-clearing */
#define PNIC_DEV_CTRL_BACKEND_SHIFT	8
#define PNIC_DEV_CTRL_BACKEND_MASK	0x00000300u
#define PNIC_BACKEND_LOOPBACK		0
#define PNIC_BACKEND_NETDEV		1
#define PNIC_REG_DEV_STATUS		0x01c	/* RO */
#define PNIC_DEV_STATUS_ENABLED		0x00000001u
#define PNIC_DEV_STATUS_LINK_UP		0x00000002u
#define PNIC_DEV_STATUS_ENGINE_IDLE	0x00000004u	/* every engine */
#define PNIC_DEV_STATUS_FAULT		0x00000008u	/* a fault is latched */
#define PNIC_REG_KICK			0x020	/* WO: wake engines, mask of qps */
#define PNIC_REG_IRQ_CAUSE		0x024	/* RW1C: PNIC_IRQ_* */
#define PNIC_IRQ_LINK			0x00000001u
#define PNIC_IRQ_FAULT			0x00000002u
#define PNIC_REG_IRQ_MASK		0x028	/* RW: 1 = cause enabled */
#define PNIC_REG_FAULT_COUNT		0x030	/* RO: faults since reset */
#define PNIC_REG_FAULT_INFO		0x034	/* RO; write VALID to clear */
#define PNIC_FAULT_INFO_QUEUE_MASK	0xffffu	/* queue number (2*qp + dir) */
#define PNIC_FAULT_INFO_WRITE		0x00010000u	/* device was writing */
#define PNIC_FAULT_INFO_BUFFER		0x00020000u	/* 0: ring/descriptor */
#define PNIC_FAULT_INFO_PASID_VALID	0x00040000u	/* 0: RID */
#define PNIC_FAULT_INFO_VALID		0x80000000u
#define PNIC_REG_FAULT_PASID		0x038	/* RO */
#define PNIC_REG_FAULT_ERRNO		0x03c	/* RO: positive errno */
#define PNIC_REG_FAULT_IOVA_LO		0x040	/* RO */
#define PNIC_REG_FAULT_IOVA_HI		0x044	/* RO */
#define PNIC_REG_MAC_LO			0x048	/* RW: MAC bytes 0..3 */
#define PNIC_REG_MAC_HI			0x04c	/* RW: MAC bytes 4..5 */
#define PNIC_REG_ENGINE_WAKEUPS		0x050	/* RO: times engines woke (sum) */

/* ---- BAR0: queue registers ---- */
/* Queue q = 2 * qp + PNIC_DIR_*: RX queues are even, TX queues odd. */
#define PNIC_DIR_RX			0
#define PNIC_DIR_TX			1
#define PNIC_QUEUE(qp, dir)		(2 * (qp) + (dir))
#define PNIC_QREG_BASE			0x400
#define PNIC_QREG_STRIDE		0x40
#define PNIC_QREG(q, reg)		(PNIC_QREG_BASE + (q) * PNIC_QREG_STRIDE + (reg))

#define PNIC_Q_BASE_LO			0x00	/* RW: ring IOVA, 16-byte aligned */
#define PNIC_Q_BASE_HI			0x04
#define PNIC_Q_SIZE			0x08	/* RW: entries, power of two */
#define PNIC_Q_PASID			0x0c	/* RW */
#define PNIC_Q_PASID_MASK		0x000fffffu
#define PNIC_Q_PASID_EN			0x80000000u
#define PNIC_Q_CTRL			0x10	/* RW */
#define PNIC_Q_CTRL_ENABLE		0x00000001u
#define PNIC_Q_CTRL_RESET		0x00000002u	/* WO, self-clearing */
#define PNIC_Q_CTRL_IRQ_EN		0x00000004u
#define PNIC_Q_STATUS			0x14	/* RO */
#define PNIC_Q_STATE_MASK		0x3u
#define PNIC_Q_STATE_DISABLED		0
#define PNIC_Q_STATE_RUNNING		1
#define PNIC_Q_STATE_FAULTED		2
#define PNIC_Q_STATE_ERROR		3	/* bad configuration */
#define PNIC_Q_HEAD			0x18	/* RO: device consumer index */
#define PNIC_Q_TAIL			0x1c	/* RW: driver producer index */
#define PNIC_Q_PKTS_LO			0x20	/* RO counters */
#define PNIC_Q_PKTS_HI			0x24
#define PNIC_Q_BYTES_LO			0x28
#define PNIC_Q_BYTES_HI			0x2c
#define PNIC_Q_FAULTS			0x30
#define PNIC_Q_DROPS			0x34
#define PNIC_Q_FAULT_IOVA_LO		0x38
#define PNIC_Q_FAULT_IOVA_HI		0x3c

/*
 * ---- Physical functions (PNIC_PCI_DEVICE_ID_PHYS, kernel/linux/pasidnic_pci) ----
 * BAR0 is memory the device polls, not a trapped register file. A read
 * returns what the device last published: it republishes the whole register
 * file after every write it applies and after every engine pass. A store to a
 * register is not a write: the next publish overwrites it. A write goes
 * through a mailbox slot: store PNIC_MBOX_OFF and PNIC_MBOX_VAL, then
 * PNIC_MBOX_SEQ = (its current value + 1); the device applies the write with
 * the semantics of a trapped write (RW1C, self-clearing RESET, KICK), then
 * publishes, then stores that SEQ to PNIC_MBOX_ACK. Slot PNIC_MBOX_DEV takes
 * device registers (below PNIC_QREG_BASE), slot PNIC_MBOX_QUEUE(q) the
 * registers of queue q (a write of another offset through it is dropped).
 * One writer per slot at a time. The device polls while memory decoding is
 * on and backs off when idle (up to PNIC_PHYS_IDLE_POLL_MS between polls).
 * No MSI-X: the device raises no interrupt; drivers poll PNIC_REG_IRQ_CAUSE.
 * PNIC_DB_ENGINE reads PNIC_ENGINE_RUNNING always: no KICK is needed.
 * A function level reset and turning memory decoding on reset the function
 * (registers, queues, mailboxes): PNIC_REG_ID reads 0 until the device has
 * published the register file of the reset function, then PNIC_ID_MAGIC.
 * A write not yet acknowledged when the reset came is lost (SEQ and ACK
 * read 0 again): the driver makes it again.
 */
#define PNIC_MBOX_BASE			0x800
#define PNIC_MBOX_STRIDE		16
#define PNIC_MBOX(slot)			(PNIC_MBOX_BASE + (slot) * PNIC_MBOX_STRIDE)
#define PNIC_MBOX_DEV			0
#define PNIC_MBOX_QUEUE(q)		(1 + (q))
#define PNIC_MBOX_SLOTS			(1 + PNIC_MAX_QUEUES)
#define PNIC_MBOX_OFF			0x0	/* driver: register offset */
#define PNIC_MBOX_VAL			0x4	/* driver: value */
#define PNIC_MBOX_SEQ			0x8	/* driver: bumped last */
#define PNIC_MBOX_ACK			0xc	/* device: SEQ once applied */
#define PNIC_PHYS_IDLE_POLL_MS		10

/* ---- BAR2: doorbell page (mmap) ---- */
#define PNIC_DB_STRIDE			64	/* one cache line per queue */
#define PNIC_DB_TAIL(q)			((q) * PNIC_DB_STRIDE + 0)	/* driver */
#define PNIC_DB_HEAD(q)			((q) * PNIC_DB_STRIDE + 4)	/* device */
/* device: PNIC_ENGINE_* of queue pair qp's engine */
#define PNIC_DB_ENGINE(qp)		(0x800 + 4 * (qp))
#define PNIC_ENGINE_RUNNING		0
#define PNIC_ENGINE_SLEEPING		1

/**
 * struct pnic_desc - a ring descriptor (16 bytes, little-endian).
 * @addr: buffer IOVA in the queue's address space (RID or PASID).
 * @len: TX: frame length. RX: buffer size; the device writes the frame
 *	length back.
 * @status: written by the device: PNIC_DESC_*.
 * @rsvd: zero.
 */
struct pnic_desc {
	__le64 addr;
	__le32 len;
	__le16 status;
	__le16 rsvd;
};

#define PNIC_DESC_SIZE			16
#define PNIC_DESC_DD			0x00000001u	/* descriptor done */
#define PNIC_DESC_ERR			0x00000002u	/* fault on this buffer */
#define PNIC_DESC_TRUNC			0x00000004u	/* RX frame truncated */

#endif /* PASIDNIC_REGS_H */
