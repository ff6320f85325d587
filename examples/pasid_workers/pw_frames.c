/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building and recognising the workers' frames (pw_frames.h).
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>

#include "pasid_dpdk_compat.h"
#include "pw_frames.h"

struct __rte_packed_begin pw_payload {
	rte_be32_t magic;
	rte_be16_t worker;
	rte_be16_t pad;
	rte_be64_t seq;
} __rte_packed_end;

int
pw_frame_build(struct rte_mbuf *m, const struct rte_ether_addr *dst, uint16_t worker,
	       uint64_t seq)
{
	struct rte_ether_hdr *eh;
	struct pw_payload *p;
	char *data;

	data = rte_pktmbuf_append(m, PW_FRAME_LEN);
	if (data == NULL)
		return -ENOSPC;
	memset(data, 0, PW_FRAME_LEN);
	eh = (struct rte_ether_hdr *)data;
	rte_ether_addr_copy(dst, &eh->dst_addr);
	/* 02:70:77:00:00:<worker>: locally administered, unicast. */
	eh->src_addr = (struct rte_ether_addr){
		.addr_bytes = { 0x02, 0x70, 0x77, 0x00, worker >> 8, worker & 0xff } };
	eh->ether_type = rte_cpu_to_be_16(PW_ETHERTYPE);
	p = (struct pw_payload *)(eh + 1);
	p->magic = rte_cpu_to_be_32(PW_MAGIC);
	p->worker = rte_cpu_to_be_16(worker);
	p->seq = rte_cpu_to_be_64(seq);
	return 0;
}

int
pw_frame_worker(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh;
	const struct pw_payload *p;

	if (rte_pktmbuf_data_len(m) < sizeof(*eh) + sizeof(*p))
		return -1;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	p = (const struct pw_payload *)(eh + 1);
	if (eh->ether_type != rte_cpu_to_be_16(PW_ETHERTYPE) ||
	    p->magic != rte_cpu_to_be_32(PW_MAGIC))
		return -1;
	return rte_be_to_cpu_16(p->worker);
}
