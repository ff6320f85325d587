// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic: an emulated PASID-capable NIC exposed as a vfio mdev device.
 *
 * Module set-up, the mdev parent and types, and the vfio device ops:
 * region access, mmap of the doorbell page, device ioctls. Structure after
 * samples/vfio-mdev/mtty.c and mbochs.c. The programming reference of the
 * device is doc/pasidnic.md.
 */
#include <linux/cdev.h>
#include <linux/etherdevice.h>
#include <linux/iommufd.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "pasidnic.h"

#define PNIC_MAX_PASID_WIDTH	20

unsigned int pnic_pasid_width = PNIC_MAX_PASID_WIDTH;
module_param_named(pasid_width, pnic_pasid_width, uint, 0444);
MODULE_PARM_DESC(pasid_width,
		 "PASID width advertised by every device, 0 (no PASID) to 20 (default 20)");

static unsigned int pnic_max_devices = 16;
module_param_named(max_devices, pnic_max_devices, uint, 0444);
MODULE_PARM_DESC(max_devices, "Most devices (ports) that can exist (default 16)");

static atomic_t pnic_avail;

struct pnic_type {
	struct mdev_type type;
	unsigned int nqp;
};

static struct pnic_type pnic_types[] = {
	{ .nqp = 1, .type.sysfs_name = "q1", .type.pretty_name = "pasidnic, 1 queue pair" },
	{ .nqp = 2, .type.sysfs_name = "q2", .type.pretty_name = "pasidnic, 2 queue pairs" },
	{ .nqp = 4, .type.sysfs_name = "q4", .type.pretty_name = "pasidnic, 4 queue pairs" },
	{ .nqp = 8, .type.sysfs_name = "q8", .type.pretty_name = "pasidnic, 8 queue pairs" },
};

static struct mdev_type *pnic_mdev_types[] = {
	&pnic_types[0].type,
	&pnic_types[1].type,
	&pnic_types[2].type,
	&pnic_types[3].type,
};

static struct pnic_parent {
	struct device dev;
	struct mdev_parent parent;
} pnic_parent;

static const struct class pnic_class = {
	.name = PNIC_NAME,
};

/* ---- region access ---- */

static u64 pnic_region_size(unsigned int index)
{
	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		return PNIC_CFG_SIZE;
	case VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_REGS:
		return PNIC_BAR_REGS_SIZE;
	case VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_DB:
		return PNIC_BAR_DB_SIZE;
	case VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_MSIX:
		return PNIC_BAR_MSIX_SIZE;
	}
	return 0;
}

/*
 * One naturally aligned access of @count (1, 2 or 4) bytes at @pos.
 * Never waits for an engine pass except a queue's register write (its own
 * queue pair's pass); sleeps killably.
 */
static int pnic_access(struct pnic_dev *pdev, u8 *buf, size_t count,
		       loff_t pos, bool is_write)
{
	unsigned int index = PNIC_OFFSET_TO_INDEX(pos);
	u64 off = pos & PNIC_OFFSET_MASK;
	u32 val;
	int rc;

	if (off + count > pnic_region_size(index))
		return -EINVAL;

	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		rc = pnic_cfg_rw(pdev, buf, count, off, is_write);
		if (rc)
			return rc;
		/* Bus mastering may have just been allowed. */
		if (is_write)
			pnic_engine_kick(pdev, 0);
		return 0;
	case VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_REGS:
		if (count != 4)
			return -EINVAL;
		if (is_write) {
			memcpy(&val, buf, 4);
			return pnic_reg_write(pdev, off, le32_to_cpu(val));
		}
		rc = pnic_reg_read(pdev, off, &val);
		if (rc)
			return rc;
		val = cpu_to_le32(val);
		memcpy(buf, &val, 4);
		return 0;
	case VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_DB:
		/* The doorbell page, also reachable without mmap. */
		if (is_write) {
			memcpy(pdev->db + off, buf, count);
			/* tail store before the kick (engine: see pnic_engine_fn) */
			smp_mb();
			pnic_engine_kick(pdev, off < PNIC_DB_ENGINE(0) ?
					 BIT(off / PNIC_DB_STRIDE / 2) : 0);
		} else {
			memcpy(buf, pdev->db + off, count);
		}
		return 0;
	case VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_MSIX:
		/* The MSI-X table is not emulated: vfio users program
		 * vectors with VFIO_DEVICE_SET_IRQS.
		 */
		if (!is_write)
			memset(buf, 0, count);
		return 0;
	}
	return -EINVAL;
}

static ssize_t pnic_rw(struct vfio_device *vdev, char __user *ubuf,
		       size_t count, loff_t *ppos, bool is_write)
{
	struct pnic_dev *pdev = vdev_to_pnic(vdev);
	size_t done = 0;
	loff_t pos = *ppos;
	int rc;

	while (count) {
		size_t n;
		u8 buf[4];

		if (count >= 4 && !(pos % 4))
			n = 4;
		else if (count >= 2 && !(pos % 2))
			n = 2;
		else
			n = 1;
		if (is_write && copy_from_user(buf, ubuf + done, n))
			return -EFAULT;
		rc = pnic_access(pdev, buf, n, pos, is_write);
		if (rc)
			return done ? done : rc;
		if (!is_write && copy_to_user(ubuf + done, buf, n))
			return -EFAULT;
		count -= n;
		done += n;
		pos += n;
	}
	*ppos = pos;
	return done;
}

static ssize_t pnic_read(struct vfio_device *vdev, char __user *buf,
			 size_t count, loff_t *ppos)
{
	return pnic_rw(vdev, buf, count, ppos, false);
}

static ssize_t pnic_write(struct vfio_device *vdev, const char __user *buf,
			  size_t count, loff_t *ppos)
{
	return pnic_rw(vdev, (char __user *)buf, count, ppos, true);
}

static int pnic_mmap(struct vfio_device *vdev, struct vm_area_struct *vma)
{
	struct pnic_dev *pdev = vdev_to_pnic(vdev);
	u64 pos = (u64)vma->vm_pgoff << PAGE_SHIFT;

	if (PNIC_OFFSET_TO_INDEX(pos) != VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_DB ||
	    (pos & PNIC_OFFSET_MASK) ||
	    vma->vm_end - vma->vm_start != PAGE_SIZE)
		return -EINVAL;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	return vm_insert_page(vma, vma->vm_start, pdev->db_page);
}

static int pnic_get_region_info(struct vfio_device *vdev,
				struct vfio_region_info *info,
				struct vfio_info_cap *caps)
{
	if (info->index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	info->offset = PNIC_INDEX_TO_OFFSET(info->index);
	info->size = pnic_region_size(info->index);
	info->flags = 0;
	if (info->size)
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE;
	if (info->index == VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_DB)
		info->flags |= VFIO_REGION_INFO_FLAG_MMAP;
	return 0;
}

/* ---- device ioctls ---- */

static long pnic_ioctl(struct vfio_device *vdev, unsigned int cmd,
		       unsigned long arg)
{
	struct pnic_dev *pdev = vdev_to_pnic(vdev);
	void __user *uarg = (void __user *)arg;
	unsigned long minsz;

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO: {
		struct vfio_device_info info;

		minsz = offsetofend(struct vfio_device_info, num_irqs);
		if (copy_from_user(&info, uarg, minsz))
			return -EFAULT;
		if (info.argsz < minsz)
			return -EINVAL;
		info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
		info.num_regions = VFIO_PCI_NUM_REGIONS;
		info.num_irqs = VFIO_PCI_NUM_IRQS;
		return copy_to_user(uarg, &info, minsz) ? -EFAULT : 0;
	}
#ifndef PNIC_HAVE_GET_REGION_INFO_CAPS
	case VFIO_DEVICE_GET_REGION_INFO: {
		struct vfio_region_info info;
		int rc;

		minsz = offsetofend(struct vfio_region_info, offset);
		if (copy_from_user(&info, uarg, minsz))
			return -EFAULT;
		if (info.argsz < minsz)
			return -EINVAL;
		rc = pnic_get_region_info(vdev, &info, NULL);
		if (rc)
			return rc;
		return copy_to_user(uarg, &info, minsz) ? -EFAULT : 0;
	}
#endif
	case VFIO_DEVICE_GET_IRQ_INFO:
		return pnic_ioctl_get_irq_info(pdev, uarg);
	case VFIO_DEVICE_SET_IRQS:
		return pnic_ioctl_set_irqs(pdev, uarg);
	case VFIO_DEVICE_RESET:
		/* interrupts the engines' DMA in flight; killable */
		return pnic_regs_reset(pdev, true);
	}
	return -ENOTTY;
}

/* ---- open, close, request ---- */

static int pnic_open_device(struct vfio_device *vdev)
{
	struct pnic_dev *pdev = vdev_to_pnic(vdev);

	pnic_regs_reset(pdev, false);
	return pnic_engine_start(pdev);
}

static void pnic_close_device(struct vfio_device *vdev)
{
	struct pnic_dev *pdev = vdev_to_pnic(vdev);

	/* SIGKILL first: never waits for a DMA blocked in a fault */
	pnic_engine_stop(pdev);
	pnic_regs_reset(pdev, false);
	pnic_irq_disable_all(pdev);
}

static void pnic_request(struct vfio_device *vdev, unsigned int count)
{
	pnic_irq_request(vdev_to_pnic(vdev), count);
}

/* ---- device life cycle ---- */

static int pnic_init_dev(struct vfio_device *vdev)
{
	struct pnic_dev *pdev = vdev_to_pnic(vdev);
	struct mdev_device *mdev = to_mdev_device(vdev->dev);
	struct pnic_type *type = container_of(mdev->type, struct pnic_type, type);
	int avail = atomic_read(&pnic_avail);
	unsigned int i;

	do {
		if (avail < 1)
			return -ENOSPC;
	} while (!atomic_try_cmpxchg(&pnic_avail, &avail, avail - 1));

	pdev->nqp = type->nqp;
	mutex_init(&pdev->lock);
	spin_lock_init(&pdev->as_lock);
	init_waitqueue_head(&pdev->as_wq);
	mutex_init(&pdev->irq_lock);
	xa_init(&pdev->pasids);
	pdev->rid.pdev = pdev;
	pdev->rid.state = PNIC_AS_GONE;
	for (i = 0; i < PNIC_MAX_QUEUES; i++) {
		mutex_init(&pdev->q[i].ring_lock);
		seqcount_mutex_init(&pdev->q[i].head_seq, &pdev->q[i].ring_lock);
		spin_lock_init(&pdev->q[i].ring_spin);
	}
	for (i = 0; i < PNIC_MAX_QP; i++) {
		pdev->qps[i].pdev = pdev;
		pdev->qps[i].qp = i;
		mutex_init(&pdev->qps[i].lock);
		init_waitqueue_head(&pdev->qps[i].wq);
	}
	skb_queue_head_init(&pdev->netdev_rxq);
	pdev->db_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!pdev->db_page) {
		atomic_inc(&pnic_avail);
		return -ENOMEM;
	}
	pdev->db = page_address(pdev->db_page);
	eth_random_addr(pdev->mac);
	pnic_cfg_init(pdev);
	return 0;
}

static void pnic_release_dev(struct vfio_device *vdev)
{
	struct pnic_dev *pdev = vdev_to_pnic(vdev);
	unsigned int i;

	__free_page(pdev->db_page);
	xa_destroy(&pdev->pasids);
	for (i = 0; i < PNIC_MAX_QP; i++)
		mutex_destroy(&pdev->qps[i].lock);
	for (i = 0; i < PNIC_MAX_QUEUES; i++)
		mutex_destroy(&pdev->q[i].ring_lock);
	mutex_destroy(&pdev->irq_lock);
	mutex_destroy(&pdev->lock);
	atomic_inc(&pnic_avail);
}

static const struct vfio_device_ops pnic_dev_ops = {
	.name = "vfio-pasidnic",
	.init = pnic_init_dev,
	.release = pnic_release_dev,
	.open_device = pnic_open_device,
	.close_device = pnic_close_device,
	.read = pnic_read,
	.write = pnic_write,
	.mmap = pnic_mmap,
	.ioctl = pnic_ioctl,
#ifdef PNIC_HAVE_GET_REGION_INFO_CAPS
	.get_region_info_caps = pnic_get_region_info,
#endif
	.request = pnic_request,
	.dma_unmap = pnic_rid_dma_unmap,
	.bind_iommufd = pnic_bind_iommufd,
	.unbind_iommufd = pnic_unbind_iommufd,
	.attach_ioas = pnic_attach_ioas,
	.detach_ioas = pnic_detach_ioas,
	.pasid_attach_ioas = pnic_pasid_attach_ioas,
	.pasid_detach_ioas = pnic_pasid_detach_ioas,
};

static int pnic_probe(struct mdev_device *mdev)
{
	struct pnic_dev *pdev;
	int rc;

	pdev = vfio_alloc_device(pnic_dev, vdev, &mdev->dev, &pnic_dev_ops);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	rc = pnic_netdev_create(pdev);
	if (rc)
		goto err_put;
	dev_set_drvdata(&mdev->dev, pdev);
	rc = vfio_register_emulated_iommu_dev(&pdev->vdev);
	if (rc)
		goto err_netdev;
	return 0;

err_netdev:
	pnic_netdev_destroy(pdev);
err_put:
	vfio_put_device(&pdev->vdev);
	return rc;
}

static void pnic_remove(struct mdev_device *mdev)
{
	struct pnic_dev *pdev = dev_get_drvdata(&mdev->dev);

	/* Waits until userspace closed the device, asking it via .request. */
	vfio_unregister_group_dev(&pdev->vdev);
	pnic_netdev_destroy(pdev);
	vfio_put_device(&pdev->vdev);
}

static ssize_t netdev_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct pnic_dev *pdev = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%s\n", pdev->netdev ? pdev->netdev->name : "");
}
static DEVICE_ATTR_RO(netdev);

static ssize_t num_qp_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct pnic_dev *pdev = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", pdev->nqp);
}
static DEVICE_ATTR_RO(num_qp);

static ssize_t pasid_width_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", pnic_pasid_width);
}
static DEVICE_ATTR_RO(pasid_width);

static struct attribute *pnic_dev_attrs[] = {
	&dev_attr_netdev.attr,
	&dev_attr_num_qp.attr,
	&dev_attr_pasid_width.attr,
	NULL,
};

static const struct attribute_group pnic_dev_group = {
	.name = PNIC_NAME,
	.attrs = pnic_dev_attrs,
};

static const struct attribute_group *pnic_dev_groups[] = {
	&pnic_dev_group,
	NULL,
};

static unsigned int pnic_get_available(struct mdev_type *mtype)
{
	return atomic_read(&pnic_avail);
}

static ssize_t pnic_show_description(struct mdev_type *mtype, char *buf)
{
	struct pnic_type *type = container_of(mtype, struct pnic_type, type);

	return sysfs_emit(buf, "queue pairs: %u, PASID width: %u\n",
			  type->nqp, pnic_pasid_width);
}

static struct mdev_driver pnic_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.driver = {
		.name = PNIC_NAME,
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
		.dev_groups = pnic_dev_groups,
	},
	.probe = pnic_probe,
	.remove = pnic_remove,
	.get_available = pnic_get_available,
	.show_description = pnic_show_description,
};

static void pnic_parent_release(struct device *dev)
{
}

static int __init pnic_init(void)
{
	int rc;

	if (pnic_pasid_width > PNIC_MAX_PASID_WIDTH) {
		pr_err(PNIC_NAME ": pasid_width %u is over %u\n",
		       pnic_pasid_width, PNIC_MAX_PASID_WIDTH);
		return -EINVAL;
	}
	atomic_set(&pnic_avail, pnic_max_devices);

	rc = mdev_register_driver(&pnic_driver);
	if (rc)
		return rc;
	rc = class_register(&pnic_class);
	if (rc)
		goto err_driver;
	pnic_parent.dev.class = &pnic_class;
	pnic_parent.dev.release = pnic_parent_release;
	dev_set_name(&pnic_parent.dev, "%s", PNIC_NAME);
	rc = device_register(&pnic_parent.dev);
	if (rc)
		goto err_put;
	rc = mdev_register_parent(&pnic_parent.parent, &pnic_parent.dev,
				  &pnic_driver, pnic_mdev_types,
				  ARRAY_SIZE(pnic_mdev_types));
	if (rc)
		goto err_device;
	return 0;

err_device:
	device_del(&pnic_parent.dev);
err_put:
	put_device(&pnic_parent.dev);
	class_unregister(&pnic_class);
err_driver:
	mdev_unregister_driver(&pnic_driver);
	return rc;
}

static void __exit pnic_exit(void)
{
	mdev_unregister_parent(&pnic_parent.parent);
	device_unregister(&pnic_parent.dev);
	class_unregister(&pnic_class);
	mdev_unregister_driver(&pnic_driver);
	pnic_irq_exit();
}

module_init(pnic_init);
module_exit(pnic_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Emulated PASID-capable NIC exposed as a vfio mdev device");
MODULE_IMPORT_NS("IOMMUFD");
