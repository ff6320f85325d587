/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-testpasid conformance -a DEV [--json] [--domains N]: the PASID
 * conformance run of one device of the iommufd bus (doc/hardware.md).
 *
 *   conformance.c        the command: options, the device, the order of the
 *                        checks, one line (or JSON object) per check
 *   conformance_attach.c what the kernel says: PASID width, the RID on a
 *                        PASID-capable HWPT, N PASIDs on N IOASes, replace,
 *                        detach, out-of-range PASIDs (and the raw ioctls)
 *   conformance_dma.c    where the device's DMA lands: the driver's DMA
 *                        self-test (rte_iommufd_dma_selftest()) through the
 *                        RID and each PASID domain
 * Calls go down this list only.
 */
#ifndef CONFORMANCE_H
#define CONFORMANCE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_bus_iommufd.h>
#include <bus_iommufd_driver.h>

/* The stable names of the checks (scripts grep them; doc/hardware.md). */
#define CONF_WIDTH        "pasid_width"
#define CONF_RID_HWPT     "rid_hwpt"
#define CONF_PASID_HWPT   "pasid_hwpt"
#define CONF_ATTACH       "pasid_attach"
#define CONF_REPLACE      "pasid_replace"
#define CONF_DETACH       "pasid_detach"
#define CONF_OUT_OF_RANGE "pasid_out_of_range"
#define CONF_DMA_RID      "dma_rid"
#define CONF_DMA_ISOLATION "dma_isolation"
#define CONF_DMA_DETACH   "dma_detach"

/* The reason of the physical checks on an emulated port. */
#define CONF_EMULATED_WHY "emulated device: its DMA goes through iommufd accesses, no HWPT " \
	"(run the HWPT checks on a physical function, e.g. a pasidnic_pci one: doc/hardware.md)"

enum conf_result { CONF_PASS, CONF_FAIL, CONF_SKIP };

/* One run: the device and what the checks share. */
struct conf_run {
	struct rte_device *dev;
	struct rte_iommufd_device *idev;   /* the bus's view: fd, devid, kind */
	struct rte_iommufd_dev_info info;
	int iommufd;                       /* the bus's (rte_iommufd_ctx_fd()) */
	unsigned int nb_domains;           /* N of the attach and DMA checks */
	bool json;
	bool printed;                      /* JSON: a check was printed already */
	unsigned int count[3];             /* by enum conf_result */
};

/* Report check @check: one line "RESULT check: reason" (or a JSON object). */
void conf_report(struct conf_run *r, const char *check, enum conf_result res,
		 const char *fmt, ...) __rte_format_printf(4, 5);

/* conformance_attach.c: the raw ioctls, each 0 or -errno. */
int conf_ioas_alloc(struct conf_run *r, uint32_t *ioas);
/* IOMMU_HWPT_ALLOC on @ioas for the device, @flags (IOMMU_HWPT_ALLOC_PASID or 0). */
int conf_hwpt_alloc(struct conf_run *r, uint32_t ioas, uint32_t flags, uint32_t *hwpt);
void conf_destroy(struct conf_run *r, uint32_t id);
/* VFIO_DEVICE_ATTACH_IOMMUFD_PT / _DETACH_ of PASID @pasid (0: the RID). */
int conf_attach(struct conf_run *r, uint32_t pasid, uint32_t pt);
int conf_detach(struct conf_run *r, uint32_t pasid);
/* A PASID within the width that no domain of the bus uses (the highest free). 0: none. */
uint32_t conf_free_pasid(struct conf_run *r);

/* The checks, in the order of the run. */
void conf_check_width(struct conf_run *r);
void conf_check_rid_hwpt(struct conf_run *r);
void conf_check_pasid_hwpt(struct conf_run *r);
void conf_check_attach(struct conf_run *r);
void conf_check_replace_detach(struct conf_run *r);
void conf_check_out_of_range(struct conf_run *r);
/* conformance_dma.c */
void conf_check_dma(struct conf_run *r);

#endif /* CONFORMANCE_H */
