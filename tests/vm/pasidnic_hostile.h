/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pasidnic-hostile (pasidnic_hostile.c): one fuzzer's state and operations.
 * pasidnic_hostile_dev.c holds the operations on the device's regions,
 * registers, rings and interrupts; pasidnic_hostile_fz.c the iommufd ones
 * and the fuzzer's loop.
 */
#ifndef PASIDNIC_HOSTILE_H
#define PASIDNIC_HOSTILE_H

#include <stdlib.h>

#include "pasidnic_drv_vfio.h"
#include "pasidnic_watchdog.h"

#define MEM_LEN		(4u << 20)	/* DMA memory per fuzzer */
#define CHUNK		(512u << 10)	/* unit of IOAS mappings */
#define NCHUNK		(MEM_LEN / CHUNK)
#define IOVA_BASE	0x1000000ull
#define MAXIOAS		4
#define MAXMAP		32
#define NEFD		4
#define MAXPASID	8		/* PASIDs 1..MAXPASID are tracked */
#define MAXPORTS	8
#define REOPEN_EVERY	25000		/* operations between device reopens, on average */
#define MMAP_EVERY	2000		/* operations between doorbell mmap tries, on average */

enum op {
	OP_REG_WRITE, OP_REG_READ, OP_REGION, OP_DB, OP_DESC, OP_TRAFFIC, OP_CFG,
	OP_SET_IRQS, OP_MAP, OP_UNMAP, OP_IOAS, OP_ATTACH, OP_RESET, OP_INFO,
	OP_DRAIN, OP_MMAP, OP_REOPEN, NOPS
};

struct map {
	uint32_t ioas;
	uint64_t iova, len;
	uint32_t mem_off;
};

struct fz {
	struct pnic_vfio p;
	const char *uuid;
	struct pnic_wd_slot *wd;
	uint64_t rng;
	bool trace, skip_k1;
	uint8_t *mem;
	uint32_t ioas[MAXIOAS];
	unsigned int nioas;
	struct map map[MAXMAP];
	unsigned int nmap;
	uint32_t pasid_ioas[MAXPASID + 1];	/* 0: not attached; [0]: the RID */
	int efd[NEFD];
	unsigned long count[NOPS], refused;
	uint64_t ns[NOPS];			/* time spent per operation kind */
};

/**
 * pnic_env_u64() - the environment variable @name as a number (any base
 * strtoull() accepts), or @def when it is unset or empty.
 */
static inline uint64_t
pnic_env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

/* xorshift64* */
static inline uint64_t
rnd(struct fz *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545f4914f6cdd1dull;
}

/** below() - a random number in [0, @n) (0 when @n is 0). */
static inline uint32_t
below(struct fz *f, uint32_t n)
{
	return n ? (uint32_t)(rnd(f) % n) : 0;
}

/** chance() - true @percent times in 100. */
static inline bool
chance(struct fz *f, unsigned int percent)
{
	return below(f, 100) < percent;
}

/** note() - count a refusal (@rc non-zero) by the kernel. */
static inline void
note(struct fz *f, int rc)
{
	if (rc)
		f->refused++;
}

/* pasidnic_hostile_dev.c: plausible values and device operations. */
/** any_iova() - an IOVA inside, across the end of, near or far from a mapping. */
uint64_t any_iova(struct fz *f);
/** any_pasid() - mostly a PASID of ours (1..MAXPASID), sometimes an invalid one. */
int any_pasid(struct fz *f);
void op_reg_write(struct fz *f);
void op_reg_read(struct fz *f);
void op_region(struct fz *f);
void op_db(struct fz *f);
void op_desc(struct fz *f);
void op_traffic(struct fz *f);
void op_cfg(struct fz *f);
void op_set_irqs(struct fz *f);
void op_info(struct fz *f);
void op_drain(struct fz *f);
void op_mmap(struct fz *f);

/**
 * fuzz() - a fuzzer's life on port @uuid, watched through @wd: @ops
 * operations (0: until killed) from the random sequence of @seed, then a
 * summary line and exit(0). Exits 1 with a REASON when its set-up fails.
 */
void fuzz(struct pnic_wd_slot *wd, const char *uuid, uint64_t seed, uint64_t ops);

#endif /* PASIDNIC_HOSTILE_H */
