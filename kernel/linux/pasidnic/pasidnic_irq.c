// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic: interrupts.
 *
 * MSI-X only: vector 0 signals link changes and faults, vector 1 + n the
 * events of queue pair n. Userspace routes vectors to eventfds with
 * VFIO_DEVICE_SET_IRQS. The device request interrupt (VFIO_PCI_REQ_IRQ_INDEX)
 * asks the user to release the device when it is being removed.
 */
#include <linux/eventfd.h>
#include <linux/slab.h>

#include "pasidnic.h"

static void pnic_msix_disable(struct pnic_dev *pdev)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pdev->msix); i++) {
		if (pdev->msix[i]) {
			eventfd_ctx_put(pdev->msix[i]);
			pdev->msix[i] = NULL;
		}
	}
	pdev->nvec = 0;
}

static void pnic_req_disable(struct pnic_dev *pdev)
{
	if (pdev->req_trigger) {
		eventfd_ctx_put(pdev->req_trigger);
		pdev->req_trigger = NULL;
	}
}

/* Replace *@slot with the eventfd @fd (-1: none). */
static int pnic_set_eventfd(struct eventfd_ctx **slot, s32 fd)
{
	struct eventfd_ctx *ctx = NULL;

	if (fd >= 0) {
		ctx = eventfd_ctx_fdget(fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	}
	if (*slot)
		eventfd_ctx_put(*slot);
	*slot = ctx;
	return 0;
}

static int pnic_set_msix(struct pnic_dev *pdev, u32 flags, unsigned int start,
			 unsigned int count, void *data)
{
	unsigned int nvec = PNIC_NUM_VECS(pdev->nqp), i;
	int rc;

	if (!count && (flags & VFIO_IRQ_SET_DATA_NONE)) {
		pnic_msix_disable(pdev);
		return 0;
	}
	if (start + count > nvec)
		return -EINVAL;

	for (i = 0; i < count; i++) {
		unsigned int vec = start + i;

		if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
			rc = pnic_set_eventfd(&pdev->msix[vec],
					      ((s32 *)data)[i]);
			if (rc)
				return rc;
		} else if ((flags & VFIO_IRQ_SET_DATA_NONE) ||
			   ((flags & VFIO_IRQ_SET_DATA_BOOL) &&
			    ((u8 *)data)[i])) {
			if (pdev->msix[vec])
				eventfd_signal(pdev->msix[vec]);
		}
	}
	pdev->nvec = 0;
	for (i = 0; i < nvec; i++)
		if (pdev->msix[i])
			pdev->nvec = i + 1;
	return 0;
}

/**
 * pnic_set_irqs() - VFIO_DEVICE_SET_IRQS after validation.
 * @pdev: the device.
 * @flags: VFIO_IRQ_SET_* flags.
 * @index: VFIO_PCI_*_IRQ_INDEX.
 * @start: first vector.
 * @count: vectors.
 * @data: eventfds or bools, as @flags says.
 *
 * Return: 0 or -errno.
 */
int pnic_set_irqs(struct pnic_dev *pdev, u32 flags, unsigned int index,
		  unsigned int start, unsigned int count, void *data)
{
	int rc = -EINVAL;

	if ((flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) != VFIO_IRQ_SET_ACTION_TRIGGER)
		return -EINVAL;

	mutex_lock(&pdev->irq_lock);
	switch (index) {
	case VFIO_PCI_MSIX_IRQ_INDEX:
		rc = pnic_set_msix(pdev, flags, start, count, data);
		break;
	case VFIO_PCI_REQ_IRQ_INDEX:
		if (start != 0 || count > 1)
			break;
		if (!count && (flags & VFIO_IRQ_SET_DATA_NONE)) {
			pnic_req_disable(pdev);
			rc = 0;
		} else if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
			rc = pnic_set_eventfd(&pdev->req_trigger,
					      *(s32 *)data);
		} else {
			if (pdev->req_trigger)
				eventfd_signal(pdev->req_trigger);
			rc = 0;
		}
		break;
	default:
		rc = -EINVAL;
		break;
	}
	mutex_unlock(&pdev->irq_lock);
	return rc;
}

/**
 * pnic_irq_disable_all() - drop every eventfd (device close).
 * @pdev: the device.
 */
void pnic_irq_disable_all(struct pnic_dev *pdev)
{
	mutex_lock(&pdev->irq_lock);
	pnic_msix_disable(pdev);
	pnic_req_disable(pdev);
	mutex_unlock(&pdev->irq_lock);
}

/**
 * pnic_irq_fire() - signal MSI-X vector @vec, if userspace routed it.
 * @pdev: the device.
 * @vec: the vector.
 */
void pnic_irq_fire(struct pnic_dev *pdev, unsigned int vec)
{
	mutex_lock(&pdev->irq_lock);
	if (vec < ARRAY_SIZE(pdev->msix) && pdev->msix[vec])
		eventfd_signal(pdev->msix[vec]);
	mutex_unlock(&pdev->irq_lock);
}

/**
 * pnic_irq_request() - vfio .request: ask userspace to release the device.
 * @pdev: the device.
 * @count: how many times the core asked.
 */
void pnic_irq_request(struct pnic_dev *pdev, unsigned int count)
{
	mutex_lock(&pdev->irq_lock);
	if (pdev->req_trigger) {
		if (!(count % 10))
			dev_notice_ratelimited(pdev->vdev.dev,
					       "relaying device request to user (#%u)\n",
					       count);
		eventfd_signal(pdev->req_trigger);
	} else if (count == 0) {
		dev_notice(pdev->vdev.dev,
			   "no device request channel registered, blocked until released by user\n");
	}
	mutex_unlock(&pdev->irq_lock);
}
