/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pasid_responder: answers ARP requests and ICMP echo requests for one IPv4
 * address on a DPDK port, so that the Linux network stack (e.g. the netdev
 * backend of a pasidnic port) can be used as a real peer.
 *
 *   dpdk-pasid-responder [EAL options] -- --ip A.B.C.D [--port N]
 *                        [--duration SECONDS] [--ready FILE]
 *
 * Runs until SIGINT/SIGTERM or for --duration seconds, then prints what it
 * answered. --ready FILE is created once the port is up.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_bus_iommufd.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "pasid_dpdk_compat.h"

#define NB_MBUF 2047
#define NB_DESC 256
#define BURST 32

static volatile bool quit;

struct counters {
	uint64_t rx;
	uint64_t arp;
	uint64_t icmp;
	uint64_t ignored;
	uint64_t tx_fail;
};

static void
on_signal(int sig __rte_unused)
{
	quit = true;
}

/* Turn an ARP request for @ip into the reply, in place. */
static bool
arp_reply(struct rte_mbuf *m, const struct rte_ether_addr *mac, rte_be32_t ip)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *ah;

	if (m->data_len < sizeof(*eh) + sizeof(*ah))
		return false;
	ah = (struct rte_arp_hdr *)(eh + 1);
	if (ah->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    ah->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    ah->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) ||
	    ah->arp_data.arp_tip != ip)
		return false;
	ah->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	ah->arp_data.arp_tha = ah->arp_data.arp_sha;
	ah->arp_data.arp_tip = ah->arp_data.arp_sip;
	rte_ether_addr_copy(mac, &ah->arp_data.arp_sha);
	ah->arp_data.arp_sip = ip;
	eh->dst_addr = eh->src_addr;
	rte_ether_addr_copy(mac, &eh->src_addr);
	return true;
}

/* Turn an ICMP echo request to @ip into the reply, in place. */
static bool
icmp_reply(struct rte_mbuf *m, const struct rte_ether_addr *mac, rte_be32_t ip)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *iph;
	struct rte_icmp_hdr *ic;
	uint32_t sum;
	size_t hl;

	if (m->data_len < sizeof(*eh) + sizeof(*iph))
		return false;
	iph = (struct rte_ipv4_hdr *)(eh + 1);
	hl = rte_ipv4_hdr_len(iph);
	if ((iph->version_ihl >> 4) != 4 || iph->next_proto_id != IPPROTO_ICMP ||
	    iph->dst_addr != ip || m->data_len < sizeof(*eh) + hl + sizeof(*ic) ||
	    (rte_be_to_cpu_16(iph->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK) != 0)
		return false;
	ic = (struct rte_icmp_hdr *)((uint8_t *)iph + hl);
	if (ic->icmp_type != RTE_ICMP_TYPE_ECHO_REQUEST || ic->icmp_code != 0)
		return false;
	ic->icmp_type = RTE_ICMP_TYPE_ECHO_REPLY;
	/* Incremental checksum update (RFC 1624): the type went from 8 to 0. */
	sum = (uint16_t)~rte_be_to_cpu_16(ic->icmp_cksum);
	sum += (uint16_t)~(RTE_ICMP_TYPE_ECHO_REQUEST << 8) + (RTE_ICMP_TYPE_ECHO_REPLY << 8);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ic->icmp_cksum = rte_cpu_to_be_16((uint16_t)~sum);
	iph->dst_addr = iph->src_addr;
	iph->src_addr = ip;
	iph->time_to_live = 64;
	iph->hdr_checksum = 0;
	iph->hdr_checksum = rte_ipv4_cksum(iph);
	eh->dst_addr = eh->src_addr;
	rte_ether_addr_copy(mac, &eh->src_addr);
	return true;
}

static int
port_init(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;
	int ret;

	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(port, 0, NB_DESC, rte_eth_dev_socket_id(port), NULL,
					     mp);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, NB_DESC, rte_eth_dev_socket_id(port), NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	return ret;
}

static void
print_usage(const char *prog)
{
	fprintf(stderr, "usage: %s [EAL options] -- --ip A.B.C.D [--port N] "
		"[--duration SECONDS] [--ready FILE]\n", prog);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ip", required_argument, NULL, 'i' },
		{ "port", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "ready", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ready = NULL;
	struct counters c = { 0 };
	struct rte_ether_addr mac;
	struct rte_mempool *mp;
	struct in_addr ip = { 0 };
	unsigned long duration = 0;
	uint64_t end = 0;
	uint16_t port = 0;
	char ipstr[INET_ADDRSTRLEN];
	int n, opt, ret;

	if (rte_iommufd_eal_args(&argc, &argv) < 0) /* --bus iommufd */
		return 1;
	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= n;
	argv += n;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			if (inet_pton(AF_INET, optarg, &ip) != 1) {
				fprintf(stderr, "bad IPv4 address '%s'\n", optarg);
				return 2;
			}
			break;
		case 'p':
			port = (uint16_t)strtoul(optarg, NULL, 0);
			break;
		case 'd':
			duration = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			ready = optarg;
			break;
		default:
			print_usage(argv[0]);
			return 2;
		}
	}
	if (ip.s_addr == 0 || !rte_eth_dev_is_valid_port(port)) {
		print_usage(argv[0]);
		fprintf(stderr, "(need --ip, and port %u must exist: %u ports)\n", port,
			rte_eth_dev_count_avail());
		return 2;
	}
	mp = rte_pktmbuf_pool_create("responder", NB_MBUF, 64, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_eth_dev_socket_id(port));
	if (mp == NULL) {
		fprintf(stderr, "mbuf pool: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	ret = port_init(port, mp);
	if (ret < 0) {
		fprintf(stderr, "port %u: %s\n", port, rte_strerror(-ret));
		return 1;
	}
	rte_eth_macaddr_get(port, &mac);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	inet_ntop(AF_INET, &ip, ipstr, sizeof(ipstr));
	printf("pasid_responder: port %u, MAC " RTE_ETHER_ADDR_PRT_FMT ", IP %s: ready\n", port,
	       RTE_ETHER_ADDR_BYTES(&mac), ipstr);
	fflush(stdout);
	if (ready != NULL) {
		FILE *f = fopen(ready, "w");

		if (f != NULL)
			fclose(f);
	}
	if (duration)
		end = rte_get_timer_cycles() + duration * rte_get_timer_hz();
	while (!quit && (end == 0 || rte_get_timer_cycles() < end)) {
		struct rte_mbuf *rx[BURST], *tx[BURST];
		uint16_t nb, nt = 0, i, sent;

		nb = rte_eth_rx_burst(port, 0, rx, BURST);
		c.rx += nb;
		for (i = 0; i < nb; i++) {
			struct rte_mbuf *m = rx[i];
			struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
			bool answer = false;

			uint16_t type = m->data_len >= sizeof(*eh) ?
					rte_be_to_cpu_16(eh->ether_type) : 0;

			if (type == RTE_ETHER_TYPE_ARP) {
				answer = arp_reply(m, &mac, ip.s_addr);
				c.arp += answer;
			} else if (type == RTE_ETHER_TYPE_IPV4) {
				answer = icmp_reply(m, &mac, ip.s_addr);
				c.icmp += answer;
			}
			if (answer) {
				tx[nt++] = m;
			} else {
				c.ignored++;
				rte_pktmbuf_free(m);
			}
		}
		sent = nt ? rte_eth_tx_burst(port, 0, tx, nt) : 0;
		for (i = sent; i < nt; i++) {
			c.tx_fail++;
			rte_pktmbuf_free(tx[i]);
		}
	}
	printf("pasid_responder: received %" PRIu64 ", ARP replies %" PRIu64 ", ICMP echo "
	       "replies %" PRIu64 ", ignored %" PRIu64 ", TX failures %" PRIu64 "\n",
	       c.rx, c.arp, c.icmp, c.ignored, c.tx_fail);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return 0;
}
