/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bus-mp [EAL options] -- primary | worker QP
 *
 * Multi-process PASID domains of a pasidnic port through the iommufd bus
 * (tests/vm/bus_mp_domains.sh drives it). Both roles read commands from
 * stdin, one a line, and answer on stdout.
 *
 * primary: probes the port (a small test driver with a quiesce_domain op
 *   that resets the queues tagged with a dead worker's PASID), enables
 *   PASIDs and the loopback backend, then serves the workers.
 *   Commands: "list" (every domain: PASID, IOAS, owner pid), "quit".
 * worker QP (--proc-type=secondary): receives the port's fds from the
 *   primary, gets a PASID domain, maps its own memory, tags queue pair QP
 *   with its PASID and loops a frame back through it.
 *   Commands: "frame" (one more frame), "domain" (ask for another domain,
 *   print the result), "exit" (queues reset, domain destroyed, cleanup).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <linux/vfio.h>

#include <rte_bus_iommufd.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "bus_iommufd_driver.h"
#include "bus_pnic.h"

static void
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("[%d] ", getpid());
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
}

static int
nic_probe(struct rte_iommufd_driver *drv __rte_unused, struct rte_iommufd_device *dev)
{
	nic = dev;
	return 0;
}

static int
nic_remove(struct rte_iommufd_device *dev)
{
	uint32_t v = PNIC_DEV_CTRL_RESET;

	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		rte_iommufd_region_write(dev, VFIO_PCI_BAR0_REGION_INDEX, &v, 4,
					 PNIC_REG_DEV_CTRL);
	nic = NULL;
	return 0;
}

/* Primary: a worker died; stop its queues before the bus detaches its PASID. */
static int
nic_quiesce_domain(struct rte_iommufd_device *dev __rte_unused, uint32_t pasid)
{
	unsigned int q, n = 0, nq = 2 * rd(PNIC_REG_NUM_QP);

	for (q = 0; q < nq && q < PNIC_MAX_QUEUES; q++) {
		if (rd(PNIC_QREG(q, PNIC_Q_PASID)) != (PNIC_Q_PASID_EN | pasid))
			continue;
		wr(PNIC_QREG(q, PNIC_Q_CTRL), PNIC_Q_CTRL_RESET);
		n++;
	}
	say("quiesce_domain: PASID %u: %u queues reset", pasid, n);
	return 0;
}

static const struct rte_iommufd_id nic_ids[] = {
	{ .vendor_id = PNIC_PCI_VENDOR_ID, .device_id = PNIC_PCI_DEVICE_ID },
	{ .vendor_id = 0 },
};

static struct rte_iommufd_driver nic_driver = {
	.id_table = nic_ids,
	.probe = nic_probe,
	.remove = nic_remove,
	.drv_flags = RTE_IOMMUFD_DRV_NEED_PASID,
	.quiesce_domain = nic_quiesce_domain,
};

RTE_PMD_REGISTER_IOMMUFD(test_pasidnic_mp, nic_driver);

static int
primary(void)
{
	struct rte_iommufd_domain_info di[32];
	uint16_t pasid_ctl = 1;
	char line[64];
	int i, n;

	if (rte_iommufd_region_write(nic, VFIO_PCI_CONFIG_REGION_INDEX, &pasid_ctl, 2,
				     PNIC_CFG_PASID_ECAP + 6) < 0)
		FAIL("cannot set PASID Enable");
	wr(PNIC_REG_DEV_CTRL, PNIC_DEV_CTRL_ENABLE); /* loopback backend */
	say("primary ready: %s", nic->name);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (strncmp(line, "list", 4) == 0) {
			n = rte_iommufd_dev_domains(&nic->device, di, RTE_DIM(di));
			if (n < 0)
				FAIL("rte_iommufd_dev_domains: %s", rte_strerror(rte_errno));
			for (i = 0; i < n && i < (int)RTE_DIM(di); i++)
				say("domain pasid=%u ioas=%u owner=%d", di[i].pasid, di[i].ioas,
				    di[i].owner);
			say("list end: %d domains", n);
		} else if (strncmp(line, "quit", 4) == 0) {
			break;
		}
	}
	if (rte_eal_cleanup() != 0)
		FAIL("rte_eal_cleanup failed");
	say("primary exited cleanly");
	return 0;
}

static int
worker(unsigned int qp)
{
	struct rte_iommufd_domain *dom, *extra;
	uint32_t pasid, ioas, idx = 0;
	uint8_t *area;
	char line[64];
	int fd;

	dom = rte_iommufd_domain_create(&nic->device);
	if (dom == NULL)
		FAIL("worker qp %u: domain create: %s", qp, rte_strerror(rte_errno));
	pasid = rte_iommufd_domain_pasid(dom);
	rte_iommufd_domain_ioas(dom, &fd, &ioas);
	area = mmap(NULL, AREA, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (area == MAP_FAILED)
		FAIL("mmap failed");
	memset(area, 0, AREA);
	if (rte_iommufd_domain_dma_map(dom, area, IOVA, AREA) < 0)
		FAIL("worker qp %u: dma_map into IOAS %u: %s", qp, ioas, rte_strerror(rte_errno));
	q_setup(PNIC_QUEUE(qp, PNIC_DIR_RX), RX_RING, pasid);
	q_setup(PNIC_QUEUE(qp, PNIC_DIR_TX), TX_RING, pasid);
	loop_frame(qp, area, idx, (uint8_t)(0x30 * qp + pasid));
	say("worker qp %u: PASID %u IOAS %u: frame %u ok", qp, pasid, ioas, idx);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (strncmp(line, "frame", 5) == 0) {
			idx++;
			loop_frame(qp, area, idx, (uint8_t)(0x30 * qp + pasid + idx));
			say("worker qp %u: PASID %u IOAS %u: frame %u ok", qp, pasid, ioas, idx);
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
	wr(PNIC_QREG(PNIC_QUEUE(qp, PNIC_DIR_RX), PNIC_Q_CTRL), PNIC_Q_CTRL_RESET);
	wr(PNIC_QREG(PNIC_QUEUE(qp, PNIC_DIR_TX), PNIC_Q_CTRL), PNIC_Q_CTRL_RESET);
	if (rte_iommufd_domain_destroy(dom) < 0)
		say("worker qp %u: domain destroy: %s (errno %d)", qp, rte_strerror(rte_errno),
		    rte_errno);
	else
		say("worker qp %u: domain of PASID %u destroyed", qp, pasid);
	rte_eal_cleanup();
	say("worker qp %u exited", qp);
	return 0;
}

int
main(int argc, char **argv)
{
	int n;

	n = rte_eal_init(argc, argv);
	if (n < 0)
		FAIL("rte_eal_init failed: %s", rte_strerror(rte_errno));
	argc -= n;
	argv += n;
	if (nic == NULL)
		FAIL("no pasidnic port was probed on the iommufd bus");
	if (argc >= 2 && strcmp(argv[1], "primary") == 0)
		return primary();
	if (argc >= 3 && strcmp(argv[1], "worker") == 0)
		return worker((unsigned int)atoi(argv[2]));
	FAIL("usage: bus-mp [EAL options] -- primary | worker QP");
}
