/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pasidnic-test: config space, RID DMA, PASID attach/replace/detach and
 * PASID isolation (pasidnic_rid_dma.sh, pasidnic_pasid_attach.sh,
 * pasidnic_pasid_isolation.sh; PASID isolation on a pasidnic_pci function
 * too: physical_pasid_isolation.sh).
 */
#include <pthread.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "pasidnic_test.h"
#include "test_assert.h"

/* The PCI config space the module emulates, with a PASID capability of @width bits. */
static void
check_config(struct pnic_vfio *v, unsigned int width)
{
	struct vu_device *dev = &v->dev;
	uint32_t cap;

	TEST_ASSERT_EQ(vu_cfg_read(dev, 0, 4),
		       (uint32_t)(PNIC_PCI_DEVICE_ID << 16 | PNIC_PCI_VENDOR_ID), "config id");
	TEST_ASSERT_EQ(vu_cfg_read(dev, 0x34, 1), (uint32_t)PNIC_CFG_MSIX_CAP, "cap pointer");
	TEST_ASSERT_EQ(vu_cfg_read(dev, PNIC_CFG_MSIX_CAP, 1), 0x11u, "no MSI-X capability");
	TEST_ASSERT_EQ((vu_cfg_read(dev, PNIC_CFG_MSIX_CAP + 2, 2) & 0x7ff) + 1,
		       PNIC_NUM_VECS(v->drv.nqp), "MSI-X table size");
	cap = vu_cfg_read(dev, PNIC_CFG_PASID_ECAP, 4);
	if (!width) {
		TEST_ASSERT_EQ(cap, 0u, "PASID capability present with width 0 (%#x)", cap);
		return;
	}
	TEST_ASSERT_EQ(cap & 0xffff, 0x1bu, "PASID extended capability id %#x", cap & 0xffff);
	TEST_ASSERT_EQ((vu_cfg_read(dev, PNIC_CFG_PASID_ECAP + 4, 2) >> 8) & 0x1f, width,
		       "PASID capability width, want %u", width);
	TEST_ASSERT_EQ(pnic_drv_rd(&v->drv, PNIC_REG_PASID_WIDTH), width, "PASID_WIDTH register");
}

int
cmd_info(struct pnic_vfio *v, char **args)
{
	struct pnic_drv *d = &v->drv;
	uint32_t w = pnic_drv_rd(d, PNIC_REG_PASID_WIDTH);

	(void)args;
	check_config(v, w);
	printf("pasidnic: %u queue pairs, PASID width %u, caps %#x, version %#x\n",
	       d->nqp, w, pnic_drv_rd(d, PNIC_REG_CAPS), pnic_drv_rd(d, PNIC_REG_VERSION));
	return 0;
}

int
cmd_rid_dma(struct pnic_vfio *v, char **args)
{
	struct pnic_drv *d = &v->drv;
	uint32_t ioas = vu_ioas_alloc(v->dev.iommufd), idx = 0, w0, i;
	unsigned int txq = PNIC_QUEUE(0, PNIC_DIR_TX);
	struct pnic_area a;

	(void)args;
	check_config(v, pnic_drv_rd(d, PNIC_REG_PASID_WIDTH));
	vu_attach(&v->dev, ioas, -1);
	pnic_area_alloc(&a, 0x100000);
	vu_map(v->dev.iommufd, ioas, a.va, PNIC_AREA_SIZE, a.iova);
	pnic_vfio_irqs(v);
	pnic_drv_enable(d, PNIC_BACKEND_LOOPBACK);
	TEST_ASSERT_GT(pnic_vfio_irq_count(v, PNIC_VEC_MISC), 0u, "no link interrupt on enable");

	pnic_drv_qp_setup(d, 0, &a, -1);
	for (i = 0; i < 6; i++)
		pnic_drv_loop_frames(d, 0, &a, &idx, i == 0 ? 1 : PNIC_RING - 1, (uint8_t)i);
	TEST_ASSERT_GT(pnic_vfio_irq_count(v, PNIC_VEC_QP(0)), 0u, "no queue interrupt");
	TEST_ASSERT_EQ(pnic_drv_qrd(d, txq, PNIC_Q_PKTS_LO), idx, "TX packet counter");
	TEST_ASSERT_EQ(pnic_drv_qrd(d, PNIC_QUEUE(0, PNIC_DIR_RX), PNIC_Q_PKTS_LO), idx,
		       "RX packet counter");
	TEST_ASSERT_EQ(pnic_drv_rd(d, PNIC_REG_FAULT_COUNT), 0u, "unexpected faults");

	/* Idle: the engine sleeps, says so, and does not wake on its own. */
	usleep(200000);
	TEST_ASSERT_TRUE(pnic_drv_rd(d, PNIC_REG_DEV_STATUS) & PNIC_DEV_STATUS_ENGINE_IDLE,
			 "engine not idle");
	TEST_ASSERT_TRUE(pnic_drv_engine_sleeping(d, txq), "doorbell page: engine not sleeping");
	w0 = pnic_drv_rd(d, PNIC_REG_ENGINE_WAKEUPS);
	usleep(500000);
	TEST_ASSERT_EQ(pnic_drv_rd(d, PNIC_REG_ENGINE_WAKEUPS), w0, "idle engine woke up");
	TEST_ASSERT_GT(d->kicks, 0u, "the driver never had to kick");
	/* A kick after idle still works. */
	pnic_drv_loop_frames(d, 0, &a, &idx, 3, 42);
	printf("rid_dma: %u frames looped back, %u kicks, %u engine wakeups\n", idx,
	       d->kicks, pnic_drv_rd(d, PNIC_REG_ENGINE_WAKEUPS));

	/* Detaching the RID blocks DMA: the next frame faults. */
	TEST_ASSERT_EQ(__vu_detach(&v->dev, -1), 0, "RID detach");
	pnic_area_desc(&a, PNIC_DIR_TX, idx)->status = 0;
	pnic_drv_tail(d, txq, idx + 1);
	TEST_ASSERT_TRUE(pnic_drv_wait_state(d, txq, PNIC_Q_STATE_FAULTED, 5000),
			 "TX on a detached RID did not fault");
	TEST_ASSERT_EQ(pnic_drv_rd(d, PNIC_REG_FAULT_ERRNO), (uint32_t)ENXIO, "fault errno");
	TEST_ASSERT_TRUE(!(pnic_drv_rd(d, PNIC_REG_FAULT_INFO) & PNIC_FAULT_INFO_PASID_VALID),
			 "RID fault has a PASID");

	/* VFIO_DEVICE_RESET: every register back to its reset value. */
	TEST_ASSERT_EQ(ioctl(v->dev.fd, VFIO_DEVICE_RESET), 0, "VFIO_DEVICE_RESET");
	TEST_ASSERT_EQ(pnic_drv_rd(d, PNIC_REG_DEV_CTRL), 0u, "DEV_CTRL not reset");
	TEST_ASSERT_EQ(pnic_drv_rd(d, PNIC_REG_FAULT_INFO), 0u, "FAULT_INFO not reset");
	TEST_ASSERT_EQ(pnic_drv_rd(d, PNIC_REG_FAULT_COUNT), 0u, "FAULT_COUNT not reset");
	TEST_ASSERT_EQ(pnic_drv_qrd(d, txq, PNIC_Q_STATUS), (uint32_t)PNIC_Q_STATE_DISABLED,
		       "queue status not reset");
	TEST_ASSERT_EQ(pnic_drv_qrd(d, txq, PNIC_Q_HEAD), 0u, "queue head not reset");
	TEST_ASSERT_EQ(*pnic_drv_db(d, PNIC_DB_TAIL(txq)), 0u, "doorbell tail not reset");
	TEST_ASSERT_TRUE(!(vu_cfg_read(&v->dev, 4, 2) & 4), "bus master survived the reset");
	return 0;
}

/* Replaces a PASID's IOAS back and forth until told to stop. */
struct replacer {
	struct vu_device *dev;
	uint32_t pasid, x, y;
	volatile int stop;
	unsigned int n;
};

static void *
replacer_fn(void *arg)
{
	struct replacer *r = arg;

	while (!r->stop) {
		vu_attach(r->dev, r->y, r->pasid);
		vu_attach(r->dev, r->x, r->pasid);
		r->n += 2;
	}
	return NULL;
}

/*
 * Replace under traffic: IOAS D maps the same memory as @c's IOAS at the
 * same IOVAs; @pasid flips between them while frames flow on queue pair 0.
 * No DMA is in flight during a replace, pinned rings are released by the
 * unmap callback and re-pinned through the new IOAS: no fault, no loss.
 */
static void
replace_under_traffic(struct pnic_vfio *v, struct pnic_area *c, uint32_t ioas_c, int pasid,
		      uint32_t *idx)
{
	struct pnic_drv *d = &v->drv;
	uint32_t D = vu_ioas_alloc(v->dev.iommufd), faults = pnic_drv_rd(d, PNIC_REG_FAULT_COUNT);
	struct replacer r = { .dev = &v->dev, .pasid = pasid, .x = ioas_c, .y = D };
	unsigned int i;
	pthread_t t;

	vu_map(v->dev.iommufd, D, c->va, PNIC_AREA_SIZE, c->iova);
	TEST_ASSERT_EQ(pthread_create(&t, NULL, replacer_fn, &r), 0, "pthread_create");
	for (i = 0; i < 40; i++)
		pnic_drv_loop_frames(d, 0, c, idx, PNIC_RING - 1, (uint8_t)(20 + i));
	r.stop = 1;
	pthread_join(t, NULL);
	TEST_ASSERT_EQ(pnic_drv_rd(d, PNIC_REG_FAULT_COUNT), faults, "faults during replaces");
	TEST_ASSERT_GT(r.n, 0u, "no replace happened");
	printf("pasid_attach: %u frames during %u replaces, no fault\n", 40 * (PNIC_RING - 1), r.n);
}

int
cmd_pasid_attach(struct pnic_vfio *v, char **args)
{
	struct pnic_drv *d = &v->drv;
	int ifd = v->dev.iommufd;
	uint32_t A = vu_ioas_alloc(ifd), B = vu_ioas_alloc(ifd), C = vu_ioas_alloc(ifd);
	uint32_t width = pnic_drv_rd(d, PNIC_REG_PASID_WIDTH), idx0 = 0, idx1 = 0, i;
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at),
		.flags = VFIO_DEVICE_ATTACH_PASID };
	unsigned int txq1 = PNIC_QUEUE(1, PNIC_DIR_TX);
	struct pnic_area a, b, c;
	uint8_t *snap;

	(void)args;
	TEST_ASSERT_GE(d->nqp, 2u, "needs a device with 2 queue pairs or more");
	check_config(v, width);
	TEST_ASSERT_EQ(width, 20u, "default PASID width %u, want 20", width);

	/* Out of width, and 0, are refused. */
	TEST_ASSERT_EQ(__vu_attach(&v->dev, A, 0), -EINVAL, "PASID 0 not refused with EINVAL");
	TEST_ASSERT_EQ(__vu_attach(&v->dev, A, 1 << 20), -EINVAL,
		       "PASID 2^20 not refused with EINVAL");
	TEST_ASSERT_EQ(__vu_attach(&v->dev, A, 0x7fffffff), -EINVAL, "PASID 2^31-1 not refused");
	TEST_ASSERT_EQ(__vu_attach(&v->dev, 0xfffff, 5), -ENOENT,
		       "attach to a missing IOAS not ENOENT");

	/* Two PASIDs on two IOASes through the standard uAPI; pt_id comes back. */
	at.pt_id = A;
	at.pasid = 5;
	TEST_ASSERT_EQ(ioctl(v->dev.fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at), 0, "attach PASID 5");
	TEST_ASSERT_EQ(at.pt_id, A, "pt_id out %u != IOAS %u", at.pt_id, A);
	vu_attach(&v->dev, B, 6);
	vu_attach(&v->dev, A, (1 << 20) - 1);	/* the largest valid PASID */
	TEST_ASSERT_EQ(__vu_detach(&v->dev, (1 << 20) - 1), 0, "detach of the largest PASID");
	TEST_ASSERT_EQ(__vu_detach(&v->dev, 77), 0, "detach of an unattached PASID");

	pnic_area_alloc(&a, 0x200000);
	pnic_area_alloc(&b, 0x200000);	/* same IOVA, other IOAS */
	pnic_area_alloc(&c, 0x200000);
	vu_map(ifd, A, a.va, PNIC_AREA_SIZE, a.iova);
	vu_map(ifd, B, b.va, PNIC_AREA_SIZE, b.iova);
	vu_map(ifd, C, c.va, PNIC_AREA_SIZE, c.iova);
	TEST_ASSERT_EQ(__vu_destroy(ifd, A), -EBUSY, "IOMMU_DESTROY of an attached IOAS not EBUSY");

	pnic_vfio_irqs(v);
	pnic_drv_enable(d, PNIC_BACKEND_LOOPBACK);
	/* A PASID-tagged queue needs PASID Enable in config space. */
	pnic_drv_q_reset(d, 0);
	pnic_drv_qwr(d, 0, PNIC_Q_SIZE, PNIC_RING);
	pnic_drv_qwr(d, 0, PNIC_Q_PASID, PNIC_Q_PASID_EN | 5);
	pnic_drv_qwr(d, 0, PNIC_Q_CTRL, PNIC_Q_CTRL_ENABLE);
	TEST_ASSERT_EQ(pnic_drv_q_state(d, 0), (uint32_t)PNIC_Q_STATE_ERROR,
		       "PASID queue started with PASID disabled in config space");
	pnic_vfio_pasid_enable(v);

	/* qp0 on PASID 5 (IOAS A), qp1 on PASID 6 (IOAS B). */
	pnic_drv_qp_setup(d, 0, &a, 5);
	pnic_drv_qp_setup(d, 1, &b, 6);
	pnic_drv_loop_frames(d, 0, &a, &idx0, 8, 1);
	pnic_drv_loop_frames(d, 1, &b, &idx1, 8, 2);
	for (i = 0; i < PNIC_AREA_SIZE; i++)
		TEST_ASSERT_EQ(c.va[i], 0, "IOAS C memory written before any attach to it");

	/* Replace: PASID 5 moves to IOAS C with a second attach. */
	vu_attach(&v->dev, C, 5);
	snap = malloc(PNIC_AREA_SIZE);
	TEST_ASSERT_NOT_NULL(snap);
	memcpy(snap, a.va, PNIC_AREA_SIZE);
	pnic_drv_qp_setup(d, 0, &c, 5);
	idx0 = 0;
	pnic_drv_loop_frames(d, 0, &c, &idx0, 8, 3);
	TEST_ASSERT_TRUE(!memcmp(snap, a.va, PNIC_AREA_SIZE),
			 "IOAS A memory changed after PASID 5 moved to C");
	TEST_ASSERT_EQ(__vu_destroy(ifd, A), 0, "IOMMU_DESTROY of IOAS A after the replace");

	/* Detach PASID 6: its queues' DMA is blocked and faults. */
	memcpy(snap, b.va, PNIC_AREA_SIZE);
	TEST_ASSERT_EQ(__vu_detach(&v->dev, 6), 0, "detach PASID 6");
	pnic_drv_fault_ack(d);
	pnic_drv_tail(d, txq1, idx1 + 1);
	TEST_ASSERT_TRUE(pnic_drv_wait_state(d, txq1, PNIC_Q_STATE_FAULTED, 5000),
			 "TX on a detached PASID did not fault");
	TEST_ASSERT_TRUE(pnic_drv_rd(d, PNIC_REG_FAULT_INFO) & PNIC_FAULT_INFO_VALID,
			 "no fault latched");
	TEST_ASSERT_EQ(pnic_drv_rd(d, PNIC_REG_FAULT_INFO) & PNIC_FAULT_INFO_QUEUE_MASK, txq1,
		       "fault queue");
	TEST_ASSERT_EQ(pnic_drv_rd(d, PNIC_REG_FAULT_PASID), 6u, "fault PASID");
	TEST_ASSERT_EQ(pnic_drv_rd(d, PNIC_REG_FAULT_ERRNO), (uint32_t)ENXIO, "fault errno");
	TEST_ASSERT_TRUE(!memcmp(snap, b.va, PNIC_AREA_SIZE),
			 "IOAS B memory changed after PASID 6 detached");
	TEST_ASSERT_GT(pnic_vfio_irq_count(v, PNIC_VEC_MISC), 0u, "no fault interrupt");

	/* Attach again: after a queue reset, DMA works. */
	vu_attach(&v->dev, B, 6);
	pnic_drv_qp_setup(d, 1, &b, 6);
	idx1 = 0;
	pnic_drv_loop_frames(d, 1, &b, &idx1, 8, 4);

	replace_under_traffic(v, &c, C, 5, &idx0);
	free(snap);
	printf("pasid_attach: PASIDs 5 and 6 on separate IOASes, replace, detach, re-attach OK\n");
	return 0;
}

/*
 * Check the latched fault: VALID, WRITE and the queue as in @info, the other
 * @info bits set; @pasid, @iova, and @err unless 0.
 */
static void
expect_fault(struct pnic_drv *d, uint32_t info, uint32_t pasid, uint64_t iova, uint32_t err)
{
	const uint32_t always = PNIC_FAULT_INFO_VALID | PNIC_FAULT_INFO_QUEUE_MASK |
				PNIC_FAULT_INFO_WRITE;
	uint32_t got = pnic_drv_rd(d, PNIC_REG_FAULT_INFO);

	TEST_ASSERT_EQ(got & (info | always), info, "fault info %#x, want %#x", got, info);
	TEST_ASSERT_EQ(pnic_drv_rd(d, PNIC_REG_FAULT_PASID), pasid, "fault PASID");
	TEST_ASSERT_EQ(pnic_drv_fault_iova(d), iova, "fault IOVA");
	if (err)
		TEST_ASSERT_EQ(pnic_drv_rd(d, PNIC_REG_FAULT_ERRNO), err, "fault errno");
}

int
cmd_pasid_isolation(struct pnic_vfio *v, char **args)
{
	struct pnic_drv *d = &v->drv;
	int ifd = v->dev.iommufd;
	uint32_t A = vu_ioas_alloc(ifd), B = vu_ioas_alloc(ifd), idx = 0, k;
	const uint64_t b_only = 0x4000000;	/* mapped only in B */
	struct pnic_area a, b;
	uint8_t *snap;

	(void)args;
	vu_attach(&v->dev, pnic_vfio_pasid_pt(v, A), 7);
	vu_attach(&v->dev, pnic_vfio_pasid_pt(v, B), 8);
	pnic_area_alloc(&a, 0x200000);
	pnic_area_alloc(&b, b_only);
	memset(b.va, 0x5a, PNIC_AREA_SIZE);
	vu_map(ifd, A, a.va, PNIC_AREA_SIZE, a.iova);
	vu_map(ifd, B, b.va, PNIC_AREA_SIZE, b.iova);
	snap = malloc(PNIC_AREA_SIZE);
	TEST_ASSERT_NOT_NULL(snap);
	memcpy(snap, b.va, PNIC_AREA_SIZE);

	pnic_vfio_irqs(v);
	pnic_drv_enable(d, PNIC_BACKEND_LOOPBACK);
	pnic_vfio_pasid_enable(v);
	pnic_drv_qp_setup(d, 0, &a, 7);
	pnic_drv_loop_frames(d, 0, &a, &idx, 4, 9);
	pnic_vfio_irq_count(v, PNIC_VEC_MISC);

	/* RX into B's IOVA: the device write faults, B is untouched. */
	*pnic_area_desc(&a, PNIC_DIR_RX, idx) = (struct pnic_desc){ .addr = b_only + 0x100,
								    .len = PNIC_BUF_SIZE };
	pnic_area_post(&a, PNIC_DIR_TX, idx, 100);
	__sync_synchronize();
	pnic_drv_tail(d, 0, idx + 1);
	pnic_drv_tail(d, 1, idx + 1);
	TEST_ASSERT_TRUE(pnic_drv_wait_state(d, 0, PNIC_Q_STATE_FAULTED, 5000),
			 "RX to B's IOVA did not fault");
	expect_fault(d, PNIC_FAULT_INFO_VALID | PNIC_FAULT_INFO_WRITE | PNIC_FAULT_INFO_BUFFER |
		     PNIC_FAULT_INFO_PASID_VALID, 7, b_only + 0x100, 0);
	TEST_ASSERT_EQ(pnic_drv_qrd(d, 0, PNIC_Q_FAULTS), 1u, "RX queue fault counter");
	TEST_ASSERT_EQ(pnic_drv_qrd(d, 0, PNIC_Q_FAULT_IOVA_LO), (uint32_t)(b_only + 0x100),
		       "queue fault IOVA");
	/* A physical function raises no interrupt: IRQ_CAUSE alone says it. */
	if (!v->phys)
		TEST_ASSERT_GT(pnic_vfio_irq_count(v, PNIC_VEC_MISC), 0u, "no fault interrupt");
	TEST_ASSERT_TRUE(pnic_drv_rd(d, PNIC_REG_IRQ_CAUSE) & PNIC_IRQ_FAULT,
			 "IRQ_CAUSE has no FAULT");
	TEST_ASSERT_TRUE(!memcmp(snap, b.va, PNIC_AREA_SIZE),
			 "B's memory changed by an RX on PASID 7");
	TEST_ASSERT_TRUE(!pnic_wait_dd(pnic_area_desc(&a, PNIC_DIR_RX, idx), 1),
			 "faulted RX descriptor completed");
	/* The transmit side dropped the frame (RX queue faulted) and went on. */
	TEST_ASSERT_TRUE(pnic_wait_dd(pnic_area_desc(&a, PNIC_DIR_TX, idx), 5000),
			 "TX stuck behind a faulted RX queue");

	/* Recover: queue reset, fault acknowledged. */
	pnic_drv_fault_ack(d);
	pnic_drv_wr(d, PNIC_REG_IRQ_CAUSE, PNIC_IRQ_FAULT);
	TEST_ASSERT_TRUE(!(pnic_drv_rd(d, PNIC_REG_DEV_STATUS) & PNIC_DEV_STATUS_FAULT),
			 "fault not cleared");
	pnic_drv_qp_setup(d, 0, &a, 7);
	idx = 0;
	pnic_drv_loop_frames(d, 0, &a, &idx, 4, 10);

	/* TX from B's IOVA: the device read faults. */
	*pnic_area_desc(&a, PNIC_DIR_TX, idx) = (struct pnic_desc){ .addr = b_only, .len = 200 };
	pnic_area_post(&a, PNIC_DIR_RX, idx, 0);
	memset(pnic_area_buf(&a, PNIC_DIR_RX, idx), 0, PNIC_BUF_SIZE);
	__sync_synchronize();
	pnic_drv_tail(d, 0, idx + 1);
	pnic_drv_tail(d, 1, idx + 1);
	TEST_ASSERT_TRUE(pnic_drv_wait_state(d, 1, PNIC_Q_STATE_FAULTED, 5000),
			 "TX from B's IOVA did not fault");
	expect_fault(d, PNIC_FAULT_INFO_VALID | PNIC_FAULT_INFO_BUFFER | 1, 7, b_only, ENOENT);
	usleep(100000);
	TEST_ASSERT_TRUE(!(pnic_area_desc(&a, PNIC_DIR_RX, idx)->status & PNIC_DESC_DD),
			 "a frame was received from B's memory");
	for (k = 0; k < PNIC_BUF_SIZE; k++)
		TEST_ASSERT_EQ(pnic_area_buf(&a, PNIC_DIR_RX, idx)[k], 0,
			       "A's RX buffer got B's data");
	TEST_ASSERT_TRUE(!memcmp(snap, b.va, PNIC_AREA_SIZE), "B's memory changed");

	/* Recover again. */
	pnic_drv_fault_ack(d);
	pnic_drv_qp_setup(d, 0, &a, 7);
	idx = 0;
	pnic_drv_loop_frames(d, 0, &a, &idx, 8, 11);
	TEST_ASSERT_TRUE(!memcmp(snap, b.va, PNIC_AREA_SIZE), "B's memory changed");
	free(snap);
	printf("pasid_isolation: faults latched, B byte-identical, recovery OK\n");
	return 0;
}
