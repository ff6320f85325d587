/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver-facing side of the iommufd bus: what a PMD sees of a device
 * (identity, regions, interrupts) and how it registers itself.
 *
 * The bus opens and binds a device to the process's iommufd before it calls
 * the driver's probe(): when probe() runs, the device's RID is attached to
 * its default domain, every DPDK memory segment is mapped there at IOVA = VA,
 * bus mastering is on and dev->intr_handle exists (no vector enabled yet).
 *
 * Internal API, as DPDK's own driver headers (bus_driver.h, ethdev_driver.h):
 * for drivers, not applications, with no ABI promise. Every function is
 * __rte_internal, so a driver builds with ALLOW_INTERNAL_API; the shared
 * object exports them in its INTERNAL version node (version.map), from where
 * a PMD plugin resolves them at load time.
 */
#ifndef BUS_IOMMUFD_DRIVER_H
#define BUS_IOMMUFD_DRIVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <dev_driver.h>
#include <rte_compat.h>
#include <rte_dev.h>
#include <rte_interrupts.h>
#include <rte_os.h>

#include "rte_bus_iommufd.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How the device reaches the IOMMU. */
enum rte_iommufd_kind {
	RTE_IOMMUFD_PHYSICAL, /**< a PCI function on vfio-pci, translated by the IOMMU */
	RTE_IOMMUFD_EMULATED, /**< an emulated vfio device (mdev) using iommufd accesses */
};

/** A device on the iommufd bus. */
struct rte_iommufd_device {
	RTE_TAILQ_ENTRY(rte_iommufd_device) next; /**< next device on the bus */
	struct rte_device device;          /**< generic device; device.name is @name */
	char name[RTE_DEV_NAME_MAX_LEN];   /**< "pci-<BDF>" or "mdev-<UUID>" */
	enum rte_iommufd_kind kind;        /**< physical or emulated */
	char sysfs[256];                   /**< /sys/bus/{pci,mdev}/devices/<id> */
	char cdev[64];                     /**< /dev/vfio/devices/vfioN, empty if none */
	uint16_t vendor_id;                /**< PCI vendor id (emulated: known once bound) */
	uint16_t device_id;                /**< PCI device id (emulated: known once bound) */
	int fd;                            /**< the bound vfio device fd, -1 when closed */
	uint32_t devid;                    /**< iommufd device (physical) or access (emulated) id */
	uint8_t pasid_log2;                /**< PASID width in bits; 0: no PASID */
	struct rte_intr_handle *intr_handle; /**< interrupts; vectors are eventfds */
	struct rte_iommufd_driver *driver; /**< the driver that probed it, or NULL */
};

/** Convert a generic device into an iommufd device. */
#define RTE_DEV_TO_IOMMUFD(ptr) container_of(ptr, struct rte_iommufd_device, device)
/** Same, for a const pointer. */
#define RTE_DEV_TO_IOMMUFD_CONST(ptr) \
	container_of(ptr, const struct rte_iommufd_device, device)

/** Matches any vendor or device id in struct rte_iommufd_id. */
#define RTE_IOMMUFD_ANY_ID 0xffff

/** A PCI identity a driver supports; a table ends with vendor_id 0. */
struct rte_iommufd_id {
	uint16_t vendor_id; /**< PCI vendor id or RTE_IOMMUFD_ANY_ID */
	uint16_t device_id; /**< PCI device id or RTE_IOMMUFD_ANY_ID */
};

struct rte_iommufd_driver;

/**
 * Initialise a device that matched the driver's id table.
 * @return 0 when the driver took the device, a negative errno otherwise.
 */
typedef int (rte_iommufd_probe_t)(struct rte_iommufd_driver *drv,
				  struct rte_iommufd_device *dev);

/**
 * Release a device. Guarantee required of the driver: when this returns 0,
 * the device issues no more DMA and no more interrupts (queues quiesced), so
 * the bus can detach its PASIDs and unmap its memory.
 * @return 0, or a negative errno (the device then stays probed).
 */
typedef int (rte_iommufd_remove_t)(struct rte_iommufd_device *dev);

/**
 * Optional: stop every queue of the device that uses @pasid, because the
 * process that owned that PASID domain (a secondary process, a "worker") has
 * exited without tearing it down. Called in the primary process, from the
 * bus's worker-exit handler (not an lcore), before the bus detaches the
 * PASID and destroys its IOAS (quiesce, detach, destroy: DMA in flight is
 * not stopped by an unmap). Guarantee required of the driver: when this
 * returns, no queue of the device issues DMA tagged with @pasid.
 *
 * @param dev   the device, probed by this driver in the primary process
 * @param pasid the PASID of the dead worker's domain
 * @return 0, or a negative errno (logged; the bus detaches the PASID anyway,
 *         which blocks the PASID's DMA).
 */
typedef int (rte_iommufd_quiesce_domain_t)(struct rte_iommufd_device *dev, uint32_t pasid);

/** Bytes of the work area of a DMA self-test (struct rte_iommufd_dma_test). */
#define RTE_IOMMUFD_DMA_TEST_WORK 4096u
/** Largest transfer of a DMA self-test, bytes. */
#define RTE_IOMMUFD_DMA_TEST_MAX 2048u
/** Smallest transfer of a DMA self-test, bytes. */
#define RTE_IOMMUFD_DMA_TEST_MIN 64u

/**
 * One DMA self-test (rte_iommufd_dma_selftest()): the device reads @len
 * bytes at @src_iova and writes them at @dst_iova, every access (its
 * descriptors too) tagged with @pasid, so translated by that PASID's domain.
 * The caller maps the memory and checks afterwards where the bytes landed;
 * the driver only makes the device do the transfer and reports how it ended.
 */
struct rte_iommufd_dma_test {
	uint32_t pasid;      /**< PASID to tag the DMA with; 0: the RID (default domain) */
	void *work;          /**< CPU address of the work area (the driver's descriptors) */
	/** its IOVA in @pasid's address space: RTE_IOMMUFD_DMA_TEST_WORK bytes,
	 *  page aligned, mapped read/write there
	 */
	uint64_t work_iova;
	uint64_t src_iova;   /**< the device reads here (need not be mapped: then it faults) */
	uint64_t dst_iova;   /**< and writes here (need not be mapped: then it faults) */
	uint32_t len;        /**< RTE_IOMMUFD_DMA_TEST_MIN .. RTE_IOMMUFD_DMA_TEST_MAX */
	uint64_t fault_iova; /**< out: the IOVA the device faulted at (-EFAULT) */
	/** out: the device's reason for the fault (ENOENT: not mapped, ENXIO:
	 *  nothing attached...), 0 if it has none
	 */
	int fault_errno;
};

/**
 * Optional: DMA self-test, for conformance runs (dpdk-testpasid conformance,
 * doc/hardware.md). Make the device copy @t->len bytes from @t->src_iova to
 * @t->dst_iova with its DMA tagged with @t->pasid (0: the RID), using only
 * the work area of @t for anything else it must read or write, and wait for
 * the end (bounded, about a second). Called in the primary process, on a
 * device the driver probed and the application does not use (an ethdev port
 * not started). The driver leaves the device as it found it.
 *
 * @return 0: the device completed the transfer and reported no fault;
 *   -EFAULT: the device reported a translation fault (at @t->fault_iova,
 *   @t->fault_errno set when the device tells why) and the transfer did not
 *   complete; -EBUSY: the device is in use (port started, or the resources
 *   the test needs are taken); -EINVAL: bad @t (length, alignment, PASID
 *   beyond the device's width); -ETIMEDOUT: the device neither completed
 *   nor faulted in time; -EPERM: not the primary process; -ENOTSUP: the
 *   device cannot run the test (e.g. no loopback); -ENODEV: the driver has
 *   no port for the device; -EIO: the device did not respond as its driver
 *   expects.
 */
typedef int (rte_iommufd_dma_selftest_t)(struct rte_iommufd_device *dev,
					 struct rte_iommufd_dma_test *t);

/** The driver needs PASID domains: do not probe devices without PASID support. */
#define RTE_IOMMUFD_DRV_NEED_PASID 0x0001

/** A driver of iommufd bus devices. */
struct rte_iommufd_driver {
	RTE_TAILQ_ENTRY(rte_iommufd_driver) next; /**< next driver on the bus */
	struct rte_driver driver;            /**< generic driver */
	const struct rte_iommufd_id *id_table; /**< devices supported */
	rte_iommufd_probe_t *probe;          /**< device probe */
	rte_iommufd_remove_t *remove;        /**< device removal */
	uint32_t drv_flags;                  /**< RTE_IOMMUFD_DRV_* */
	/** Optional (NULL: none): quiesce the queues of a dead worker's PASID. */
	rte_iommufd_quiesce_domain_t *quiesce_domain;
	/** Optional (NULL: none): DMA self-test for conformance runs. */
	rte_iommufd_dma_selftest_t *dma_selftest;
};

/** Register a driver (use RTE_PMD_REGISTER_IOMMUFD). */
__rte_internal
void rte_iommufd_register(struct rte_iommufd_driver *driver);

/** Unregister a driver. */
__rte_internal
void rte_iommufd_unregister(struct rte_iommufd_driver *driver);

/* RTE_PMD_EXPORT_NAME() lost its index argument in later DPDK releases;
 * RTE_PMD_EXPORT_NAME_ARRAY exists only with the two-argument form (22.11).
 */
#ifdef RTE_PMD_EXPORT_NAME_ARRAY
#define RTE_IOMMUFD_EXPORT_NAME(nm) RTE_PMD_EXPORT_NAME(nm, __COUNTER__)
#else
#define RTE_IOMMUFD_EXPORT_NAME(nm) RTE_PMD_EXPORT_NAME(nm)
#endif

/** Register an iommufd bus driver at start-up. */
#define RTE_PMD_REGISTER_IOMMUFD(nm, iommufd_drv) \
RTE_INIT(iommufdinitfn_ ##nm) \
{ \
	(iommufd_drv).driver.name = RTE_STR(nm); \
	rte_iommufd_register(&(iommufd_drv)); \
} \
RTE_IOMMUFD_EXPORT_NAME(nm)

/** A vfio region of a bound device (VFIO_DEVICE_GET_REGION_INFO). */
struct rte_iommufd_region {
	uint64_t size;   /**< bytes; 0 when the region does not exist */
	uint64_t offset; /**< file offset in the device fd */
	uint32_t flags;  /**< VFIO_REGION_INFO_FLAG_* */
};

/**
 * Describe region @index (VFIO_PCI_BAR0_REGION_INDEX..., CONFIG).
 * @return 0, or -1 with rte_errno set (EINVAL: device not bound or bad index).
 */
__rte_internal
int rte_iommufd_region_info(const struct rte_iommufd_device *dev, unsigned int index,
			    struct rte_iommufd_region *region);

/**
 * Map BAR @index whole (once; later calls return the same mapping, which the
 * bus unmaps when it closes the device).
 * @return the mapping and its size in @size, or NULL with rte_errno set
 * (EINVAL: no such BAR; ENOTSUP: the BAR cannot be mmapped, use
 * rte_iommufd_region_read/write).
 */
__rte_internal
void *rte_iommufd_bar_map(struct rte_iommufd_device *dev, unsigned int index, size_t *size);

/**
 * Read @len bytes at @off of region @index through the device fd (config
 * space, trapped BARs).
 * @return 0, or -1 with rte_errno set (EIO on a short access).
 */
__rte_internal
int rte_iommufd_region_read(const struct rte_iommufd_device *dev, unsigned int index,
			    void *buf, size_t len, off_t off);

/**
 * Write @len bytes at @off of region @index through the device fd.
 * @return 0, or -1 with rte_errno set (EIO on a short access).
 */
__rte_internal
int rte_iommufd_region_write(const struct rte_iommufd_device *dev, unsigned int index,
			     const void *buf, size_t len, off_t off);

/**
 * Route @nvec vectors of interrupt @irq_index (VFIO_PCI_MSI_IRQ_INDEX or
 * VFIO_PCI_MSIX_IRQ_INDEX) to eventfds held in dev->intr_handle: vector 0 is
 * rte_intr_fd_get(), vectors 1.. are the efds (rte_intr_efds_index_get(i - 1)),
 * so rte_intr_callback_register() works on dev->intr_handle.
 * @return 0, or -1 with rte_errno set (ENOTSUP: the device has fewer vectors
 * of that kind; EBUSY: already enabled).
 */
__rte_internal
int rte_iommufd_intr_enable(struct rte_iommufd_device *dev, unsigned int irq_index,
			    unsigned int nvec);

/**
 * Stop all interrupts of the device and close their eventfds. Guarantee: no
 * interrupt callback is triggered by the device after this returns.
 * @return 0, or -1 with rte_errno set.
 */
__rte_internal
int rte_iommufd_intr_disable(struct rte_iommufd_device *dev);

/**
 * Run the DMA self-test of @dev's driver (struct rte_iommufd_driver
 * dma_selftest): for a conformance tool, which maps the memory of @t into
 * the domains it tests and checks where the bytes landed.
 *
 * @param dev a probed device of the iommufd bus
 * @param t   the transfer; fault_iova and fault_errno are set on -EFAULT
 * @return 0 (completed, no fault), or -1 with rte_errno set: ENOTSUP (the
 *   device's driver has no DMA self-test), ENODEV (not bound or not
 *   probed), EINVAL (not an iommufd bus device, NULL @t), or the driver's
 *   result (EFAULT, EBUSY, EINVAL, ETIMEDOUT, EPERM, EIO; see
 *   rte_iommufd_dma_selftest_t).
 */
__rte_internal
int rte_iommufd_dma_selftest(struct rte_device *dev, struct rte_iommufd_dma_test *t);

/**
 * The process's iommufd (/dev/iommu), to which the bus binds its devices:
 * for a conformance tool that issues iommufd ioctls of its own on a bound
 * device's devid (IOMMU_GET_HW_INFO, IOMMU_HWPT_ALLOC...). The bus owns it:
 * do not close it; objects the caller creates on it are the caller's to
 * destroy.
 *
 * @return the fd, or -1 with rte_errno ENODEV when no device is bound.
 */
__rte_internal
int rte_iommufd_ctx_fd(void);

#ifdef __cplusplus
}
#endif

#endif /* BUS_IOMMUFD_DRIVER_H */
