/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker of dpdk-pasid-workers (a DPDK secondary process): it claims slot K
 * of the shared state, opens queue pair K of the port in a PASID domain of its
 * own (pw_queue.c), injects a window of frames and forwards them back and
 * forth through the loopback device (TX queue K -> RX queue K) until it is
 * told to stop; then it collects its frames, gives the queue pair back and
 * leaves its final counters in the slot. When the primary exits, or closes
 * or removes the port (RTE_ETH_EVENT_INTR_RMV), it stops at once, gives back
 * what it can and exits with status 3 (doc/multi_process.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>

#include "pw_app.h"
#include "pw_frames.h"
#include "pw_queue.h"
#include "pw_state.h"

#define NB_DESC 512
#define NB_MBUFS 2047
#define BURST 32
#define ALIVE_CHECK_S 0.2     /* how often the primary's liveness is checked */
#define DRAIN_S 2.0           /* how long a leaving worker waits for its frames */
#define USAGE_REPORT_S 1.0    /* how often the heap's size goes to the bus's telemetry */
#define CLAIM_WAIT_S 5.0      /* how long to wait for the primary to mark a dead slot */
#define IDLE_POLLS 64         /* empty polls before a nap */
#define IDLE_NAP_US 100

/* Set by the RTE_ETH_EVENT_INTR_RMV callback (EAL interrupt thread). */
static volatile int port_removed;

static int
on_port_removed(uint16_t port __rte_unused, enum rte_eth_event_type ev __rte_unused,
		void *arg __rte_unused, void *ret __rte_unused)
{
	__atomic_store_n(&port_removed, 1, __ATOMIC_RELEASE);
	return 0;
}

struct worker {
	const struct pw_opts *o;
	struct pw_state *st;
	struct pw_slot *s;
	struct pw_queue q;
	uint16_t port;
	uint16_t id;
	int32_t pid;
	struct rte_ether_addr mac;
	uint64_t in_flight;     /* frames injected and not yet freed by us */
	uint64_t forwarded, rx, tx, lost, foreign;
};

static double
now_s(void)
{
	return (double)rte_get_timer_cycles() / (double)rte_get_timer_hz();
}

static void
publish(struct worker *w)
{
	__atomic_store_n(&w->s->forwarded, w->forwarded, __ATOMIC_RELAXED);
	__atomic_store_n(&w->s->rx, w->rx, __ATOMIC_RELAXED);
	__atomic_store_n(&w->s->tx, w->tx, __ATOMIC_RELAXED);
	__atomic_store_n(&w->s->lost, w->lost, __ATOMIC_RELAXED);
	__atomic_store_n(&w->s->foreign, w->foreign, __ATOMIC_RELAXED);
}

/*
 * Take slot w->id: refuse one whose worker still runs; wait for the primary to
 * mark a crashed one DIED (it does at once) so that its report comes first.
 * Return 0, or -1 after a message.
 */
static int
claim(struct worker *w)
{
	struct pw_slot *s = w->s;
	double until = now_s() + CLAIM_WAIT_S;

	for (;;) {
		int32_t pid = pw_load(&s->pid);
		uint32_t state = pw_load(&s->state);
		int taken = pid != 0 && state != PW_FREE && state != PW_LEFT && state != PW_DIED;

		if (taken && (kill(pid, 0) == 0 || errno == EPERM)) {
			fprintf(stderr, "worker %u: slot %u belongs to worker pid %d, which is "
				"still running (%s)\n", w->id, w->id, pid, pw_state_name(state));
			return -1;
		}
		if (taken) {
			if (now_s() > until) {
				fprintf(stderr, "worker %u: the slot's previous worker pid %d "
					"exited but the primary has not reported it within %.0f s: "
					"is the primary alive?\n", w->id, pid, CLAIM_WAIT_S);
				return -1;
			}
			rte_delay_us_sleep(20 * 1000);
			continue;
		}
		if (__atomic_compare_exchange_n(&s->pid, &pid, w->pid, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			break;
	}
	pw_store(&s->pasid, 0);
	pw_store(&s->ioas, 0);
	publish(w);
	pw_store(&s->state, PW_STARTING);
	return 0;
}

/* Put w->o->window frames in flight on TX queue K. Return 0 or -1. */
static int
inject(struct worker *w)
{
	struct rte_mbuf *m[1024];
	unsigned int n = w->o->window, i, sent = 0;
	double until;

	if (rte_pktmbuf_alloc_bulk(w->q.mp, m, n) != 0) {
		fprintf(stderr, "worker %u: cannot allocate %u mbufs from pool %s\n", w->id, n,
			w->q.mp->name);
		return -1;
	}
	for (i = 0; i < n; i++)
		pw_frame_build(m[i], &w->mac, w->id, i);
	/* From now on, and at least once (a slow guest may take the second building them). */
	until = now_s() + 1.0;
	do {
		sent += rte_eth_tx_burst(w->port, w->id, m + sent, (uint16_t)(n - sent));
	} while (sent < n && now_s() < until);
	if (sent < n) {
		fprintf(stderr, "worker %u: TX queue %u took %u of %u frames\n", w->id, w->id,
			sent, n);
		rte_pktmbuf_free_bulk(m + sent, n - sent);
	}
	w->in_flight = sent;
	w->tx = sent;
	return sent == n ? 0 : -1;
}

/* Receive a burst: ours go to @ours (returned count), others are freed as foreign. */
static uint16_t
receive(struct worker *w, struct rte_mbuf **ours)
{
	struct rte_mbuf *m[BURST];
	uint16_t nb, i, n = 0;

	nb = rte_eth_rx_burst(w->port, w->id, m, BURST);
	w->rx += nb;
	for (i = 0; i < nb; i++) {
		if (pw_frame_worker(m[i]) == w->id) {
			ours[n++] = m[i];
		} else {
			w->foreign++;
			rte_pktmbuf_free(m[i]);
		}
	}
	return n;
}

/*
 * Has the primary taken the port away (the removal event), or exited? The
 * event is looked at every call, the primary's liveness at most every
 * ALIVE_CHECK_S (@next_check: when next).
 */
static int
primary_gone(double *next_check)
{
	if (__atomic_load_n(&port_removed, __ATOMIC_ACQUIRE))
		return 1;
	if (now_s() < *next_check)
		return 0;
	*next_check = now_s() + ALIVE_CHECK_S;
	return rte_eal_primary_proc_alive(NULL) == 0;
}

/* Forward until stopped. Return 0 when told to stop, 3 when the primary has gone. */
static int
forward(struct worker *w)
{
	double next_check = now_s() + ALIVE_CHECK_S;
	double end = w->o->duration > 0 ? now_s() + w->o->duration : 0;
	double next_usage = now_s() + USAGE_REPORT_S;
	unsigned int idle = 0;

	while (!pw_quit && !pw_load(&w->st->stop)) {
		struct rte_mbuf *m[BURST];
		uint16_t n, sent;

		n = receive(w, m);
		sent = n ? rte_eth_tx_burst(w->port, w->id, m, n) : 0;
		if (sent < n) {
			rte_pktmbuf_free_bulk(m + sent, n - sent);
			w->lost += n - sent;
			w->in_flight -= n - sent;
		}
		w->forwarded += sent;
		w->tx += sent;
		if (n != 0) {
			publish(w);
			idle = 0;
		} else if (++idle >= IDLE_POLLS) {
			/* Let the other workers and the device's engine have the CPU. */
			rte_delay_us_sleep(IDLE_NAP_US);
			idle = 0;
		}
		if (now_s() >= next_usage) {
			/* The heap's size for the primary's telemetry (a no-op unless it changed). */
			pw_queue_report_usage(&w->q);
			next_usage = now_s() + USAGE_REPORT_S;
		}
		if (primary_gone(&next_check))
			return 3;
		if (end != 0 && now_s() >= end)
			break;
	}
	/* Stopped while the primary went (e.g. SIGSTOP across its exit). */
	next_check = 0;
	return primary_gone(&next_check) ? 3 : 0;
}

/*
 * Take back the frames in flight (loopback returns them) for up to DRAIN_S.
 * Return 0, or 3 when the primary has gone meanwhile (the frames are not
 * coming back: the device queues were reset).
 */
static int
drain(struct worker *w)
{
	double until = now_s() + DRAIN_S, next_check = 0;

	while (w->in_flight > 0 && now_s() < until) {
		struct rte_mbuf *m[BURST];
		uint16_t n = receive(w, m);

		rte_pktmbuf_free_bulk(m, n);
		w->in_flight -= RTE_MIN((uint64_t)n, w->in_flight);
		if (primary_gone(&next_check))
			return 3;
		if (n == 0)
			rte_delay_us_sleep(1000);
	}
	w->lost += w->in_flight;
	w->in_flight = 0;
	return 0;
}

/* The primary has gone: say how, give back what can be, exit status 3. */
static int
leave_orphaned(struct worker *w)
{
	if (rte_eal_primary_proc_alive(NULL) == 0)
		fprintf(stderr, "worker %u: the primary process has exited; stopping\n", w->id);
	else
		fprintf(stderr, "worker %u: the primary process closed or removed the port "
			"(RTE_ETH_EVENT_INTR_RMV); stopping\n", w->id);
	pw_queue_close(&w->q);
	publish(w);
	pw_store(&w->s->state, PW_LEFT);
	rte_eal_cleanup();
	return 3;
}

int
pw_worker(const struct pw_opts *o)
{
	struct worker w = { .o = o, .id = (uint16_t)o->id, .pid = getpid() };
	const struct rte_memzone *mz;
	char tag[RTE_MEMPOOL_NAMESIZE];
	int ret, status = 1;

	mz = rte_memzone_lookup(PW_STATE_NAME);
	if (mz == NULL) {
		fprintf(stderr, "worker %u: no primary dpdk-pasid-workers running with this "
			"--file-prefix (runtime dir %s has no memzone " PW_STATE_NAME ")\n", w.id,
			rte_eal_get_runtime_dir());
		rte_eal_cleanup();
		return 2;
	}
	w.st = mz->addr;
	if (o->id >= pw_load(&w.st->nb_workers)) {
		fprintf(stderr, "worker %u: the primary has %u worker slots (--id 0..%u)\n", w.id,
			w.st->nb_workers, w.st->nb_workers - 1);
		rte_eal_cleanup();
		return 2;
	}
	if (pw_load(&w.st->stop)) {
		fprintf(stderr, "worker %u: the primary is stopping\n", w.id);
		rte_eal_cleanup();
		return 2;
	}
	w.s = &w.st->slot[w.id];
	w.port = w.st->port;
	if (claim(&w) != 0) {
		rte_eal_cleanup();
		return 2;
	}
	rte_eth_macaddr_get(w.port, &w.mac);
	rte_eth_dev_callback_register(w.port, RTE_ETH_EVENT_INTR_RMV, on_port_removed, NULL);

	/* Unique per incarnation: a crashed worker's heap and pool names stay taken. */
	snprintf(tag, sizeof(tag), "pw%u.%d", w.id, (int)w.pid);
	ret = pw_queue_open(&w.q, w.port, w.id, NB_DESC, NB_MBUFS, tag);
	if (ret < 0) {
		fprintf(stderr, "worker %u: cannot open queue pair %u: %s\n", w.id, w.id,
			rte_strerror(-ret));
		pw_store(&w.s->state, PW_LEFT);
		rte_eal_cleanup();
		return 1;
	}
	pw_store(&w.s->pasid, w.q.pasid);
	pw_store(&w.s->ioas, w.q.ioas);
	pw_store(&w.s->state, PW_RUNNING);
	printf("worker %u pid %d: queue pair %u in PASID %d, IOAS %u; heap and pool %s at IOVA "
	       "0x%" PRIx64 "\n", w.id, (int)w.pid, w.id, w.q.pasid, w.q.ioas, tag,
	       PW_IOVA_BASE(w.id));

	if (inject(&w) == 0) {
		pw_touch(o->ready);
		ret = forward(&w);
	} else {
		ret = 1;
	}
	if (ret == 3)
		return leave_orphaned(&w);
	pw_store(&w.s->state, PW_LEAVING);
	if (drain(&w) == 3)
		return leave_orphaned(&w);
	if (pw_queue_close(&w.q) != 0)
		ret = 1;
	publish(&w);
	pw_store(&w.s->state, PW_LEFT);
	printf("worker %u pid %d PASID %d: forwarded %" PRIu64 ", lost %" PRIu64 ", foreign %"
	       PRIu64 "\n", w.id, (int)w.pid, pw_load(&w.s->pasid), w.forwarded, w.lost,
	       w.foreign);
	if (ret == 0 && w.lost == 0 && w.foreign == 0)
		status = 0;
	rte_eal_cleanup();
	return status;
}
