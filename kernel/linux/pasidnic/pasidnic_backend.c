// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic: backends, where transmitted frames go and received ones come
 * from.
 *
 * Loopback: a frame transmitted on TX queue n is received on RX queue n of
 * the same port. When that RX queue is running but has no free descriptor
 * the TX queue waits (no loss); when it is not running the frame is dropped.
 *
 * Netdev: every port has a kernel network interface (pasidnic<N>). Frames
 * transmitted on any TX queue are received by the kernel on that interface;
 * frames the kernel sends on it are received on RX queue 0.
 */
#include <linux/etherdevice.h>

#include "pasidnic.h"

struct pnic_netdev_priv {
	struct pnic_dev *pdev;
};

/**
 * pnic_backend() - the backend selected in DEV_CTRL.
 * @pdev: the device.
 *
 * Return: PNIC_BACKEND_*.
 */
u32 pnic_backend(struct pnic_dev *pdev)
{
	return (READ_ONCE(pdev->dev_ctrl) & PNIC_DEV_CTRL_BACKEND_MASK) >>
	       PNIC_DEV_CTRL_BACKEND_SHIFT;
}

static bool pnic_netdev_up(struct pnic_dev *pdev)
{
	return (pdev->dev_ctrl & PNIC_DEV_CTRL_ENABLE) &&
	       pnic_backend(pdev) == PNIC_BACKEND_NETDEV;
}

/**
 * pnic_netdev_rx_prepare() - build the skb of a frame transmitted on a queue.
 * @pdev: the device.
 * @list: where the skb is queued for pnic_netdev_rx().
 * @buf: the frame.
 * @len: its length, at least an Ethernet header.
 *
 * Context: an engine pass (locks held): the stack is not called here.
 */
void pnic_netdev_rx_prepare(struct pnic_dev *pdev, struct sk_buff_head *list,
			    const void *buf, unsigned int len)
{
	struct net_device *nd = pdev->netdev;
	struct sk_buff *skb;

	if (!nd)
		return;
	if (!netif_running(nd)) {
		DEV_STATS_INC(nd, rx_dropped);
		return;
	}
	skb = netdev_alloc_skb(nd, len + NET_IP_ALIGN);
	if (!skb) {
		DEV_STATS_INC(nd, rx_dropped);
		return;
	}
	skb_reserve(skb, NET_IP_ALIGN);
	skb_put_data(skb, buf, len);
	__skb_queue_tail(list, skb);
}

/**
 * pnic_netdev_rx() - the kernel receives the frames of pnic_netdev_rx_prepare().
 * @pdev: the device.
 * @list: the frames; emptied.
 *
 * Context: no device or queue pair lock held (netif_rx() may run the
 * stack's receive path inline).
 */
void pnic_netdev_rx(struct pnic_dev *pdev, struct sk_buff_head *list)
{
	struct net_device *nd = pdev->netdev;
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(list))) {
		skb->protocol = eth_type_trans(skb, nd);
		DEV_STATS_INC(nd, rx_packets);
		DEV_STATS_ADD(nd, rx_bytes, skb->len + ETH_HLEN);
		netif_rx(skb);
	}
}

static netdev_tx_t pnic_netdev_xmit(struct sk_buff *skb, struct net_device *nd)
{
	struct pnic_netdev_priv *priv = netdev_priv(nd);
	struct pnic_dev *pdev = priv->pdev;

	if (skb_queue_len(&pdev->netdev_rxq) >= PNIC_NETDEV_BACKLOG ||
	    skb_linearize(skb)) {
		DEV_STATS_INC(nd, tx_dropped);
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}
	skb_queue_tail(&pdev->netdev_rxq, skb);
	/* queue pair 0 receives what the kernel sends */
	pnic_engine_kick(pdev, BIT(0));
	return NETDEV_TX_OK;
}

static const struct net_device_ops pnic_netdev_ops = {
	.ndo_start_xmit = pnic_netdev_xmit,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_validate_addr = eth_validate_addr,
};

/**
 * pnic_netdev_link_update() - carrier follows "enabled with netdev backend".
 * @pdev: the device.
 *
 * Called whenever enable or the backend changes: a switch away from the
 * netdev backend drops the carrier and the frames the kernel queued.
 *
 * Context: @pdev->lock held or the device not yet visible.
 */
void pnic_netdev_link_update(struct pnic_dev *pdev)
{
	if (!pdev->netdev)
		return;
	if (pnic_netdev_up(pdev)) {
		netif_carrier_on(pdev->netdev);
	} else {
		netif_carrier_off(pdev->netdev);
		skb_queue_purge(&pdev->netdev_rxq);
	}
}

/**
 * pnic_netdev_create() - register the port's kernel network interface.
 * @pdev: the device.
 *
 * Return: 0 or -errno.
 */
int pnic_netdev_create(struct pnic_dev *pdev)
{
	struct pnic_netdev_priv *priv;
	struct net_device *nd;
	int rc;

	skb_queue_head_init(&pdev->netdev_rxq);
	nd = alloc_etherdev(sizeof(*priv));
	if (!nd)
		return -ENOMEM;
	priv = netdev_priv(nd);
	priv->pdev = pdev;
	nd->netdev_ops = &pnic_netdev_ops;
	nd->min_mtu = ETH_MIN_MTU;
	nd->max_mtu = PNIC_MAX_PKT - ETH_HLEN;
	eth_hw_addr_random(nd);
	strscpy(nd->name, PNIC_NAME "%d", IFNAMSIZ);
	SET_NETDEV_DEV(nd, pdev->vdev.dev);
	netif_carrier_off(nd);
	rc = register_netdev(nd);
	if (rc) {
		free_netdev(nd);
		return rc;
	}
	pdev->netdev = nd;
	return 0;
}

/**
 * pnic_netdev_destroy() - unregister the port's network interface.
 * @pdev: the device.
 */
void pnic_netdev_destroy(struct pnic_dev *pdev)
{
	if (!pdev->netdev)
		return;
	unregister_netdev(pdev->netdev);
	skb_queue_purge(&pdev->netdev_rxq);
	free_netdev(pdev->netdev);
	pdev->netdev = NULL;
}
