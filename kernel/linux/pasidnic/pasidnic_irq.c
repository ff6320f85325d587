// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic: interrupts.
 *
 * MSI-X: vector 0 signals link changes and faults, vector 1 + n the events
 * of queue pair n. Userspace routes vectors to eventfds with
 * VFIO_DEVICE_SET_IRQS. The device request interrupt (VFIO_PCI_REQ_IRQ_INDEX)
 * asks the user to release the device when it is being removed; the error
 * interrupt (VFIO_PCI_ERR_IRQ_INDEX) exists because the device is PCI Express
 * but is never signalled by it.
 *
 * VFIO_DEVICE_GET_IRQ_INFO and VFIO_DEVICE_SET_IRQS accept and refuse exactly
 * what vfio-pci (drivers/vfio/pci/vfio_pci_core.c, vfio_pci_intrs.c) does for
 * a PCI Express function with this config space: no INTx pin, no MSI
 * capability, an MSI-X table of PNIC_NUM_VECS() entries that can grow while
 * enabled (dynamic MSI-X), and the same errno for every refused call. One
 * difference: a failed MSI-X eventfd update changes nothing (vfio-pci
 * disables the vectors it got through).
 *
 * Locking: @irq_lock serialises SET_IRQS and close. The routings (struct
 * pnic_eventfd) are RCU-protected, so pnic_irq_fire() and pnic_irq_request()
 * never sleep and never wait for a SET_IRQS; a replaced routing is freed after
 * a grace period (call_rcu, so SET_IRQS does not wait for one either).
 */
#include <linux/eventfd.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "pasidnic.h"

#ifndef kzalloc_obj	/* kernels before the typed allocators */
#define kzalloc_obj(obj, gfp)	kzalloc(sizeof(obj), gfp)
#endif

/**
 * struct pnic_eventfd - an eventfd a vector or trigger is routed to.
 * @ctx: the eventfd.
 * @rcu: frees it once no pnic_irq_fire() can see it.
 */
struct pnic_eventfd {
	struct eventfd_ctx *ctx;
	struct rcu_head rcu;
};

#define pnic_irq_deref(pdev, p) \
	rcu_dereference_protected(p, lockdep_is_held(&(pdev)->irq_lock))

static void pnic_eventfd_free_rcu(struct rcu_head *rcu)
{
	struct pnic_eventfd *e = container_of(rcu, struct pnic_eventfd, rcu);

	eventfd_ctx_put(e->ctx);
	kfree(e);
}

/* The routing for @fd: NULL when @fd < 0, else a new one or an ERR_PTR. */
static struct pnic_eventfd *pnic_eventfd_get(s32 fd)
{
	struct eventfd_ctx *ctx;
	struct pnic_eventfd *e;

	if (fd < 0)
		return NULL;
	ctx = eventfd_ctx_fdget(fd);
	if (IS_ERR(ctx))
		return ERR_CAST(ctx);
	e = kzalloc_obj(*e, GFP_KERNEL_ACCOUNT);
	if (!e) {
		eventfd_ctx_put(ctx);
		return ERR_PTR(-ENOMEM);
	}
	e->ctx = ctx;
	return e;
}

/* Route *@slot to @e (NULL: unroute); the old routing goes after a grace period. */
static void pnic_eventfd_set(struct pnic_dev *pdev,
			     struct pnic_eventfd __rcu **slot,
			     struct pnic_eventfd *e)
{
	struct pnic_eventfd *old;

	old = rcu_replace_pointer(*slot, e, lockdep_is_held(&pdev->irq_lock));
	if (old)
		call_rcu(&old->rcu, pnic_eventfd_free_rcu);
}

static void pnic_msix_disable(struct pnic_dev *pdev)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pdev->msix); i++)
		pnic_eventfd_set(pdev, &pdev->msix[i], NULL);
	pdev->msix_enabled = false;
}

/*
 * MSI-X with ACTION_TRIGGER, as vfio_pci_set_msi_trigger(): DATA_NONE with
 * count 0 disables; DATA_EVENTFD enables and routes start..start+count-1 (an
 * fd < 0 unroutes); DATA_NONE and DATA_BOOL fire routed vectors and need
 * MSI-X enabled.
 */
static int pnic_msix_trigger(struct pnic_dev *pdev, u32 flags,
			     unsigned int start, unsigned int count,
			     const void *data)
{
	struct pnic_eventfd *e, *new[ARRAY_SIZE(pdev->msix)];
	unsigned int i;

	if (pdev->msix_enabled && !count && (flags & VFIO_IRQ_SET_DATA_NONE)) {
		pnic_msix_disable(pdev);
		return 0;
	}

	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		const s32 *fds = data;

		/* vfio-pci: pci_alloc_irq_vectors(min 1, max 0) */
		if (!pdev->msix_enabled && !start && !count)
			return -ERANGE;
		/* Take every eventfd first: a bad one changes nothing. */
		for (i = 0; i < count; i++) {
			new[i] = pnic_eventfd_get(fds[i]);
			if (IS_ERR(new[i])) {
				int rc = PTR_ERR(new[i]);

				while (i--)
					if (new[i])
						pnic_eventfd_free_rcu(&new[i]->rcu);
				return rc;
			}
		}
		for (i = 0; i < count; i++)
			pnic_eventfd_set(pdev, &pdev->msix[start + i], new[i]);
		pdev->msix_enabled = true;
		return 0;
	}

	if (!pdev->msix_enabled)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		e = pnic_irq_deref(pdev, pdev->msix[start + i]);
		if (!e)
			continue;
		if ((flags & VFIO_IRQ_SET_DATA_NONE) ||
		    ((flags & VFIO_IRQ_SET_DATA_BOOL) && ((const u8 *)data)[i]))
			eventfd_signal(e->ctx);
	}
	return 0;
}

/*
 * A one-vector index (ERR, REQ) with ACTION_TRIGGER, as
 * vfio_pci_set_ctx_trigger_single().
 */
static int pnic_trigger_single(struct pnic_dev *pdev,
			       struct pnic_eventfd __rcu **slot,
			       unsigned int count, u32 flags, const void *data)
{
	struct pnic_eventfd *e = pnic_irq_deref(pdev, *slot);
	s32 fd;

	if (flags & VFIO_IRQ_SET_DATA_NONE) {
		if (!e)
			return -EINVAL;
		if (count)
			eventfd_signal(e->ctx);
		else
			pnic_eventfd_set(pdev, slot, NULL);
		return 0;
	}
	if (!count)
		return -EINVAL;
	if (flags & VFIO_IRQ_SET_DATA_BOOL) {
		if (e && *(const u8 *)data)
			eventfd_signal(e->ctx);
		return 0;
	}
	if (!(flags & VFIO_IRQ_SET_DATA_EVENTFD))
		return -EINVAL;
	fd = *(const s32 *)data;
	if (fd < -1)
		return -EINVAL;
	e = pnic_eventfd_get(fd);
	if (IS_ERR(e))
		return PTR_ERR(e);
	pnic_eventfd_set(pdev, slot, e);
	return 0;
}

/* SET_IRQS of a header vfio_set_irqs_validate_and_prepare() accepted. */
static int pnic_set_irqs(struct pnic_dev *pdev, const struct vfio_irq_set *hdr,
			 const void *data)
{
	struct pnic_eventfd __rcu **slot;
	int rc;

	switch (hdr->index) {
	case VFIO_PCI_MSIX_IRQ_INDEX:
		slot = NULL;
		break;
	case VFIO_PCI_ERR_IRQ_INDEX:
		slot = &pdev->err_trigger;
		break;
	case VFIO_PCI_REQ_IRQ_INDEX:
		slot = &pdev->req_trigger;
		break;
	default:
		/* INTx and MSI have no vectors: validation refused them. */
		return -EINVAL;
	}
	/* vfio-pci has no handler for MASK/UNMASK of these, nor for 0 or 2 actions. */
	if ((hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) !=
	    VFIO_IRQ_SET_ACTION_TRIGGER)
		return -ENOTTY;
	if (slot && (hdr->start || hdr->count > 1))
		return -EINVAL;

	if (mutex_lock_killable(&pdev->irq_lock))
		return -EINTR;
	if (slot)
		rc = pnic_trigger_single(pdev, slot, hdr->count, hdr->flags,
					 data);
	else
		rc = pnic_msix_trigger(pdev, hdr->flags, hdr->start,
				       hdr->count, data);
	mutex_unlock(&pdev->irq_lock);
	return rc;
}

/*
 * Vectors of interrupt index @index (any value), counted as vfio-pci counts
 * them for this config space: INTx 0 (interrupt pin 0), MSI 0 (no MSI
 * capability), MSI-X the table size, ERR 1 (PCI Express), REQ 1, others 0.
 */
static unsigned int pnic_irq_count(struct pnic_dev *pdev, unsigned int index)
{
	switch (index) {
	case VFIO_PCI_MSIX_IRQ_INDEX:
		return PNIC_NUM_VECS(pdev->nqp);
	case VFIO_PCI_ERR_IRQ_INDEX:
	case VFIO_PCI_REQ_IRQ_INDEX:
		return 1;
	}
	return 0;
}

/**
 * pnic_ioctl_get_irq_info() - VFIO_DEVICE_GET_IRQ_INFO.
 * @pdev: the device.
 * @uarg: the user's struct vfio_irq_info.
 *
 * Flags as vfio-pci gives them: EVENTFD on every index, MASKABLE and
 * AUTOMASKED on INTx, NORESIZE on every index but MSI-X (vectors can be
 * routed while MSI-X is enabled).
 *
 * Return: 0; -EFAULT when @uarg cannot be read or written; -EINVAL when
 * argsz is below the struct up to count or the index is >= VFIO_PCI_NUM_IRQS.
 */
long pnic_ioctl_get_irq_info(struct pnic_dev *pdev,
			     struct vfio_irq_info __user *uarg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;

	if (copy_from_user(&info, uarg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	info.flags = VFIO_IRQ_INFO_EVENTFD;
	if (info.index == VFIO_PCI_INTX_IRQ_INDEX)
		info.flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
	else if (info.index != VFIO_PCI_MSIX_IRQ_INDEX)
		info.flags |= VFIO_IRQ_INFO_NORESIZE;
	info.count = pnic_irq_count(pdev, info.index);
	return copy_to_user(uarg, &info, minsz) ? -EFAULT : 0;
}

/**
 * pnic_ioctl_set_irqs() - VFIO_DEVICE_SET_IRQS.
 * @pdev: the device.
 * @uarg: the user's struct vfio_irq_set and its data.
 *
 * Validates as vfio-pci, then routes, unroutes or fires vectors (ACTION_TRIGGER
 * only). doc/pasidnic.md, "SET_IRQS: accepted input and errors", lists every
 * case. A call that fails leaves every routing as it was.
 *
 * Return: 0 or -errno: -EFAULT (@uarg unreadable); -EINVAL (bad argsz, index,
 * flags, start/count, data type, an fd < -1 on ERR/REQ, an fd that is not an
 * eventfd, firing MSI-X while it is disabled, firing ERR/REQ with DATA_NONE
 * while unrouted, count 0 with DATA_BOOL/EVENTFD on ERR/REQ); -ENOTTY (action
 * MASK/UNMASK, none or several); -ERANGE (MSI-X eventfds with start = count =
 * 0 while disabled); -EBADF (an fd that is not open); -EINTR (fatal signal
 * while waiting for another SET_IRQS); -ENOMEM.
 */
long pnic_ioctl_set_irqs(struct pnic_dev *pdev, struct vfio_irq_set __user *uarg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	void *data = NULL;
	int rc;

	if (copy_from_user(&hdr, uarg, minsz))
		return -EFAULT;
	rc = vfio_set_irqs_validate_and_prepare(&hdr,
						pnic_irq_count(pdev, hdr.index),
						VFIO_PCI_NUM_IRQS, &data_size);
	if (rc)
		return rc;
	if (data_size) {
		data = memdup_user(&uarg->data, data_size);
		if (IS_ERR(data))
			return PTR_ERR(data);
	}
	rc = pnic_set_irqs(pdev, &hdr, data);
	kfree(data);
	return rc;
}

/**
 * pnic_irq_disable_all() - drop every eventfd and disable MSI-X (device close).
 * @pdev: the device.
 */
void pnic_irq_disable_all(struct pnic_dev *pdev)
{
	mutex_lock(&pdev->irq_lock);
	pnic_msix_disable(pdev);
	pnic_eventfd_set(pdev, &pdev->err_trigger, NULL);
	pnic_eventfd_set(pdev, &pdev->req_trigger, NULL);
	mutex_unlock(&pdev->irq_lock);
}

/**
 * pnic_irq_fire() - signal MSI-X vector @vec, if userspace routed it.
 * @pdev: the device.
 * @vec: the vector.
 *
 * Does not sleep; any context.
 */
void pnic_irq_fire(struct pnic_dev *pdev, unsigned int vec)
{
	struct pnic_eventfd *e;

	if (vec >= ARRAY_SIZE(pdev->msix))
		return;
	rcu_read_lock();
	e = rcu_dereference(pdev->msix[vec]);
	if (e)
		eventfd_signal(e->ctx);
	rcu_read_unlock();
}

/**
 * pnic_irq_request() - vfio .request: ask userspace to release the device.
 * @pdev: the device.
 * @count: how many times the core asked.
 */
void pnic_irq_request(struct pnic_dev *pdev, unsigned int count)
{
	struct pnic_eventfd *e;

	rcu_read_lock();
	e = rcu_dereference(pdev->req_trigger);
	if (e) {
		if (!(count % 10))
			dev_notice_ratelimited(pdev->vdev.dev,
					       "relaying device request to user (#%u)\n",
					       count);
		eventfd_signal(e->ctx);
	} else if (count == 0) {
		dev_notice(pdev->vdev.dev,
			   "no device request channel registered, blocked until released by user\n");
	}
	rcu_read_unlock();
}

/**
 * pnic_irq_exit() - wait for the eventfds freed after a grace period (module
 * unload).
 */
void pnic_irq_exit(void)
{
	rcu_barrier();
}
