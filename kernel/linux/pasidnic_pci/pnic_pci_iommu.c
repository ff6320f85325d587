// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic_pci: the IOMMU driver owning exactly the module's functions.
 *
 * Registered with iommu_device_register() and no hardware device, hence a
 * NULL fwnode: the IOMMU core offers it every device without a fwspec
 * (iommu_fwspec_ops(NULL)), and probe_device accepts only the functions of
 * the module's root bus. Test VMs with no other IOMMU only.
 *
 * Domains:
 * - a static blocking domain, also the default domain (the functions do no
 *   DMA until a paging domain is attached; there is no DMA API user);
 * - paging domains whose page table is the driver's own: an xarray from IOVA
 *   page number to physical page number and permission (4 KiB pages, 48-bit
 *   IOVA aperture).
 * attach_dev and set_dev_pasid record the domain of the RID and of each
 * PASID; the device side translates through them.
 */
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/pci-ats.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/xarray.h>

#include "pnic_pci.h"

#define PNIC_PCI_IOVA_BITS	48
#define PNIC_PCI_MAX_PASIDS	BIT(20)

/* A page table entry: physical page number << 2 | write << 1 | read. */
#define PNIC_PTE_READ		BIT(0)
#define PNIC_PTE_WRITE		BIT(1)
#define PNIC_PTE_SHIFT		2

/**
 * struct pnic_pci_domain - a paging domain.
 * @domain: the core's domain.
 * @pt: the page table: IOVA >> PAGE_SHIFT -> xa_mk_value(PTE).
 */
struct pnic_pci_domain {
	struct iommu_domain domain;
	struct xarray pt;
};

static struct pnic_pci_domain *to_pnic_domain(struct iommu_domain *domain)
{
	return container_of(domain, struct pnic_pci_domain, domain);
}

/**
 * pnic_pci_fn_of() - the module's function behind @pdev.
 * Return: the function, or NULL when @pdev is not one of the module's.
 */
struct pnic_pci_fn *pnic_pci_fn_of(struct pci_dev *pdev)
{
	struct pnic_pci *pp = container_of(pdev->bus->sysdata, struct pnic_pci,
					   sysdata);

	if (pdev->bus->ops != &pnic_pci_ops || PCI_FUNC(pdev->devfn) ||
	    PCI_SLOT(pdev->devfn) >= pp->nfn)
		return NULL;
	return &pp->fn[PCI_SLOT(pdev->devfn)];
}

static struct pnic_pci_fn *dev_to_fn(struct device *dev)
{
	return dev_iommu_priv_get(dev);
}

/* ---- blocking domain ---- */

/* The RID's DMA goes through @domain (NULL: blocked) from now on. */
static void pnic_set_rid(struct device *dev, struct iommu_domain *domain)
{
	struct pnic_pci_fn *fn = dev_to_fn(dev);

	spin_lock(&fn->as_lock);
	WRITE_ONCE(fn->rid, domain);
	spin_unlock(&fn->as_lock);
	pnic_pci_dma_sync();
}

static int pnic_blocking_attach(struct iommu_domain *domain,
				struct device *dev, struct iommu_domain *old)
{
	pnic_set_rid(dev, NULL);
	return 0;
}

static int pnic_blocking_set_dev_pasid(struct iommu_domain *domain,
				       struct device *dev, ioasid_t pasid,
				       struct iommu_domain *old)
{
	struct pnic_pci_fn *fn = dev_to_fn(dev);

	xa_erase(&fn->pasids, pasid);
	pnic_pci_dma_sync();
	return 0;
}

static const struct iommu_domain_ops pnic_blocking_ops = {
	.attach_dev = pnic_blocking_attach,
	.set_dev_pasid = pnic_blocking_set_dev_pasid,
};

static struct iommu_domain pnic_blocking_domain = {
	.type = IOMMU_DOMAIN_BLOCKED,
	.ops = &pnic_blocking_ops,
};

/* ---- paging domains ---- */

static int pnic_paging_attach(struct iommu_domain *domain, struct device *dev,
			      struct iommu_domain *old)
{
	pnic_set_rid(dev, domain);
	return 0;
}

static int pnic_paging_set_dev_pasid(struct iommu_domain *domain,
				     struct device *dev, ioasid_t pasid,
				     struct iommu_domain *old)
{
	struct pnic_pci_fn *fn = dev_to_fn(dev);
	int ret;

	ret = xa_err(xa_store(&fn->pasids, pasid, domain, GFP_KERNEL));
	if (!ret)
		pnic_pci_dma_sync();
	return ret;
}

static int pnic_paging_map_pages(struct iommu_domain *domain,
				 unsigned long iova, phys_addr_t paddr,
				 size_t pgsize, size_t pgcount, int prot,
				 gfp_t gfp, size_t *mapped)
{
	struct pnic_pci_domain *d = to_pnic_domain(domain);
	unsigned long perm = 0;
	size_t i;
	int ret;

	if (prot & IOMMU_READ)
		perm |= PNIC_PTE_READ;
	if (prot & IOMMU_WRITE)
		perm |= PNIC_PTE_WRITE;
	for (i = 0; i < pgcount; i++) {
		unsigned long pte = ((paddr >> PAGE_SHIFT) + i) << PNIC_PTE_SHIFT;

		ret = xa_err(xa_store(&d->pt, (iova >> PAGE_SHIFT) + i,
				      xa_mk_value(pte | perm), gfp));
		if (ret)
			return ret;
		*mapped += PAGE_SIZE;
	}
	return 0;
}

static size_t pnic_paging_unmap_pages(struct iommu_domain *domain,
				      unsigned long iova, size_t pgsize,
				      size_t pgcount,
				      struct iommu_iotlb_gather *gather)
{
	struct pnic_pci_domain *d = to_pnic_domain(domain);
	size_t i;

	for (i = 0; i < pgcount; i++)
		xa_erase(&d->pt, (iova >> PAGE_SHIFT) + i);
	/* iommufd unpins the pages next: no DMA may still copy to them. */
	pnic_pci_dma_sync();
	return pgcount * pgsize;
}

/**
 * pnic_pci_domain_lookup() - translate @iova in paging domain @domain.
 * @perm: set to IOMMU_READ | IOMMU_WRITE bits of the mapping, 0 when
 *	@iova is not mapped.
 * Return: the physical address of @iova (0 when not mapped).
 */
phys_addr_t pnic_pci_domain_lookup(struct iommu_domain *domain, u64 iova,
				   unsigned int *perm)
{
	struct pnic_pci_domain *d = to_pnic_domain(domain);
	void *e = xa_load(&d->pt, iova >> PAGE_SHIFT);
	unsigned long pte;

	*perm = 0;
	if (!xa_is_value(e))
		return 0;
	pte = xa_to_value(e);
	if (pte & PNIC_PTE_READ)
		*perm |= IOMMU_READ;
	if (pte & PNIC_PTE_WRITE)
		*perm |= IOMMU_WRITE;
	return ((phys_addr_t)(pte >> PNIC_PTE_SHIFT) << PAGE_SHIFT) |
	       (iova & ~PAGE_MASK);
}

static phys_addr_t pnic_paging_iova_to_phys(struct iommu_domain *domain,
					    dma_addr_t iova)
{
	unsigned int perm;

	return pnic_pci_domain_lookup(domain, iova, &perm);
}

static void pnic_paging_free(struct iommu_domain *domain)
{
	struct pnic_pci_domain *d = to_pnic_domain(domain);

	xa_destroy(&d->pt);
	kfree(d);
}

static const struct iommu_domain_ops pnic_paging_ops = {
	.attach_dev = pnic_paging_attach,
	.set_dev_pasid = pnic_paging_set_dev_pasid,
	.map_pages = pnic_paging_map_pages,
	.unmap_pages = pnic_paging_unmap_pages,
	.iova_to_phys = pnic_paging_iova_to_phys,
	.free = pnic_paging_free,
};

static struct iommu_domain *
pnic_domain_alloc_paging_flags(struct device *dev, u32 flags,
			       const struct iommu_user_data *user_data)
{
	struct pnic_pci_domain *d;

	if ((flags & ~IOMMU_HWPT_ALLOC_PASID) || user_data)
		return ERR_PTR(-EOPNOTSUPP);
	d = kzalloc_obj(*d, GFP_KERNEL_ACCOUNT);
	if (!d)
		return ERR_PTR(-ENOMEM);
	xa_init(&d->pt);
	d->domain.type = IOMMU_DOMAIN_UNMANAGED;
	d->domain.ops = &pnic_paging_ops;
	d->domain.pgsize_bitmap = SZ_4K;
	d->domain.geometry.aperture_start = 0;
	d->domain.geometry.aperture_end = BIT_ULL(PNIC_PCI_IOVA_BITS) - 1;
	d->domain.geometry.force_aperture = true;
	return &d->domain;
}

/* ---- devices ---- */

static struct iommu_device *pnic_probe_device(struct device *dev)
{
	struct pci_dev *pdev;
	struct pnic_pci_fn *fn;
	int ret;

	if (!dev_is_pci(dev))
		return ERR_PTR(-ENODEV);
	pdev = to_pci_dev(dev);
	fn = pnic_pci_fn_of(pdev);
	if (!fn)
		return ERR_PTR(-ENODEV);
	/*
	 * IOMMU_GET_HW_INFO reports the PASID width only for a function with
	 * PASID enabled: enable it here, as intel-iommu does.
	 */
	if (pdev->pasid_cap) {
		ret = pci_enable_pasid(pdev, 0);
		if (ret) {
			pci_err(pdev, "pasidnic_pci: cannot enable PASID: %d\n",
				ret);
			return ERR_PTR(ret);
		}
	}
	dev_iommu_priv_set(dev, fn);
	return &fn->pp->iommu;
}

static void pnic_release_device(struct device *dev)
{
	struct pci_dev *pdev = to_pci_dev(dev);

	if (pdev->pasid_enabled)
		pci_disable_pasid(pdev);
}

static bool pnic_capable(struct device *dev, enum iommu_cap cap)
{
	/* The device side copies with the CPU: always coherent. */
	return cap == IOMMU_CAP_CACHE_COHERENCY;
}

static const struct iommu_ops pnic_pci_iommu_ops = {
	/* IOMMU_DOMAIN_BLOCKED is 0: def_domain_type cannot return it. */
	.default_domain = &pnic_blocking_domain,
	.blocked_domain = &pnic_blocking_domain,
	.owner = THIS_MODULE,
	.capable = pnic_capable,
	.domain_alloc_paging_flags = pnic_domain_alloc_paging_flags,
	.probe_device = pnic_probe_device,
	.release_device = pnic_release_device,
	.device_group = pci_device_group,
};

/**
 * pnic_pci_iommu_register() - register the IOMMU (before the root bus, so
 * that each function is probed by it when it is added).
 * Return: 0 or -errno.
 */
int pnic_pci_iommu_register(struct pnic_pci *pp)
{
	int ret;

	pp->iommu.max_pasids = PNIC_PCI_MAX_PASIDS;
	ret = iommu_device_sysfs_add(&pp->iommu, NULL, NULL, "pasidnic_pci");
	if (ret)
		return ret;
	ret = iommu_device_register(&pp->iommu, &pnic_pci_iommu_ops, NULL);
	if (ret) {
		iommu_device_sysfs_remove(&pp->iommu);
		return ret;
	}
	return 0;
}

/** pnic_pci_iommu_unregister() - undo pnic_pci_iommu_register(). */
void pnic_pci_iommu_unregister(struct pnic_pci *pp)
{
	iommu_device_unregister(&pp->iommu);
	iommu_device_sysfs_remove(&pp->iommu);
}
