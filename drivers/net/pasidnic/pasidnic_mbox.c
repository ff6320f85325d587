/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Register writes of a physical function (PNIC_PCI_DEVICE_ID_PHYS,
 * kernel/linux/pasidnic_pci): BAR0 is memory the device polls, so a store to
 * a register is no write (the device's next publish overwrites it). A write
 * goes through a mailbox slot (pasidnic_regs.h, "Physical functions"): store
 * OFF and VAL, then SEQ = old SEQ + 1, and wait until the device stores that
 * SEQ in ACK: it has applied the write and published the register file, so
 * a read after it sees the write's effect, as a trapped write on mdev ports.
 *
 * One writer per slot at a time:
 *  - a queue's slot (PNIC_MBOX_QUEUE(q)) is written only with the port's
 *    queue lock held (pnic_qlock(), a robust mutex shared by the processes):
 *    every caller of pnic_qwr() holds it (queue start, stop, release, the
 *    repair after a dead holder, the DMA self-test, rx interrupt control);
 *  - the device slot (PNIC_MBOX_DEV) is the primary's alone (start, stop,
 *    close, MAC, the event poll, the self-test; a secondary's write is
 *    refused): its threads take struct pnic_proc's dev_mbox, a mutex of the
 *    primary only, held for one write and never while taking another lock.
 * A writer that died between its SEQ store and the device's ACK leaves a
 * write in flight: the next writer waits for that ACK before its own stores.
 * A write lost to a reset of the function is made again (mbox_write()).
 * The wait is bounded (PNIC_MBOX_WAIT_MS): the device may back off up to
 * PNIC_PHYS_IDLE_POLL_MS between polls and the test VM is slow.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>

#include "pasidnic.h"

/* How long a write may wait for the device (all its waits for ACK together). */
#define PNIC_MBOX_WAIT_MS 2000
/* Sleep between two reads of SEQ and ACK: doubles from the first to the last. */
#define MBOX_SLEEP_MIN_US 20
#define MBOX_SLEEP_MAX_US 1000

/* Device registers a driver writes, for messages. */
static const struct {
	uint32_t off;
	const char *name;
} dev_reg_names[] = {
	{ PNIC_REG_DEV_CTRL, "DEV_CTRL" },
	{ PNIC_REG_KICK, "KICK" },
	{ PNIC_REG_IRQ_CAUSE, "IRQ_CAUSE" },
	{ PNIC_REG_IRQ_MASK, "IRQ_MASK" },
	{ PNIC_REG_FAULT_INFO, "FAULT_INFO" },
	{ PNIC_REG_MAC_LO, "MAC_LO" },
	{ PNIC_REG_MAC_HI, "MAC_HI" },
};

/* Queue registers a driver writes, for messages. */
static const struct {
	uint32_t reg;
	const char *name;
} q_reg_names[] = {
	{ PNIC_Q_BASE_LO, "BASE_LO" },
	{ PNIC_Q_BASE_HI, "BASE_HI" },
	{ PNIC_Q_SIZE, "SIZE" },
	{ PNIC_Q_PASID, "PASID" },
	{ PNIC_Q_CTRL, "CTRL" },
	{ PNIC_Q_TAIL, "TAIL" },
};

/* "DEV_CTRL (0x018)" or "queue 3 CTRL (0x4d0)" for register @off. */
static void
reg_name(uint32_t off, char *buf, size_t size)
{
	const char *name = "?";
	unsigned int i;

	if (off < PNIC_QREG_BASE) {
		for (i = 0; i < RTE_DIM(dev_reg_names); i++)
			if (dev_reg_names[i].off == off)
				name = dev_reg_names[i].name;
		snprintf(buf, size, "%s (%#x)", name, off);
		return;
	}
	for (i = 0; i < RTE_DIM(q_reg_names); i++)
		if (q_reg_names[i].reg == (off - PNIC_QREG_BASE) % PNIC_QREG_STRIDE)
			name = q_reg_names[i].name;
	snprintf(buf, size, "queue %u %s (%#x)", (off - PNIC_QREG_BASE) / PNIC_QREG_STRIDE,
		 name, off);
}

/* 32-bit load at @off of BAR0: 0, or -errno (-EIO: a short access). */
static int
bar0_load(const struct pnic_port *p, uint32_t off, uint32_t *v)
{
	uint32_t le;
	ssize_t n = pread(pnic_proc(p)->fd, &le, sizeof(le), p->bar0 + off);

	if (n != sizeof(le))
		return n < 0 ? -errno : -EIO;
	*v = rte_le_to_cpu_32(le);
	return 0;
}

/* 32-bit store at @off of BAR0 (a mailbox field): 0, or -errno (-EIO: a short access). */
static int
bar0_store(const struct pnic_port *p, uint32_t off, uint32_t v)
{
	uint32_t le = rte_cpu_to_le_32(v);
	ssize_t n = pwrite(pnic_proc(p)->fd, &le, sizeof(le), p->bar0 + off);

	if (n != sizeof(le))
		return n < 0 ? -errno : -EIO;
	return 0;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Wait until mailbox @mb is idle (ACK == SEQ: the device applied its last
 * write), until @deadline (now_ns()); *@seq and *@ack: what was read last.
 * 0, -ETIMEDOUT, or bar0_load()'s -errno.
 */
static int
idle_wait(const struct pnic_port *p, uint32_t mb, uint64_t deadline, uint32_t *seq,
	  uint32_t *ack)
{
	unsigned int sleep_us = MBOX_SLEEP_MIN_US;
	int ret;

	for (;;) {
		ret = bar0_load(p, mb + PNIC_MBOX_SEQ, seq);
		if (ret == 0)
			ret = bar0_load(p, mb + PNIC_MBOX_ACK, ack);
		if (ret < 0)
			return ret;
		if (*ack == *seq)
			return 0;
		if (now_ns() >= deadline)
			return -ETIMEDOUT;
		rte_delay_us_sleep(sleep_us);
		sleep_us = RTE_MIN(2 * sleep_us, (unsigned int)MBOX_SLEEP_MAX_US);
	}
}

/*
 * The write itself, by the slot's one writer. 0 or -errno, logged.
 *
 * Before its stores, the slot must be idle: a write still in flight (its
 * writer died, or timed out) is left to the device to finish. After them,
 * the slot is idle again once the device applied it, and SEQ still reads
 * the writer's value, unless a reset of the function (FLR, memory decoding
 * turned on: the device zeroes BAR0) came in between and lost the write:
 * then it is made again, within the same deadline.
 */
static int
mbox_write(const struct pnic_port *p, unsigned int slot, uint32_t off, uint32_t val)
{
	uint32_t mb = PNIC_MBOX(slot), seq = 0, ack = 0, mine = 0;
	uint64_t deadline = now_ns() + (uint64_t)PNIC_MBOX_WAIT_MS * 1000000u;
	bool stored = false;
	char reg[48];
	int ret;

	reg_name(off, reg, sizeof(reg));
	for (;;) {
		ret = idle_wait(p, mb, deadline, &seq, &ack);
		if (ret < 0)
			break;
		if (stored && seq == mine)
			return 0;
		if (stored)
			PNIC_LOG(NOTICE, "%s: register write of %#x to %s lost to a reset of the "
				 "function (mailbox slot %u, SEQ %u now %u): writing again",
				 p->name, val, reg, slot, mine, seq);
		mine = seq + 1;
		ret = bar0_store(p, mb + PNIC_MBOX_OFF, off);
		if (ret == 0)
			ret = bar0_store(p, mb + PNIC_MBOX_VAL, val);
		/* SEQ last: it tells the device OFF and VAL are there. */
		if (ret == 0)
			ret = bar0_store(p, mb + PNIC_MBOX_SEQ, mine);
		if (ret < 0)
			break;
		stored = true;
	}
	if (ret == -ETIMEDOUT && !stored)
		PNIC_LOG(ERR, "%s: register write of %#x to %s not made: mailbox slot %u still "
			 "has write %u in flight after %u ms (ACK %u): is the pasidnic_pci device "
			 "engine running (memory decoding on)?", p->name, val, reg, slot, seq,
			 PNIC_MBOX_WAIT_MS, ack);
	else if (ret == -ETIMEDOUT)
		PNIC_LOG(ERR, "%s: register write of %#x to %s not acknowledged within %u ms "
			 "(mailbox slot %u, SEQ %u, ACK %u): is the pasidnic_pci device engine "
			 "running?", p->name, val, reg, PNIC_MBOX_WAIT_MS, slot, mine, ack);
	else
		PNIC_LOG(ERR, "%s: register write of %#x to %s: BAR0 access to mailbox slot %u "
			 "failed: %s", p->name, val, reg, slot, strerror(-ret));
	return ret;
}

int
pnic_mbox_wr(const struct pnic_port *p, uint32_t off, uint32_t val)
{
	pthread_mutex_t *lock = &pnic_proc(p)->dev_mbox;
	int ret;

	if (off >= PNIC_QREG_BASE) {
		if (off >= PNIC_QREG(PNIC_MAX_QUEUES, 0)) {
			PNIC_LOG(ERR, "%s: no register at %#x", p->name, off);
			return -EINVAL;
		}
		/* The caller holds pnic_qlock(): the queue's one writer. */
		return mbox_write(p, PNIC_MBOX_QUEUE((off - PNIC_QREG_BASE) / PNIC_QREG_STRIDE),
				  off, val);
	}
	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		char reg[48];

		reg_name(off, reg, sizeof(reg));
		PNIC_LOG(ERR, "%s: device register %s is written by the primary process only "
			 "(one writer per mailbox slot): not written", p->name, reg);
		return -EPERM;
	}
	pthread_mutex_lock(lock);
	ret = mbox_write(p, PNIC_MBOX_DEV, off, val);
	pthread_mutex_unlock(lock);
	return ret;
}
