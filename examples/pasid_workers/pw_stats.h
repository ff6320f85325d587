/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The primary's live view of the workers (--stats): one line per worker slot
 * per interval with its PASID, IOAS, state, receive and transmit rates and
 * the device faults of its queue pair, so a person watching sees the other
 * workers' traffic go on while one dies.
 */
#ifndef PW_STATS_H
#define PW_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "pw_state.h"

/** What the view remembers between two lines of a slot. */
struct pw_stats {
	uint16_t port;
	double last;                     /**< time of the previous view, 0: none */
	struct {
		int32_t pid;             /**< the incarnation the counters belong to */
		uint64_t rx, tx;         /**< the slot's counters at the previous view */
		uint64_t fault_id[2];    /**< xstat ids of rx_q<k>_faults, tx_q<k>_faults */
		int have_ids;            /**< 1: ids looked up, -1: the port has none */
	} w[PW_MAX_WORKERS];
};

/** Start a view of port @port. */
void pw_stats_init(struct pw_stats *v, uint16_t port);

/**
 * The view of slot @k at time @now (seconds) into @buf: state, receive and
 * transmit rates over the time since the previous view of the same worker
 * incarnation (0 for a new one), the faults of its queue pair ("n/a" when
 * the port does not count them). Call pw_stats_done() after the slots.
 */
void pw_stats_slot(struct pw_stats *v, const struct pw_state *st, unsigned int k, double now,
		   char *buf, size_t len);

/** One view is complete at @now: the next one's rates start here. */
void pw_stats_done(struct pw_stats *v, double now);

#endif /* PW_STATS_H */
