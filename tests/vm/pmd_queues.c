/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmd-queues: net_pasidnic checks that need more than testpmd.
 *
 *   pmd-queues [EAL options] -- pasid   queue pairs 0 and 1 of one port in two
 *                                       PASID domains, each with its own heap
 *   pmd-queues [EAL options] -- fault   a TX buffer with a bad IOVA faults
 *                                       queue 1; queue 0 keeps working; queue
 *                                       1 recovers after a restart
 *   pmd-queues [EAL options] -- features  Rx interrupt, promiscuous filter,
 *                                       MTU, queue stop/start, link, stats
 *
 * The first iommufd port (a pasidnic-q2 or larger in loopback) is used.
 * Exit status 0 on success; failures print "REASON: ..." and exit 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_iommufd.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_epoll.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pasid_mem.h>

#include "rte_pmd_pasidnic.h"
#include "test_frames.h"
#include "test_assert.h"

#define NB_DESC 256
#define FRAMES 32

static uint16_t port;
static struct rte_ether_addr mac;

/*
 * Send @n frames from @mp on queue @q and receive them back on RX queue @q
 * (loopback); each received buffer must come from @rx_mp. Returns the number
 * received intact.
 */
static unsigned int
loop(uint16_t q, struct rte_mempool *mp, struct rte_mempool *rx_mp, unsigned int n,
	uint32_t *seq, uint8_t tag)
{
	struct rte_mbuf *rx[FRAMES];
	unsigned int i, got, ok = 0;

	TEST_ASSERT_LE(n, FRAMES, "too many frames");
	TEST_ASSERT_EQ(tf_send(port, q, mp, &mac, n, *seq, tag, 5000), n,
		       "TX queue %u did not take %u frames in 5 s", q, n);
	got = tf_rx_wait(port, q, rx, n, 5000);
	for (i = 0; i < got; i++) {
		if (rx[i]->pool != rx_mp)
			TEST_FAIL("queue %u received into pool %s, not %s", q, rx[i]->pool->name,
				  rx_mp->name);
		if (tf_check(rx[i], q, *seq + i, tag))
			ok++;
		rte_pktmbuf_free(rx[i]);
	}
	*seq += n;
	return ok;
}

/* Send test frame (0, @seq, @tag) from @mp on queue 0, to a MAC address that is not ours. */
static void
send_foreign(struct rte_mempool *mp, uint32_t seq, uint8_t tag)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

	TEST_ASSERT_NOT_NULL(m, "no mbuf");
	tf_fill(m, &mac, 0, seq, tag);
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr.addr_bytes[5] ^= 0x55;
	TEST_ASSERT_EQ(rte_eth_tx_burst(port, 0, &m, 1), 1, "TX");
}

static void
port_setup(uint16_t nbq, struct rte_mempool **mp, const int *socket)
{
	struct rte_eth_conf conf;
	uint16_t q;
	int ret;

	memset(&conf, 0, sizeof(conf));
	TEST_ASSERT_TRUE(rte_eth_dev_configure(port, nbq, nbq, &conf) == 0, "configure failed");
	for (q = 0; q < nbq; q++) {
		ret = rte_eth_rx_queue_setup(port, q, NB_DESC, socket[q], NULL, mp[q]);
		TEST_ASSERT_TRUE(ret == 0, "RX queue %u setup: %s", q, rte_strerror(-ret));
		ret = rte_eth_tx_queue_setup(port, q, NB_DESC, socket[q], NULL);
		TEST_ASSERT_TRUE(ret == 0, "TX queue %u setup: %s", q, rte_strerror(-ret));
	}
	TEST_ASSERT_TRUE(rte_eth_dev_start(port) == 0, "start failed");
	TEST_ASSERT_TRUE(rte_eth_macaddr_get(port, &mac) == 0, "no MAC");
	/* Receive whatever the device writes, even without our MAC address. */
	TEST_ASSERT_TRUE(rte_eth_promiscuous_enable(port) == 0, "promiscuous mode");
}

/* Two queue pairs, two domains, two heaps: each queue DMAs only into its heap. */
static int
cmd_pasid(void)
{
	struct rte_iommufd_domain *dom[2];
	struct rte_pasid_mem_heap *heap[2];
	struct rte_mempool *mp[2];
	struct rte_eth_dev_info info;
	int socket[2], pasid[2];
	uint32_t seq = 0;
	unsigned int i, ok;

	TEST_ASSERT_TRUE(rte_eth_dev_info_get(port, &info) == 0, "no device info");
	for (i = 0; i < 2; i++) {
		struct rte_pasid_mem_conf mc = {
			.numa_node = SOCKET_ID_ANY,
			.page_size = RTE_PGSIZE_2M,
			.segment_size = 32 << 20,
			.initial_size = 32 << 20,
			.max_size = 64 << 20,
		};
		char name[32];
		uint32_t ioas;
		int fd;

		dom[i] = rte_iommufd_domain_create((struct rte_device *)(uintptr_t)info.device);
		TEST_ASSERT_TRUE(dom[i] != NULL, "domain %u: %s", i, rte_strerror(rte_errno));
		TEST_ASSERT_TRUE(rte_iommufd_domain_ioas(dom[i], &fd, &ioas) == 0, "domain IOAS");
		snprintf(name, sizeof(name), "pmdq%u", i);
		mc.name = name;
		mc.iommufd = fd;
		mc.ioas_id = ioas;
		heap[i] = rte_pasid_mem_create(&mc);
		TEST_ASSERT_TRUE(heap[i] != NULL, "heap %u: %s", i, rte_strerror(rte_errno));
		socket[i] = rte_pasid_mem_socket_id(heap[i]);
		TEST_ASSERT_TRUE(rte_pasid_mem_reserve(heap[i], 16 << 20) == 0, "heap reserve");
		snprintf(name, sizeof(name), "pool%u", i);
		mp[i] = rte_pktmbuf_pool_create(name, 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
						socket[i]);
		TEST_ASSERT_TRUE(mp[i] != NULL, "pool %u: %s", i, rte_strerror(rte_errno));
		TEST_ASSERT_TRUE(rte_pmd_pasidnic_queue_domain_set(port, i, dom[i]) == 0,
				 "domain set");
		pasid[i] = rte_iommufd_domain_pasid(dom[i]);
		printf("queue pair %u: PASID %d, heap socket %d\n", i, pasid[i], socket[i]);
	}
	TEST_ASSERT_TRUE(pasid[0] >= 1 && pasid[1] >= 1 && pasid[0] != pasid[1], "PASIDs %d %d",
			 pasid[0], pasid[1]);
	port_setup(2, mp, socket);
	for (i = 0; i < 2; i++)
		TEST_ASSERT_TRUE(rte_pmd_pasidnic_queue_pasid(port, i) == pasid[i],
				 "queue pair %u programmed with PASID %d, want %d", i,
				 rte_pmd_pasidnic_queue_pasid(port, i), pasid[i]);

	/* Each queue moves frames between buffers of its own heap. */
	for (i = 0; i < 2; i++) {
		ok = loop(i, mp[i], mp[i], FRAMES, &seq, 0xa0 + i);
		TEST_ASSERT_TRUE(ok == FRAMES, "queue %u: %u of %u frames looped intact", i, ok,
				 FRAMES);
		printf("queue %u (PASID %d): %u frames through heap %s\n", i, pasid[i], ok,
		       i ? "pmdq1" : "pmdq0");
	}
	/*
	 * A TX buffer of heap 1 posted on queue 0: its IOVA means nothing in
	 * domain 0, so the device reads domain 0's memory there (or faults): the
	 * bytes of heap 1 never come out.
	 */
	{
		struct rte_mbuf *m, *rx[1];
		unsigned int got;

		m = rte_pktmbuf_alloc(mp[1]);
		TEST_ASSERT_TRUE(m != NULL, "no mbuf");
		tf_fill(m, &mac, 0, 0xfeed, 0x5a);
		TEST_ASSERT_TRUE(rte_eth_tx_burst(port, 0, &m, 1) == 1, "cross TX refused");
		got = tf_rx_wait(port, 0, rx, 1, 2000);
		if (got == 1) {
			TEST_ASSERT_TRUE(!tf_check(rx[0], 0, 0xfeed, 0x5a),
					 "queue 0 (PASID %d) read a buffer of heap 1: isolation broken",
					 pasid[0]);
			printf("cross-domain TX: queue 0 read domain 0's memory, not heap 1's\n");
			rte_pktmbuf_free(rx[0]);
		} else {
			TEST_ASSERT_TRUE(tf_xstat(port, "tx_q0_faults") + tf_xstat(port,
						  "rx_q0_faults") >= 1,
					 "cross-domain TX: no frame and no fault");
			printf("cross-domain TX: queue 0 faulted (%" PRIu64 " TX faults)\n",
			       tf_xstat(port, "tx_q0_faults"));
		}
		/* Queue 1 never noticed. */
		ok = loop(1, mp[1], mp[1], FRAMES, &seq, 0xb1);
		TEST_ASSERT_TRUE(ok == FRAMES, "queue 1 after the cross TX: %u of %u", ok, FRAMES);
	}
	TEST_ASSERT_TRUE(tf_xstat(port, "tx_q1_faults") == 0 && tf_xstat(port, "rx_q1_faults") == 0,
			 "queue 1 faulted");
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	for (i = 0; i < 2; i++) {
		rte_mempool_free(mp[i]);
		TEST_ASSERT_TRUE(rte_pasid_mem_destroy(heap[i]) == 0, "heap %u destroy: %s", i,
				 rte_strerror(rte_errno));
	}
	printf("ok: two queue pairs, PASIDs %d and %d, each DMAs only into its own heap\n",
	       pasid[0], pasid[1]);
	return 0;
}

/* A bad IOVA faults one queue; the others keep working; a restart recovers it. */
static int
cmd_fault(void)
{
	struct rte_mempool *mp[2];
	struct rte_mbuf_ext_shared_info shinfo;
	static uint8_t junk[4096] __rte_aligned(4096);
	struct rte_mbuf *m;
	int socket[2] = { (int)rte_socket_id(), (int)rte_socket_id() };
	uint32_t seq = 0;
	unsigned int ok, round;
	uint64_t end;

	mp[0] = mp[1] = rte_pktmbuf_pool_create("fpool", 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
						 (int)rte_socket_id());
	TEST_ASSERT_TRUE(mp[0] != NULL, "pool: %s", rte_strerror(rte_errno));
	port_setup(2, mp, socket);
	TEST_ASSERT_TRUE(loop(0, mp[0], mp[0], FRAMES, &seq, 1) == FRAMES,
			 "queue 0 before the fault");
	TEST_ASSERT_TRUE(loop(1, mp[0], mp[0], FRAMES, &seq, 2) == FRAMES,
			 "queue 1 before the fault");
	TEST_ASSERT_TRUE(tf_xstat(port, "tx_q1_faults") == 0 && tf_xstat(port, "fault_count") == 0,
			 "faults before");

	/* A frame whose IOVA is mapped nowhere (page 1 of the IOVA space). */
	m = rte_pktmbuf_alloc(mp[0]);
	TEST_ASSERT_TRUE(m != NULL, "no mbuf");
	memset(&shinfo, 0, sizeof(shinfo));
	shinfo.free_cb = tf_noop_free;
	rte_mbuf_ext_refcnt_set(&shinfo, 1);
	rte_pktmbuf_attach_extbuf(m, junk, 0x1000, sizeof(junk), &shinfo);
	tf_fill(m, &mac, 1, 0, 3);
	TEST_ASSERT_TRUE(rte_eth_tx_burst(port, 1, &m, 1) == 1, "bad TX refused");

	/* Queue 0 keeps going while queue 1 faults and until it is restarted. */
	end = rte_get_timer_cycles() + rte_get_timer_hz() * 10;
	for (round = 0; tf_xstat(port, "tx_q1_faulted") == 0; round++) {
		TEST_ASSERT_TRUE(rte_get_timer_cycles() < end,
				 "no fault seen in xstats within 10 s");
		ok = loop(0, mp[0], mp[0], FRAMES, &seq, 4);
		TEST_ASSERT_TRUE(ok == FRAMES, "queue 0 stopped during the fault: %u of %u", ok,
				 FRAMES);
	}
	TEST_ASSERT_TRUE(tf_xstat(port, "tx_q1_faults") == 1, "tx_q1_faults = %" PRIu64,
			 tf_xstat(port, "tx_q1_faults"));
	TEST_ASSERT_TRUE(tf_xstat(port, "fault_count") == 1, "fault_count = %" PRIu64,
			 tf_xstat(port, "fault_count"));
	printf("fault seen: tx_q1_faults 1, fault_count 1 (queue 0 looped %u rounds meanwhile)\n",
	       round);
	for (round = 0; round < 5; round++)
		TEST_ASSERT_TRUE(loop(0, mp[0], mp[0], FRAMES, &seq, 5) == FRAMES,
				 "queue 0 stopped with queue 1 faulted");

	/* Restart queue 1: the fault is gone, the counter stays. */
	TEST_ASSERT_TRUE(rte_eth_dev_tx_queue_stop(port, 1) == 0, "TX queue 1 stop");
	TEST_ASSERT_TRUE(rte_eth_dev_tx_queue_start(port, 1) == 0, "TX queue 1 start");
	ok = loop(1, mp[0], mp[0], FRAMES, &seq, 6);
	TEST_ASSERT_TRUE(ok == FRAMES, "queue 1 after the restart: %u of %u frames", ok, FRAMES);
	TEST_ASSERT_TRUE(tf_xstat(port, "tx_q1_faulted") == 0, "queue 1 still marked faulted");
	TEST_ASSERT_TRUE(tf_xstat(port, "tx_q1_faults") == 1, "tx_q1_faults changed");
	TEST_ASSERT_TRUE(tf_xstat(port, "tx_q0_faults") == 0 &&
			 tf_xstat(port, "rx_q0_faults") == 0 && tf_xstat(port, "rx_q1_faults") == 0,
			 "other queues faulted");
	TEST_ASSERT_TRUE(loop(0, mp[0], mp[0], FRAMES, &seq, 7) == FRAMES,
			 "queue 0 after the restart");
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_mempool_free(mp[0]);
	printf("ok: fault counted, queue 0 never stopped, queue 1 recovered after a restart\n");
	return 0;
}

/* Rx interrupts, the software MAC filter, MTU, queue restart, link, stats. */
static int
cmd_features(void)
{
	struct rte_mempool *mp[2];
	int socket[2] = { (int)rte_socket_id(), (int)rte_socket_id() };
	struct rte_epoll_event ev[1];
	struct rte_eth_conf conf;
	struct rte_eth_link link;
	struct rte_eth_stats st;
	struct rte_mbuf *m, *rx[FRAMES];
	uint32_t seq = 0;
	uint16_t q;
	int ret, n;

	mp[0] = mp[1] = rte_pktmbuf_pool_create("xpool", 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
						 (int)rte_socket_id());
	TEST_ASSERT_TRUE(mp[0] != NULL, "pool: %s", rte_strerror(rte_errno));
	memset(&conf, 0, sizeof(conf));
	conf.intr_conf.rxq = 1;
	conf.intr_conf.lsc = 1;
	TEST_ASSERT_TRUE(rte_eth_dev_configure(port, 2, 2, &conf) == 0,
			 "configure with rxq interrupts");
	for (q = 0; q < 2; q++) {
		TEST_ASSERT_TRUE(rte_eth_rx_queue_setup(port, q, NB_DESC, socket[q], NULL,
							mp[q]) == 0, "RX setup");
		TEST_ASSERT_TRUE(rte_eth_tx_queue_setup(port, q, NB_DESC, socket[q], NULL) == 0,
				 "TX setup");
	}
	TEST_ASSERT_TRUE(rte_eth_dev_start(port) == 0, "start");
	TEST_ASSERT_TRUE(rte_eth_macaddr_get(port, &mac) == 0, "no MAC");
	TEST_ASSERT_TRUE(rte_eth_link_get_nowait(port, &link) == 0 &&
			 link.link_status == RTE_ETH_LINK_UP, "link not up after start");

	/* Rx interrupt: armed, a frame arrives, epoll wakes up. */
	ret = rte_eth_dev_rx_intr_ctl_q(port, 1, RTE_EPOLL_PER_THREAD, RTE_INTR_EVENT_ADD, NULL);
	TEST_ASSERT_TRUE(ret == 0, "rx_intr_ctl_q: %s", rte_strerror(-ret));
	TEST_ASSERT_TRUE(rte_eth_dev_rx_intr_enable(port, 1) == 0, "rx_intr_enable");
	n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, 1, 0);
	TEST_ASSERT_TRUE(n == 0, "interrupt before any frame (%d)", n);
	m = rte_pktmbuf_alloc(mp[0]);
	TEST_ASSERT_TRUE(m != NULL, "no mbuf");
	tf_fill(m, &mac, 1, 7, 0x11);
	TEST_ASSERT_TRUE(rte_eth_tx_burst(port, 1, &m, 1) == 1, "TX");
	n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, 1, 5000);
	TEST_ASSERT_TRUE(n == 1, "no RX interrupt within 5 s (%d)", n);
	TEST_ASSERT_TRUE(rte_eth_dev_rx_intr_disable(port, 1) == 0, "rx_intr_disable");
	TEST_ASSERT_TRUE(tf_rx_wait(port, 1, rx, 1, 2000) == 1 && tf_check(rx[0], 1, 7, 0x11),
			 "frame after irq");
	rte_pktmbuf_free(rx[0]);
	printf("Rx interrupt: woke up on a frame of queue 1\n");

	/* Promiscuous off: a frame for another MAC is dropped and counted. */
	TEST_ASSERT_TRUE(rte_eth_promiscuous_disable(port) == 0, "promiscuous off");
	send_foreign(mp[0], 8, 0x22);
	TEST_ASSERT_EQ(tf_rx_wait(port, 0, rx, 1, 1000), 0u,
		       "a frame for another MAC passed the filter");
	TEST_ASSERT_EQ(tf_xstat(port, "rx_q0_filtered"), 1u, "rx_q0_filtered");
	TEST_ASSERT_TRUE(loop(0, mp[0], mp[0], FRAMES, &seq, 0x23) == FRAMES, "own MAC filtered");
	TEST_ASSERT_TRUE(rte_eth_promiscuous_enable(port) == 0, "promiscuous on");
	send_foreign(mp[0], 9, 0x24);
	TEST_ASSERT_EQ(tf_rx_wait(port, 0, rx, 1, 2000), 1u,
		       "promiscuous: frame for another MAC not received");
	rte_pktmbuf_free(rx[0]);
	printf("promiscuous: off filters (rx_q0_filtered 1), on receives\n");

	/* MTU: one buffer per frame. */
	TEST_ASSERT_TRUE(rte_eth_dev_set_mtu(port, 9000) != 0,
			 "MTU 9000 accepted with 2 KiB buffers");
	TEST_ASSERT_TRUE(rte_eth_dev_set_mtu(port, 1500) == 0, "MTU 1500 refused");

	/* Queue stop/start while the other queue pair runs. */
	TEST_ASSERT_TRUE(rte_eth_dev_rx_queue_stop(port, 0) == 0 &&
			 rte_eth_dev_tx_queue_stop(port, 0) == 0, "queue 0 stop");
	TEST_ASSERT_TRUE(loop(1, mp[0], mp[0], FRAMES, &seq, 0x25) == FRAMES,
			 "queue 1 with 0 stopped");
	TEST_ASSERT_TRUE(rte_eth_dev_rx_queue_start(port, 0) == 0 &&
			 rte_eth_dev_tx_queue_start(port, 0) == 0, "queue 0 start");
	TEST_ASSERT_TRUE(loop(0, mp[0], mp[0], FRAMES, &seq, 0x26) == FRAMES,
			 "queue 0 after restart");

	/* Stats: everything sent was received, nothing lost. */
	TEST_ASSERT_TRUE(rte_eth_stats_get(port, &st) == 0, "stats");
	printf("stats: ipackets %" PRIu64 " opackets %" PRIu64 " imissed %" PRIu64
	       " ierrors %" PRIu64 " oerrors %" PRIu64 "\n", st.ipackets, st.opackets,
	       st.imissed, st.ierrors, st.oerrors);
	TEST_ASSERT_TRUE(st.opackets == seq + 3 && st.ipackets == seq + 2 && st.imissed == 0 &&
			 st.ierrors == 0 && st.oerrors == 0, "unexpected counters");
	TEST_ASSERT_TRUE(rte_eth_stats_reset(port) == 0 && rte_eth_stats_get(port, &st) == 0 &&
			 st.ipackets == 0 && st.opackets == 0, "stats reset");
	TEST_ASSERT_TRUE(rte_eth_dev_stop(port) == 0, "stop");
	TEST_ASSERT_TRUE(rte_eth_link_get_nowait(port, &link) == 0 &&
			 link.link_status == RTE_ETH_LINK_DOWN, "link not down after stop");
	rte_eth_dev_close(port);
	rte_mempool_free(mp[0]);
	printf("ok: Rx interrupt, MAC filter, MTU, queue restart, link and stats\n");
	return 0;
}

int
main(int argc, char **argv)
{
	int n, ret;

	n = rte_eal_init(argc, argv);
	if (n < 0)
		TEST_FAIL("EAL init: %s", rte_strerror(rte_errno));
	argc -= n;
	argv += n;
	TEST_ASSERT_TRUE(rte_eth_dev_count_avail() >= 1, "no pasidnic port probed");
	port = 0;
	if (argc >= 2 && strcmp(argv[1], "pasid") == 0)
		ret = cmd_pasid();
	else if (argc >= 2 && strcmp(argv[1], "fault") == 0)
		ret = cmd_fault();
	else if (argc >= 2 && strcmp(argv[1], "features") == 0)
		ret = cmd_features();
	else
		TEST_FAIL("usage: pmd-queues [EAL options] -- pasid|fault|features");
	rte_eal_cleanup();
	return ret;
}
