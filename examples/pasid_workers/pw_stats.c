/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The primary's --stats view (pw_stats.h). The counters come from the
 * workers' slots (each worker publishes its own); the faults are the port's
 * per-queue xstats ("rx_q<k>_faults", "tx_q<k>_faults" of net_pasidnic),
 * which the primary reads from the device.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "pw_stats.h"

void
pw_stats_init(struct pw_stats *v, uint16_t port)
{
	memset(v, 0, sizeof(*v));
	v->port = port;
}

/* Faults of queue pair @k so far, or -1 when the port does not count them. */
static int64_t
queue_faults(struct pw_stats *v, unsigned int k)
{
	uint64_t val[2];
	char name[RTE_ETH_XSTATS_NAME_SIZE];

	if (v->w[k].have_ids == 0) {
		snprintf(name, sizeof(name), "rx_q%u_faults", k);
		v->w[k].have_ids = rte_eth_xstats_get_id_by_name(v->port, name,
								 &v->w[k].fault_id[0]) == 0;
		snprintf(name, sizeof(name), "tx_q%u_faults", k);
		if (v->w[k].have_ids == 1 && rte_eth_xstats_get_id_by_name(v->port, name,
								  &v->w[k].fault_id[1]) != 0)
			v->w[k].have_ids = 0;
		if (v->w[k].have_ids == 0)
			v->w[k].have_ids = -1;
	}
	if (v->w[k].have_ids < 0 ||
	    rte_eth_xstats_get_by_id(v->port, v->w[k].fault_id, val, 2) != 2)
		return -1;
	return (int64_t)(val[0] + val[1]);
}

void
pw_stats_slot(struct pw_stats *v, const struct pw_state *st, unsigned int k, double now,
	      char *buf, size_t len)
{
	const struct pw_slot *s = &st->slot[k];
	double dt = v->last > 0 ? now - v->last : 0;
	int32_t pid = pw_load(&s->pid);
	uint64_t rx = pw_load(&s->rx), tx = pw_load(&s->tx);
	int64_t faults = queue_faults(v, k);
	double rx_pps = 0, tx_pps = 0;
	char fbuf[24];

	if (pid == v->w[k].pid && dt > 0) {
		rx_pps = (double)(rx - v->w[k].rx) / dt;
		tx_pps = (double)(tx - v->w[k].tx) / dt;
	}
	v->w[k].pid = pid;
	v->w[k].rx = rx;
	v->w[k].tx = tx;
	if (faults < 0)
		snprintf(fbuf, sizeof(fbuf), "n/a");
	else
		snprintf(fbuf, sizeof(fbuf), "%" PRId64, faults);
	snprintf(buf, len, "%-8s rx %8.0f pps  tx %8.0f pps  faults %s",
		 pw_state_name(pw_load(&s->state)), rx_pps, tx_pps, fbuf);
}

void
pw_stats_done(struct pw_stats *v, double now)
{
	v->last = now;
}
