// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic_pci: the tests' DMA port, /sys/kernel/debug/pasidnic_pci/fn<N>/dma
 * (N: the function's device number on the module's root bus).
 *
 * A write of "r PASID IOVA LEN" or "w PASID IOVA LEN BYTE" makes function N
 * do one DMA tagged with PASID (-1: the RID) through its IOMMU domains
 * (pnic_pci_dma_rw()): the write(2) returns the DMA's errno (ENXIO nothing
 * attached, ENOENT not mapped, EPERM no permission, EIO bus mastering off).
 * "w" fills LEN bytes at IOVA with BYTE; a read(2) of the same open file
 * returns the bytes of its last successful "r".
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "pnic_pci.h"

struct pnic_pci_port {
	struct pnic_pci_fn *fn;
	size_t len;		/* bytes of the last read DMA */
	u8 buf[PNIC_PCI_DMA_MAX];
};

static int pnic_port_open(struct inode *inode, struct file *file)
{
	struct pnic_pci_port *port = kzalloc_obj(*port);

	if (!port)
		return -ENOMEM;
	port->fn = inode->i_private;
	file->private_data = port;
	return nonseekable_open(inode, file);
}

static int pnic_port_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static bool pnic_port_master(struct pnic_pci_fn *fn)
{
	unsigned long flags;
	bool on;

	raw_spin_lock_irqsave(&fn->lock, flags);
	on = fn->cfg[PCI_COMMAND] & PCI_COMMAND_MASTER;
	raw_spin_unlock_irqrestore(&fn->lock, flags);
	return on;
}

static ssize_t pnic_port_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct pnic_pci_port *port = file->private_data;
	unsigned int byte = 0;
	unsigned long long iova;
	char cmd[80], op;
	size_t len;
	int pasid, n, ret;

	if (count >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, count))
		return -EFAULT;
	cmd[count] = 0;
	n = sscanf(cmd, "%c %d %llx %zu %x", &op, &pasid, &iova, &len, &byte);
	if ((op != 'r' || n != 4) && (op != 'w' || n != 5))
		return -EINVAL;
	if (pasid < -1 || !len || len > PNIC_PCI_DMA_MAX || byte > 0xff)
		return -EINVAL;
	if (!pnic_port_master(port->fn))
		return -EIO;
	if (op == 'w')
		memset(port->buf, byte, len);
	ret = pnic_pci_dma_rw(port->fn, pasid < 0 ? IOMMU_NO_PASID : pasid,
			      iova, port->buf, len, op == 'w', NULL);
	if (ret)
		return ret;
	if (op == 'r')
		port->len = len;
	return count;
}

static ssize_t pnic_port_read(struct file *file, char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct pnic_pci_port *port = file->private_data;
	size_t n = min(count, port->len);

	if (copy_to_user(ubuf, port->buf, n))
		return -EFAULT;
	return n;
}

static const struct file_operations pnic_port_fops = {
	.owner = THIS_MODULE,
	.open = pnic_port_open,
	.release = pnic_port_release,
	.write = pnic_port_write,
	.read = pnic_port_read,
};

/** pnic_pci_debugfs_init() - create the DMA port of every function. */
void pnic_pci_debugfs_init(struct pnic_pci *pp)
{
	unsigned int i;
	char name[16];

	pp->debugfs = debugfs_create_dir("pasidnic_pci", NULL);
	for (i = 0; i < pp->nfn; i++) {
		struct dentry *d;

		snprintf(name, sizeof(name), "fn%u", i);
		d = debugfs_create_dir(name, pp->debugfs);
		debugfs_create_file("dma", 0600, d, &pp->fn[i],
				    &pnic_port_fops);
	}
}

/** pnic_pci_debugfs_exit() - remove them (waits for open files' calls). */
void pnic_pci_debugfs_exit(struct pnic_pci *pp)
{
	debugfs_remove_recursive(pp->debugfs);
}
