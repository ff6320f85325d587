/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pasidnic-test: DMA faults when memory is unmapped under an active queue
 * pair, on a PASID and on the RID, rings and buffers (pasidnic_unmap_while_active.sh).
 */
#include <pthread.h>
#include <unistd.h>
#include <sys/mman.h>

#include "pasidnic_test.h"
#include "test_assert.h"

/* Post descriptors @s..@s+@n-1 of queue pair 0 (@len-byte TX frames) and publish them. */
static void
post_burst(struct pnic_drv *d, struct pnic_area *a, uint32_t s, uint32_t n, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		pnic_area_post(a, PNIC_DIR_RX, s + i, 0);
		pnic_area_post(a, PNIC_DIR_TX, s + i, len);
	}
	__sync_synchronize();
	pnic_drv_tail(d, PNIC_QUEUE(0, PNIC_DIR_RX), s + n);
	pnic_drv_tail(d, PNIC_QUEUE(0, PNIC_DIR_TX), s + n);
}

static bool
qp0_faulted(struct pnic_drv *d)
{
	return pnic_drv_q_state(d, PNIC_QUEUE(0, PNIC_DIR_RX)) == PNIC_Q_STATE_FAULTED ||
	       pnic_drv_q_state(d, PNIC_QUEUE(0, PNIC_DIR_TX)) == PNIC_Q_STATE_FAULTED;
}

/* Stream frames on qp 0 until a queue faults; return true if one did. */
static bool
stream_until_fault(struct pnic_drv *d, struct pnic_area *a, uint32_t *idx, int ms)
{
	uint64_t end = pnic_now_ms() + ms;

	while (pnic_now_ms() < end) {
		uint32_t i, s = *idx;

		post_burst(d, a, s, PNIC_RING / 2, 1000);
		for (i = 0; i < PNIC_RING / 2; i++) {
			if (qp0_faulted(d))
				return true;
			if (!pnic_wait_dd(pnic_area_desc(a, PNIC_DIR_TX, s + i), 20))
				break;
		}
		while (!pnic_wait_dd(pnic_area_desc(a, PNIC_DIR_RX, s + PNIC_RING / 2 - 1), 1)) {
			if (qp0_faulted(d))
				return true;
			if (pnic_now_ms() > end)
				return false;
		}
		*idx = s + PNIC_RING / 2;
	}
	return false;
}

/* Unmaps and remaps a range in a loop until told to stop. */
struct churner {
	int ifd;
	uint32_t ioas;
	void *va;
	uint64_t iova, len;
	int pasid;		/* of the queues, < 0: RID */
	volatile int stop;
	unsigned int n;
};

static void *
churner_fn(void *arg)
{
	struct churner *c = arg;

	while (!c->stop) {
		vu_unmap(c->ifd, c->ioas, c->iova, c->len);
		usleep(100 + c->n % 7 * 150);
		vu_map(c->ifd, c->ioas, c->va, c->len, c->iova);
		usleep(100 + c->n % 5 * 200);
		c->n++;
	}
	return NULL;
}

/* One burst of @n frames on qp 0 while buffers churn: true if complete, false if faulted. */
static bool
churn_burst(struct pnic_drv *d, struct pnic_area *a, const struct churner *ch, unsigned int iter,
	    uint32_t n)
{
	uint64_t end = pnic_now_ms() + 5000;
	uint32_t i;

	pnic_drv_fault_ack(d);
	pnic_drv_qp_setup(d, 0, a, ch->pasid);
	for (i = 0; i < n; i++)
		memset(pnic_area_buf(a, PNIC_DIR_TX, i), iter + i, 600);
	post_burst(d, a, 0, n, 600);
	for (;;) {
		if (qp0_faulted(d)) {
			uint64_t fiova = pnic_drv_fault_iova(d);

			TEST_ASSERT_TRUE(fiova >= ch->iova && fiova < ch->iova + ch->len,
					 "fault at %#llx, outside the churned buffers",
					 (unsigned long long)fiova);
			return false;
		}
		if (pnic_area_desc(a, PNIC_DIR_RX, n - 1)->status & PNIC_DESC_DD) {
			__sync_synchronize();
			for (i = 0; i < n; i++)
				TEST_ASSERT_TRUE(!memcmp(pnic_area_buf(a, PNIC_DIR_RX, i),
							 pnic_area_buf(a, PNIC_DIR_TX, i), 600),
						 "frame %u corrupted", i);
			return true;
		}
		TEST_ASSERT_LT(pnic_now_ms(), end, "iteration %u neither completed nor faulted",
			       iter);
		usleep(100);
	}
}

/*
 * Stream frames on qp 0 while another thread unmaps and remaps the buffers:
 * every frame either arrives intact or its queue faults at a buffer IOVA;
 * a queue reset recovers.
 */
static void
churn_run(struct pnic_vfio *v, uint32_t ioas, int pasid)
{
	struct pnic_drv *d = &v->drv;
	struct churner ch = { .ifd = v->dev.iommufd, .ioas = ioas, .pasid = pasid };
	unsigned int ok = 0, faults = 0, iter;
	struct pnic_area a;
	pthread_t t;

	pnic_area_alloc(&a, 0x500000);
	vu_map(ch.ifd, ioas, a.va, PNIC_AREA_BUFS, a.iova);
	vu_map(ch.ifd, ioas, a.va + PNIC_AREA_BUFS, PNIC_AREA_SIZE - PNIC_AREA_BUFS,
	       a.iova + PNIC_AREA_BUFS);
	ch.va = a.va + PNIC_AREA_BUFS;
	ch.iova = a.iova + PNIC_AREA_BUFS;
	ch.len = PNIC_AREA_SIZE - PNIC_AREA_BUFS;
	TEST_ASSERT_EQ(pthread_create(&t, NULL, churner_fn, &ch), 0, "pthread_create");
	for (iter = 0; iter < 150; iter++) {
		if (churn_burst(d, &a, &ch, iter, 8))
			ok++;
		else
			faults++;
	}
	ch.stop = 1;
	pthread_join(t, NULL);
	pnic_drv_qp_reset(d, 0);
	TEST_ASSERT_EQ(__vu_unmap(v->dev.iommufd, ioas, 0, UINT64_MAX), 0, "unmap all");
	pnic_area_free(&a);
	printf("churn (%s): %u bursts complete, %u faulted, %u unmap/map cycles\n",
	       pasid < 0 ? "RID" : "PASID", ok, faults, ch.n);
	TEST_ASSERT_GT(ok, 0u, "no burst completed");
}

/*
 * Round @round: map a fresh area (rings and buffers as separate mappings),
 * start a burst on qp 0 (@pasid < 0: RID), unmap the rings or the buffers
 * (and their user memory) under it, and check the latched fault.
 */
static void
unmap_round(struct pnic_vfio *v, int round, uint32_t ioas, int pasid, bool rings)
{
	struct pnic_drv *d = &v->drv;
	int ifd = v->dev.iommufd;
	uint64_t lo, hi, fiova;
	uint32_t idx = 0, info, err;
	struct pnic_area a;

	pnic_area_alloc(&a, 0x300000);
	vu_map(ifd, ioas, a.va, PNIC_AREA_BUFS, a.iova);
	vu_map(ifd, ioas, a.va + PNIC_AREA_BUFS, PNIC_AREA_SIZE - PNIC_AREA_BUFS,
	       a.iova + PNIC_AREA_BUFS);
	pnic_drv_fault_ack(d);
	pnic_drv_qp_setup(d, 0, &a, pasid);
	pnic_drv_loop_frames(d, 0, &a, &idx, 4, (uint8_t)round);

	/* Start a burst, then unmap under it. */
	lo = rings ? a.iova : a.iova + PNIC_AREA_BUFS;
	hi = rings ? a.iova + PNIC_AREA_BUFS : a.iova + PNIC_AREA_SIZE;
	post_burst(d, &a, idx, PNIC_RING - 1, 1500);
	idx += PNIC_RING - 1;
	vu_unmap(ifd, ioas, lo, hi - lo);
	/* The user memory goes away too: a use-after-unmap would show. */
	TEST_ASSERT_EQ(munmap(a.va + (lo - a.iova), hi - lo), 0, "munmap");
	if (!pnic_drv_wait_state(d, 0, PNIC_Q_STATE_FAULTED, 300) &&
	    !pnic_drv_wait_state(d, 1, PNIC_Q_STATE_FAULTED, 300)) {
		/* The burst finished before the unmap: the next one faults. */
		if (rings) {
			pnic_drv_tail(d, 1, idx + 1);
			TEST_ASSERT_TRUE(pnic_drv_wait_state(d, 1, PNIC_Q_STATE_FAULTED, 5000),
					 "round %d: no fault after unmapping the rings", round);
		} else {
			TEST_ASSERT_TRUE(stream_until_fault(d, &a, &idx, 5000),
					 "round %d: no fault after unmapping the buffers", round);
		}
	}
	info = pnic_drv_rd(d, PNIC_REG_FAULT_INFO);
	fiova = pnic_drv_fault_iova(d);
	err = pnic_drv_rd(d, PNIC_REG_FAULT_ERRNO);
	TEST_ASSERT_TRUE(info & PNIC_FAULT_INFO_VALID, "round %d: no fault latched", round);
	TEST_ASSERT_TRUE(fiova >= lo && fiova < hi,
			 "round %d: fault IOVA %#llx outside [%#llx, %#llx)", round,
			 (unsigned long long)fiova, (unsigned long long)lo, (unsigned long long)hi);
	TEST_ASSERT_EQ(!!(info & PNIC_FAULT_INFO_PASID_VALID), pasid >= 0, "round %d: PASID bit",
		       round);
	TEST_ASSERT_TRUE(err == ENOENT || err == EINVAL, "round %d: fault errno %u", round, err);
	/* Clean up the rest of this round. */
	pnic_drv_qp_reset(d, 0);
	TEST_ASSERT_EQ(__vu_unmap(ifd, ioas, 0, UINT64_MAX), 0, "unmap all");
	if (rings)
		munmap(a.va + PNIC_AREA_BUFS, PNIC_AREA_SIZE - PNIC_AREA_BUFS);
	else
		munmap(a.va, PNIC_AREA_BUFS);
	printf("round %d (%s %s): fault at iova %#llx, errno %u\n", round,
	       pasid < 0 ? "RID" : "PASID", rings ? "rings" : "buffers",
	       (unsigned long long)fiova, err);
}

int
cmd_unmap_while_active(struct pnic_vfio *v, char **args)
{
	struct pnic_drv *d = &v->drv;
	int ifd = v->dev.iommufd, round;
	uint32_t A = vu_ioas_alloc(ifd), R = vu_ioas_alloc(ifd), idx = 0;
	struct pnic_area a;

	(void)args;
	vu_attach(&v->dev, R, -1);
	vu_attach(&v->dev, A, 9);
	pnic_vfio_irqs(v);
	pnic_drv_enable(d, PNIC_BACKEND_LOOPBACK);
	pnic_vfio_pasid_enable(v);

	/* Rounds: PASID buffers, PASID rings, RID buffers, RID rings. */
	for (round = 0; round < 4; round++)
		unmap_round(v, round, round >= 2 ? R : A, round >= 2 ? -1 : 9, round & 1);
	churn_run(v, A, 9);
	churn_run(v, R, -1);

	/* Recovery in a fresh mapping. */
	pnic_area_alloc(&a, 0x300000);
	vu_map(ifd, A, a.va, PNIC_AREA_SIZE, a.iova);
	pnic_drv_fault_ack(d);
	pnic_drv_qp_setup(d, 0, &a, 9);
	pnic_drv_loop_frames(d, 0, &a, &idx, 8, 99);
	return 0;
}
