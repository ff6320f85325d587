/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The frames a worker keeps in flight: Ethernet to the port's own MAC from a
 * locally administered MAC naming the worker, ethertype 0x88b5 (IEEE local
 * experimental), payload { magic, worker id, sequence number }.
 */
#ifndef PW_FRAMES_H
#define PW_FRAMES_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#define PW_ETHERTYPE 0x88b5
#define PW_MAGIC UINT32_C(0x70775f31)  /* "pw_1" */
#define PW_FRAME_LEN 60                /* minimum Ethernet frame without FCS */

/**
 * Fill @m (an mbuf fresh from a pool) with worker @worker's frame number @seq
 * addressed to @dst.
 * @return 0, or -ENOSPC when @m has no room for the frame.
 */
int pw_frame_build(struct rte_mbuf *m, const struct rte_ether_addr *dst, uint16_t worker,
		   uint64_t seq);

/**
 * Which worker a frame belongs to.
 * @return the worker id from the payload, or -1 when @m is not a frame of this
 *   example (too short, other ethertype, bad magic).
 */
int pw_frame_worker(const struct rte_mbuf *m);

#endif /* PW_FRAMES_H */
