/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_pasidnic: ethdev PMD of the emulated PASID-capable NIC
 * (kernel/linux/pasidnic, doc/pasidnic.md) on the iommufd bus.
 *
 * The driver: probe (the primary creates the port, a secondary attaches
 * to it), remove, registration on the bus; what each process sets up for
 * itself (its device fd and doorbell mapping). The port's ops and their
 * table: pasidnic_port.c. The other files are listed in pasidnic.h.
 */
#include <errno.h>
#include <stdlib.h>

#include <linux/vfio.h>

#include <ethdev_driver.h>
#include <rte_bus_iommufd.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_string_fns.h>

#include "pasidnic.h"

RTE_LOG_REGISTER_DEFAULT(pasidnic_logtype, NOTICE);

/* This process's access to the device: its fd and the doorbell page (BAR2). */
static int
pnic_proc_init(struct rte_eth_dev *eth_dev, struct rte_iommufd_device *idev)
{
	struct pnic_proc *pp = calloc(1, sizeof(*pp));
	size_t dbsize = 0;

	if (pp == NULL)
		return -ENOMEM;
	pp->idev = idev;
	pp->eth_dev = eth_dev;
	pp->fd = idev->fd;
	pthread_mutex_init(&pp->dev_mbox, NULL);
	eth_dev->process_private = pp;
	pp->db = rte_iommufd_bar_map(idev, VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_DB, &dbsize);
	if (pp->db == NULL || dbsize < PNIC_BAR_DB_SIZE) {
		PNIC_LOG(ERR, "%s: cannot map the doorbell page (BAR%u): %s", idev->name,
			 PNIC_BAR_DB, rte_strerror(rte_errno));
		pnic_proc_free(eth_dev);
		return -ENODEV;
	}
	return 0;
}

/* Check the device and read what it offers. */
static int
pnic_hw_init(struct pnic_port *p, struct rte_iommufd_device *idev)
{
	struct rte_iommufd_region bar0;
	uint32_t id, ver;
	uint64_t mac;
	unsigned int i;

	if (rte_iommufd_region_info(idev, VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_REGS, &bar0) ||
	    bar0.size < PNIC_BAR_REGS_SIZE) {
		PNIC_LOG(ERR, "%s: no register BAR", idev->name);
		return -ENODEV;
	}
	p->bar0 = bar0.offset;
	/*
	 * A physical function resets itself when vfio-pci opens it (FLR, then
	 * memory decoding on), asynchronously: a write it acknowledges (the
	 * interrupt mask at its reset value) says the reset is done and its
	 * engine runs, before the register file is read.
	 */
	if (p->phys && pnic_wr(p, PNIC_REG_IRQ_MASK, 0) < 0) {
		PNIC_LOG(ERR, "%s: the physical function does not answer its register mailbox: "
			 "is pasidnic_pci loaded with its engine, and memory decoding on?",
			 idev->name);
		return -EIO;
	}
	id = pnic_rd(p, PNIC_REG_ID);
	ver = pnic_rd(p, PNIC_REG_VERSION);
	if (id != PNIC_ID_MAGIC || ver >> 16 != PNIC_VERSION >> 16) {
		PNIC_LOG(ERR, "%s: not a pasidnic of version %u (ID %#x, version %#x)",
			 idev->name, PNIC_VERSION >> 16, id, ver);
		return -ENODEV;
	}
	p->nb_qp = pnic_rd(p, PNIC_REG_NUM_QP);
	p->pasid_width = pnic_rd(p, PNIC_REG_PASID_WIDTH);
	p->caps = pnic_rd(p, PNIC_REG_CAPS);
	if (p->nb_qp == 0 || p->nb_qp > PNIC_MAX_QP) {
		PNIC_LOG(ERR, "%s: bad number of queue pairs %u", idev->name, p->nb_qp);
		return -ENODEV;
	}
	if (p->args.backend == PNIC_BACKEND_NETDEV && !(p->caps & PNIC_CAP_NETDEV)) {
		PNIC_LOG(ERR, "%s: the device has no netdev backend", idev->name);
		return -ENOTSUP;
	}
	/*
	 * PASID Enable (PCI PASID control register) before any queue uses a
	 * PASID. A physical function's is the kernel's: its IOMMU driver
	 * enabled PASID, and vfio-pci hides the capability.
	 */
	if (p->pasid_width > 0 && !p->phys) {
		uint16_t ctl = 1;

		if (rte_iommufd_region_write(idev, VFIO_PCI_CONFIG_REGION_INDEX, &ctl,
					     sizeof(ctl), PNIC_CFG_PASID_ECAP + 6)) {
			PNIC_LOG(ERR, "%s: cannot set PASID Enable", idev->name);
			return -EIO;
		}
	}
	mac = (uint64_t)pnic_rd(p, PNIC_REG_MAC_HI) << 32 | pnic_rd(p, PNIC_REG_MAC_LO);
	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		p->mac.addr_bytes[i] = (uint8_t)(mac >> (8 * i));
	if (!rte_is_valid_assigned_ether_addr(&p->mac))
		rte_eth_random_addr(p->mac.addr_bytes);
	p->dev_fault_base = pnic_rd(p, PNIC_REG_FAULT_COUNT);
	p->wakeup_base = pnic_rd(p, PNIC_REG_ENGINE_WAKEUPS);
	return 0;
}

/* What every process sets in its own struct rte_eth_dev. */
static void
pnic_eth_dev_fill(struct rte_eth_dev *eth_dev, struct rte_iommufd_device *idev)
{
	eth_dev->device = &idev->device;
	eth_dev->intr_handle = idev->intr_handle;
	eth_dev->dev_ops = &pnic_eth_ops;
	eth_dev->rx_pkt_burst = pnic_recv;
	eth_dev->tx_pkt_burst = pnic_xmit;
	eth_dev->rx_queue_count = pnic_rx_queue_count;
}

/*
 * A secondary process (a worker) attaches to the port the primary probed:
 * the device fd it received from the primary through the bus, its own
 * doorbell mapping; no register is touched.
 */
static int
pnic_probe_secondary(struct rte_iommufd_device *idev)
{
	struct rte_eth_dev *eth_dev = rte_eth_dev_attach_secondary(idev->device.name);
	int ret;

	if (eth_dev == NULL) {
		PNIC_LOG(ERR, "%s: the primary process has no port for this device: give it the "
			 "same -a option", idev->name);
		return -ENODEV;
	}
	ret = pnic_proc_init(eth_dev, idev);
	if (ret == 0) {
		ret = pnic_user_attach(eth_dev);
		if (ret < 0)
			pnic_proc_free(eth_dev);
	}
	if (ret < 0) {
		rte_eth_dev_release_port(eth_dev);
		return ret;
	}
	pnic_eth_dev_fill(eth_dev, idev);
	rte_eth_dev_probing_finish(eth_dev);
	PNIC_LOG(INFO, "%s: port %u attached in process %d", idev->name,
		 eth_dev->data->port_id, (int)getpid());
	return 0;
}

static int
pnic_probe(struct rte_iommufd_driver *drv __rte_unused, struct rte_iommufd_device *idev)
{
	struct rte_eth_dev *eth_dev;
	struct pnic_port *p;
	struct pnic_args args;
	char err[256];
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return pnic_probe_secondary(idev);
	ret = pnic_devargs_of(idev->device.devargs, &args, err, sizeof(err));
	if (ret < 0) {
		PNIC_LOG(ERR, "%s: bad devargs '%s': %s", idev->name,
			 idev->device.devargs->drv_str, err);
		return ret;
	}
	eth_dev = rte_eth_dev_allocate(idev->device.name);
	if (eth_dev == NULL)
		return -ENOMEM;
	p = rte_zmalloc_socket("pasidnic", sizeof(*p), RTE_CACHE_LINE_SIZE,
			       idev->device.numa_node);
	eth_dev->data->mac_addrs = rte_zmalloc("pasidnic_mac", sizeof(struct rte_ether_addr), 0);
	if (p == NULL || eth_dev->data->mac_addrs == NULL) {
		rte_free(p);
		ret = -ENOMEM;
		goto fail;
	}
	eth_dev->data->dev_private = p;
	ret = pnic_leave_init(eth_dev, idev->device.numa_node);
	if (ret < 0)
		goto fail;
	pnic_closing_set(eth_dev->data->port_id, false);
	rte_strscpy(p->name, idev->name, sizeof(p->name));
	p->port_id = eth_dev->data->port_id;
	p->phys = idev->device_id == PNIC_PCI_DEVICE_ID_PHYS;
	p->args = args;
	p->promisc = true;
	ret = pnic_qlock_init(p);
	if (ret == 0)
		ret = pnic_proc_init(eth_dev, idev);
	if (ret < 0)
		goto fail;
	ret = pnic_hw_init(p, idev);
	if (ret < 0)
		goto fail;
	rte_ether_addr_copy(&p->mac, eth_dev->data->mac_addrs);
	pnic_eth_dev_fill(eth_dev, idev);
	eth_dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC | RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS;
	ret = pnic_intr_on(p);
	if (ret < 0)
		goto fail;
	rte_eth_dev_probing_finish(eth_dev);
	PNIC_LOG(INFO, "%s: port %u, %u queue pairs, PASID width %u, backend %s, MAC "
		 RTE_ETHER_ADDR_PRT_FMT "%s", idev->name, eth_dev->data->port_id, p->nb_qp,
		 p->pasid_width, p->args.backend == PNIC_BACKEND_NETDEV ? "netdev" : "loopback",
		 RTE_ETHER_ADDR_BYTES(&p->mac),
		 p->phys ? ", physical function (register mailboxes, events polled)" : "");
	return 0;
fail:
	if (eth_dev->data->dev_private != NULL)
		pnic_leave_done(eth_dev, eth_dev->data->dev_private, false);
	pnic_proc_free(eth_dev);
	/* Frees dev_private and mac_addrs too (primary process). */
	rte_eth_dev_release_port(eth_dev);
	return ret;
}

/*
 * A secondary's port of @idev, found in this process's own ethdev state
 * (the shared data may be zeroed already: the primary closed the port).
 */
static int
port_of_secondary(const struct rte_iommufd_device *idev)
{
	unsigned int i;

	for (i = 0; i < RTE_MAX_ETHPORTS; i++) {
		const struct rte_eth_dev *dev = &rte_eth_devices[i];

		if (dev->state != RTE_ETH_DEV_UNUSED && dev->dev_ops == &pnic_eth_ops &&
		    dev->process_private != NULL &&
		    ((const struct pnic_proc *)dev->process_private)->idev == idev)
			return (int)i;
	}
	return -1;
}

/*
 * Remove (hot-unplug, the bus's cleanup): forced. In the primary the workers
 * are told and waited for (pnic_leave()), then the port is stopped, which
 * the workers' queues no longer refuse, and closed (close quiesces: queues
 * reset, device disabled, interrupts off).
 */
static int
pnic_remove(struct rte_iommufd_device *idev)
{
	struct rte_eth_dev *eth_dev;
	int ret, port;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		port = port_of_secondary(idev);
		return port < 0 ? 0 : rte_eth_dev_close((uint16_t)port);
	}
	eth_dev = rte_eth_dev_allocated(idev->device.name);
	if (eth_dev == NULL)
		return 0;
	pnic_leave(eth_dev, "device removal");
	if (eth_dev->data->dev_started) {
		ret = rte_eth_dev_stop(eth_dev->data->port_id);
		if (ret < 0)
			PNIC_LOG(ERR, "port %u: stop before removal failed: %s",
				 eth_dev->data->port_id, rte_strerror(-ret));
	}
	return rte_eth_dev_close(eth_dev->data->port_id);
}

static const struct rte_iommufd_id pnic_ids[] = {
	{ .vendor_id = PNIC_PCI_VENDOR_ID, .device_id = PNIC_PCI_DEVICE_ID },
	/* pasidnic_pci's physical functions (struct pnic_port, phys) */
	{ .vendor_id = PNIC_PCI_VENDOR_ID, .device_id = PNIC_PCI_DEVICE_ID_PHYS },
	{ .vendor_id = 0 },
};

static struct rte_iommufd_driver pnic_driver = {
	.id_table = pnic_ids,
	.probe = pnic_probe,
	.remove = pnic_remove,
	.quiesce_domain = pnic_quiesce_domain,
	.dma_selftest = pnic_dma_selftest,
};

RTE_PMD_REGISTER_IOMMUFD(net_pasidnic, pnic_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_pasidnic, PNIC_ARG_BACKEND "=loopback|netdev");
