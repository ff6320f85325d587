/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bus-mp [EAL options] -- primary | worker QP | churn
 *
 * Multi-process PASID domains of a pasidnic port through the iommufd bus
 * (tests/vm/bus_mp_domains.sh drives it). Both roles read commands from
 * stdin, one a line, and answer on stdout.
 *
 * primary: probes the port (the test driver of tests/lib/pasidnic_drv_bus.c,
 *   whose quiesce_domain op resets the queues tagged with a dead worker's
 *   PASID), enables PASIDs and the loopback backend, then serves the workers.
 *   Commands: "list" (every domain: PASID, IOAS, owner pid), "unplug"
 *   (rte_dev_remove() of the port: a forced hot-unplug), "quit".
 * worker QP (--proc-type=secondary): receives the port's fds from the
 *   primary, gets a PASID domain, maps its own memory, tags queue pair QP
 *   with its PASID and loops a frame back through it.
 *   Commands: "frame" (one more frame), "domain" (ask for another domain,
 *   print the result), "exit" (queues reset, domain destroyed, cleanup).
 * churn (--proc-type=secondary): creates and destroys domains in a loop
 *   until a request fails (mp_unplug_with_workers.sh unplugs the port
 *   meanwhile); prints the error, then, on "check" (sent once the primary's
 *   unplug is over), checks that none of the IOASes it was given still
 *   exists in the shared iommufd (nothing leaked), and exits 0 when the
 *   error was the documented one (ENODEV: the device is being or was removed).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/iommufd.h>

#include <rte_bus_iommufd.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "bus_iommufd_driver.h"
#include "pasidnic_drv_bus.h"
#include "test_assert.h"
#include "test_say.h"

#define IOVA UINT64_C(0x100000) /* the same in every domain */

static void
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	test_vsay(fmt, ap);
	va_end(ap);
}

static int
run_primary(void)
{
	struct rte_iommufd_device *nic = pnic_bus_dev;
	struct rte_iommufd_domain_info di[32];
	char line[64];
	int i, n;

	pnic_bus_pasid_enable(nic);
	pnic_drv_wr(pnic_bus_drv(nic), PNIC_REG_DEV_CTRL, PNIC_DEV_CTRL_ENABLE); /* loopback */
	say("primary ready: %s", nic->name);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (strncmp(line, "list", 4) == 0) {
			n = rte_iommufd_dev_domains(&nic->device, di, RTE_DIM(di));
			TEST_ASSERT_GE(n, 0, "rte_iommufd_dev_domains: %s",
				       rte_strerror(rte_errno));
			for (i = 0; i < n && i < (int)RTE_DIM(di); i++)
				say("domain pasid=%u ioas=%u owner=%d", di[i].pasid, di[i].ioas,
				    di[i].owner);
			say("list end: %d domains", n);
		} else if (strncmp(line, "unplug", 6) == 0) {
			/* EAL asks every secondary to detach first, then removes it here. */
			n = rte_dev_remove(&nic->device);
			say("unplug: rte_dev_remove: %d (%s)", n, n < 0 ? rte_strerror(-n) : "ok");
			TEST_ASSERT_EQ(n, 0, "rte_dev_remove of %s", nic->name);
			/* The bus keeps the device, unbound: asking is still safe. */
			n = rte_iommufd_dev_domains(&nic->device, di, RTE_DIM(di));
			say("unplug done: %d domains left", n);
		} else if (strncmp(line, "quit", 4) == 0) {
			break;
		}
	}
	TEST_ASSERT_EQ(rte_eal_cleanup(), 0, "rte_eal_cleanup failed");
	say("primary exited cleanly");
	return 0;
}

static int
run_worker(unsigned int qp)
{
	struct rte_iommufd_device *nic = pnic_bus_dev;
	struct pnic_drv *d = pnic_bus_drv(nic);
	struct rte_iommufd_domain *dom, *extra;
	uint32_t pasid, ioas, idx = 0;
	struct pnic_area area;
	char line[64];
	int fd;

	dom = rte_iommufd_domain_create(&nic->device);
	TEST_ASSERT_NOT_NULL(dom, "worker qp %u: domain create: %s", qp, rte_strerror(rte_errno));
	pasid = rte_iommufd_domain_pasid(dom);
	rte_iommufd_domain_ioas(dom, &fd, &ioas);
	pnic_area_alloc(&area, IOVA);
	TEST_ASSERT_GE(rte_iommufd_domain_dma_map(dom, area.va, IOVA, PNIC_AREA_SIZE), 0,
		       "worker qp %u: dma_map into IOAS %u: %s", qp, ioas, rte_strerror(rte_errno));
	pnic_drv_qp_setup(d, qp, &area, (int)pasid);
	pnic_drv_loop_frames(d, qp, &area, &idx, 1, (uint8_t)(0x30 * qp + pasid));
	say("worker qp %u: PASID %u IOAS %u: frame %u ok", qp, pasid, ioas, idx - 1);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (strncmp(line, "frame", 5) == 0) {
			pnic_drv_loop_frames(d, qp, &area, &idx, 1,
					     (uint8_t)(0x30 * qp + pasid + idx));
			say("worker qp %u: PASID %u IOAS %u: frame %u ok", qp, pasid, ioas,
			    idx - 1);
		} else if (strncmp(line, "domain", 6) == 0) {
			extra = rte_iommufd_domain_create(&nic->device);
			if (extra == NULL) {
				say("worker qp %u: domain request failed: %s (errno %d)", qp,
				    rte_strerror(rte_errno), rte_errno);
			} else {
				say("worker qp %u: extra domain PASID %d", qp,
				    rte_iommufd_domain_pasid(extra));
				rte_iommufd_domain_destroy(extra);
			}
		} else if (strncmp(line, "exit", 4) == 0) {
			break;
		}
	}
	pnic_drv_qp_reset(d, qp);
	if (rte_iommufd_domain_destroy(dom) < 0)
		say("worker qp %u: domain destroy: %s (errno %d)", qp, rte_strerror(rte_errno),
		    rte_errno);
	else
		say("worker qp %u: domain of PASID %u destroyed", qp, pasid);
	rte_eal_cleanup();
	say("worker qp %u exited", qp);
	return 0;
}

/* Is object @ioas of iommufd @fd still an IOAS? */
static bool
ioas_exists(int fd, uint32_t ioas)
{
	struct iommu_ioas_iova_ranges q = { .size = sizeof(q), .ioas_id = ioas };

	if (ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &q) == 0 || errno == EMSGSIZE)
		return true;
	return errno != ENOENT;
}

#define CHURN_MAX 4096

static int
run_churn(void)
{
	static uint32_t got[CHURN_MAX];
	struct rte_iommufd_device *nic = pnic_bus_dev;
	struct rte_iommufd_domain *dom;
	unsigned int n = 0, i, leaked = 0;
	int fd = -1, err = 0;
	char line[64];

	say("churn: started");
	for (;;) {
		dom = rte_iommufd_domain_create(&nic->device);
		if (dom == NULL) {
			err = rte_errno;
			say("churn: create %u failed: %s (errno %d)", n, rte_strerror(err), err);
			break;
		}
		if (fd < 0) {
			/* Our own reference: the bus closes its fd at the unplug. */
			rte_iommufd_domain_ioas(dom, &fd, NULL);
			fd = dup(fd);
		}
		rte_iommufd_domain_ioas(dom, NULL, &got[n % CHURN_MAX]);
		n++;
		if (n % 100 == 0)
			say("churn: %u domains created and destroyed", n);
		if (rte_iommufd_domain_destroy(dom) < 0) {
			err = rte_errno;
			say("churn: destroy %u failed: %s (errno %d)", n, rte_strerror(err), err);
			break;
		}
	}
	/* IOAS ids are reused, by every process of the iommufd: check once the
	 * primary's unplug is over (no domain left anywhere), on "check".
	 */
	say("churn: stopped after %u domains: errno %d; waiting for 'check'", n, err);
	while (fgets(line, sizeof(line), stdin) != NULL && strncmp(line, "check", 5) != 0)
		;
	/* Our dup of the iommufd stays open: the IOASes must be gone. */
	for (i = 0; fd >= 0 && i < n && i < CHURN_MAX; i++)
		if (ioas_exists(fd, got[i])) {
			say("churn: IOAS %u still exists", got[i]);
			leaked++;
		}
	say("churn: %u IOASes leaked", leaked);
	TEST_ASSERT_EQ(leaked, 0, "IOASes of removed domains still exist");
	TEST_ASSERT_EQ(err, ENODEV, "the error of a request after the unplug");
	rte_eal_cleanup();
	say("churn exited");
	return 0;
}

int
main(int argc, char **argv)
{
	int n;

	n = rte_eal_init(argc, argv);
	TEST_ASSERT_GE(n, 0, "rte_eal_init failed: %s", rte_strerror(rte_errno));
	argc -= n;
	argv += n;
	TEST_ASSERT_NOT_NULL(pnic_bus_dev, "no pasidnic port was probed on the iommufd bus");
	if (argc >= 2 && strcmp(argv[1], "primary") == 0)
		return run_primary();
	if (argc >= 3 && strcmp(argv[1], "worker") == 0)
		return run_worker((unsigned int)atoi(argv[2]));
	if (argc >= 2 && strcmp(argv[1], "churn") == 0)
		return run_churn();
	TEST_FAIL("usage: bus-mp [EAL options] -- primary | worker QP | churn");
}
