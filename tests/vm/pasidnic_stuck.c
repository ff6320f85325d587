/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pasidnic-stuck: one tenant's DMA blocked in a page fault that never
 * completes must not slow or block another tenant of the same port
 * (tests/vm/pasidnic_stuck_tenant.sh).
 *
 *   pasidnic-stuck [--seconds N] UUID
 *
 * The port (2 queue pairs or more) gets two PASIDs on two IOASes. Tenant A,
 * a child process, maps ordinary memory for its rings and a
 * userfaultfd-registered range, owned by a pager process that reads the
 * fault and never answers, for its TX buffers (IOMMU_IOAS_MAP by VA); its TX
 * queue (queue pair 0) then blocks the device's DMA in that fault. Tenant B
 * (this process, queue pair 1) loops frames back for N seconds (default 3)
 * before and N seconds while A is stuck, and passes when its counters keep
 * advancing, its rate while A is stuck is at least half its rate before,
 * every register read and KICK returns within 2 s, and it can detach and
 * re-attach its PASID. Then A is SIGKILLed and exits, the pager exits, and
 * the port is closed.
 *
 * Every operation of B runs under a watchdog: one that does not return
 * within its limit prints the kernel stacks of B and of the device's
 * threads, names the operation in "REASON: ...", releases the fault (the
 * pager exits), kills A and exits 1, so a stuck device fails the test
 * instead of hanging it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* gettid() */
#endif
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <unistd.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "pasidnic_drv_vfio.h"
#include "pasidnic_watchdog.h"

#define PASID_A		17
#define PASID_B		34
#define QP_A		0
#define QP_B		1
#define AREA_LEN	(1u << 20)	/* rings and buffers of one tenant */
#define AREA_IOVA	0x100000ull	/* same IOVA in both IOASes */
#define STUCK_LEN	(64u << 10)	/* A's userfaultfd range */
#define STUCK_IOVA	0x800000ull
#define RX_RING		0x0000
#define TX_RING		0x1000
#define RX_BUF		0x10000
#define TX_BUF		0x50000
#define BUF		2048
#define RING		128
#define BATCH		32
#define A_FRAMES	8
#define FAST_MS		2000	/* register reads, KICKs, B's frames */
#define SLOW_MS		10000	/* attach, detach, process exits */

static struct pnic_vfio port;
static struct pnic_wd *wd;
static struct pnic_wd_slot *op;
static pid_t pid_a, pid_pager;
static int lifeline = -1;	/* write end: the pager exits when it closes */

/* Release A's fault (the pager exits) and kill A. */
static void
release_a(void)
{
	if (lifeline >= 0)
		close(lifeline);
	lifeline = -1;
	if (pid_pager > 0)
		kill(pid_pager, SIGKILL);
	if (pid_a > 0)
		kill(pid_a, SIGKILL);
}

static void *
watchdog_fn(void *arg)
{
	(void)arg;
	for (;;) {
		if (pnic_wd_check(wd) >= 0) {
			printf("REASON: tenant B: %s did not complete within %u ms while tenant A's "
			       "DMA is blocked in a page fault (B waits behind A)\n", op->what,
			       wd->limit_ms);
			fflush(stdout);
			release_a();
			_exit(1);
		}
		usleep(10000);
	}
	return NULL;
}

/* An operation of B: @ms is its limit. */
static void
begin(unsigned int ms, const char *what)
{
	wd->limit_ms = ms;
	pnic_wd_begin(op, what);
}

static void
end(void)
{
	pnic_wd_end(op);
}

static uint32_t
rd(uint32_t off, const char *what)
{
	uint32_t v;

	begin(FAST_MS, what);
	v = pnic_drv_rd(&port.drv, off);
	end();
	return v;
}

static void
kick(unsigned int qp)
{
	begin(FAST_MS, qp == QP_B ? "a KICK of B's queue pair" : "a KICK of A's queue pair");
	pnic_drv_wr(&port.drv, PNIC_REG_KICK, pnic_kick_mask(qp));
	end();
}

static void
fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	test_reason_v(fmt, ap);
	va_end(ap);
	release_a();
	exit(1);
}

/* Queue pair @qp of a tenant on its rings at AREA_IOVA, tagged @pasid; fails naming @who. */
static void
qp_setup(unsigned int qp, int pasid, const char *who)
{
	int rc = pnic_drv_q_ring(&port.drv, PNIC_QUEUE(qp, PNIC_DIR_RX), AREA_IOVA + RX_RING,
				 RING, pasid);

	if (rc == 0)
		rc = pnic_drv_q_ring(&port.drv, PNIC_QUEUE(qp, PNIC_DIR_TX), AREA_IOVA + TX_RING,
				     RING, pasid);
	errno = -rc;
	VU_ASSERT(rc == 0, "%s: queue set-up", who);
}

/* ---- the pager and tenant A ---- */

/* Read faults from @uffd, report them on @msg, never answer; exit on lifeline EOF. */
static void
pager_run(int uffd, int msg, int life)
{
	struct pollfd pfd[2] = { { .fd = uffd, .events = POLLIN }, { .fd = life, .events = POLLIN } };
	struct uffd_msg m;

	prctl(PR_SET_NAME, "stuck-pager");
	for (;;) {
		if (poll(pfd, 2, -1) < 0)
			continue;
		if (pfd[1].revents)
			_exit(0);
		if ((pfd[0].revents & POLLIN) && read(uffd, &m, sizeof(m)) == sizeof(m) &&
		    m.event == UFFD_EVENT_PAGEFAULT)
			dprintf(msg, "fault %#llx\n", (unsigned long long)m.arg.pagefault.address);
	}
}

static void
tenant_a(uint32_t ioas, int msg, int go, int life)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	uint8_t *area, *stuck;
	struct pnic_desc *rx, *tx;
	unsigned int i;
	int uffd;
	char c;

	prctl(PR_SET_NAME, "stuck-tenant-a");
	area = mmap(NULL, AREA_LEN, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	stuck = mmap(NULL, STUCK_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	VU_ASSERT(area != MAP_FAILED && stuck != MAP_FAILED, "tenant A: mmap");
	/* Not UFFD_USER_MODE_ONLY: the faults come from the kernel (root may). */
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	VU_ASSERT(uffd >= 0, "userfaultfd() (CONFIG_USERFAULTFD=y? root?)");
	VU_ASSERT(ioctl(uffd, UFFDIO_API, &api) == 0, "UFFDIO_API");
	reg.range.start = (uintptr_t)stuck;
	reg.range.len = STUCK_LEN;
	VU_ASSERT(ioctl(uffd, UFFDIO_REGISTER, &reg) == 0, "UFFDIO_REGISTER");
	pid_pager = fork();
	VU_ASSERT(pid_pager >= 0, "fork of the pager");
	if (pid_pager == 0) {
		close(go);
		pnic_vfio_close(&port);
		pager_run(uffd, msg, life);
	}
	close(uffd);
	close(life);

	vu_map(port.dev.iommufd, ioas, area, AREA_LEN, AREA_IOVA);
	vu_map(port.dev.iommufd, ioas, stuck, STUCK_LEN, STUCK_IOVA);
	rx = (struct pnic_desc *)(area + RX_RING);
	tx = (struct pnic_desc *)(area + TX_RING);
	for (i = 0; i < A_FRAMES; i++) {
		rx[i] = (struct pnic_desc){ .addr = AREA_IOVA + RX_BUF + i * BUF, .len = BUF };
		tx[i] = (struct pnic_desc){ .addr = STUCK_IOVA + i * BUF, .len = 64 };
	}
	qp_setup(QP_A, PASID_A, "tenant A");
	__sync_synchronize();
	*pnic_drv_db(&port.drv, PNIC_DB_TAIL(PNIC_QUEUE(QP_A, PNIC_DIR_RX))) = A_FRAMES;
	dprintf(msg, "ready %d\n", pid_pager);
	if (read(go, &c, 1) != 1)
		_exit(1);
	*pnic_drv_db(&port.drv, PNIC_DB_TAIL(PNIC_QUEUE(QP_A, PNIC_DIR_TX))) = A_FRAMES;
	__sync_synchronize();
	pnic_drv_wr(&port.drv, PNIC_REG_KICK, pnic_kick_mask(QP_A));
	dprintf(msg, "kicked\n");
	for (;;)
		pause();
}

/* The next line from @fd starting with @prefix, within @ms; its rest in @out. */
static bool
wait_msg(int fd, const char *prefix, int ms, char *out, size_t n)
{
	static char buf[1024];
	static size_t len;
	uint64_t end = pnic_now_ns() + ms * 1000000ull;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	for (;;) {
		char *nl = memchr(buf, '\n', len);

		if (nl) {
			size_t l = nl - buf + 1;
			bool hit = !strncmp(buf, prefix, strlen(prefix));

			*nl = 0;
			if (hit)
				snprintf(out, n, "%s", buf + strlen(prefix));
			else
				printf("(message: %s)\n", buf);
			memmove(buf, buf + l, len - l);
			len -= l;
			if (hit)
				return true;
			continue;
		}
		if (pnic_now_ns() > end || poll(&pfd, 1, 100) < 0)
			return false;
		if (pfd.revents & POLLIN) {
			ssize_t r = read(fd, buf + len, sizeof(buf) - len - 1);

			if (r <= 0)
				return false;
			len += r;
		} else if (pfd.revents) {
			return false;
		}
	}
}

/* ---- tenant B ---- */

static uint8_t *area_b;
static uint32_t idx_b;

static void
b_setup(void)
{
	idx_b = 0;
	memset(area_b, 0, TX_RING + RING * PNIC_DESC_SIZE);
	begin(FAST_MS, "the queue set-up of B");
	qp_setup(QP_B, PASID_B, "tenant B");
	end();
}

/* Loop frames back on B's queue pair for @ms; frames per second. */
static double
b_stream(unsigned int ms, const char *phase)
{
	struct pnic_desc *rx = (struct pnic_desc *)(area_b + RX_RING);
	struct pnic_desc *tx = (struct pnic_desc *)(area_b + TX_RING);
	unsigned int rxq = PNIC_QUEUE(QP_B, PNIC_DIR_RX), txq = PNIC_QUEUE(QP_B, PNIC_DIR_TX);
	uint64_t t0 = pnic_now_ns(), end_ns = t0 + ms * 1000000ull, frames = 0, batches = 0;
	uint32_t pk0 = rd(PNIC_QREG(rxq, PNIC_Q_PKTS_LO), "a read of B's RX packet counter");
	uint32_t pk1;
	double secs;

	while (pnic_now_ns() < end_ns) {
		uint32_t i, s = idx_b;
		volatile struct pnic_desc *last;

		for (i = 0; i < BATCH; i++) {
			uint32_t slot = (s + i) % RING;

			rx[slot] = (struct pnic_desc){ .addr = AREA_IOVA + RX_BUF + slot * BUF,
						       .len = BUF };
			tx[slot] = (struct pnic_desc){ .addr = AREA_IOVA + TX_BUF + slot * BUF,
						       .len = 64 };
		}
		__sync_synchronize();
		*pnic_drv_db(&port.drv, PNIC_DB_TAIL(rxq)) = s + BATCH;
		*pnic_drv_db(&port.drv, PNIC_DB_TAIL(txq)) = s + BATCH;
		__sync_synchronize();
		kick(QP_B);
		last = &rx[(s + BATCH - 1) % RING];
		begin(FAST_MS, "the loopback of a burst of B's frames");
		while (!(last->status & PNIC_DESC_DD))
			usleep(20);
		end();
		VU_ASSERT(!(last->status & PNIC_DESC_ERR), "tenant B: a frame faulted in %s", phase);
		idx_b = s + BATCH;
		frames += BATCH;
		if (!(++batches % 16))
			rd(PNIC_QREG(txq, PNIC_Q_HEAD), "a read of B's TX head");
	}
	secs = (pnic_now_ns() - t0) / 1e9;
	pk1 = rd(PNIC_QREG(rxq, PNIC_Q_PKTS_LO), "a read of B's RX packet counter");
	/* The counter may trail the descriptors by the last burst. */
	if (pk1 - pk0 > frames || pk1 - pk0 + BATCH < frames)
		fail("tenant B: %s: its RX packet counter advanced by %u for %llu frames", phase,
		     pk1 - pk0, (unsigned long long)frames);
	printf("tenant B %s: %llu frames in %.2f s: %.0f frames/s\n", phase,
	       (unsigned long long)frames, secs, frames / secs);
	return frames / secs;
}

/* Every register of B's queues and the global ones, each within FAST_MS. */
static void
b_reads(void)
{
	static const uint32_t global[] = { PNIC_REG_ID, PNIC_REG_DEV_STATUS, PNIC_REG_FAULT_COUNT,
		PNIC_REG_FAULT_INFO, PNIC_REG_IRQ_CAUSE, PNIC_REG_ENGINE_WAKEUPS };
	uint64_t worst = 0;
	unsigned int i, q;
	char what[64];

	for (i = 0; i < TEST_DIM(global); i++) {
		uint64_t t = pnic_now_ns();

		snprintf(what, sizeof(what), "a read of global register %#x", global[i]);
		rd(global[i], what);
		worst = pnic_now_ns() - t > worst ? pnic_now_ns() - t : worst;
	}
	for (q = PNIC_QUEUE(QP_B, 0); q <= PNIC_QUEUE(QP_B, 1); q++) {
		for (i = 0; i < PNIC_QREG_STRIDE; i += 4) {
			uint64_t t = pnic_now_ns();

			snprintf(what, sizeof(what), "a read of B's queue %u register %#x", q, i);
			rd(PNIC_QREG(q, i), what);
			worst = pnic_now_ns() - t > worst ? pnic_now_ns() - t : worst;
		}
	}
	printf("tenant B: register reads while A is stuck: slowest %.3f ms\n", worst / 1e6);
}

static void
b_reattach(uint32_t ioas)
{
	int rc;

	begin(SLOW_MS, "the detach of B's PASID");
	rc = __vu_detach(&port.dev, PASID_B);
	end();
	errno = -rc;
	VU_ASSERT(rc == 0, "tenant B: detach of PASID %d while A is stuck", PASID_B);
	begin(SLOW_MS, "the re-attach of B's PASID");
	rc = __vu_attach(&port.dev, ioas, PASID_B);
	end();
	errno = -rc;
	VU_ASSERT(rc == 0, "tenant B: re-attach of PASID %d while A is stuck", PASID_B);
	printf("tenant B: PASID %d detached and re-attached while A is stuck\n", PASID_B);
}

/* Wait up to SLOW_MS for @pid (a child, or an orphan we reap as subreaper). */
static void
reap(pid_t pid, const char *who)
{
	char what[64];
	int st;

	snprintf(what, sizeof(what), "the exit of %s", who);
	begin(SLOW_MS, what);
	while (waitpid(pid, &st, WNOHANG) != pid) {
		if (kill(pid, 0) && errno == ESRCH)
			break;
		usleep(10000);
	}
	end();
	printf("%s exited\n", who);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' }, { NULL, 0, NULL, 0 } };
	int msg[2], go[2], life[2], opt;
	unsigned int seconds = 3;
	double before, during;
	uint32_t ioas_a, ioas_b, head;
	pthread_t wt;
	char line[128];

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 's' || atoi(optarg) <= 0) {
			fprintf(stderr, "usage: %s [--seconds N] UUID\n", argv[0]);
			return 2;
		}
		seconds = atoi(optarg);
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: %s [--seconds N] UUID\n", argv[0]);
		return 2;
	}
	/* The pager, A's child, becomes ours when A dies. */
	VU_ASSERT(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0, "PR_SET_CHILD_SUBREAPER");
	wd = pnic_wd_create(1, FAST_MS);
	op = &wd->slot[0];
	pnic_wd_claim(wd, 0);
	VU_ASSERT(pthread_create(&wt, NULL, watchdog_fn, NULL) == 0, "pthread_create");

	begin(SLOW_MS, "the set-up of the port");
	pnic_vfio_open_mdev(&port, argv[optind]);
	port.drv.irq_en = false;	/* polled: no queue interrupts */
	VU_ASSERT(port.drv.nqp >= 2 && port.drv.pasid_width, "the port needs 2 queue pairs and PASIDs");
	ioas_a = vu_ioas_alloc(port.dev.iommufd);
	ioas_b = vu_ioas_alloc(port.dev.iommufd);
	vu_attach(&port.dev, ioas_a, PASID_A);
	vu_attach(&port.dev, ioas_b, PASID_B);
	pnic_vfio_enable(&port, PNIC_BACKEND_LOOPBACK);
	area_b = mmap(NULL, AREA_LEN, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	VU_ASSERT(area_b != MAP_FAILED, "mmap");
	vu_map(port.dev.iommufd, ioas_b, area_b, AREA_LEN, AREA_IOVA);
	end();

	VU_ASSERT(pipe(msg) == 0 && pipe(go) == 0 && pipe(life) == 0, "pipe");
	pid_a = fork();
	VU_ASSERT(pid_a >= 0, "fork");
	if (pid_a == 0) {
		close(msg[0]);
		close(go[1]);
		close(life[1]);
		tenant_a(ioas_a, msg[1], go[0], life[0]);
	}
	close(msg[1]);
	close(go[0]);
	close(life[0]);
	lifeline = life[1];
	if (!wait_msg(msg[0], "ready ", SLOW_MS, line, sizeof(line)))
		fail("tenant A did not set up its userfaultfd, pager and queues");
	pid_pager = atoi(line);
	printf("tenant A (pid %d, PASID %d) ready, its pager is pid %d\n", pid_a, PASID_A,
	       pid_pager);

	b_setup();
	before = b_stream(seconds * 1000, "before A is stuck");

	/* A posts TX frames in the userfaultfd range: its DMA blocks in the fault. */
	VU_ASSERT(write(go[1], "g", 1) == 1, "write");
	if (!wait_msg(msg[0], "fault ", SLOW_MS, line, sizeof(line)))
		fail("tenant A's TX DMA never reached its userfaultfd range (no fault within "
		     "%u s)", SLOW_MS / 1000);
	printf("tenant A's DMA is blocked in a page fault at %s (never answered)\n", line);

	b_reads();
	kick(QP_A);	/* kicking the stuck queue pair returns too */
	during = b_stream(seconds * 1000, "while A is stuck");
	head = rd(PNIC_QREG(PNIC_QUEUE(QP_A, PNIC_DIR_TX), PNIC_Q_HEAD), "a read of A's TX head");
	if (head != 0)
		fail("tenant A's TX head is %u: its DMA completed, though the pager never "
		     "answers its fault", head);
	printf("tenant B: rate while A is stuck / rate before: %.3f (%.0f / %.0f frames/s)\n",
	       during / before, during, before);
	if (during < 0.5 * before)
		fail("tenant B: its rate while A is stuck, %.0f frames/s, is under half its "
		     "rate before, %.0f frames/s", during, before);

	/* B idle: its PASID goes and comes back, then B works again. */
	b_reattach(ioas_b);
	b_setup();
	b_stream(500, "after re-attaching its PASID");

	/* A is SIGKILLed and exits, the pager exits, the port closes. */
	kill(pid_a, SIGKILL);
	reap(pid_a, "tenant A (SIGKILLed)");
	pid_a = 0;
	close(lifeline);
	lifeline = -1;
	reap(pid_pager, "the pager");
	pid_pager = 0;
	begin(SLOW_MS, "the close of the port");
	pnic_vfio_close(&port);
	end();
	printf("OK: tenant B kept %.0f%% of its rate beside a stuck tenant\n",
	       100 * during / before);
	return 0;
}
