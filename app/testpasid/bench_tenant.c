/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The two-tenant run of 'bench pmd': two PASIDs on one pasidnic port, each
 * queue pair in its own domain with its own pasid_mem heap. Tenant 0 loops
 * frames on its queue pair alone, then beside tenant 1, whose TX frame points
 * into a userfaultfd-registered range mapped into its domain that a pager
 * thread never answers: the device's DMA for tenant 1 blocks in that page
 * fault (as in tests/vm/pasidnic_stuck_tenant). The result is tenant 0's rate
 * beside the stuck tenant divided by its solo rate, measured in one run.
 *
 * A device that makes tenant 0 wait for tenant 1 would hang the run: a timer
 * releases the fault (the pager closes the userfaultfd) a few seconds after
 * the measurement should have ended, so the run always finishes.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <rte_bus_iommufd.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pasid_mem.h>
#include <rte_pmd_pasidnic.h>

#include "bench_pmd.h"

#define NB_DESC 512
#define STUCK_LEN (64u << 10)
#define RELEASE_GRACE_S 5

/* The userfaultfd of the stuck tenant and its pager thread. */
struct pager {
	int uffd;
	int life[2];		/* the pager exits when life[1] closes */
	void *va;		/* the registered range */
	volatile int faults;
	bool let_go, joined;
	pthread_t thread;
};

/* Read faults, never answer them; close the userfaultfd when told to go. */
static void *
pager_fn(void *arg)
{
	struct pager *pg = arg;
	struct pollfd pfd[2] = { { .fd = pg->uffd, .events = POLLIN },
				 { .fd = pg->life[0], .events = POLLIN } };
	struct uffd_msg m;

	for (;;) {
		if (poll(pfd, 2, -1) < 0)
			continue;
		if (pfd[1].revents)
			break;
		if ((pfd[0].revents & POLLIN) && read(pg->uffd, &m, sizeof(m)) == sizeof(m) &&
		    m.event == UFFD_EVENT_PAGEFAULT)
			pg->faults++;
	}
	/* The last reference: the pending faults complete (zero pages). */
	close(pg->uffd);
	return NULL;
}

static int
pager_start(struct pager *pg)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };

	int err;

	memset(pg, 0, sizeof(*pg));
	pg->va = mmap(NULL, STUCK_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	if (pg->va == MAP_FAILED)
		return -errno;
	/* Not UFFD_USER_MODE_ONLY: the faults come from the kernel (needs root). */
	pg->uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (pg->uffd < 0) {
		err = -errno;
		fprintf(stderr, "bench pmd: userfaultfd(): %s (CONFIG_USERFAULTFD=y? root?)\n",
			strerror(errno));
		munmap(pg->va, STUCK_LEN);
		return err;
	}
	reg.range.start = (uintptr_t)pg->va;
	reg.range.len = STUCK_LEN;
	if (ioctl(pg->uffd, UFFDIO_API, &api) || ioctl(pg->uffd, UFFDIO_REGISTER, &reg) ||
	    pipe(pg->life))
		err = -errno;
	else
		err = -pthread_create(&pg->thread, NULL, pager_fn, pg);
	if (err) {
		fprintf(stderr, "bench pmd: userfaultfd set-up: %s\n", strerror(-err));
		close(pg->uffd);
		munmap(pg->va, STUCK_LEN);
		return err;
	}
	return 0;
}

/* Let the pending faults complete (the pager closes the userfaultfd). */
static void
pager_let_go(struct pager *pg)
{
	if (!pg->let_go) {
		pg->let_go = true;
		close(pg->life[1]);
	}
}

/* pager_let_go(), and wait for the pager to exit. */
static void
pager_release(struct pager *pg)
{
	pager_let_go(pg);
	if (!pg->joined) {
		pg->joined = true;
		pthread_join(pg->thread, NULL);
		close(pg->life[0]);
	}
}

/* Release the fault if the measurement has not returned in time. */
struct release_timer {
	struct pager *pg;
	uint64_t deadline;	/* timer cycles */
	volatile int done;
};

static void *
release_timer_fn(void *arg)
{
	struct release_timer *t = arg;

	while (!t->done && rte_get_timer_cycles() < t->deadline)
		usleep(10000);
	if (!t->done) {
		fprintf(stderr, "bench pmd: the healthy tenant is stuck behind the stuck one; "
			"releasing the fault\n");
		pager_let_go(t->pg);
	}
	return NULL;
}

struct tenant {
	struct rte_iommufd_domain *dom;
	struct rte_pasid_mem_heap *heap;
	struct rte_mempool *mp;
	int socket;
};

static int
tenant_create(uint16_t port, unsigned int qp, struct tenant *t)
{
	struct rte_eth_dev_info info;
	struct rte_pasid_mem_conf mc = {
		.numa_node = SOCKET_ID_ANY, .page_size = RTE_PGSIZE_2M,
		.segment_size = 32 << 20, .initial_size = 32 << 20, .max_size = 64 << 20,
	};
	char name[32];
	uint32_t ioas;
	int fd;

	if (rte_eth_dev_info_get(port, &info) != 0)
		return -ENODEV;
	t->dom = rte_iommufd_domain_create((struct rte_device *)(uintptr_t)info.device);
	if (t->dom == NULL || rte_iommufd_domain_ioas(t->dom, &fd, &ioas) != 0)
		return rte_errno ? -rte_errno : -EINVAL;
	snprintf(name, sizeof(name), "bench_t%u", qp);
	mc.name = name;
	mc.iommufd = fd;
	mc.ioas_id = ioas;
	t->heap = rte_pasid_mem_create(&mc);
	if (t->heap == NULL || rte_pasid_mem_reserve(t->heap, 16 << 20) != 0)
		return rte_errno ? -rte_errno : -ENOMEM;
	t->socket = rte_pasid_mem_socket_id(t->heap);
	t->mp = rte_pktmbuf_pool_create(name, 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, t->socket);
	if (t->mp == NULL)
		return rte_errno ? -rte_errno : -ENOMEM;
	/* Queues of an earlier run of this port go first. */
	rte_pmd_pasidnic_queue_pair_release(port, qp);
	return rte_pmd_pasidnic_queue_domain_set(port, qp, t->dom);
}

static void
tenant_destroy(struct tenant *t)
{
	rte_mempool_free(t->mp);
	if (t->heap)
		rte_pasid_mem_destroy(t->heap);
	if (t->dom)
		rte_iommufd_domain_destroy(t->dom);
}

static void
noop_free(void *addr __rte_unused, void *opaque __rte_unused)
{
}

int
bench_tenants(uint16_t port, unsigned int seconds, double *solo, double *beside)
{
	static struct rte_mbuf_ext_shared_info shinfo;
	struct release_timer timer = { .done = 0 };
	struct tenant t[2];
	struct rte_eth_conf conf;
	struct pager pg;
	struct rte_mbuf *m;
	pthread_t tt;
	uint64_t iova, end;
	bool mapped = false;
	unsigned int i;
	int ret;

	memset(t, 0, sizeof(t));
	memset(&conf, 0, sizeof(conf));
	ret = pager_start(&pg);
	if (ret)
		return ret;
	ret = rte_eth_dev_configure(port, 2, 2, &conf);
	for (i = 0; i < 2 && ret == 0; i++) {
		ret = tenant_create(port, i, &t[i]);
		if (ret == 0)
			ret = rte_eth_rx_queue_setup(port, i, NB_DESC, t[i].socket, NULL, t[i].mp);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(port, i, NB_DESC, t[i].socket, NULL);
	}
	/* The stuck range is mapped in tenant 1's domain at its own VA. */
	iova = (uintptr_t)pg.va;
	mapped = ret == 0 && rte_iommufd_domain_dma_map(t[1].dom, pg.va, iova, STUCK_LEN) == 0;
	if (ret == 0 && !mapped)
		ret = rte_errno ? -rte_errno : -EINVAL;
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret == 0)
		ret = rte_eth_promiscuous_enable(port);
	if (ret == 0)
		ret = bench_seed(port, 0, t[0].mp);
	if (ret == 0 && rte_pmd_pasidnic_queue_pasid(port, 0) == rte_pmd_pasidnic_queue_pasid(port, 1))
		ret = -EINVAL;	/* two tenants need two PASIDs */
	if (ret) {
		fprintf(stderr, "bench pmd: two-tenant set-up: %s\n", rte_strerror(-ret));
		goto out;
	}
	bench_forward(port, port, 1, 1);	/* warm-up */
	*solo = bench_forward(port, port, 1, seconds);

	/* Tenant 1 sends one frame from the range the pager never fills. */
	m = rte_pktmbuf_alloc(t[1].mp);
	if (m == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	shinfo.free_cb = noop_free;
	rte_mbuf_ext_refcnt_set(&shinfo, 1);
	rte_pktmbuf_attach_extbuf(m, pg.va, iova, 4096, &shinfo);
	m->data_len = 64;	/* never written: the CPU would fault too */
	m->pkt_len = 64;
	if (rte_eth_tx_burst(port, 1, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		ret = -EIO;
		goto out;
	}
	timer.pg = &pg;
	timer.deadline = rte_get_timer_cycles() +
			 (seconds + 5 + RELEASE_GRACE_S) * rte_get_timer_hz();
	ret = pthread_create(&tt, NULL, release_timer_fn, &timer);
	if (ret) {
		ret = -ret;
		goto out;
	}
	end = rte_get_timer_cycles() + 5 * rte_get_timer_hz();
	while (!pg.faults && rte_get_timer_cycles() < end)
		usleep(1000);
	if (!pg.faults)
		fprintf(stderr, "bench pmd: tenant 1's DMA did not fault within 5 s\n");
	*beside = bench_forward(port, port, 1, seconds);
	timer.done = 1;
	pthread_join(tt, NULL);
	ret = pg.faults ? 0 : -ETIMEDOUT;
out:
	pager_release(&pg);
	rte_eth_dev_stop(port);
	for (i = 0; i < 2; i++)
		rte_pmd_pasidnic_queue_pair_release(port, i);
	rte_eth_dev_close(port);
	if (mapped && rte_iommufd_domain_dma_unmap(t[1].dom, iova, STUCK_LEN) != 0)
		fprintf(stderr, "bench pmd: unmap of the stuck range: %s\n",
			rte_strerror(rte_errno));
	for (i = 0; i < 2; i++)
		tenant_destroy(&t[i]);
	munmap(pg.va, STUCK_LEN);
	return ret;
}
