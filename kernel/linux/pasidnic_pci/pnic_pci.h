/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pasidnic_pci: pasidnic ports as PCI functions on a PCI root bus of their
 * own, behind an IOMMU driver of their own. Test VMs only (doc/pasidnic.md
 * §13): the module's IOMMU registers with no firmware node, so it must be the
 * only IOMMU of the machine.
 *
 * Files: pnic_pci_main.c (module, BAR window, root bus), pnic_pci_cfg.c
 * (config space and the bus's pci_ops), pnic_pci_iommu.c (the IOMMU driver:
 * blocking and paging domains, PASID attach), pnic_pci_dma.c (DMA through
 * those domains), pnic_pci_engine*.c, pnic_pci_regs.c, pnic_pci_datapath.c
 * (the device: pnic_pci_engine.h), pnic_pci_debugfs.c (the tests' DMA port).
 */
#ifndef PNIC_PCI_H
#define PNIC_PCI_H

#include <linux/iommu.h>
#include <linux/ioport.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>

#define PNIC_PCI_MAX_FUNCTIONS	32	/* one per device number of bus 0 */
#define PNIC_PCI_EXP_CAP	0x40	/* PCI Express capability */
#define PNIC_PCI_PASID_ECAP	0x100	/* PASID extended capability */

struct pnic_pci_eng;

/**
 * struct pnic_pci_fn - one PCI function (device number @slot, function 0).
 * @lock: protects @cfg (config accesses are not serialized by the PCI core
 *	on x86, PCI_LOCKLESS_CONFIG).
 * @cfg: the config space.
 * @wmask: the writable bits of each byte of @cfg.
 * @gen: the reset generation, bumped by FLR and by memory decoding turned
 *	on (under @lock).
 * @cfg_writes: config writes so far (under @lock): the engine sleeps only
 *	if none came since its last poll read the config space.
 * @engine: the engine thread (pnic_pci_engine.c), NULL when stopped.
 * @eng: the engine's device state, its thread's only.
 * @as_lock: protects @rid and @pasids.
 * @rid: the paging domain the RID is attached to, NULL when blocked.
 * @pasids: PASID -> attached paging domain (absent: blocked).
 */
struct pnic_pci_fn {
	struct pnic_pci *pp;
	unsigned int slot;
	raw_spinlock_t lock;	/* @cfg; taken under the PCI core's raw pci_lock */
	u8 cfg[PCI_CFG_SPACE_EXP_SIZE];
	u8 wmask[PCI_CFG_SPACE_EXP_SIZE];
	unsigned int gen;
	unsigned int cfg_writes;
	struct task_struct *engine;
	struct pnic_pci_eng *eng;
	spinlock_t as_lock;	/* @rid, @pasids */
	struct iommu_domain *rid;
	struct xarray pasids;
};

/**
 * struct pnic_pci - the module's one instance.
 * @sysdata: the root bus's x86 sysdata (its PCI domain number).
 * @window: the BAR window (a "Reserved" range from memmap=), in iomem.
 * @win_va: @window mapped uncached (UC-, as vfio-pci maps BARs).
 * @bus: the root bus.
 * @nfn: number of functions; @fn: their state.
 * @iommu: the IOMMU instance owning exactly these functions.
 */
struct pnic_pci {
	struct pci_sysdata sysdata;
	struct resource window;
	struct resource busn;
	void __iomem *win_va;
	struct pci_bus *bus;
	unsigned int nfn;
	unsigned int pasid_width;
	struct pnic_pci_fn *fn;
	struct iommu_device iommu;
	struct dentry *debugfs;
};

/* pnic_pci_cfg.c */
extern struct pci_ops pnic_pci_ops;
void pnic_pci_cfg_init(struct pnic_pci_fn *fn, unsigned int pasid_width);

/* pnic_pci_dma.c */
#define PNIC_PCI_DMA_MAX	(16 * 1024)	/* bytes of one DMA */
void pnic_pci_dma_sync(void);
int pnic_pci_dma_rw(struct pnic_pci_fn *fn, ioasid_t pasid, u64 iova,
		    void *buf, size_t len, bool write, u64 *bad);
int pnic_pci_dma_write64(struct pnic_pci_fn *fn, ioasid_t pasid, u64 iova,
			 u64 val, u64 *bad);

/* pnic_pci_engine.c */
int pnic_pci_engine_start(struct pnic_pci_fn *fn, unsigned int nqp);
void pnic_pci_engine_stop(struct pnic_pci_fn *fn);
void pnic_pci_engine_notify(struct pnic_pci_fn *fn);
void __iomem *pnic_pci_regs_va(struct pnic_pci_fn *fn);

/* pnic_pci_debugfs.c */
void pnic_pci_debugfs_init(struct pnic_pci *pp);
void pnic_pci_debugfs_exit(struct pnic_pci *pp);

/* pnic_pci_iommu.c */
phys_addr_t pnic_pci_domain_lookup(struct iommu_domain *domain, u64 iova,
				   unsigned int *perm);
int pnic_pci_iommu_register(struct pnic_pci *pp);
void pnic_pci_iommu_unregister(struct pnic_pci *pp);
struct pnic_pci_fn *pnic_pci_fn_of(struct pci_dev *pdev);

#endif /* PNIC_PCI_H */
