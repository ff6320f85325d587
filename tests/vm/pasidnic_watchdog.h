/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pasidnic_watchdog: a per-operation watchdog for the test programs that
 * must survive a misbehaving kernel (pasidnic_hostile_fd, pasidnic_stuck_tenant).
 *
 * The watchdog lives in shared memory, so a supervisor process can watch its
 * children: each watched task marks the start and end of every operation in
 * its slot; pnic_wd_check() finds an operation that has run longer than the
 * limit and prints the kernel stack of the task doing it
 * (/proc/<pid>/task/<tid>/stack) and of every pasidnic kernel thread.
 */
#ifndef PASIDNIC_WATCHDOG_H
#define PASIDNIC_WATCHDOG_H

#include <stdint.h>
#include <sys/types.h>

/** One watched task (in shared memory: written by the task, read by the watcher). */
struct pnic_wd_slot {
	volatile pid_t pid;		/**< process of the watched task (0: slot unused) */
	volatile pid_t tid;		/**< the watched thread */
	volatile uint64_t start_ns;	/**< when the current operation began (0: none) */
	volatile uint64_t nops;		/**< operations completed */
	char what[96];			/**< the current operation, for the report */
};

/** The watchdog: @n slots, each operation limited to @limit_ms. */
struct pnic_wd {
	unsigned int n;
	unsigned int limit_ms;
	struct pnic_wd_slot slot[];
};

/**
 * pnic_wd_create() - a watchdog of @n slots in MAP_SHARED memory (inherited
 * by children forked afterwards), each operation limited to @limit_ms.
 * Exits when the memory cannot be mapped.
 */
struct pnic_wd *pnic_wd_create(unsigned int n, unsigned int limit_ms);

/** pnic_wd_claim() - make slot @i watch the calling thread. */
void pnic_wd_claim(struct pnic_wd *w, unsigned int i);

/** pnic_wd_begin() - an operation described by @what starts in @s. */
void pnic_wd_begin(struct pnic_wd_slot *s, const char *what);
/** pnic_wd_beginf() - the same with a printf-style description. */
void pnic_wd_beginf(struct pnic_wd_slot *s, const char *fmt, ...);
/** pnic_wd_end() - the operation of @s completed. */
void pnic_wd_end(struct pnic_wd_slot *s);

/**
 * pnic_wd_check() - find a slot whose operation has run longer than the limit.
 * Prints, once, the operation, how long it has run and the kernel stacks
 * (pnic_dump_stacks()).
 * Return: the slot's index, or -1 when every operation is within the limit.
 */
int pnic_wd_check(struct pnic_wd *w);

/**
 * pnic_dump_stacks() - print /proc/<pid>/task/<tid>/stack of @pid, @tid
 * (@tid 0: every thread of @pid) and of every task in uninterruptible sleep
 * or named pasidnic* (the device's kernel threads).
 */
void pnic_dump_stacks(pid_t pid, pid_t tid);

#endif /* PASIDNIC_WATCHDOG_H */
