// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic: PCI config space emulation.
 *
 * A 4 KiB PCI Express config space with three memory BARs, an MSI-X
 * capability, a minimal PCI Express capability and the PASID extended
 * capability that advertises the PASID width.
 */
#include <linux/pci_regs.h>
#include <linux/unaligned.h>

#include "pasidnic.h"

#define PNIC_CMD_WRITABLE	(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | \
				 PCI_COMMAND_INTX_DISABLE)
#define PNIC_MSIX_CTRL_WRITABLE	(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL)

static const unsigned int pnic_bar_size[6] = {
	[PNIC_BAR_REGS] = PNIC_BAR_REGS_SIZE,
	[PNIC_BAR_DB] = PNIC_BAR_DB_SIZE,
	[PNIC_BAR_MSIX] = PNIC_BAR_MSIX_SIZE,
};

static void cfg_w8(struct pnic_dev *pdev, unsigned int off, u8 val)
{
	pdev->cfg[off] = val;
}

static void cfg_w16(struct pnic_dev *pdev, unsigned int off, u16 val)
{
	put_unaligned_le16(val, &pdev->cfg[off]);
}

static void cfg_w32(struct pnic_dev *pdev, unsigned int off, u32 val)
{
	put_unaligned_le32(val, &pdev->cfg[off]);
}

static u16 cfg_r16(struct pnic_dev *pdev, unsigned int off)
{
	return get_unaligned_le16(&pdev->cfg[off]);
}

/**
 * pnic_cfg_init() - build the config space of a new device.
 * @pdev: the device; @pdev->nqp must be set.
 */
void pnic_cfg_init(struct pnic_dev *pdev)
{
	unsigned int i;

	memset(pdev->cfg, 0, sizeof(pdev->cfg));
	cfg_w16(pdev, PCI_VENDOR_ID, PNIC_PCI_VENDOR_ID);
	cfg_w16(pdev, PCI_DEVICE_ID, PNIC_PCI_DEVICE_ID);
	cfg_w16(pdev, PCI_STATUS, PCI_STATUS_CAP_LIST);
	cfg_w8(pdev, PCI_REVISION_ID, PNIC_PCI_REVISION);
	cfg_w8(pdev, PCI_CLASS_PROG, PNIC_PCI_CLASS & 0xff);
	cfg_w16(pdev, PCI_CLASS_DEVICE, PNIC_PCI_CLASS >> 8);
	cfg_w8(pdev, PCI_HEADER_TYPE, PCI_HEADER_TYPE_NORMAL);
	cfg_w16(pdev, PCI_SUBSYSTEM_VENDOR_ID, PNIC_PCI_SUBSYS_VENDOR_ID);
	cfg_w16(pdev, PCI_SUBSYSTEM_ID, PNIC_PCI_SUBSYS_ID);
	cfg_w8(pdev, PCI_CAPABILITY_LIST, PNIC_CFG_MSIX_CAP);
	cfg_w8(pdev, PCI_INTERRUPT_PIN, 0);	/* no INTx */

	for (i = 0; i < ARRAY_SIZE(pnic_bar_size); i++)
		pdev->bar_mask[i] = pnic_bar_size[i] ?
				    ~(pnic_bar_size[i] - 1) : 0;
	/* 32-bit non-prefetchable memory BARs: type bits are zero. */

	/* MSI-X: vector 0 misc, one vector per queue pair. */
	cfg_w8(pdev, PNIC_CFG_MSIX_CAP + PCI_CAP_LIST_ID, PCI_CAP_ID_MSIX);
	cfg_w8(pdev, PNIC_CFG_MSIX_CAP + PCI_CAP_LIST_NEXT, PNIC_CFG_EXP_CAP);
	cfg_w16(pdev, PNIC_CFG_MSIX_CAP + PCI_MSIX_FLAGS,
		PNIC_NUM_VECS(pdev->nqp) - 1);
	cfg_w32(pdev, PNIC_CFG_MSIX_CAP + PCI_MSIX_TABLE,
		PNIC_MSIX_TABLE_OFF | PNIC_BAR_MSIX);
	cfg_w32(pdev, PNIC_CFG_MSIX_CAP + PCI_MSIX_PBA,
		PNIC_MSIX_PBA_OFF | PNIC_BAR_MSIX);

	/* PCI Express endpoint, capability version 2. */
	cfg_w8(pdev, PNIC_CFG_EXP_CAP + PCI_CAP_LIST_ID, PCI_CAP_ID_EXP);
	cfg_w8(pdev, PNIC_CFG_EXP_CAP + PCI_CAP_LIST_NEXT, 0);
	cfg_w16(pdev, PNIC_CFG_EXP_CAP + PCI_EXP_FLAGS,
		2 | (PCI_EXP_TYPE_ENDPOINT << 4));

	/* PASID extended capability: width only, no exec/priv modes. */
	if (pnic_pasid_width) {
		cfg_w32(pdev, PNIC_CFG_PASID_ECAP,
			PCI_EXT_CAP_ID_PASID | (1 << 16) | (0 << 20));
		cfg_w16(pdev, PNIC_CFG_PASID_ECAP + PCI_PASID_CAP,
			(pnic_pasid_width & 0x1f) << 8);
	}
}

/**
 * pnic_cfg_reset() - the reset values of the writable config registers.
 * @pdev: the device.
 */
void pnic_cfg_reset(struct pnic_dev *pdev)
{
	cfg_w16(pdev, PCI_COMMAND, 0);
	cfg_w32(pdev, PCI_BASE_ADDRESS_0, 0);
	cfg_w32(pdev, PCI_BASE_ADDRESS_2, 0);
	cfg_w32(pdev, PCI_BASE_ADDRESS_4, 0);
	cfg_w16(pdev, PNIC_CFG_MSIX_CAP + PCI_MSIX_FLAGS,
		PNIC_NUM_VECS(pdev->nqp) - 1);
	if (pnic_pasid_width)
		cfg_w16(pdev, PNIC_CFG_PASID_ECAP + PCI_PASID_CTRL, 0);
}

/**
 * pnic_cfg_bus_master() - is PCI_COMMAND bus mastering on?
 * @pdev: the device.
 *
 * Return: true when the device may issue DMA and interrupts.
 */
bool pnic_cfg_bus_master(struct pnic_dev *pdev)
{
	return cfg_r16(pdev, PCI_COMMAND) & PCI_COMMAND_MASTER;
}

/**
 * pnic_cfg_pasid_enabled() - is the PASID Enable bit of the capability set?
 * @pdev: the device.
 *
 * Return: true when queues may tag DMA with a PASID.
 */
bool pnic_cfg_pasid_enabled(struct pnic_dev *pdev)
{
	return pnic_pasid_width &&
	       (cfg_r16(pdev, PNIC_CFG_PASID_ECAP + PCI_PASID_CTRL) &
		PCI_PASID_CTRL_ENABLE);
}

/* Apply a write of one byte, keeping read-only bits. */
static void pnic_cfg_write_byte(struct pnic_dev *pdev, unsigned int off, u8 val)
{
	unsigned int reg = off & ~3u, shift = (off & 3) * 8;
	u8 wmask = 0;

	switch (reg) {
	case PCI_COMMAND:
		wmask = (PNIC_CMD_WRITABLE >> shift) & 0xff;
		break;
	case PCI_BASE_ADDRESS_0 ... PCI_BASE_ADDRESS_5: {
		unsigned int bar = (reg - PCI_BASE_ADDRESS_0) / 4;

		wmask = (pdev->bar_mask[bar] >> shift) & 0xff;
		break;
	}
	case PNIC_CFG_MSIX_CAP:
		wmask = (((u32)PNIC_MSIX_CTRL_WRITABLE << 16) >> shift) & 0xff;
		break;
	case PNIC_CFG_PASID_ECAP + PCI_PASID_CAP:
		if (pnic_pasid_width)
			wmask = (((u32)PCI_PASID_CTRL_ENABLE << 16) >> shift) &
				0xff;
		break;
	default:
		break;
	}
	pdev->cfg[off] = (pdev->cfg[off] & ~wmask) | (val & wmask);
}

/**
 * pnic_cfg_rw() - a config space access from userspace.
 * @pdev: the device.
 * @buf: the data (kernel memory).
 * @count: bytes, 1, 2 or 4, naturally aligned.
 * @pos: offset in config space.
 * @is_write: direction.
 *
 * Context: takes @pdev->lock, killably.
 * Return: 0, -EINVAL for an access outside config space, or -EINTR.
 */
int pnic_cfg_rw(struct pnic_dev *pdev, u8 *buf, size_t count, loff_t pos,
		bool is_write)
{
	size_t i;

	if (pos < 0 || pos + count > PNIC_CFG_SIZE)
		return -EINVAL;

	if (mutex_lock_killable(&pdev->lock))
		return -EINTR;
	for (i = 0; i < count; i++) {
		if (is_write)
			pnic_cfg_write_byte(pdev, pos + i, buf[i]);
		else
			buf[i] = pdev->cfg[pos + i];
	}
	mutex_unlock(&pdev->lock);
	return 0;
}
