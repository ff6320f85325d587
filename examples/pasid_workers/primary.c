/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The primary of dpdk-pasid-workers: it binds the device (the bus does, at EAL
 * init), configures the port with one queue pair per worker slot and starts
 * it without setting up any queue (each worker sets up its own queue pair, in
 * its own PASID domain, while the port runs), shares the slots, and then only
 * watches: one pidfd per worker in an epoll set. A worker that exits without
 * leaving is reported once the bus (its own watch thread, iommufd-mp) has
 * quiesced its queue pair, detached its PASID and destroyed its IOAS.
 * At its exit it asks the workers to leave, waits --stop-wait seconds for
 * them and then stops and closes the port; while a worker still owns a queue
 * pair the PMD refuses the stop, and the EAL cleanup removes the port
 * (forced: the PMD tells the workers and keeps what they use,
 * doc/multi_process.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_bus_iommufd.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_memzone.h>
#include <rte_pmd_pasidnic.h>

#include "pw_app.h"
#include "pw_state.h"
#include "pw_stats.h"

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif

#define CLEANUP_WAIT_S 3.0   /* the bus must have cleaned a dead worker up within this */
#define SCAN_MS 100          /* how often new slot claims are noticed */

/* What the primary knows of the worker incarnation it watches in a slot. */
struct track {
	int32_t pid;             /* 0: none yet */
	int pidfd;               /* -1: not watched (exited, or none) */
	int32_t pasid;
	uint32_t ioas;
	uint64_t forwarded, lost, foreign;  /* last seen in the slot */
	uint64_t table_forwarded;           /* at the last table line */
};

struct primary {
	const struct pw_opts *o;
	struct pw_state *st;
	struct rte_device *dev;
	int epfd;
	struct track t[PW_MAX_WORKERS];
	unsigned int live, seen, died;
	uint64_t forwarded, lost;           /* of incarnations that ended */
	long hp_free;                       /* HugePages_Free at the last table line */
	int errors;
	struct pw_stats view;               /* --stats */
};

static double
now_s(void)
{
	return (double)rte_get_timer_cycles() / (double)rte_get_timer_hz();
}

/* HugePages_Free of /proc/meminfo, or -1. */
static long
hugepages_free(void)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "HugePages_Free: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* Is a domain owned by @pid (with PASID @pasid, any when 0) still listed by the bus? */
static int
domain_listed(const struct primary *p, int32_t pid, int32_t pasid)
{
	struct rte_iommufd_domain_info info[64];
	int n, i;

	n = rte_iommufd_dev_domains(p->dev, info, RTE_DIM(info));
	for (i = 0; i < RTE_MIN(n, (int)RTE_DIM(info)); i++)
		if (info[i].owner == pid && (pasid == 0 || (int32_t)info[i].pasid == pasid))
			return 1;
	return 0;
}

/* How many PASID domains the bus still lists on the port (any owner). */
static int
domains_left(const struct primary *p)
{
	struct rte_iommufd_domain_info info[1];

	return rte_iommufd_dev_domains(p->dev, info, 0);
}

/* Copy the counters of slot @k while it still belongs to the watched pid. */
static void
snapshot(struct primary *p, unsigned int k)
{
	struct pw_slot *s = &p->st->slot[k];
	struct track *t = &p->t[k];

	if (pw_load(&s->pid) != t->pid)
		return;
	t->pasid = pw_load(&s->pasid);
	t->ioas = pw_load(&s->ioas);
	t->forwarded = pw_load(&s->forwarded);
	t->lost = pw_load(&s->lost);
	t->foreign = pw_load(&s->foreign);
}

/* The worker of slot @k exited: report how, and wait for the bus's cleanup if it died. */
static void
worker_exited(struct primary *p, unsigned int k, long hp_before)
{
	struct pw_slot *s = &p->st->slot[k];
	struct track *t = &p->t[k];
	uint32_t state = PW_LEFT;
	long hp_at_exit = hugepages_free();
	double until;
	int listed;

	if (t->pidfd >= 0) {
		epoll_ctl(p->epfd, EPOLL_CTL_DEL, t->pidfd, NULL);
		close(t->pidfd);
		t->pidfd = -1;
	}
	p->live--;
	snapshot(p, k);
	/*
	 * A slot claimed again already belonged to a worker that had left (a new
	 * worker waits for the primary to mark a dead one DIED).
	 */
	if (pw_load(&s->pid) == t->pid)
		state = pw_load(&s->state);
	p->forwarded += t->forwarded;
	p->lost += t->lost;
	if (t->lost != 0)
		p->errors++;
	if (state == PW_LEFT) {
		printf("worker %u pid %d left: forwarded %" PRIu64 ", lost %" PRIu64 "\n", k,
		       t->pid, t->forwarded, t->lost);
		return;
	}

	p->died++;
	__atomic_compare_exchange_n(&s->state, &state, PW_DIED, false, __ATOMIC_ACQ_REL,
				    __ATOMIC_ACQUIRE);
	if (hp_before < 0 || (hp_at_exit >= 0 && hp_at_exit < hp_before))
		hp_before = hp_at_exit;
	until = now_s() + CLEANUP_WAIT_S;
	while ((listed = domain_listed(p, t->pid, t->pasid)) && now_s() < until)
		rte_delay_us_sleep(50 * 1000);
	if (listed) {
		printf("worker %u pid %d died: PASID %d still attached %.0f s later\n", k, t->pid,
		       t->pasid, CLEANUP_WAIT_S);
		p->errors++;
	} else if (t->pasid <= 0) {
		printf("worker %u pid %d died before it had a PASID; hugepages free %ld -> %ld\n",
		       k, t->pid, hp_before, hugepages_free());
	} else {
		printf("worker %u pid %d died: queue pair %u quiesced, PASID %d detached, IOAS %u "
		       "destroyed; hugepages free %ld -> %ld\n", k, t->pid, k, t->pasid, t->ioas,
		       hp_before, hugepages_free());
	}
}

/* Watch the workers that claimed a slot since the last look. */
static void
watch_new(struct primary *p)
{
	unsigned int k;

	for (k = 0; k < p->st->nb_workers; k++) {
		struct track *t = &p->t[k];
		int32_t pid = pw_load(&p->st->slot[k].pid);
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = k };

		if (pid == 0 || pid == t->pid)
			continue;
		if (t->pidfd >= 0)       /* replaced before its exit was seen: it had left */
			worker_exited(p, k, p->hp_free);
		memset(t, 0, sizeof(*t));
		t->pid = pid;
		t->pidfd = (int)syscall(__NR_pidfd_open, pid, 0);
		p->seen++;
		p->live++;
		if (t->pidfd < 0 || epoll_ctl(p->epfd, EPOLL_CTL_ADD, t->pidfd, &ev) != 0) {
			/* Gone already (ESRCH): handle its exit now. */
			if (t->pidfd >= 0)
				close(t->pidfd);
			t->pidfd = -1;
			worker_exited(p, k, p->hp_free);
			continue;
		}
		snapshot(p, k);
		printf("worker %u pid %d joined\n", k, pid);
	}
}

/* One table line per live worker; --stats adds each slot's state, rates and faults. */
static void
table(struct primary *p, double elapsed, double dt)
{
	double now = now_s();
	unsigned int k;
	char view[128];

	p->hp_free = hugepages_free();
	printf("-- %.1f s: %u workers running, hugepages free %ld\n", elapsed, p->live,
	       p->hp_free);
	for (k = 0; k < p->st->nb_workers; k++) {
		struct track *t = &p->t[k];
		int32_t pid = pw_load(&p->st->slot[k].pid);

		view[0] = '\0';
		if (p->o->stats && pid != 0)
			pw_stats_slot(&p->view, p->st, k, now, view, sizeof(view));
		if (t->pidfd < 0) {
			if (view[0] != '\0')   /* the slot's last worker: left or died */
				printf("worker %u pid %d: %s\n", k, pid, view);
			continue;
		}
		snapshot(p, k);
		if (t->pasid <= 0) {
			printf("worker %u pid %d: %s\n", k, t->pid, view[0] != '\0' ? view :
			       pw_state_name(pw_load(&p->st->slot[k].state)));
			continue;
		}
		printf("worker %u pid %d PASID %d IOAS %u: forwarded %" PRIu64 " (%.0f pkts/s)%s%s\n",
		       k, t->pid, t->pasid, t->ioas, t->forwarded,
		       dt > 0 ? (double)(t->forwarded - t->table_forwarded) / dt : 0.0,
		       view[0] != '\0' ? "  " : "", view);
		t->table_forwarded = t->forwarded;
	}
	if (p->o->stats)
		pw_stats_done(&p->view, now);
	fflush(stdout);
}

/* Wait up to @ms for worker exits and handle them. */
static void
wait_exits(struct primary *p, int ms)
{
	struct epoll_event ev[PW_MAX_WORKERS];
	int n, i;

	n = epoll_wait(p->epfd, ev, RTE_DIM(ev), ms);
	for (i = 0; i < n; i++)
		if (p->t[ev[i].data.u32].pidfd >= 0)
			worker_exited(p, ev[i].data.u32, p->hp_free);
}

/* Find the pasidnic port, configure N queue pairs, start it. Return 0 or -1. */
static int
port_start(const struct pw_opts *o, uint16_t *port, struct rte_device **dev)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	int ret;

	memset(&info, 0, sizeof(info));
	if (rte_eth_dev_count_avail() == 0) {
		fprintf(stderr, "primary: no ethdev port: give a pasidnic port with "
			"-a iommufd:mdev-<uuid> (and check the bus log)\n");
		return -1;
	}
	*port = (uint16_t)rte_eth_find_next(0);
	if (rte_eth_dev_info_get(*port, &info) != 0 ||
	    rte_pmd_pasidnic_queue_pasid(*port, 0) < 0) {
		fprintf(stderr, "primary: port %u (driver %s) is not a pasidnic port: the workers "
			"need per-queue PASIDs (net_pasidnic)\n", *port,
			info.driver_name != NULL ? info.driver_name : "?");
		return -1;
	}
	*dev = info.device;
	if (o->workers > info.max_rx_queues || o->workers > info.max_tx_queues) {
		fprintf(stderr, "primary: --workers %u: port %u (%s) has %u queue pairs; create "
			"the port with a larger mdev type (pasidnic-q4, pasidnic-q8)\n",
			o->workers, *port, rte_dev_name(*dev), info.max_rx_queues);
		return -1;
	}
	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(*port, o->workers, o->workers, &conf);
	if (ret != 0) {
		fprintf(stderr, "primary: port %u: configure with %u queue pairs failed: %s\n",
			*port, o->workers, rte_strerror(-ret));
		return -1;
	}
	ret = rte_eth_dev_start(*port);
	if (ret != 0) {
		fprintf(stderr, "primary: port %u: start with no queue set up failed: %s (the "
			"PMD must allow runtime queue setup)\n", *port, rte_strerror(-ret));
		return -1;
	}
	return 0;
}

/*
 * SIGUSR1: stop the port (as testpmd's "port stop" does) and start it again.
 * The PMD refuses while workers own queue pairs: their traffic goes on.
 */
static void
port_stop_try(struct primary *p, uint16_t port)
{
	int ret = rte_eth_dev_stop(port);

	if (ret != 0) {
		printf("primary: port stop refused: %s (%u workers own queue pairs; they keep "
		       "forwarding)\n", rte_strerror(-ret), p->live);
		return;
	}
	ret = rte_eth_dev_start(port);
	printf("primary: port stopped (no worker owned a queue pair)%s%s\n",
	       ret == 0 ? " and started again" : "; start again failed: ",
	       ret == 0 ? "" : rte_strerror(-ret));
	if (ret != 0)
		p->errors++;
}

int
pw_primary(const struct pw_opts *o)
{
	struct primary p = { .o = o, .epfd = -1 };
	const struct rte_memzone *mz;
	double start, next, end, last, until;
	struct rte_ether_addr mac;
	uint16_t port;
	unsigned int k;
	int status;

	if (port_start(o, &port, &p.dev) != 0) {
		rte_eal_cleanup();
		return 2;
	}
	mz = rte_memzone_reserve(PW_STATE_NAME, sizeof(*p.st), SOCKET_ID_ANY, 0);
	p.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (mz == NULL || p.epfd < 0) {
		fprintf(stderr, "primary: cannot %s: %s\n", mz == NULL ?
			"reserve memzone " PW_STATE_NAME : "create an epoll set",
			mz == NULL ? rte_strerror(rte_errno) : strerror(errno));
		goto out;
	}
	p.st = mz->addr;
	memset(p.st, 0, sizeof(*p.st));
	p.st->port = port;
	for (k = 0; k < PW_MAX_WORKERS; k++)
		p.t[k].pidfd = -1;
	pw_store(&p.st->nb_workers, o->workers);
	pw_stats_init(&p.view, port);
	rte_eth_macaddr_get(port, &mac);
	p.hp_free = hugepages_free();
	printf("primary pid %d: port %u (%s, MAC " RTE_ETHER_ADDR_PRT_FMT "): %u queue pairs, "
	       "started with no queue set up; waiting for workers (--id 0..%u)\n", getpid(),
	       port, rte_dev_name(p.dev), RTE_ETHER_ADDR_BYTES(&mac), o->workers,
	       o->workers - 1);
	pw_touch(o->ready);

	start = last = now_s();
	next = start + o->interval;
	end = o->duration > 0 ? start + o->duration : 0;
	while (!pw_quit && (end == 0 || now_s() < end)) {
		double t = now_s();

		watch_new(&p);
		if (t >= next) {
			table(&p, t - start, t - last);
			last = t;
			next += o->interval;
			if (next < t)
				next = t + o->interval;
		}
		wait_exits(&p, RTE_MIN(SCAN_MS, (int)((next - now_s()) * 1000) + 1));
		if (pw_port_stop) {
			pw_port_stop = 0;
			port_stop_try(&p, port);
		}
	}

	printf("primary: stopping: asking %u workers to leave\n", p.live);
	pw_store(&p.st->stop, 1);
	until = now_s() + o->stop_wait;
	watch_new(&p);
	while (p.live > 0 && now_s() < until) {
		wait_exits(&p, SCAN_MS);
		watch_new(&p);
	}
	for (k = 0; k < o->workers; k++) {
		if (p.t[k].pidfd < 0)
			continue;
		snapshot(&p, k);
		printf("worker %u pid %d did not leave within %.0f s\n", k, p.t[k].pid,
		       o->stop_wait);
		p.forwarded += p.t[k].forwarded;
		p.errors++;
	}
	printf("summary: %u workers seen, %" PRIu64 " packets forwarded, %" PRIu64 " lost, "
	       "%u died\n", p.seen, p.forwarded, p.lost, p.died);
	/* Every PASID free again? (the domains still listed by the bus) */
	printf("primary: %d PASID domains left on the port\n", domains_left(&p));
out:
	status = p.st == NULL ? 2 : p.errors ? 1 : 0;
	if (p.epfd >= 0)
		close(p.epfd);
	if (rte_eth_dev_stop(port) == 0)
		rte_eth_dev_close(port);
	else
		printf("primary: %u workers still own queue pairs: the port is not stopped; the "
		       "EAL cleanup removes it (the PMD tells them and keeps what they use)\n",
		       p.live);
	if (p.live == 0)          /* a worker still running reads it */
		rte_memzone_free(mz);
	rte_eal_cleanup();
	return status;
}
