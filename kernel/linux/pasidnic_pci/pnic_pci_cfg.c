// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic_pci: the config space of each function and the root bus's
 * pci_ops.
 *
 * Each function is a single-function PCI Express root-complex integrated
 * endpoint (RCiEP) at device number <slot>, function 0: two 64-bit memory
 * BARs (BAR0 registers, BAR2 doorbells), End-End TLP prefixes supported
 * (DEVCAP2), so the PCI core gives it eetlp_prefix_max and
 * pci_enable_pasid() needs no quirk, and the PASID extended capability.
 * A write changes only the bits of its write mask, so BAR sizing (all ones)
 * reads back the size as on hardware.
 *
 * Function level reset (DEVCAP.FLR, DEVCTL.BCR_FLR) and turning memory
 * decoding on start a new generation of the function: its engine resets the
 * device (pnic_pci_engine.c). vfio-pci resets the function with FLR when a
 * user opens it and after the last user closed it.
 */
#include <linux/bitfield.h>
#include <linux/io.h>
#include <linux/pci_regs.h>
#include <linux/unaligned.h>

#include "pasidnic_regs.h"
#include "pnic_pci.h"

static void w8(u8 *a, unsigned int off, u8 val)
{
	a[off] = val;
}

static void w16(u8 *a, unsigned int off, u16 val)
{
	put_unaligned_le16(val, &a[off]);
}

static void w32(u8 *a, unsigned int off, u32 val)
{
	put_unaligned_le32(val, &a[off]);
}

/**
 * pnic_pci_cfg_init() - build the config space of a function.
 * @fn: the function.
 * @pasid_width: PASID width of its PASID capability, 1-20; 0: none.
 */
void pnic_pci_cfg_init(struct pnic_pci_fn *fn, unsigned int pasid_width)
{
	u8 *c = fn->cfg, *m = fn->wmask;

	memset(c, 0, sizeof(fn->cfg));
	memset(m, 0, sizeof(fn->wmask));
	w16(c, PCI_VENDOR_ID, PNIC_PCI_VENDOR_ID);
	w16(c, PCI_DEVICE_ID, PNIC_PCI_DEVICE_ID_PHYS);
	w16(m, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
	    PCI_COMMAND_INTX_DISABLE);
	w16(c, PCI_STATUS, PCI_STATUS_CAP_LIST);
	w8(c, PCI_REVISION_ID, PNIC_PCI_REVISION);
	w8(c, PCI_CLASS_PROG, PNIC_PCI_CLASS & 0xff);
	w16(c, PCI_CLASS_DEVICE, PNIC_PCI_CLASS >> 8);
	w8(c, PCI_HEADER_TYPE, PCI_HEADER_TYPE_NORMAL);
	/*
	 * 64-bit non-prefetchable memory BARs (BAR0-1, BAR2-3): the window
	 * may be RAM anywhere, above 4 GiB too.
	 */
	w32(c, PCI_BASE_ADDRESS_0, PCI_BASE_ADDRESS_MEM_TYPE_64);
	w32(m, PCI_BASE_ADDRESS_0, ~(u32)(PNIC_BAR_REGS_SIZE - 1));
	w32(m, PCI_BASE_ADDRESS_1, ~0u);
	w32(c, PCI_BASE_ADDRESS_2, PCI_BASE_ADDRESS_MEM_TYPE_64);
	w32(m, PCI_BASE_ADDRESS_2, ~(u32)(PNIC_BAR_DB_SIZE - 1));
	w32(m, PCI_BASE_ADDRESS_3, ~0u);
	w16(c, PCI_SUBSYSTEM_VENDOR_ID, PNIC_PCI_SUBSYS_VENDOR_ID);
	w16(c, PCI_SUBSYSTEM_ID, PNIC_PCI_SUBSYS_ID);
	w8(c, PCI_CAPABILITY_LIST, PNIC_PCI_EXP_CAP);
	w8(m, PCI_INTERRUPT_LINE, 0xff);

	/* PCI Express capability, version 2, RCiEP; no link. */
	w8(c, PNIC_PCI_EXP_CAP + PCI_CAP_LIST_ID, PCI_CAP_ID_EXP);
	w16(c, PNIC_PCI_EXP_CAP + PCI_EXP_FLAGS,
	    2 | (PCI_EXP_TYPE_RC_END << 4));
	w32(c, PNIC_PCI_EXP_CAP + PCI_EXP_DEVCAP, PCI_EXP_DEVCAP_FLR);
	w16(m, PNIC_PCI_EXP_CAP + PCI_EXP_DEVCTL, 0xffff);
	w32(c, PNIC_PCI_EXP_CAP + PCI_EXP_DEVCAP2, PCI_EXP_DEVCAP2_EE_PREFIX |
	    FIELD_PREP(PCI_EXP_DEVCAP2_EE_PREFIX_MAX, 1));
	w16(m, PNIC_PCI_EXP_CAP + PCI_EXP_DEVCTL2, 0x07ff);

	if (!pasid_width)
		return;
	/* PASID extended capability, version 1, the last one. */
	w32(c, PNIC_PCI_PASID_ECAP, PCI_EXT_CAP_ID_PASID | (1 << 16));
	w16(c, PNIC_PCI_PASID_ECAP + PCI_PASID_CAP,
	    FIELD_PREP(PCI_PASID_CAP_WIDTH, pasid_width));
	w16(m, PNIC_PCI_PASID_ECAP + PCI_PASID_CTRL, PCI_PASID_CTRL_ENABLE);
}

/*
 * After a write: a function level reset clears its request bit and the
 * command register; it and memory decoding turned on start a new
 * generation: BAR0's ID reads 0 until the engine has reset the device and
 * published its register file (pnic_pci_engine.c). Context: @fn->lock held.
 */
static void pnic_pci_cfg_written(struct pnic_pci_fn *fn, bool mem_was)
{
	u8 *devctl = &fn->cfg[PNIC_PCI_EXP_CAP + PCI_EXP_DEVCTL];
	unsigned int gen = fn->gen;
	void __iomem *regs;
	u16 cmd;

	if (get_unaligned_le16(devctl) & PCI_EXP_DEVCTL_BCR_FLR) {
		put_unaligned_le16(get_unaligned_le16(devctl) &
				   ~PCI_EXP_DEVCTL_BCR_FLR, devctl);
		cmd = get_unaligned_le16(&fn->cfg[PCI_COMMAND]);
		put_unaligned_le16(cmd & ~(PCI_COMMAND_MEMORY |
					   PCI_COMMAND_MASTER),
				   &fn->cfg[PCI_COMMAND]);
		fn->gen++;
	} else if (!mem_was && (fn->cfg[PCI_COMMAND] & PCI_COMMAND_MEMORY)) {
		fn->gen++;
	}
	regs = fn->gen != gen ? pnic_pci_regs_va(fn) : NULL;
	if (regs)
		writel(0, regs + PNIC_REG_ID);
	WRITE_ONCE(fn->cfg_writes, fn->cfg_writes + 1);
	pnic_pci_engine_notify(fn);
}

static struct pnic_pci_fn *pnic_pci_fn_at(struct pci_bus *bus,
					  unsigned int devfn)
{
	struct pnic_pci *pp = container_of(bus->sysdata, struct pnic_pci,
					   sysdata);

	if (bus->number || PCI_FUNC(devfn) || PCI_SLOT(devfn) >= pp->nfn)
		return NULL;
	return &pp->fn[PCI_SLOT(devfn)];
}

static int pnic_pci_read(struct pci_bus *bus, unsigned int devfn, int where,
			 int size, u32 *val)
{
	struct pnic_pci_fn *fn = pnic_pci_fn_at(bus, devfn);
	unsigned long flags;
	u32 v = 0;
	int i;

	if (!fn || where < 0 || where + size > PCI_CFG_SPACE_EXP_SIZE) {
		PCI_SET_ERROR_RESPONSE(val);
		return PCIBIOS_DEVICE_NOT_FOUND;
	}
	raw_spin_lock_irqsave(&fn->lock, flags);
	for (i = 0; i < size; i++)
		v |= (u32)fn->cfg[where + i] << (8 * i);
	raw_spin_unlock_irqrestore(&fn->lock, flags);
	*val = v;
	return PCIBIOS_SUCCESSFUL;
}

static int pnic_pci_write(struct pci_bus *bus, unsigned int devfn, int where,
			  int size, u32 val)
{
	struct pnic_pci_fn *fn = pnic_pci_fn_at(bus, devfn);
	unsigned long flags;
	bool mem_was;
	int i;

	if (!fn || where < 0 || where + size > PCI_CFG_SPACE_EXP_SIZE)
		return PCIBIOS_DEVICE_NOT_FOUND;
	raw_spin_lock_irqsave(&fn->lock, flags);
	mem_was = fn->cfg[PCI_COMMAND] & PCI_COMMAND_MEMORY;
	for (i = 0; i < size; i++) {
		u8 m = fn->wmask[where + i];
		u8 b = val >> (8 * i);

		fn->cfg[where + i] = (fn->cfg[where + i] & ~m) | (b & m);
	}
	pnic_pci_cfg_written(fn, mem_was);
	raw_spin_unlock_irqrestore(&fn->lock, flags);
	return PCIBIOS_SUCCESSFUL;
}

struct pci_ops pnic_pci_ops = {
	.read = pnic_pci_read,
	.write = pnic_pci_write,
};
