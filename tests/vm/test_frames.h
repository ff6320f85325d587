/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test frames of the pasidnic VM test programs: a 128-byte Ethernet frame
 * (ethertype 0x88b5, local experimental) whose payload names a queue, a
 * sequence number and a tag, and fills the rest with a pattern of both, so
 * a received frame proves where it came from and that it is intact. Also the
 * port helpers the PMD test programs share (pmd_queues.c, mp_isolation.c).
 */
#ifndef TEST_FRAMES_H
#define TEST_FRAMES_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#define TF_LEN 128
#define TF_MAX_BURST 64 /* frames per tf_send() */

/* Write test frame (@q, @seq, @tag) to @m, from and to @mac. */
void tf_fill(struct rte_mbuf *m, const struct rte_ether_addr *mac, uint16_t q, uint32_t seq,
	     uint8_t tag);

/* Is @m test frame (@q, @seq, @tag), intact? */
bool tf_check(const struct rte_mbuf *m, uint16_t q, uint32_t seq, uint8_t tag);

/*
 * Send @n test frames (@q, @seq.., @tag) from mbufs of @mp on TX queue @q of
 * @port (@n <= TF_MAX_BURST), for up to @ms; frames not taken by then are freed. Returns how many
 * were sent; fails the test when @mp has no @n mbufs.
 */
unsigned int tf_send(uint16_t port, uint16_t q, struct rte_mempool *mp,
		     const struct rte_ether_addr *mac, unsigned int n, uint32_t seq, uint8_t tag,
		     unsigned int ms);

/* Receive up to @n frames of RX queue @q of @port within @ms; returns how many. */
unsigned int tf_rx_wait(uint16_t port, uint16_t q, struct rte_mbuf **pkts, unsigned int n,
			unsigned int ms);

/* The value of xstat @name of @port; fails the test when there is none. */
uint64_t tf_xstat(uint16_t port, const char *name);

/* An rte_pktmbuf_attach_extbuf() free callback that frees nothing. */
void tf_noop_free(void *addr, void *opaque);

#endif /* TEST_FRAMES_H */
