/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What differs between the DPDK releases dpdk-pasid builds against
 * (22.11, 24.11, 25.11, 26.07; doc/dpdk_versions.md), in one place: every
 * other file uses the names below and has no #if on the DPDK version. The
 * one exception is the bus's ops table (drivers/bus/iommufd/iommufd_bus_ops.c),
 * whose shape changed with DPDK 26.07.
 *
 * Private to the project's sources: never installed, never included by a
 * public header.
 */
#ifndef PASID_DPDK_COMPAT_H
#define PASID_DPDK_COMPAT_H

#include <sys/queue.h>

#include <rte_common.h>
#include <rte_version.h>

#if RTE_VERSION_NUM(22, 11, 0, 0) > RTE_VERSION
#error "dpdk-pasid needs DPDK 22.11 or newer (doc/dpdk_versions.md)"
#endif

/* 26.07: the bus driver interface of match/probe_device/unplug_device, the
 * device and driver lists in struct rte_bus, and probe, cleanup, find_device
 * and dev_iterate taking the bus.
 */
#define PASID_DPDK_BUS_PROBE_DEVICE (RTE_VERSION_NUM(26, 7, 0, 0) <= RTE_VERSION)

/* 25.03: __rte_packed_begin/__rte_packed_end replace __rte_packed (deprecated
 * in 25.11).
 */
#ifndef __rte_packed_begin
#define __rte_packed_begin
#define __rte_packed_end __rte_packed
#endif

/* 24.11: RTE_ICMP_TYPE_ECHO_* replace RTE_IP_ICMP_ECHO_* (deprecated). */
#ifndef RTE_ICMP_TYPE_ECHO_REQUEST
#define RTE_ICMP_TYPE_ECHO_REQUEST RTE_IP_ICMP_ECHO_REQUEST
#define RTE_ICMP_TYPE_ECHO_REPLY RTE_IP_ICMP_ECHO_REPLY
#endif

/* 25.11: eth_rx_queue_count_t returns int (uint32_t before). */
#if RTE_VERSION_NUM(25, 11, 0, 0) <= RTE_VERSION
typedef int pasid_rx_queue_count_t;
#else
typedef uint32_t pasid_rx_queue_count_t;
#endif

/* 25.11: the ethdev stats_get op takes the per-queue counters apart from
 * struct rte_eth_stats. Declare the op as
 *   int op(PASID_ETH_STATS_GET_PARAMS(dev, st, qs))
 * and reach the per-queue arrays (q_ipackets, ...) through
 * PASID_ETH_QSTATS(st, qs), which may be NULL. Its prototype:
 *   pasid_eth_stats_get_fn op;
 */
#if RTE_VERSION_NUM(25, 11, 0, 0) <= RTE_VERSION
typedef struct eth_queue_stats pasid_eth_qstats_t;
#define PASID_ETH_STATS_GET_PARAMS(dev, st, qs) \
	struct rte_eth_dev *dev, struct rte_eth_stats *st, pasid_eth_qstats_t *qs
#define PASID_ETH_QSTATS(st, qs) (qs)
#else
typedef struct rte_eth_stats pasid_eth_qstats_t;
#define PASID_ETH_STATS_GET_PARAMS(dev, st, qs) \
	struct rte_eth_dev *dev, struct rte_eth_stats *st
#define PASID_ETH_QSTATS(st, qs) (st)
#endif
struct rte_eth_dev;
struct rte_eth_stats;
typedef int (pasid_eth_stats_get_fn)(PASID_ETH_STATS_GET_PARAMS(dev, st, qs));

/* 23.03: the telemetry u64 adders are named "uint". */
#if RTE_VERSION_NUM(23, 3, 0, 0) <= RTE_VERSION
#define pasid_tel_add_dict_u64 rte_tel_data_add_dict_uint
#else
#define pasid_tel_add_dict_u64 rte_tel_data_add_dict_u64
#endif

/* dpdk-test's registry of autotests (app/test/test.h: struct test_command
 * and add_test_command() are the same from 22.11 to 26.07; its registration
 * macros are not, and are not installed). A plugin loaded into dpdk-test
 * with -d registers through dpdk-test's add_test_command(), exported when
 * dpdk-test is linked with --export-dynamic (devtools/dpdk.sh); in any other
 * application the weak reference is NULL and nothing is registered.
 * (__rte_weak is deprecated since 25.11: the attribute is spelt out.)
 */
struct pasid_test_command {
	TAILQ_ENTRY(pasid_test_command) next;
	const char *command;
	int (*callback)(void);
};
void add_test_command(struct pasid_test_command *t) __attribute__((__weak__));

/** Register @func as the dpdk-test command @cmd (an identifier). */
#define PASID_REGISTER_AUTOTEST(cmd, func) \
	static struct pasid_test_command pasid_autotest_##cmd = { \
		.command = RTE_STR(cmd), .callback = (func), \
	}; \
	RTE_INIT(pasid_autotest_register_##cmd) \
	{ \
		if (add_test_command != NULL) \
			add_test_command(&pasid_autotest_##cmd); \
	}

#endif /* PASID_DPDK_COMPAT_H */
