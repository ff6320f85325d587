/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pasidnic-test: the netdev backend (pasidnic_netdev.sh: this program answers
 * the kernel's ARP and ping and echoes UDP on the device's queue pair 0) and
 * a device held busy until the kernel asks for it back (pasidnic_remove_busy.sh).
 */
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <netinet/if_ether.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/udp.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include "pasidnic_test.h"
#include "test_assert.h"

#define MIN_FRAME 60	/* Ethernet minimum without the FCS */

/* The Internet checksum (RFC 1071) of @n bytes at @p, in host order. */
static uint16_t
csum16(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The address this responder answers for. */
struct responder {
	uint8_t mac[ETH_ALEN];
	struct in_addr ip;
};

/* Reply to an ARP request for us in @r; return its length or 0. */
static uint32_t
reply_arp(const struct responder *me, const uint8_t *f, uint32_t n, uint8_t *r)
{
	const struct ether_arp *req = (const struct ether_arp *)(f + ETH_HLEN);
	struct ether_header *eh = (struct ether_header *)r;
	struct ether_arp *rep = (struct ether_arp *)(r + ETH_HLEN);

	if (n < ETH_HLEN + sizeof(*req) || ntohs(req->arp_op) != ARPOP_REQUEST ||
	    memcmp(req->arp_tpa, &me->ip, sizeof(req->arp_tpa)) != 0)
		return 0;
	memset(r, 0, MIN_FRAME);
	memcpy(eh->ether_dhost, ((const struct ether_header *)f)->ether_shost, ETH_ALEN);
	memcpy(eh->ether_shost, me->mac, ETH_ALEN);
	eh->ether_type = htons(ETHERTYPE_ARP);
	rep->ea_hdr = req->ea_hdr;
	rep->arp_op = htons(ARPOP_REPLY);
	memcpy(rep->arp_sha, me->mac, ETH_ALEN);
	memcpy(rep->arp_spa, &me->ip, sizeof(rep->arp_spa));
	memcpy(rep->arp_tha, req->arp_sha, ETH_ALEN);
	memcpy(rep->arp_tpa, req->arp_spa, sizeof(rep->arp_tpa));
	return MIN_FRAME;
}

/*
 * Reply to an ICMP echo request or a UDP datagram for us in @r (the frame
 * sent back with addresses, and ports, swapped); return its length or 0.
 */
static uint32_t
reply_ip(const struct responder *me, const uint8_t *f, uint32_t n, uint8_t *r)
{
	const struct iphdr *ip = (const struct iphdr *)(f + ETH_HLEN);
	struct ether_header *eh = (struct ether_header *)r;
	struct iphdr *rip = (struct iphdr *)(r + ETH_HLEN);
	uint32_t iplen;

	if (n < ETH_HLEN + sizeof(*ip) + sizeof(struct udphdr) || n > PNIC_BUF_SIZE ||
	    ip->ihl != 5 || ip->daddr != me->ip.s_addr)
		return 0;
	iplen = ntohs(ip->tot_len);
	if (ip->protocol == IPPROTO_ICMP &&
	    (((const struct icmphdr *)(ip + 1))->type != ICMP_ECHO ||
	     iplen < sizeof(*ip) + sizeof(struct icmphdr) || ETH_HLEN + iplen > n))
		return 0;
	if (ip->protocol != IPPROTO_ICMP && ip->protocol != IPPROTO_UDP)
		return 0;

	memcpy(r, f, n);
	memcpy(eh->ether_dhost, ((const struct ether_header *)f)->ether_shost, ETH_ALEN);
	memcpy(eh->ether_shost, me->mac, ETH_ALEN);
	rip->saddr = ip->daddr;
	rip->daddr = ip->saddr;
	rip->check = 0;
	rip->check = htons(csum16(rip, sizeof(*rip)));
	if (ip->protocol == IPPROTO_ICMP) {
		struct icmphdr *icmp = (struct icmphdr *)(rip + 1);

		icmp->type = ICMP_ECHOREPLY;
		icmp->checksum = 0;
		icmp->checksum = htons(csum16(icmp, iplen - sizeof(*rip)));
	} else {
		const struct udphdr *udp = (const struct udphdr *)(ip + 1);
		struct udphdr *rudp = (struct udphdr *)(rip + 1);

		rudp->source = udp->dest;
		rudp->dest = udp->source;
		rudp->check = 0;	/* none (allowed over IPv4) */
	}
	return n;
}

/* Build the reply to frame @f (length @n) in @r; return its length or 0. */
static uint32_t
netdev_reply(const struct responder *me, const uint8_t *f, uint32_t n, uint8_t *r)
{
	uint16_t type;

	if (n < ETH_HLEN)
		return 0;
	type = ntohs(((const struct ether_header *)f)->ether_type);
	if (type == ETHERTYPE_ARP)
		return reply_arp(me, f, n, r);
	if (type == ETHERTYPE_IP)
		return reply_ip(me, f, n, r);
	return 0;
}

/* Create @path (empty): the script's signal that the device is ready. */
static void
ready_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	TEST_ASSERT_GE(fd, 0, "cannot create %s", path);
	close(fd);
}

int
cmd_netdev(struct pnic_vfio *v, char **args)
{
	struct pnic_drv *d = &v->drv;
	uint32_t ioas = vu_ioas_alloc(v->dev.iommufd), rx, tx = 0, replies = 0, m;
	struct responder me = { .ip.s_addr = htonl(0x0a630002) };	/* 10.99.0.2 */
	uint64_t end = pnic_now_ms() + atoi(args[1]) * 1000ull;
	struct pnic_area a;

	vu_attach(&v->dev, ioas, -1);
	pnic_area_alloc(&a, 0x100000);
	vu_map(v->dev.iommufd, ioas, a.va, PNIC_AREA_SIZE, a.iova);
	m = pnic_drv_rd(d, PNIC_REG_MAC_LO);
	memcpy(me.mac, &m, 4);
	m = pnic_drv_rd(d, PNIC_REG_MAC_HI);
	memcpy(me.mac + 4, &m, 2);
	pnic_drv_enable(d, PNIC_BACKEND_NETDEV);
	pnic_drv_qp_setup(d, 0, &a, -1);
	for (rx = 0; rx < PNIC_RING; rx++)
		pnic_area_post(&a, PNIC_DIR_RX, rx, 0);
	__sync_synchronize();
	pnic_drv_tail(d, PNIC_QUEUE(0, PNIC_DIR_RX), PNIC_RING);
	rx = 0;
	ready_file(args[0]);

	while (pnic_now_ms() < end) {
		struct pnic_desc *rxd = pnic_area_desc(&a, PNIC_DIR_RX, rx);
		uint32_t len;

		if (!pnic_wait_dd(rxd, 100))
			continue;
		len = netdev_reply(&me, pnic_area_buf(&a, PNIC_DIR_RX, rx), rxd->len,
				   pnic_area_buf(&a, PNIC_DIR_TX, tx));
		if (len) {
			pnic_area_post(&a, PNIC_DIR_TX, tx, len);
			__sync_synchronize();
			pnic_drv_tail(d, PNIC_QUEUE(0, PNIC_DIR_TX), ++tx);
			TEST_ASSERT_TRUE(pnic_wait_dd(pnic_area_desc(&a, PNIC_DIR_TX, tx - 1),
						      5000), "TX stuck");
			replies++;
		}
		pnic_area_post(&a, PNIC_DIR_RX, rx, 0);
		__sync_synchronize();
		rx++;
		pnic_drv_tail(d, PNIC_QUEUE(0, PNIC_DIR_RX), rx + PNIC_RING);
	}
	printf("netdev: %u frames received, %u replies sent\n", rx, replies);
	return replies ? 0 : 1;
}

int
cmd_hold(struct pnic_vfio *v, char **args)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	int req = eventfd(0, EFD_CLOEXEC);
	uint32_t ioas = vu_ioas_alloc(v->dev.iommufd), idx = 0;
	struct pollfd pfd = { .fd = req, .events = POLLIN };
	struct pnic_drv *d = &v->drv;
	struct pnic_area a;

	/* Keep the device busy and open until the kernel asks for it back. */
	vu_attach(&v->dev, ioas, -1);
	vu_attach(&v->dev, ioas, 3);
	pnic_area_alloc(&a, 0x100000);
	vu_map(v->dev.iommufd, ioas, a.va, PNIC_AREA_SIZE, a.iova);
	set->argsz = sizeof(buf);
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_REQ_IRQ_INDEX;
	set->start = 0;
	set->count = 1;
	*(int32_t *)set->data = req;
	TEST_ASSERT_EQ(ioctl(v->dev.fd, VFIO_DEVICE_SET_IRQS, set), 0, "SET_IRQS REQ");
	pnic_vfio_irqs(v);
	pnic_drv_enable(d, PNIC_BACKEND_LOOPBACK);
	pnic_drv_qp_setup(d, 0, &a, -1);
	pnic_drv_loop_frames(d, 0, &a, &idx, 8, 5);
	/* Leave work posted: a TX frame waiting for an RX descriptor. */
	pnic_area_post(&a, PNIC_DIR_TX, idx, 64);
	__sync_synchronize();
	pnic_drv_tail(d, PNIC_QUEUE(0, PNIC_DIR_TX), idx + 1);

	ready_file(args[0]);
	TEST_ASSERT_EQ(poll(&pfd, 1, 60000), 1, "no device request within 60 s");
	printf("hold: device request received, releasing\n");
	vu_close(&v->dev);
	return 0;
}
