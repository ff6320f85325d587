/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pasidnic-hostile: the iommufd operations (IOAS map/unmap/alloc/destroy,
 * PASID and RID attach/detach) and a fuzzer's loop (pasidnic_hostile.h).
 */
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "pasidnic_hostile.h"

static const char *const op_name[NOPS] = {
	"BAR0 register write", "BAR0 register read", "region access", "doorbell store",
	"descriptor write", "queue set-up and traffic", "config-space write", "SET_IRQS",
	"IOAS map", "IOAS unmap", "IOAS alloc/destroy", "PASID/RID attach/detach",
	"VFIO_DEVICE_RESET", "region/irq info", "eventfd drain", "doorbell mmap",
	"device close and reopen",
};

/*
 * Relative frequency of each operation; OP_MMAP and OP_REOPEN are drawn
 * separately, once in MMAP_EVERY and REOPEN_EVERY operations. The costly
 * ones (IOAS and attach ioctls, queue set-ups: ~5x a register access on the
 * debug kernel) are rarer, so the default 200,000 operations per port fit
 * the boot's time budget; every kind still runs thousands of times.
 */
static const unsigned int op_weight[NOPS] = {
	[OP_REG_WRITE] = 20, [OP_REG_READ] = 8, [OP_REGION] = 6, [OP_DB] = 20,
	[OP_DESC] = 20, [OP_TRAFFIC] = 4, [OP_CFG] = 4, [OP_SET_IRQS] = 4,
	[OP_MAP] = 2, [OP_UNMAP] = 2, [OP_IOAS] = 1, [OP_ATTACH] = 2, [OP_RESET] = 1,
	[OP_INFO] = 2, [OP_DRAIN] = 2,
};

static uint32_t
any_ioas(struct fz *f)
{
	if (f->nioas && chance(f, 90))
		return f->ioas[below(f, f->nioas)];
	return chance(f, 50) ? f->p.dev.devid : (uint32_t)rnd(f) % 64;
}

static void
forget_maps(struct fz *f, uint32_t ioas)
{
	unsigned int i;

	for (i = 0; i < f->nmap;) {
		if (f->map[i].ioas == ioas)
			f->map[i] = f->map[--f->nmap];
		else
			i++;
	}
}

static void
op_map(struct fz *f)
{
	uint32_t ioas = any_ioas(f), chunk = below(f, NCHUNK), off = 0, len = CHUNK;
	uint64_t iova = IOVA_BASE + (uint64_t)chunk * CHUNK;
	int rc;

	if (chance(f, 30)) {	/* a smaller piece, maybe elsewhere */
		off = below(f, CHUNK / 4096) * 4096;
		len = 4096 * (1 + below(f, (CHUNK - off) / 4096));
		iova = chance(f, 50) ? iova + off : IOVA_BASE + 2 * MEM_LEN +
			(uint64_t)below(f, 1024) * 4096;
	}
	rc = __vu_map(f->p.dev.iommufd, ioas, f->mem + chunk * CHUNK + off, len, iova);
	note(f, rc);
	if (!rc && f->nmap < MAXMAP)
		f->map[f->nmap++] = (struct map){ .ioas = ioas, .iova = iova, .len = len,
						  .mem_off = chunk * CHUNK + off };
}

static void
op_unmap(struct fz *f)
{
	unsigned int i;
	int rc;

	if (f->nmap && chance(f, 80)) {
		i = below(f, f->nmap);
		rc = __vu_unmap(f->p.dev.iommufd, f->map[i].ioas, f->map[i].iova, f->map[i].len);
		note(f, rc);
		if (!rc)
			f->map[i] = f->map[--f->nmap];
	} else if (chance(f, 50)) {	/* everything of one IOAS */
		uint32_t ioas = any_ioas(f);

		rc = __vu_unmap(f->p.dev.iommufd, ioas, 0, UINT64_MAX);
		note(f, rc);
		if (!rc)
			forget_maps(f, ioas);
	} else {			/* a range that may not match a mapping */
		note(f, __vu_unmap(f->p.dev.iommufd, any_ioas(f), any_iova(f) & ~4095ull,
				   4096ull * (1 + below(f, 256))));
	}
	/* An IOAS torn down under the device may have been ours: refresh lazily. */
}

static void
op_ioas(struct fz *f)
{
	unsigned int i, k;
	uint32_t id = 0;

	if (f->nioas < MAXIOAS && (chance(f, 50) || f->nioas < 2)) {
		note(f, __vu_ioas_alloc(f->p.dev.iommufd, &id));
		if (f->nioas < MAXIOAS && id)
			f->ioas[f->nioas++] = id;
		return;
	}
	i = below(f, f->nioas);
	id = f->ioas[i];
	if (__vu_destroy(f->p.dev.iommufd, id)) {	/* EBUSY while attached */
		f->refused++;
		return;
	}
	forget_maps(f, id);
	for (k = 0; k <= MAXPASID; k++)
		if (f->pasid_ioas[k] == id)
			f->pasid_ioas[k] = 0;
	f->ioas[i] = f->ioas[--f->nioas];
}

static void
op_attach(struct fz *f)
{
	int pasid = chance(f, 15) ? -1 : any_pasid(f), rc;
	uint32_t ioas = any_ioas(f);
	bool detach = chance(f, 30);

	rc = detach ? __vu_detach(&f->p.dev, pasid) : __vu_attach(&f->p.dev, ioas, pasid);
	note(f, rc);
	if (!rc && pasid <= MAXPASID)
		f->pasid_ioas[pasid < 0 ? 0 : pasid] = detach ? 0 : ioas;
}

static void
fz_setup(struct fz *f)
{
	unsigned int i;

	pnic_vfio_open_mdev(&f->p, f->uuid);
	f->p.drv.irq_en = false;	/* queues without IRQ_EN unless an operation sets it */
	f->nioas = f->nmap = 0;
	memset(f->pasid_ioas, 0, sizeof(f->pasid_ioas));
	for (i = 0; i < 3; i++)
		f->ioas[f->nioas++] = vu_ioas_alloc(f->p.dev.iommufd);
	/* A working start: the RID and PASID 1 on IOAS 0 with chunks 0-3 mapped. */
	vu_attach(&f->p.dev, f->ioas[0], -1);
	f->pasid_ioas[0] = f->ioas[0];
	if (f->p.drv.pasid_width) {
		vu_attach(&f->p.dev, f->ioas[0], 1);
		f->pasid_ioas[1] = f->ioas[0];
	}
	for (i = 0; i < 4; i++) {
		vu_map(f->p.dev.iommufd, f->ioas[0], f->mem + i * CHUNK, CHUNK,
		       IOVA_BASE + i * CHUNK);
		f->map[f->nmap++] = (struct map){ .ioas = f->ioas[0], .len = CHUNK,
			.iova = IOVA_BASE + i * CHUNK, .mem_off = i * CHUNK };
	}
	pnic_vfio_enable(&f->p, PNIC_BACKEND_LOOPBACK);
}

static void
fz_op(struct fz *f, enum op op)
{
	switch (op) {
	case OP_REG_WRITE:
		op_reg_write(f);
		break;
	case OP_REG_READ:
		op_reg_read(f);
		break;
	case OP_REGION:
		op_region(f);
		break;
	case OP_DB:
		op_db(f);
		break;
	case OP_DESC:
		op_desc(f);
		break;
	case OP_TRAFFIC:
		op_traffic(f);
		break;
	case OP_CFG:
		op_cfg(f);
		break;
	case OP_SET_IRQS:
		op_set_irqs(f);
		break;
	case OP_MAP:
		op_map(f);
		break;
	case OP_UNMAP:
		op_unmap(f);
		break;
	case OP_IOAS:
		op_ioas(f);
		break;
	case OP_ATTACH:
		op_attach(f);
		break;
	case OP_RESET:
		note(f, ioctl(f->p.dev.fd, VFIO_DEVICE_RESET) != 0);
		break;
	case OP_INFO:
		op_info(f);
		break;
	case OP_DRAIN:
		op_drain(f);
		break;
	case OP_MMAP:
		op_mmap(f);
		break;
	case OP_REOPEN:
		pnic_vfio_close(&f->p);
		fz_setup(f);
		break;
	case NOPS:
		break;
	}
}

/* A fuzzer's life: @ops operations (0: until killed). Exits 0 when done. */
void
fuzz(struct pnic_wd_slot *wd, const char *uuid, uint64_t seed, uint64_t ops)
{
	static struct fz f;
	unsigned int total = 0, i;
	uint64_t n, t0 = pnic_now_ns();

	f.uuid = uuid;
	f.wd = wd;
	f.rng = seed * 0x9e3779b97f4a7c15ull + 1;
	f.trace = pnic_env_u64("PNIC_FUZZ_TRACE", 0);
	f.skip_k1 = pnic_env_u64("PNIC_FUZZ_SKIP_K1", 0);
	f.mem = mmap(NULL, MEM_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		     MAP_POPULATE, -1, 0);
	VU_ASSERT(f.mem != MAP_FAILED, "mmap of %u bytes", MEM_LEN);
	for (i = 0; i < NEFD; i++) {
		f.efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		VU_ASSERT(f.efd[i] >= 0, "eventfd");
	}
	for (i = 0; i < NOPS; i++)
		total += op_weight[i];
	pnic_wd_beginf(wd, "set-up of port %s", uuid);
	fz_setup(&f);
	pnic_wd_end(wd);
	for (n = 0; !ops || n < ops; n++) {
		enum op op = OP_REOPEN;
		uint32_t r;

		if (!below(&f, MMAP_EVERY)) {
			op = OP_MMAP;
		} else if (below(&f, REOPEN_EVERY)) {
			r = below(&f, total);
			for (op = 0; r >= op_weight[op]; op++)
				r -= op_weight[op];
		}
		pnic_wd_begin(wd, op_name[op]);
		if (f.trace)
			printf("port %s op %llu: %s\n", uuid, (unsigned long long)n, op_name[op]);
		fz_op(&f, op);
		f.ns[op] += pnic_now_ns() - wd->start_ns;
		pnic_wd_end(wd);
		f.count[op]++;
	}
	printf("port %s: %llu operations in %.1f s, %lu refused by the kernel; count "
	       "(mean us) per kind:", uuid, (unsigned long long)n, (pnic_now_ns() - t0) / 1e9,
	       f.refused);
	for (i = 0; i < NOPS; i++)
		printf(" %s %lu (%.0f)%s", op_name[i], f.count[i],
		       f.count[i] ? f.ns[i] / 1e3 / f.count[i] : 0.0, i + 1 < NOPS ? "," : "\n");
	pnic_vfio_close(&f.p);
	exit(0);
}
