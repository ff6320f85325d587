/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test frames of the pasidnic VM test programs: a 128-byte Ethernet frame
 * (ethertype 0x88b5, local experimental) whose payload names a queue, a
 * sequence number and a tag, and fills the rest with a pattern of both, so
 * a received frame proves where it came from and that it is intact.
 */
#ifndef TEST_FRAMES_H
#define TEST_FRAMES_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#define TF_LEN 128

/* Write test frame (@q, @seq, @tag) to @m, from and to @mac. */
void tf_fill(struct rte_mbuf *m, const struct rte_ether_addr *mac, uint16_t q, uint32_t seq,
	     uint8_t tag);

/* Is @m test frame (@q, @seq, @tag), intact? */
bool tf_check(const struct rte_mbuf *m, uint16_t q, uint32_t seq, uint8_t tag);

#endif /* TEST_FRAMES_H */
