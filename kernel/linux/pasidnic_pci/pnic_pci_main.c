// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic_pci: module life cycle, the BAR window and the root bus.
 *
 * The BAR window is a range inside one the test VM reserved with
 * memmap=<size>$<addr> (a "Reserved" iomem region, not claimed by anyone;
 * strictly inside, or the Reserved resource would nest under ours and fill
 * it). It becomes the host bridge's only memory window, and the PCI core
 * assigns the functions' BARs inside it (x86 needs pci=no_e820 for that:
 * it keeps BARs out of E820 entries). The root bus gets a PCI domain of its own above 0xffff, as
 * Intel's VMD driver does, so no firmware IOMMU table describes it.
 *
 * Unloading: the IOMMU core holds a reference on this module for each
 * function it probed, so rmmod is refused (EBUSY) while functions exist;
 * remove them first (/sys/bus/pci/devices/<BDF>/remove).
 */
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "pasidnic_regs.h"
#include "pnic_pci.h"

static unsigned long long window;
module_param(window, ullong, 0444);
MODULE_PARM_DESC(window, "BAR window start: a range reserved with memmap=<size>$<addr> (required)");

static unsigned long long window_size;
module_param(window_size, ullong, 0444);
MODULE_PARM_DESC(window_size, "BAR window size in bytes (required; the window must lie strictly inside the reserved range)");

static unsigned int functions = 2;
module_param(functions, uint, 0444);
MODULE_PARM_DESC(functions, "number of PCI functions, 1-32 (default 2)");

static unsigned int pasid_width = 20;
module_param(pasid_width, uint, 0444);
MODULE_PARM_DESC(pasid_width, "PASID width of each function, 0-20 (default 20; 0: no PASID capability)");

static unsigned int queue_pairs = 4;
module_param(queue_pairs, uint, 0444);
MODULE_PARM_DESC(queue_pairs, "queue pairs of each function, 1-8 (default 4)");

static struct pnic_pci *pnic_pci;

static void pnic_pci_engines_stop(struct pnic_pci *pp)
{
	unsigned int i;

	for (i = 0; i < pp->nfn; i++)
		pnic_pci_engine_stop(&pp->fn[i]);
}

static int pnic_pci_engines_start(struct pnic_pci *pp)
{
	unsigned int i;
	int ret;

	for (i = 0; i < pp->nfn; i++) {
		ret = pnic_pci_engine_start(&pp->fn[i], queue_pairs);
		if (ret) {
			pnic_pci_engines_stop(pp);
			return ret;
		}
	}
	return 0;
}

/* The window: inside an unclaimed "Reserved" range (memmap=). */
static int pnic_pci_window_claim(struct pnic_pci *pp)
{
	/* one function's BARs: BAR0 and BAR2, 4 KiB each */
	u64 need = (u64)functions * (PNIC_BAR_REGS_SIZE + PNIC_BAR_DB_SIZE);
	int ret;

	if (!window || !PAGE_ALIGNED(window) || !PAGE_ALIGNED(window_size) ||
	    window + window_size < window || window_size < need) {
		pr_err("pasidnic_pci: window=%#llx window_size=%#llx: need a page-aligned range of at least %#llx bytes inside one reserved with memmap=<size>$<addr> on the kernel command line\n",
		       window, window_size, need);
		return -EINVAL;
	}
	if (region_intersects(window, window_size, IORESOURCE_MEM,
			      IORES_DESC_RESERVED) != REGION_INTERSECTS) {
		pr_err("pasidnic_pci: [%#llx, %#llx) is not wholly a Reserved range of /proc/iomem: boot with memmap=%#llx$%#llx\n",
		       window, window + window_size, window_size, window);
		return -EINVAL;
	}
	pp->window.name = "pasidnic_pci BARs";
	pp->window.start = window;
	pp->window.end = window + window_size - 1;
	pp->window.flags = IORESOURCE_MEM;
	ret = insert_resource(&iomem_resource, &pp->window);
	if (ret) {
		pr_err("pasidnic_pci: [%#llx, %#llx) is in use (see /proc/iomem): %d\n",
		       window, window + window_size, ret);
		return ret;
	}
	/*
	 * A resource of exactly the range of the Reserved one goes above it
	 * (insert_resource()), which then fills the window: no room for BARs.
	 */
	if (pp->window.child) {
		remove_resource(&pp->window);
		pr_err("pasidnic_pci: [%#llx, %#llx) is a whole Reserved range: give a window strictly inside it (e.g. leave its last page out)\n",
		       window, window + window_size);
		return -EINVAL;
	}
	/* Uncached (UC-), the type vfio-pci maps BARs with (x86 PAT). */
	pp->win_va = ioremap(window, window_size);
	if (!pp->win_va) {
		remove_resource(&pp->window);
		return -ENOMEM;
	}
	memset_io(pp->win_va, 0, window_size);
	return 0;
}

static void pnic_pci_window_release(struct pnic_pci *pp)
{
	iounmap(pp->win_va);
	remove_resource(&pp->window);
}

static int pnic_pci_bus_create(struct pnic_pci *pp)
{
	LIST_HEAD(resources);
	int dom;

	dom = pci_bus_find_emul_domain_nr(0, 0x10000, INT_MAX);
	if (dom < 0)
		return dom;
	pp->sysdata.domain = dom;
	pp->sysdata.node = NUMA_NO_NODE;
	pp->busn.name = "pasidnic_pci bus";
	pp->busn.start = 0;
	pp->busn.end = 0;
	pp->busn.flags = IORESOURCE_BUS;
	pci_add_resource(&resources, &pp->window);
	pci_add_resource(&resources, &pp->busn);

	pci_lock_rescan_remove();
	pp->bus = pci_create_root_bus(NULL, 0, &pnic_pci_ops, &pp->sysdata,
				      &resources);
	if (!pp->bus) {
		pci_unlock_rescan_remove();
		pci_free_resource_list(&resources);
		pci_bus_release_emul_domain_nr(dom);
		return -ENODEV;
	}
	pci_scan_child_bus(pp->bus);
	pci_assign_unassigned_bus_resources(pp->bus);
	pci_bus_add_devices(pp->bus);
	pci_unlock_rescan_remove();
	return 0;
}

static void pnic_pci_bus_remove(struct pnic_pci *pp)
{
	pci_lock_rescan_remove();
	pci_stop_root_bus(pp->bus);
	pci_remove_root_bus(pp->bus);
	pci_unlock_rescan_remove();
	pci_bus_release_emul_domain_nr(pp->sysdata.domain);
}

static int __init pnic_pci_init(void)
{
	struct pnic_pci *pp;
	unsigned int i;
	int ret;

	if (!functions || functions > PNIC_PCI_MAX_FUNCTIONS || pasid_width > 20 ||
	    !queue_pairs || queue_pairs > PNIC_MAX_QP) {
		pr_err("pasidnic_pci: functions=%u (1-%u), pasid_width=%u (0-20), queue_pairs=%u (1-%u)\n",
		       functions, PNIC_PCI_MAX_FUNCTIONS, pasid_width,
		       queue_pairs, PNIC_MAX_QP);
		return -EINVAL;
	}
	pp = kzalloc_obj(*pp);
	if (!pp)
		return -ENOMEM;
	pp->nfn = functions;
	pp->pasid_width = pasid_width;
	pp->fn = kzalloc_objs(*pp->fn, functions);
	if (!pp->fn) {
		ret = -ENOMEM;
		goto err_free;
	}
	for (i = 0; i < functions; i++) {
		pp->fn[i].pp = pp;
		pp->fn[i].slot = i;
		raw_spin_lock_init(&pp->fn[i].lock);
		spin_lock_init(&pp->fn[i].as_lock);
		xa_init(&pp->fn[i].pasids);
		pnic_pci_cfg_init(&pp->fn[i], pasid_width);
	}
	ret = pnic_pci_window_claim(pp);
	if (ret)
		goto err_free;
	/* Engines before the bus: config writes from the scan notify them. */
	ret = pnic_pci_engines_start(pp);
	if (ret)
		goto err_window;
	/* The IOMMU first: each function is probed by it when it is added. */
	ret = pnic_pci_iommu_register(pp);
	if (ret)
		goto err_engines;
	ret = pnic_pci_bus_create(pp);
	if (ret)
		goto err_iommu;
	pnic_pci = pp;
	pnic_pci_debugfs_init(pp);
	pr_info("pasidnic_pci: %u functions on PCI domain %04x, BARs in [%#llx, %#llx), PASID width %u, %u queue pairs\n",
		functions, pp->sysdata.domain, window, window + window_size,
		pasid_width, queue_pairs);
	return 0;

err_iommu:
	pnic_pci_iommu_unregister(pp);
err_engines:
	pnic_pci_engines_stop(pp);
err_window:
	pnic_pci_window_release(pp);
err_free:
	kfree(pp->fn);
	kfree(pp);
	return ret;
}

static void __exit pnic_pci_exit(void)
{
	struct pnic_pci *pp = pnic_pci;
	unsigned int i;

	pnic_pci_debugfs_exit(pp);
	pnic_pci_bus_remove(pp);
	pnic_pci_engines_stop(pp);
	pnic_pci_iommu_unregister(pp);
	pnic_pci_window_release(pp);
	for (i = 0; i < pp->nfn; i++)
		xa_destroy(&pp->fn[i].pasids);
	kfree(pp->fn);
	kfree(pp);
}

module_init(pnic_pci_init);
module_exit(pnic_pci_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pasidnic ports as PCI functions behind an IOMMU of their own (test VMs only)");
