/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Statistics of a pasidnic port. Basic stats add up the queues' software
 * counters (struct pnic_qstats) and the device's RX drop counters. Extended
 * stats come from one table per kind (device, RX queue, TX queue) of names
 * and where each value is: a software counter of the queue, or a device
 * register minus its value at the last reset (doc/pmd_pasidnic.md).
 * The queue lock is held against the release of a queue (by its owner, or by
 * another process after the owner died), which frees it; it is held only to
 * copy the queues' fields, never across a register read (a system call):
 * registers are read before (resets) or after (reads), unlocked. On the EAL
 * interrupt thread a busy lock gives -EBUSY rather than a wait.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <ethdev_driver.h>

#include "pasidnic.h"

/* Where an extended statistic's value is. */
enum xs_kind {
	XS_U64,   /* a uint64_t at @off */
	XS_U8,    /* a uint8_t at @off (a flag) */
	XS_REG,   /* register @reg (of the queue, or of the device) minus the uint64_t at @off */
};

struct pnic_xstat {
	const char *name;
	uint8_t kind;
	uint32_t reg;
	size_t off;
};

#define XS_PORT_REG(n, r, base) { n, XS_REG, r, offsetof(struct pnic_port, base) }
#define XS_QREG(n, r, base) { n, XS_REG, r, offsetof(struct pnic_qbase, base) }
#define XS_Q64(n, field) { n, XS_U64, 0, offsetof(struct pnic_qbase, field) }
#define XS_Q8(n, field) { n, XS_U8, 0, offsetof(struct pnic_qbase, field) }

/* The device's, then per RX queue, then per TX queue ("rx_q<n>_<name>"). */
static const struct pnic_xstat dev_xstats[] = {
	XS_PORT_REG("fault_count", PNIC_REG_FAULT_COUNT, dev_fault_base),
	XS_PORT_REG("engine_wakeups", PNIC_REG_ENGINE_WAKEUPS, wakeup_base),
};

static const struct pnic_xstat rxq_xstats[] = {
	XS_QREG("faults", PNIC_Q_FAULTS, fault_base),
	XS_QREG("device_drops", PNIC_Q_DROPS, drop_base),
	XS_Q64("truncated", stats.truncated),
	XS_Q64("desc_errors", stats.errors),
	XS_Q64("filtered", xstats.filtered),
	XS_Q64("kicks", xstats.kicks),
	XS_Q8("faulted", faulted),
};

static const struct pnic_xstat txq_xstats[] = {
	XS_QREG("faults", PNIC_Q_FAULTS, fault_base),
	XS_Q64("dropped", stats.errors),
	XS_Q64("kicks", xstats.kicks),
	XS_Q8("faulted", faulted),
};

static const struct {
	const struct pnic_xstat *xs;
	unsigned int n;
} q_xstats[2] = {
	[PNIC_DIR_RX] = { rxq_xstats, RTE_DIM(rxq_xstats) },
	[PNIC_DIR_TX] = { txq_xstats, RTE_DIM(txq_xstats) },
};

/* Copies of the queues that are set up, taken under the lock. */
struct q_snap {
	unsigned int n;
	struct pnic_qbase q[2 * PNIC_MAX_QP];
};

static void
snap_one(struct rte_eth_dev *dev __rte_unused, struct pnic_qbase *q, void *arg)
{
	struct q_snap *sn = arg;

	if (sn->n < RTE_DIM(sn->q))
		sn->q[sn->n++] = *q;
}

/* Copy every queue that is set up into @sn. 0 or -EBUSY (interrupt thread, lock busy). */
static int
snap_queues(struct rte_eth_dev *dev, struct q_snap *sn)
{
	int ret = pnic_qlock_ctl(dev->data->dev_private);

	sn->n = 0;
	if (ret < 0)
		return ret;
	pnic_foreach_queue(dev, snap_one, sn);
	pnic_qunlock(dev->data->dev_private);
	return 0;
}

/* Register @reg of every device queue, read unlocked: @v[hwq]. */
static void
qregs_read(const struct pnic_port *p, uint32_t reg, uint64_t v[PNIC_MAX_QUEUES])
{
	unsigned int hwq;

	for (hwq = 0; hwq < 2 * p->nb_qp && hwq < PNIC_MAX_QUEUES; hwq++)
		v[hwq] = pnic_qrd(p, hwq, reg);
}

/* Where stats_add() adds up, by direction. */
struct stats_sum {
	struct rte_eth_stats *st;
	uint64_t *pkts[2], *bytes[2], *errors[2];
	uint64_t *q_pkts[2], *q_bytes[2]; /* per-queue counters, or NULL */
};

static void
stats_add(struct rte_eth_dev *dev, const struct pnic_qbase *q, struct stats_sum *s)
{
	*s->pkts[q->dir] += q->stats.pkts;
	*s->bytes[q->dir] += q->stats.bytes;
	*s->errors[q->dir] += q->stats.errors + q->stats.truncated;
	if (q->dir == PNIC_DIR_RX)
		s->st->imissed += pnic_qrd(dev->data->dev_private, q->hwq, PNIC_Q_DROPS) -
				  q->drop_base;
	if (s->q_pkts[q->dir] != NULL && q->queue_id < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
		s->q_pkts[q->dir][q->queue_id] = q->stats.pkts;
		s->q_bytes[q->dir][q->queue_id] = q->stats.bytes;
	}
}

int
pnic_stats_get(PASID_ETH_STATS_GET_PARAMS(dev, st, qs))
{
	pasid_eth_qstats_t *q = PASID_ETH_QSTATS(st, qs);
	struct q_snap sn;
	unsigned int i;
	struct stats_sum s = {
		.st = st,
		.pkts = { &st->ipackets, &st->opackets },
		.bytes = { &st->ibytes, &st->obytes },
		.errors = { &st->ierrors, &st->oerrors },
		.q_pkts = { q ? q->q_ipackets : NULL, q ? q->q_opackets : NULL },
		.q_bytes = { q ? q->q_ibytes : NULL, q ? q->q_obytes : NULL },
	};

	int ret = snap_queues(dev, &sn);

	if (ret < 0)
		return ret;
	/* The device's drop counters are read here, after the lock. */
	for (i = 0; i < sn.n; i++)
		stats_add(dev, &sn.q[i], &s);
	return 0;
}

static void
stats_clear(struct rte_eth_dev *dev __rte_unused, struct pnic_qbase *q, void *arg)
{
	const uint64_t *drops = arg;

	memset(&q->stats, 0, sizeof(q->stats));
	if (q->dir == PNIC_DIR_RX && q->hwq < PNIC_MAX_QUEUES)
		q->drop_base = drops[q->hwq];
}

int
pnic_stats_reset(struct rte_eth_dev *dev)
{
	struct pnic_port *p = dev->data->dev_private;
	uint64_t drops[PNIC_MAX_QUEUES];
	int ret;

	qregs_read(p, PNIC_Q_DROPS, drops);
	ret = pnic_qlock_ctl(p);
	if (ret < 0)
		return ret;
	pnic_foreach_queue(dev, stats_clear, drops);
	pnic_qunlock(p);
	return 0;
}

static unsigned int
xstats_count(const struct rte_eth_dev *dev)
{
	return RTE_DIM(dev_xstats) + pnic_nb_queues(dev, PNIC_DIR_RX) * RTE_DIM(rxq_xstats) +
	       pnic_nb_queues(dev, PNIC_DIR_TX) * RTE_DIM(txq_xstats);
}

int
pnic_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
		      unsigned int size)
{
	unsigned int n = xstats_count(dev), k = 0, dir, i, j;

	if (names == NULL || size < n)
		return n;
	for (j = 0; j < RTE_DIM(dev_xstats); j++)
		snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "%s", dev_xstats[j].name);
	for (dir = PNIC_DIR_RX; dir <= PNIC_DIR_TX; dir++)
		for (i = 0; i < pnic_nb_queues(dev, dir); i++)
			for (j = 0; j < q_xstats[dir].n; j++)
				snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "%s_q%u_%s",
					 dir == PNIC_DIR_RX ? "rx" : "tx", i,
					 q_xstats[dir].xs[j].name);
	return n;
}

/* The value of @x in @obj (the port, or a queue of device queue @hwq). */
static uint64_t
xstat_value(const struct pnic_port *p, const struct pnic_xstat *x, const void *obj, int hwq)
{
	const uint8_t *b = obj;

	switch (x->kind) {
	case XS_U8:
		return *(const volatile uint8_t *)(b + x->off);
	case XS_REG:
		return (hwq < 0 ? pnic_rd(p, x->reg) : pnic_qrd(p, hwq, x->reg)) -
		       *(const uint64_t *)(b + x->off);
	default:
		return *(const uint64_t *)(b + x->off);
	}
}

int
pnic_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int size)
{
	struct pnic_port *p = dev->data->dev_private;
	unsigned int n = xstats_count(dev), k = 0, dir, i, j, s;
	struct q_snap sn;
	int ret;

	if (xs == NULL || size < n)
		return n;
	ret = snap_queues(dev, &sn);
	if (ret < 0)
		return ret;
	/* From the copies; registers are read now, after the lock. */
	for (j = 0; j < RTE_DIM(dev_xstats); j++)
		xs[k++].value = xstat_value(p, &dev_xstats[j], p, -1);
	for (dir = PNIC_DIR_RX; dir <= PNIC_DIR_TX; dir++) {
		for (i = 0; i < pnic_nb_queues(dev, dir); i++) {
			const struct pnic_qbase *q = NULL;

			for (s = 0; s < sn.n && q == NULL; s++)
				if (sn.q[s].dir == dir && sn.q[s].queue_id == i)
					q = &sn.q[s];
			for (j = 0; j < q_xstats[dir].n; j++)
				xs[k++].value = q == NULL ? 0 :
					xstat_value(p, &q_xstats[dir].xs[j], q, q->hwq);
		}
	}
	for (i = 0; i < n; i++)
		xs[i].id = i;
	return n;
}

static void
xstats_clear(struct rte_eth_dev *dev __rte_unused, struct pnic_qbase *q, void *arg)
{
	const uint64_t *faults = arg;

	if (q->hwq < PNIC_MAX_QUEUES)
		q->fault_base = faults[q->hwq];
	memset(&q->xstats, 0, sizeof(q->xstats));
}

int
pnic_xstats_reset(struct rte_eth_dev *dev)
{
	struct pnic_port *p = dev->data->dev_private;
	uint64_t faults[PNIC_MAX_QUEUES], dev_faults, wakeups;
	int ret;

	/* The registers first, unlocked; then the bases, under the lock. */
	dev_faults = pnic_rd(p, PNIC_REG_FAULT_COUNT);
	wakeups = pnic_rd(p, PNIC_REG_ENGINE_WAKEUPS);
	qregs_read(p, PNIC_Q_FAULTS, faults);
	ret = pnic_qlock_ctl(p);
	if (ret < 0)
		return ret;
	p->dev_fault_base = dev_faults;
	p->wakeup_base = wakeups;
	pnic_foreach_queue(dev, xstats_clear, faults);
	pnic_qunlock(p);
	return pnic_stats_reset(dev);
}
