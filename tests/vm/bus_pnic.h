/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A minimal pasidnic driver for the iommufd bus VM tests (bus_pasid.c,
 * bus_mp.c): BAR0 access through the bus, queue set-up on a PASID, and one
 * frame looped through a queue pair of a test memory area.
 *
 * A test area (AREA bytes, mapped at IOVA in a domain) holds the RX and TX
 * rings and one RX and one TX buffer at the offsets below.
 */
#ifndef BUS_PNIC_H
#define BUS_PNIC_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bus_iommufd_driver.h"
#include "pasidnic_regs.h"

#define AREA 0x10000u
#define IOVA UINT64_C(0x100000)  /* the same in every domain */
#define RX_RING 0x0000u
#define TX_RING 0x1000u
#define RX_BUF 0x4000u
#define TX_BUF 0x8000u
#define RING 8u
#define FRAME 256u

/** Fail the test with a reason (tests/vm/lib.sh's REASON line). */
#define FAIL(fmt, ...) do { \
	printf("REASON: " fmt "\n", ##__VA_ARGS__); \
	fflush(stdout); \
	exit(1); \
} while (0)

/** The pasidnic port the test driver probed; set by the test's probe. */
extern struct rte_iommufd_device *nic;

/** rd()/wr() - BAR0 register access through the bus; FAIL on error. */
uint32_t rd(uint32_t off);
void wr(uint32_t off, uint32_t v);
/** q_setup() - reset queue @q, give it the ring at IOVA + @ring, tag it with @pasid, enable it. */
void q_setup(unsigned int q, uint32_t ring, uint32_t pasid);
/** loop_frame() - loop one frame through queue pair @qp (loopback), descriptor @idx, area @a. */
void loop_frame(unsigned int qp, uint8_t *a, uint32_t idx, uint8_t seed);

#endif /* BUS_PNIC_H */
