/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mp-isolation: two DPDK secondary processes of examples/pasid_workers' primary
 * (started with --workers 2), each taking a queue pair exactly as a worker
 * does (pw_queue_open(): its own PASID domain, heap, IOVA window and pool).
 *
 *   mp-isolation [EAL options] -- victim DIR
 *       queue pair 1: fills a buffer of its pool with a pattern, writes its
 *       IOVA and length to DIR/victim.iova, keeps looping frames until
 *       DIR/go exists, then checks the buffer is byte-identical, its own
 *       queues never faulted and still loop frames.
 *   mp-isolation [EAL options] -- stray DIR
 *       queue pair 0: reads DIR/victim.iova and posts the victim's IOVA on
 *       its own queues: (a) a TX buffer whose IOVA is forged to it, (b) RX
 *       buffers whose IOVA is forged to it, then sends a frame. Both must
 *       fault (the IOVA is outside the stray's IOVA window, so unmapped in its
 *       domain); then the queues are restarted and must loop frames again.
 *
 * Exit status 0 on success; failures print "REASON: ..." and exit 1.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "pw_queue.h"
#include "test_frames.h"
#include "test_assert.h"

#define NB_DESC 256
#define NB_MBUFS 1023
#define FRAMES 32
#define TX_KEEP 8

static const char *role = "mp-isolation";
static uint16_t port;
static struct rte_ether_addr mac;
static struct pw_queue q;

/* xstat("tx_faults"): the xstat tx_q<n>_faults of our queue pair. */
static uint64_t
xstat(const char *s)
{
	char name[RTE_ETH_XSTATS_NAME_SIZE];

	snprintf(name, sizeof(name), "%.2s_q%u%s", s, q.queue, s + 2);
	return tf_xstat(port, name);
}

static uint64_t
ms_to_cycles(unsigned int ms)
{
	return rte_get_timer_hz() * ms / 1000;
}

/*
 * Loop FRAMES frames of our pool through our queue pair (loopback: TX queue
 * n to RX queue n); every frame must come back intact into a buffer of our
 * pool inside our IOVA window. Fails with a reason naming @what otherwise.
 */
static void
loop(uint32_t *seq, uint8_t tag, const char *what)
{
	uint64_t lo = PW_IOVA_BASE(q.queue), hi = lo + PW_IOVA_SPAN;
	unsigned int i, sent, got, ok = 0;
	struct rte_mbuf *rx[FRAMES];

	sent = tf_send(port, q.queue, q.mp, &mac, FRAMES, *seq, tag, 5000);
	if (sent < FRAMES) {
		TEST_FAIL("%s: TX queue %u took %u of %u frames in 5 s (tx_q%u_faulted %" PRIu64
			  ")", what, q.queue, sent, FRAMES, q.queue, xstat("tx_faulted"));
	}
	got = tf_rx_wait(port, q.queue, rx, FRAMES, 10000);
	for (i = 0; i < got; i++) {
		TEST_ASSERT_TRUE(rx[i]->pool == q.mp, "%s: received into pool %s, not %s", what,
				 rx[i]->pool->name, q.mp->name);
		TEST_ASSERT_TRUE(rx[i]->buf_iova >= lo && rx[i]->buf_iova < hi,
				 "%s: received into a buffer at IOVA 0x%" PRIx64
				 ", outside our window [0x%" PRIx64 ", 0x%" PRIx64 ")", what,
				 rx[i]->buf_iova, lo, hi);
		if (tf_check(rx[i], q.queue, *seq + i, tag))
			ok++;
		rte_pktmbuf_free(rx[i]);
	}
	*seq += FRAMES;
	TEST_ASSERT_TRUE(ok == FRAMES,
			 "%s: %u of %u frames came back intact on queue %u (%u received; "
			 "rx_q%u_faulted %" PRIu64 ", tx_q%u_faulted %" PRIu64 ")", what, ok,
			 FRAMES, q.queue, got, q.queue, xstat("rx_faulted"), q.queue,
			 xstat("tx_faulted"));
}

static void
open_queue(uint16_t queue, const char *tag)
{
	char name[32];
	int ret;

	snprintf(name, sizeof(name), "%s.%d", tag, (int)getpid());
	ret = pw_queue_open(&q, port, queue, NB_DESC, NB_MBUFS, name);
	TEST_ASSERT_TRUE(ret == 0, "pw_queue_open(queue pair %u): %s", queue, rte_strerror(-ret));
	TEST_ASSERT_TRUE(rte_eth_macaddr_get(port, &mac) == 0, "no MAC address");
	printf("%s: pid %d, queue pair %u, PASID %d, IOAS %u, heap and pool %s\n", role,
	       (int)getpid(), queue, q.pasid, q.ioas, name);
	fflush(stdout);
}

static void
close_queue(void)
{
	int ret = pw_queue_close(&q);

	TEST_ASSERT_TRUE(ret == 0, "pw_queue_close: %s", rte_strerror(-ret));
}

/* The victim's buffer: a whole mbuf buffer of its pool, filled with a pattern. */
static uint8_t
pattern(size_t i)
{
	return (uint8_t)(0xa5 ^ (i * 7) ^ (i >> 8));
}

static int
cmd_victim(const char *dir)
{
	char path[512], tmp[512], go[512];
	struct rte_mbuf *m;
	uint8_t *buf;
	uint32_t seq = 0;
	unsigned int rounds = 0;
	uint64_t end;
	FILE *f;
	size_t i;

	open_queue(1, "isov");
	loop(&seq, 0x11, "before the attack");
	m = rte_pktmbuf_alloc(q.mp);
	TEST_ASSERT_TRUE(m != NULL, "no mbuf in pool %s", q.mp->name);
	buf = m->buf_addr;
	for (i = 0; i < m->buf_len; i++)
		buf[i] = pattern(i);
	TEST_ASSERT_TRUE(m->buf_iova >= PW_IOVA_BASE(1) &&
			 m->buf_iova < PW_IOVA_BASE(1) + PW_IOVA_SPAN, "the buffer's IOVA 0x%"
			 PRIx64 " is outside queue pair 1's window", m->buf_iova);
	snprintf(path, sizeof(path), "%s/victim.iova", dir);
	snprintf(tmp, sizeof(tmp), "%s/victim.iova.tmp", dir);
	f = fopen(tmp, "w");
	TEST_ASSERT_TRUE(f != NULL, "cannot write %s", tmp);
	fprintf(f, "0x%" PRIx64 " %u\n", m->buf_iova, m->buf_len);
	TEST_ASSERT_TRUE(fclose(f) == 0 && rename(tmp, path) == 0, "cannot write %s", path);
	printf("victim: buffer of %u bytes at IOVA 0x%" PRIx64 " (VA %p) filled with a pattern\n",
	       m->buf_len, m->buf_iova, m->buf_addr);
	fflush(stdout);

	/* Keep our own traffic going while the stray posts our IOVA. */
	snprintf(go, sizeof(go), "%s/go", dir);
	end = rte_get_timer_cycles() + ms_to_cycles(300 * 1000);
	while (access(go, F_OK) != 0) {
		TEST_ASSERT_TRUE(rte_get_timer_cycles() < end, "no %s within 300 s", go);
		loop(&seq, 0x22, "during the attack");
		rounds++;
		rte_delay_us_sleep(200 * 1000);
	}
	for (i = 0; i < m->buf_len; i++)
		TEST_ASSERT_TRUE(buf[i] == pattern(i), "the buffer at IOVA 0x%" PRIx64
				 " changed at offset "
				 "%zu (0x%02x, was 0x%02x): the device wrote into the victim's memory",
				 m->buf_iova, i, buf[i], pattern(i));
	printf("victim: the buffer at IOVA 0x%" PRIx64 " is byte-identical (%u bytes)\n",
	       m->buf_iova, m->buf_len);
	TEST_ASSERT_TRUE(xstat("tx_faults") == 0 && xstat("rx_faults") == 0,
			 "queue pair 1 faulted: tx_q1_faults %" PRIu64 ", rx_q1_faults %" PRIu64,
			 xstat("tx_faults"), xstat("rx_faults"));
	loop(&seq, 0x33, "after the attack");
	printf("victim: queue pair 1 looped %u frames (%u rounds during the attack), "
	       "never faulted\n", seq, rounds);
	rte_pktmbuf_free(m);
	close_queue();
	printf("ok: victim: memory untouched, traffic unaffected\n");
	return 0;
}

/* Wait up to 10 s for xstat @s (of our queue) to reach @want. */
static void
wait_xstat(const char *s, uint64_t want, const char *what)
{
	uint64_t end = rte_get_timer_cycles() + ms_to_cycles(10000);

	while (xstat(s) < want) {
		TEST_ASSERT_TRUE(rte_get_timer_cycles() < end, "%s: no DMA fault: %.2s_q%u%s is %"
				 PRIu64 " after 10 s, want %" PRIu64 " (tx_q0_faults %" PRIu64
				 ", rx_q0_faults %" PRIu64 ")", what, s, q.queue, s + 2, xstat(s),
				 want, xstat("tx_faults"), xstat("rx_faults"));
		rte_delay_us_sleep(10 * 1000);
	}
}

/* Nothing may come back on our RX queue: the device must not have read the IOVA. */
static void
expect_no_frame(const char *what)
{
	struct rte_mbuf *rx[FRAMES];
	unsigned int got = tf_rx_wait(port, q.queue, rx, FRAMES, 500), i;

	for (i = 0; i < got; i++)
		rte_pktmbuf_free(rx[i]);
	TEST_ASSERT_TRUE(got == 0,
			 "%s: %u frame(s) received: the device read the victim's IOVA in the "
			 "stray's domain instead of faulting", what, got);
}

/*
 * What the stray just sent must fault in direction @d ("tx" or "rx"): the
 * queue is marked faulted, its fault counter passes @faults, nothing comes
 * back; then say so.
 */
static void
expect_fault(const char *d, uint64_t faults, rte_iova_t iova, const char *what)
{
	char faulted[16], count[16];

	snprintf(faulted, sizeof(faulted), "%s_faulted", d);
	snprintf(count, sizeof(count), "%s_faults", d);
	wait_xstat(faulted, 1, what);
	wait_xstat(count, faults + 1, what);
	expect_no_frame(what);
	printf("stray: %s at 0x%" PRIx64 ": DMA fault, %s_q0_faulted %" PRIu64 ", %s_q0_faults %"
	       PRIu64 " -> %" PRIu64 "\n", what, iova, d, xstat(faulted), d, faults, xstat(count));
	fflush(stdout);
}

static int
cmd_stray(const char *dir)
{
	static struct rte_mbuf_ext_shared_info shinfo;
	static uint8_t junk[4096] __rte_aligned(4096);
	static struct rte_mbuf *forged[NB_MBUFS];
	static rte_iova_t saved[NB_MBUFS];
	struct rte_mbuf *keep[TX_KEEP], *m;
	unsigned int nforged = 0, nkeep = 0, i, len;
	uint64_t iova, faults, end;
	char path[512];
	uint32_t seq = 0;
	void *obj;
	FILE *f;
	int ret;

	open_queue(0, "isos");
	loop(&seq, 0x44, "before the attack");
	snprintf(path, sizeof(path), "%s/victim.iova", dir);
	end = rte_get_timer_cycles() + ms_to_cycles(300 * 1000);
	while ((f = fopen(path, "r")) == NULL) {
		TEST_ASSERT_TRUE(rte_get_timer_cycles() < end, "no %s within 300 s", path);
		rte_delay_us_sleep(100 * 1000);
	}
	TEST_ASSERT_TRUE(fscanf(f, "%" SCNx64 " %u", &iova, &len) == 2, "cannot parse %s", path);
	fclose(f);
	TEST_ASSERT_TRUE(iova < PW_IOVA_BASE(0) || iova >= PW_IOVA_BASE(0) + PW_IOVA_SPAN,
			 "the victim's IOVA 0x%" PRIx64 " is inside the stray's window", iova);
	printf("stray: the victim's buffer: IOVA 0x%" PRIx64 ", %u bytes\n", iova, len);

	/* (a) TX: an mbuf of our pool whose buffer IOVA is the victim's. */
	faults = xstat("tx_faults");
	TEST_ASSERT_TRUE(xstat("tx_faulted") == 0, "TX queue 0 faulted before the attack");
	m = rte_pktmbuf_alloc(q.mp);
	TEST_ASSERT_TRUE(m != NULL, "no mbuf");
	memset(&shinfo, 0, sizeof(shinfo));
	shinfo.free_cb = tf_noop_free;
	rte_mbuf_ext_refcnt_set(&shinfo, 1);
	rte_pktmbuf_attach_extbuf(m, junk, iova, RTE_MIN(len, (unsigned int)sizeof(junk)),
				  &shinfo);
	tf_fill(m, &mac, q.queue, 0xdead, 0x55);
	TEST_ASSERT_TRUE(rte_pktmbuf_iova(m) == iova, "forged TX IOVA 0x%" PRIx64,
			 rte_pktmbuf_iova(m));
	TEST_ASSERT_TRUE(rte_eth_tx_burst(port, 0, &m, 1) == 1, "the forged TX frame was refused");
	expect_fault("tx", faults, iova, "TX of a buffer at the victim's IOVA");

	/* Recover TX (the faulted mbuf is freed with the queue's). */
	TEST_ASSERT_TRUE(rte_eth_dev_tx_queue_stop(port, 0) == 0, "TX queue 0 stop");
	TEST_ASSERT_TRUE(rte_eth_dev_tx_queue_start(port, 0) == 0, "TX queue 0 start");
	TEST_ASSERT_TRUE(xstat("tx_faulted") == 0, "TX queue 0 still faulted after a restart");

	/*
	 * (b) RX: every free mbuf of our pool but TX_KEEP gets the victim's IOVA
	 * as buffer IOVA, then the RX queue is restarted so that its ring is
	 * refilled from them, and a frame is sent: the device writes it at the
	 * victim's IOVA (+ headroom), which must fault.
	 */
	faults = xstat("rx_faults");
	TEST_ASSERT_TRUE(rte_eth_dev_rx_queue_stop(port, 0) == 0, "RX queue 0 stop");
	while (rte_mempool_get(q.mp, &obj) == 0) {
		m = obj;
		if (nkeep < TX_KEEP) {
			keep[nkeep++] = m;
			continue;
		}
		TEST_ASSERT_TRUE(nforged < NB_MBUFS, "more mbufs than the pool's %u", NB_MBUFS);
		saved[nforged] = m->buf_iova;
		m->buf_iova = iova;
		forged[nforged++] = m;
	}
	TEST_ASSERT_TRUE(nkeep == TX_KEEP && nforged >= NB_DESC, "only %u free mbufs in the pool",
			 nkeep + nforged);
	rte_mempool_put_bulk(q.mp, (void **)forged, nforged);
	ret = rte_eth_dev_rx_queue_start(port, 0);
	TEST_ASSERT_TRUE(ret == 0, "RX queue 0 start with forged buffers: %s", rte_strerror(-ret));
	printf("stray: RX queue 0 restarted with %u buffers at the victim's IOVA\n", nforged);
	fflush(stdout);
	m = keep[--nkeep];
	rte_pktmbuf_reset(m);
	tf_fill(m, &mac, q.queue, 0xbeef, 0x66);
	TEST_ASSERT_TRUE(rte_eth_tx_burst(port, 0, &m, 1) == 1,
			 "TX of the frame for the forged RX refused");
	expect_fault("rx", faults, iova, "RX of a frame into the victim's IOVA (+ headroom)");

	/* Recover: the ring's mbufs go back to the pool; give them their own IOVA again. */
	TEST_ASSERT_TRUE(rte_eth_dev_rx_queue_stop(port, 0) == 0, "RX queue 0 stop");
	for (i = 0; i < nforged; i++)
		forged[i]->buf_iova = saved[i];
	for (i = 0; i < nkeep; i++)
		rte_mempool_put(q.mp, keep[i]);
	TEST_ASSERT_TRUE(rte_eth_dev_tx_queue_stop(port, 0) == 0, "TX queue 0 stop");
	TEST_ASSERT_TRUE(rte_eth_dev_tx_queue_start(port, 0) == 0, "TX queue 0 start");
	TEST_ASSERT_TRUE(rte_eth_dev_rx_queue_start(port, 0) == 0, "RX queue 0 start");
	TEST_ASSERT_TRUE(xstat("rx_faulted") == 0 && xstat("tx_faulted") == 0,
			 "queue pair 0 still faulted after a restart");
	for (i = 0; i < 3; i++)
		loop(&seq, 0x77, "after the restart");
	printf("stray: queue pair 0 recovered after rte_eth_dev_{tx,rx}_queue_stop/start: "
	       "%u frames looped back intact; tx_q0_faults %" PRIu64 ", rx_q0_faults %" PRIu64
	       "\n", 3 * FRAMES, xstat("tx_faults"), xstat("rx_faults"));
	close_queue();
	printf("ok: stray: both forged IOVAs faulted, the queue pair recovered\n");
	return 0;
}

int
main(int argc, char **argv)
{
	int n, ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	n = rte_eal_init(argc, argv);
	if (n < 0)
		TEST_FAIL("EAL init: %s", rte_strerror(rte_errno));
	argc -= n;
	argv += n;
	TEST_ASSERT_TRUE(rte_eal_process_type() == RTE_PROC_SECONDARY,
			 "run me as a secondary process (--proc-type=secondary)");
	TEST_ASSERT_TRUE(rte_eth_dev_count_avail() >= 1, "no pasidnic port probed");
	port = 0;
	if (argc == 3 && strcmp(argv[1], "victim") == 0) {
		role = "victim";
		ret = cmd_victim(argv[2]);
	} else if (argc == 3 && strcmp(argv[1], "stray") == 0) {
		role = "stray";
		ret = cmd_stray(argv[2]);
	} else {
		TEST_FAIL("usage: mp-isolation [EAL options] -- victim|stray DIR");
	}
	rte_eal_cleanup();
	return ret;
}
