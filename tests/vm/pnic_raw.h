/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pnic_raw: drive a pasidnic port through its raw vfio cdev, for the test
 * programs that must survive a misbehaving kernel (pasidnic_hostile_fd,
 * pasidnic_stuck_tenant), and a per-operation watchdog for them.
 *
 * Register accessors return -errno instead of exiting: a hostile program
 * expects refusals. The watchdog lives in shared memory, so a supervisor
 * process can watch its children: each watched task marks the start and end
 * of every operation in its slot; pnr_wd_check() finds an operation that has
 * run longer than the limit and prints the kernel stack of the task doing it
 * (/proc/<pid>/task/<tid>/stack) and of every pasidnic kernel thread.
 */
#ifndef PNIC_RAW_H
#define PNIC_RAW_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "vfio_util.h"
#include "pasidnic_regs.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/** A pasidnic port opened through its vfio cdev and bound to its own iommufd. */
struct pnr_port {
	struct vu_device d;
	char cdev[64];			/**< /dev/vfio/devices/vfioN */
	uint64_t off[VFIO_PCI_NUM_REGIONS];	/**< file offset of each region */
	uint64_t size[VFIO_PCI_NUM_REGIONS];	/**< size of each region (0: none) */
	volatile uint32_t *db;		/**< the mmap-ed doorbell page (BAR2) */
	unsigned int nqp;		/**< PNIC_REG_NUM_QP */
	unsigned int pasid_width;	/**< PNIC_REG_PASID_WIDTH */
};

/** pnr_now_ns() - CLOCK_MONOTONIC in nanoseconds. */
uint64_t pnr_now_ns(void);

/**
 * pnr_cdev_of() - the vfio cdev of the mdev @uuid into @buf (@n bytes).
 * Return: 0, or -ENOENT when the device or its cdev does not exist.
 */
int pnr_cdev_of(const char *uuid, char *buf, size_t n);

/**
 * pnr_open() - open the port @uuid (an mdev UUID), read its region layout,
 * map its doorbell page and check its ID register. Exits the program with a
 * REASON naming the step when any of that fails.
 */
void pnr_open(struct pnr_port *p, const char *uuid);
/** pnr_close() - unmap the doorbell page, close the device and its iommufd. */
void pnr_close(struct pnr_port *p);

/** pnr_rd()/pnr_wr() - a 32-bit BAR0 access. Return: 0 or -errno. */
int pnr_rd(struct pnr_port *p, uint32_t off, uint32_t *val);
int pnr_wr(struct pnr_port *p, uint32_t off, uint32_t val);
/** pnr_rd_ok()/pnr_wr_ok() - the same, exiting with a REASON on failure. */
uint32_t pnr_rd_ok(struct pnr_port *p, uint32_t off);
void pnr_wr_ok(struct pnr_port *p, uint32_t off, uint32_t val);

/**
 * pnr_kick_value() - the PNIC_REG_KICK value that wakes queue pair @qp: the
 * header's PNIC_KICK_QP(qp) when it defines one, else all ones (any write
 * wakes an engine that takes no mask).
 */
uint32_t pnr_kick_value(unsigned int qp);

/**
 * pnr_enable() - bus master on, PASID Enable in config space (when the port
 * has PASIDs), every interrupt cause unmasked, device enabled with @backend.
 * Exits with a REASON when the device does not report itself enabled.
 */
void pnr_enable(struct pnr_port *p, uint32_t backend);

/**
 * pnr_q_setup() - reset queue @q, give it the ring at @ring_iova of @size
 * entries in PASID @pasid (< 0: the RID) and enable it.
 * Return: 0, or -errno of the first failing access.
 */
int pnr_q_setup(struct pnr_port *p, unsigned int q, uint64_t ring_iova, uint32_t size,
		int pasid);

/* ---- per-operation watchdog ---- */

/** One watched task (in shared memory: written by the task, read by the watcher). */
struct pnr_wd_slot {
	volatile pid_t pid;		/**< process of the watched task (0: slot unused) */
	volatile pid_t tid;		/**< the watched thread */
	volatile uint64_t start_ns;	/**< when the current operation began (0: none) */
	volatile uint64_t nops;		/**< operations completed */
	char what[96];			/**< the current operation, for the report */
};

/** The watchdog: @n slots, each operation limited to @limit_ms. */
struct pnr_wd {
	unsigned int n;
	unsigned int limit_ms;
	struct pnr_wd_slot slot[];
};

/**
 * pnr_wd_create() - a watchdog of @n slots in MAP_SHARED memory (inherited
 * by children forked afterwards), each operation limited to @limit_ms.
 * Exits when the memory cannot be mapped.
 */
struct pnr_wd *pnr_wd_create(unsigned int n, unsigned int limit_ms);

/** pnr_wd_claim() - make slot @i watch the calling thread. */
void pnr_wd_claim(struct pnr_wd *w, unsigned int i);

/** pnr_wd_begin() - an operation described by @what starts in @s. */
void pnr_wd_begin(struct pnr_wd_slot *s, const char *what);
/** pnr_wd_beginf() - the same with a printf-style description. */
void pnr_wd_beginf(struct pnr_wd_slot *s, const char *fmt, ...);
/** pnr_wd_end() - the operation of @s completed. */
void pnr_wd_end(struct pnr_wd_slot *s);

/**
 * pnr_wd_check() - find a slot whose operation has run longer than the limit.
 * Prints, once, the operation, how long it has run and the kernel stacks
 * (pnr_dump_stacks()).
 * Return: the slot's index, or -1 when every operation is within the limit.
 */
int pnr_wd_check(struct pnr_wd *w);

/**
 * pnr_dump_stacks() - print /proc/<pid>/task/<tid>/stack of @pid, @tid
 * (@tid 0: every thread of @pid) and of every task in uninterruptible sleep
 * or named pasidnic* (the device's kernel threads).
 */
void pnr_dump_stacks(pid_t pid, pid_t tid);

/**
 * pnr_env_u64() - the environment variable @name as a number (any base
 * strtoull() accepts), or @def when it is unset or empty.
 */
uint64_t pnr_env_u64(const char *name, uint64_t def);

#endif /* PNIC_RAW_H */
