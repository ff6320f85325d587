/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The iommufd bus, seen by PMDs and applications: PASID domains.
 *
 * A domain is one PCI PASID of one device with its own I/O address space
 * (an iommufd IOAS). The device's DMA tagged with that PASID reaches only
 * memory mapped into that domain. Every device also has a default domain
 * (its RID, PASID 0) into which the bus maps all DPDK memory at IOVA = VA;
 * rte_dev_dma_map()/rte_dev_dma_unmap() act on that default domain.
 *
 * Isolation is against mistakes, not against a hostile process: any holder
 * of the process's iommufd can change every IOAS (doc/bus_iommufd.md).
 *
 * These are control-path functions. They may be called from any thread: the
 * bus serialises its device and domain lists, PASID allocator and domain
 * create/destroy with one internal lock, which the EAL threads that serve
 * secondary processes take too. A domain must not be used during or after
 * its rte_iommufd_domain_destroy(). Design: doc/design.md.
 *
 * Multi-process: a secondary process receives the primary's iommufd and
 * bound device fds at probe (it never reopens a cdev) and creates its own
 * domains through the primary, which owns the PASID allocator and tears a
 * domain down when its process exits (doc/bus_iommufd.md, "Multi-process").
 */
#ifndef RTE_BUS_IOMMUFD_H
#define RTE_BUS_IOMMUFD_H

#include <stddef.h>
#include <stdint.h>

#include <rte_compat.h>
#include <rte_dev.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Name of the bus, and the prefix of the legacy devargs form "iommufd:<name>". */
#define RTE_BUS_IOMMUFD_NAME "iommufd"

/** A PASID domain (opaque). */
struct rte_iommufd_domain;

/** What the bus knows about one of its devices (rte_iommufd_dev_info()). */
struct rte_iommufd_dev_info {
	const char *name;     /**< bus device name, e.g. "pci-0000:00:03.0" */
	const char *cdev;     /**< /dev/vfio/devices/vfioN ("" if none) */
	const char *driver;   /**< name of the driver that probed it, or NULL */
	const char *error;    /**< why it is not bound ("" when bound or not tried) */
	int emulated;         /**< 1: emulated (mdev), 0: physical PCI function */
	int bound;            /**< 1: bound to this process's iommufd */
	uint16_t vendor_id;   /**< PCI vendor id (0 when unknown: emulated, not bound) */
	uint16_t device_id;   /**< PCI device id */
	uint8_t pasid_log2;   /**< PASID width in bits (0: no PASID) */
	int pasid_mode;       /**< 1: PASID domains can be created on it, 0: RID only */
	uint32_t default_ioas; /**< IOAS of the default domain (0 when not bound) */
	uint32_t nb_domains;  /**< PASID domains attached now */
	/** PASID-capable HWPT the RID is attached to (physical devices in PASID
	 *  mode), 0: the RID is on its IOAS directly
	 */
	uint32_t rid_hwpt;
};

/**
 * Describe a device of the iommufd bus.
 *
 * @param dev  a device of the iommufd bus (e.g. from RTE_DEV_FOREACH with "bus=iommufd")
 * @param info filled in; its strings live as long as the device
 * @return 0, or -1 with rte_errno EINVAL when @dev is not an iommufd bus device.
 */
__rte_experimental
int rte_iommufd_dev_info(const struct rte_device *dev, struct rte_iommufd_dev_info *info);

/**
 * List the PASIDs of the domains attached to a device now.
 *
 * @param dev    a device of the iommufd bus
 * @param pasids array of @n entries, filled in ascending order
 * @param n      size of @pasids
 * @return the number of attached domains, or -1 with rte_errno EINVAL.
 *         When it exceeds @n, @pasids holds the @n lowest PASIDs.
 */
__rte_experimental
int rte_iommufd_dev_pasids(const struct rte_device *dev, uint32_t *pasids, unsigned int n);

/** A PASID domain of a device, as the primary process sees it (rte_iommufd_dev_domains()). */
struct rte_iommufd_domain_info {
	uint32_t pasid;  /**< the PASID */
	uint32_t ioas;   /**< its IOAS id */
	int32_t owner;   /**< pid of the process that created it (a secondary, or the caller) */
};

/**
 * List the PASID domains of a device with their IOAS and owner. In the
 * primary process this includes the domains of every secondary process; in
 * a secondary process only its own.
 *
 * @param dev  a device of the iommufd bus
 * @param info array of @n entries, filled in ascending PASID order
 * @param n    size of @info
 * @return the number of domains, or -1 with rte_errno EINVAL. When it
 *         exceeds @n, @info holds the @n domains of the lowest PASIDs.
 */
__rte_experimental
int rte_iommufd_dev_domains(const struct rte_device *dev, struct rte_iommufd_domain_info *info,
			    unsigned int n);

/**
 * List the PASID domains of a device that the calling process owns, as the
 * primary process records them: in a secondary process this asks the
 * primary, so it also finds a domain the primary created after the
 * process's request timed out (rte_iommufd_domain_create() failing with
 * ETIMEDOUT), of which the process has no handle.
 *
 * @param dev  a bound device of the iommufd bus
 * @param info array of @n entries, filled in ascending PASID order
 * @param n    size of @info
 * @return the number of such domains, or -1 with rte_errno set: EINVAL (bad
 *         argument), ESRCH (the primary has exited), ETIMEDOUT (it did not
 *         answer), ENODEV (the device is being removed).
 */
__rte_experimental
int rte_iommufd_dev_owned_domains(const struct rte_device *dev,
				  struct rte_iommufd_domain_info *info, unsigned int n);

/**
 * Destroy the calling process's domain of @pasid on a device, whether or
 * not the process holds a handle of it (see rte_iommufd_dev_owned_domains());
 * a handle it holds becomes dead: rte_iommufd_domain_destroy() of it only
 * frees it (and fails with ENODEV). The device must not use the PASID any
 * more (queues stopped).
 *
 * @return 0, or -1 with rte_errno set: EINVAL (bad argument), ENOENT (the
 *         process owns no domain of that PASID), ESRCH, ETIMEDOUT, or an
 *         errno of the kernel's teardown.
 */
__rte_experimental
int rte_iommufd_dev_domain_destroy_pasid(struct rte_device *dev, uint32_t pasid);

/**
 * Create a PASID domain on a bound device for the calling process: allocate
 * a free PASID, a new empty IOAS and (physical devices) a PASID-capable
 * HWPT on it, and attach the PASID to it. The domain starts empty: map
 * memory with rte_iommufd_domain_dma_map() before the device uses it.
 *
 * @param dev a probed device of the iommufd bus
 * @return the domain, or NULL with rte_errno set:
 *   - EINVAL: @dev is not an iommufd bus device;
 *   - ENODEV: @dev is not bound: removed (hot-unplug, also by the primary's
 *     rte_dev_remove() in a secondary) or never probed;
 *   - ENOTSUP: the device has no PASID support, or the kernel cannot attach
 *     PASIDs through vfio (< 6.15), or the bus runs the device RID-only
 *     (devargs pasid=off); the log says which;
 *   - ENOSPC: every PASID of the device (or max_domains) is in use;
 *   - ESRCH (secondary process): the primary process has exited; the PASID
 *     allocator lives there (the log says so);
 *   - ETIMEDOUT (secondary process): the primary is alive but did not answer
 *     three tries of 5 s (each with the same request id, so no second domain
 *     is made); it may still create the domain: rte_iommufd_dev_owned_domains()
 *     finds it;
 *   - ENODEV (secondary process): the device is being removed or was removed
 *     in the primary (hot-unplug); the log says which;
 *   - other errno values from the kernel (ENOMEM...).
 *
 * In a secondary process the primary allocates the PASID, the IOAS and the
 * attach on its behalf; the domain belongs to the calling process, and the
 * primary destroys it when that process exits.
 */
__rte_experimental
struct rte_iommufd_domain *rte_iommufd_domain_create(struct rte_device *dev);

/**
 * The PASID number of a domain, to program into the device's queues.
 *
 * @return the PASID (>= 1), or -1 with rte_errno EINVAL when @dom is NULL.
 */
__rte_experimental
int rte_iommufd_domain_pasid(const struct rte_iommufd_domain *dom);

/**
 * The iommufd handle of a domain's address space, for allocators that map
 * memory themselves (e.g. IOMMU_IOAS_MAP_FILE of a hugetlb memfd).
 *
 * @param dom     a domain
 * @param iommufd set to the process's /dev/iommu fd (owned by the bus)
 * @param ioas_id set to the domain's IOAS id
 * @return 0, or -1 with rte_errno EINVAL.
 */
__rte_experimental
int rte_iommufd_domain_ioas(const struct rte_iommufd_domain *dom, int *iommufd,
			    uint32_t *ioas_id);

/**
 * Map @len bytes of the calling process's memory at @va into a domain at
 * @iova (readable and writable by the device). The pages are pinned.
 *
 * @param dom  a domain
 * @param va   page-aligned address in the calling process
 * @param iova page-aligned I/O virtual address; must lie in the IOAS's
 *             valid IOVA ranges and outside the x86 interrupt window
 *             0xfee00000-0xfeefffff
 * @param len  page-aligned length
 * @return 0, or -1 with rte_errno set:
 *   - EINVAL: bad alignment, or @iova outside the usable IOVA ranges;
 *   - EEXIST: overlaps an existing mapping;
 *   - ENOMEM: over RLIMIT_MEMLOCK (the log says so) or out of memory.
 */
__rte_experimental
int rte_iommufd_domain_dma_map(struct rte_iommufd_domain *dom, void *va, uint64_t iova,
			       size_t len);

/**
 * Unmap [@iova, @iova + @len) from a domain. The range must cover whole
 * earlier mappings. The device must not be using the range: an unmap does
 * not stop DMA already in flight.
 *
 * @return 0, or -1 with rte_errno set (ENOENT: the range does not cover
 *         whole mappings; EINVAL).
 */
__rte_experimental
int rte_iommufd_domain_dma_unmap(struct rte_iommufd_domain *dom, uint64_t iova, size_t len);

/**
 * Destroy a domain: detach its PASID (the device's DMA with it is blocked
 * from then on), unmap everything, free its IOAS and PASID. Quiesce the
 * queues that use the PASID first.
 *
 * @return 0, or -1 with rte_errno set (EINVAL: NULL; ESRCH in a secondary
 *         process: the primary has exited, and tore the domain down then; the
 *         domain is freed in any case, kernel objects are released at the
 *         latest when the bus closes the device; ENODEV: the domain was torn
 *         down already with its device (hot-unplug) or by
 *         rte_iommufd_dev_domain_destroy_pasid(): the handle is freed now).
 *         A handle stays valid until this call, even across a hot-unplug.
 */
__rte_experimental
int rte_iommufd_domain_destroy(struct rte_iommufd_domain *dom);

/**
 * The device a domain belongs to, e.g. for a driver to check that a domain
 * given to one of its ports is a domain of that port's device.
 *
 * @param dom  a domain of the calling process (rte_iommufd_domain_create())
 * @return the domain's device, or NULL with rte_errno EINVAL when @p dom is NULL.
 */
__rte_experimental
const struct rte_device *rte_iommufd_domain_device(const struct rte_iommufd_domain *dom);

/**
 * Does process @p pid still run? The test is the one on which the primary's
 * watcher of secondary processes tears their domains down: a pidfd of the
 * process that polls readable once the process has exited. A process that
 * has exited but is not reaped yet (a zombie) does not run. For drivers that
 * record which process owns a queue in shared memory, in any process. It
 * takes no lock of the bus: a driver may call it under its own locks, also
 * from its quiesce_domain op.
 *
 * @param pid  a process id (the value of getpid() in the process asked about;
 *             not the id of a thread other than a process's main thread)
 * @return 1 when the process runs (always for the caller's own pid), 0 when
 *   it has exited, or -1 with rte_errno set:
 *   - EINVAL: @p pid is not positive, or is a thread that is not a process;
 *   - ENOSYS: the kernel has no pidfd_open (Linux < 5.3), which
 *     multi-process use of the bus needs anyway;
 *   - EMFILE, ENFILE, ENOMEM: no file descriptor for the pidfd.
 *   A caller that must not free a live process's resources takes -1 as "runs".
 *
 * The answer can be stale at once (the process may exit right after), and a
 * process id reused by a new process reads as running.
 */
__rte_experimental
int rte_iommufd_process_alive(int pid);

/** Size of a usage label of rte_iommufd_domain_usage_set(), with its NUL. */
#define RTE_IOMMUFD_USAGE_NAMESIZE 32

/**
 * Say what the calling process has mapped into one of its domains other
 * than through rte_iommufd_domain_dma_map() (which the bus counts itself),
 * e.g. a lib/pasid_mem heap mapped with the iommufd directly, for the
 * primary process's telemetry (/iommufd/domains,<device>: "heap" and
 * "bytes_mapped"). The last values set are shown; call it again when they
 * change (a heap grew). Cheap: in a secondary process a change, and only a
 * change, goes to the primary as one rte_mp message that nobody waits for.
 *
 * @param dom   a domain of the calling process
 * @param heap  a label (e.g. the heap's name) shorter than
 *              RTE_IOMMUFD_USAGE_NAMESIZE, or NULL for none
 * @param bytes the number of bytes mapped into the domain's IOAS under that label
 * @return 0, or -1 with rte_errno set: EINVAL (NULL @p dom, label too long),
 *   ENODEV (the domain was torn down with its device), or the errno of
 *   sending the change to the primary (the values are kept and go with the
 *   next call that changes them).
 */
__rte_experimental
int rte_iommufd_domain_usage_set(struct rte_iommufd_domain *dom, const char *heap,
				 uint64_t bytes);

/**
 * Rewrite an application's EAL arguments for the option
 * `--bus iommufd[,name=<device>[,key=value...]]`, which EAL does not know:
 * call it on main()'s argc and argv before rte_eal_init() and pass EAL the
 * result. Only the EAL part of the command line (up to the first "--") is
 * read and changed (doc/bus_iommufd.md, "--bus iommufd"):
 *  - `--bus iommufd` selects every device of the bus (it adds no -a);
 *  - `--bus iommufd,name=<device>[,key=value...][/<driver layer>]` selects
 *    that device with those device arguments: it becomes
 *    `-a bus=iommufd,name=<device>,...`; one --bus per device;
 *  - when no PCI device is given with -a or -b (and --no-pci is not), it
 *    adds `--no-pci`, so that DPDK's PCI bus takes none of the bus's PCI
 *    functions (EAL's allow-list of one bus does not restrict another).
 * A command line without --bus is left as it is.
 *
 * @param argc  in: main()'s argc; out: the count of the rewritten arguments
 * @param argv  in: main()'s argv; out: the rewritten arguments (NULL at
 *              [*argc]), which stay allocated until the process exits (EAL
 *              and the application keep pointers into them, as into argv);
 *              the application's own arguments after "--" are the same
 *              strings
 * @return 0 (*argc, *argv rewritten, or unchanged without --bus), or -1 with
 *   rte_errno set and *argc, *argv unchanged:
 *   - EINVAL: a bad form or a combination EAL cannot honour; an error line
 *     (log type bus.iommufd, on stderr before rte_eal_init()) names the
 *     problem and the fix: a bus other than iommufd; --bus without a value;
 *     an unknown key or a bad value (the bus's device-argument parser);
 *     keys without name=; a device named twice; `--bus iommufd` with an -a
 *     of a device of the bus or with --bus iommufd,name=; -b together with
 *     --bus iommufd,name= (EAL refuses -a with -b); -b of a PCI function;
 *     -a of a PCI function that the iommufd bus takes (one named with --bus,
 *     or with `--bus iommufd` any function bound to vfio-pci with a vfio
 *     cdev); also a NULL @argc or @argv, or *@argc < 1;
 *   - ENOMEM: out of memory.
 */
__rte_experimental
int rte_iommufd_eal_args(int *argc, char ***argv);

/** What the running kernel's iommufd offers the bus (rte_iommufd_kernel_check()). */
struct rte_iommufd_kernel_info {
	/** 1: IOMMU_HWPT_ALLOC (Linux 6.6+), which PASID domains of physical functions need */
	int hwpt_alloc;
	/** 1: IOMMU_IOAS_MAP_FILE (Linux 6.13+); without it pasid_mem uses IOMMU_IOAS_MAP */
	int map_file;
};

/**
 * Open /dev/iommu and probe the optional uAPIs of the bus by trying them, as
 * the bus does when it opens /dev/iommu (never from the release string).
 * Needs no rte_eal_init(): for host checks (dpdk-testpasid doctor).
 *
 * @param info   filled in
 * @param err    set to why it failed, with the fix ("" on success); may be NULL
 * @param errlen size of @p err
 * @return 0, or -1 with rte_errno set:
 *   - EINVAL: @p info is NULL;
 *   - ENOENT: no /dev/iommu (a kernel without CONFIG_IOMMUFD, or iommufd not loaded);
 *   - ENODEV: /dev/iommu is not iommufd's character device (e.g. something
 *     mounted over it);
 *   - EACCES, EPERM: no permission to open it;
 *   - another errno: a probe failed in an unexpected way (@p err names it).
 */
__rte_experimental
int rte_iommufd_kernel_check(struct rte_iommufd_kernel_info *info, char *err, size_t errlen);

/** The bus's trial of one device (rte_iommufd_dev_check()). */
struct rte_iommufd_dev_check {
	char cdev[64];        /**< its vfio cdev, "" when it has none */
	int emulated;         /**< 1: emulated (mdev), 0: physical PCI function */
	uint16_t vendor_id;   /**< PCI vendor id */
	uint16_t device_id;   /**< PCI device id */
	int hw_info;          /**< physical: 1 when IOMMU_GET_HW_INFO answered */
	/** physical: its IOMMU (enum iommu_hw_info_type of IOMMU_GET_HW_INFO; 0: none) */
	uint32_t iommu_type;
	/** PASID width in bits (physical: the IOMMU's answer; emulated: its PCI capability) */
	uint8_t pasid_log2;
	int pasid_attach;     /**< 1: the kernel and the device's vfio driver attach PASIDs */
	/** physical: 1 when its RID went onto a PASID-capable HWPT (IOMMU_HWPT_ALLOC_PASID) */
	int pasid_hwpt;
	int pasid_domain;     /**< 1: a PASID domain was created on it and destroyed */
	/** why no PASID domain (or why it could not be bound), with the fix; "" when it worked */
	char error[512];
};

/**
 * Try a device as the bus uses it, without giving it to a driver: bind its
 * vfio cdev to /dev/iommu, read its identity and PASID width, attach its RID
 * (a physical function's on a PASID-capable HWPT where the kernel and the
 * IOMMU take one), create one PASID domain when the device and the kernel
 * allow it, then tear everything down. Needs no rte_eal_init(): for host
 * checks (dpdk-testpasid doctor). The device must not be in use: a vfio cdev
 * is bound by one file at a time.
 *
 * @param name "pci-<domain:bus:dev.fn>" or "mdev-<uuid>"
 * @param c    filled in (also on failure: c->error says why, with the fix)
 * @return 0 when the device was bound and its RID attached (c->pasid_domain
 *   says whether PASID domains work, c->error why not), or -1 with rte_errno:
 *   - EINVAL: a NULL argument or a malformed @p name;
 *   - EBUSY: a device of this process's iommufd bus (see rte_iommufd_dev_info());
 *   - ENODEV: no such vfio device (not bound to vfio-pci, no cdev...);
 *   - another errno of the step that failed (bind: EINVAL when another file
 *     holds the cdev, EBUSY when its VFIO group is open, EPERM without
 *     interrupt remapping; ENOENT without /dev/iommu...).
 */
__rte_experimental
int rte_iommufd_dev_check(const char *name, struct rte_iommufd_dev_check *c);

#ifdef __cplusplus
}
#endif

#endif /* RTE_BUS_IOMMUFD_H */
