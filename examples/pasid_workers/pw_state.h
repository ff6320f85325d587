/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The state the primary and the workers of dpdk-pasid-workers share: one
 * memzone ("pasid_workers") in DPDK's main memory, reserved by the primary,
 * with one slot per queue pair. A worker owns its slot while it runs (it
 * publishes its pid, PASID, IOAS and counters there); the primary reads the
 * slots and marks a slot DIED when its worker exited without leaving.
 * Every field is read and written with __atomic builtins (pw_load/pw_store).
 */
#ifndef PW_STATE_H
#define PW_STATE_H

#include <stdint.h>

#include <rte_common.h>

/** Name of the shared memzone. */
#define PW_STATE_NAME "pasid_workers"
/** Most workers (queue pairs) the example handles; the device may have fewer. */
#define PW_MAX_WORKERS 8

/** Life of a slot. A slot in FREE, LEFT or DIED can be claimed by a new worker. */
enum pw_slot_state {
	PW_FREE = 0,     /**< never used */
	PW_STARTING,     /**< claimed: the worker is opening its queue pair */
	PW_RUNNING,      /**< forwarding; pasid and ioas are valid */
	PW_LEAVING,      /**< stopping: draining its frames, then closing */
	PW_LEFT,         /**< left cleanly; counters are final */
	PW_DIED,         /**< exited without leaving (set by the primary) */
};

/** One worker's slot; a cache line of its own (each worker writes its slot only). */
struct pw_slot {
	int32_t pid;         /**< the worker's pid (0: never claimed) */
	uint32_t state;      /**< enum pw_slot_state */
	int32_t pasid;       /**< its domain's PASID (0 until RUNNING) */
	uint32_t ioas;       /**< its domain's IOAS id */
	uint64_t forwarded;  /**< frames received and sent back */
	uint64_t rx;         /**< frames received */
	uint64_t tx;         /**< frames sent (injected and forwarded) */
	uint64_t lost;       /**< frames injected that did not come back */
	uint64_t foreign;    /**< frames received that were not this worker's */
} __rte_cache_aligned;

/** The memzone's contents. */
struct pw_state {
	uint32_t nb_workers;     /**< queue pairs configured on the port (slots in use) */
	uint16_t port;           /**< the ethdev port */
	volatile uint32_t stop;  /**< 1: the primary asks every worker to leave */
	struct pw_slot slot[PW_MAX_WORKERS];
};

#define pw_load(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define pw_store(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

/** Name of a slot state, for messages. */
static inline const char *
pw_state_name(uint32_t s)
{
	static const char *const names[] = {
		[PW_FREE] = "free", [PW_STARTING] = "starting", [PW_RUNNING] = "running",
		[PW_LEAVING] = "leaving", [PW_LEFT] = "left", [PW_DIED] = "died",
	};

	return s < RTE_DIM(names) ? names[s] : "?";
}

#endif /* PW_STATE_H */
