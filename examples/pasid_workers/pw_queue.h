/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One worker's private queue pair: its PASID domain, its pasid_mem heap
 * (mapped into that domain only, in an IOVA window of its own), its mbuf
 * pool, and queue pair @queue of a pasidnic port programmed with its PASID.
 * Used by the workers of examples/pasid_workers and by the mp_* VM tests.
 */
#ifndef PW_QUEUE_H
#define PW_QUEUE_H

#include <stdint.h>

#include <rte_common.h> /* rte_iova_t (rte_iova.h only exists from DPDK 23.03) */

struct rte_iommufd_domain;
struct rte_pasid_mem_heap;
struct rte_mempool;

/*
 * IOVA window of queue pair q: [PW_IOVA_BASE(q), PW_IOVA_BASE(q) + PW_IOVA_SPAN). Windows of
 * different queue pairs never overlap, so a stray IOVA of another worker is unmapped in this
 * worker's domain and faults instead of hitting this worker's own memory.
 */
#define PW_IOVA_SPAN (UINT64_C(1) << 32)
#define PW_IOVA_BASE(q) (((uint64_t)(q) + 1) * PW_IOVA_SPAN)

struct pw_queue {
	uint16_t port;
	uint16_t queue;
	int pasid;                       /* the domain's PASID */
	uint32_t ioas;                   /* the domain's IOAS id */
	struct rte_iommufd_domain *dom;
	struct rte_pasid_mem_heap *heap;
	struct rte_mempool *mp;
	int socket;                      /* the heap's malloc socket id */
	char tag[32];                    /* the heap's and the pool's name */
};

/*
 * Take queue pair @queue of @port for the calling process: create a PASID domain on the port's
 * device, a pasid_mem heap named "<tag>" mapped into it (IOVA window PW_IOVA_BASE(queue)),
 * a pool of @nb_mbufs mbufs named "<tag>" in that heap, put the queue pair in the domain, set
 * up RX and TX queue @queue (@nb_desc descriptors; the port may be running) and start them.
 * @return 0, or a negative errno with a message logged that names the step and the fix;
 * nothing is left behind on failure.
 */
int pw_queue_open(struct pw_queue *q, uint16_t port, uint16_t queue, uint16_t nb_desc,
		  unsigned int nb_mbufs, const char *tag);

/*
 * Give everything back, in the safe order: stop and release the queue pair (the device no
 * longer uses the PASID), free the pool, destroy the heap (unmapped from the domain, hugepages
 * back to the pool), destroy the domain. Safe on a partly opened or zeroed @q.
 * @return 0, or the first negative errno (each failure is logged; the rest is still done).
 */
int pw_queue_close(struct pw_queue *q);

/*
 * Tell the bus what the heap maps into the domain (its name and bytes mapped), for the
 * primary's telemetry (/iommufd/domains,<device>). Cheap when nothing changed; call it again
 * after the heap grew. Best effort: a failure is only logged.
 */
void pw_queue_report_usage(struct pw_queue *q);

#endif /* PW_QUEUE_H */
