/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_pasidnic: what applications can ask of a pasidnic port beyond the
 * ethdev API (doc/pmd_pasidnic.md).
 */
#ifndef RTE_PMD_PASIDNIC_H
#define RTE_PMD_PASIDNIC_H

#include <stdint.h>

#include <rte_compat.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rte_iommufd_domain;

/**
 * Put queue pair @p queue_id (RX queue and TX queue @p queue_id) of a port in
 * a PASID domain of the iommufd bus: when the queues are set up next
 * (rte_eth_rx_queue_setup(), rte_eth_tx_queue_setup()), they are programmed
 * with the domain's PASID (rte_iommufd_domain_pasid()) and every DMA of them
 * (rings, buffers) goes through the domain's address space. The application
 * must then pass the socket id of the domain's pasid_mem heap to the queue
 * setup calls (the rings are allocated there) and an RX mempool from that
 * heap; TX mbufs must come from it too. Without a domain (the default, or
 * @p dom NULL) the queues use the device's RID and DPDK memory at IOVA = VA.
 *
 * @param port_id   a pasidnic port
 * @param queue_id  a queue pair, below the device's number of queue pairs
 * @param dom       a domain created on this port's device, or NULL for the RID
 * @return 0, or a negative errno: -ENODEV (not a pasidnic port), -EINVAL (bad
 *   queue, or a domain of another device), -EBUSY (the queues are set up
 *   already: release them first with rte_pmd_pasidnic_queue_pair_release()).
 *
 * Multi-process: the domain is a domain of the calling process, and the
 * queue pair belongs to the process that sets it up (doc/multi_process.md).
 */
__rte_experimental
int rte_pmd_pasidnic_queue_domain_set(uint16_t port_id, uint16_t queue_id,
				      struct rte_iommufd_domain *dom);

/**
 * The PASID a queue pair's queues are programmed with.
 *
 * @return the PASID (>= 1), 0 for the RID, or a negative errno (-ENODEV,
 *   -EINVAL).
 */
__rte_experimental
int rte_pmd_pasidnic_queue_pasid(uint16_t port_id, uint16_t queue_id);

/**
 * Give a queue pair back: stop RX queue and TX queue @p queue_id if they run,
 * free the mbufs they hold, their rings and their state, and forget the
 * queue pair's domain. Afterwards the domain can be destroyed, the mempool
 * and heap the queues used can be freed, and the queue pair can be set up
 * again (by this or another process), also while the port runs.
 * A worker process calls this for its queue pairs before it leaves.
 *
 * @return 0 (also when nothing was set up), or a negative errno: -ENODEV
 *   (not a pasidnic port), -EINVAL (bad queue pair), -EBUSY (the queues
 *   were set up by another process that is still using them).
 */
__rte_experimental
int rte_pmd_pasidnic_queue_pair_release(uint16_t port_id, uint16_t queue_id);

#ifdef __cplusplus
}
#endif

#endif /* RTE_PMD_PASIDNIC_H */
