/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals of the iommufd bus. One section per file of the driver, each
 * with its contracts. Who calls whom and which process owns what:
 * doc/design.md; how the bus is used: doc/bus_iommufd.md.
 */
#ifndef IOMMUFD_PRIVATE_H
#define IOMMUFD_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/queue.h>
#include <sys/types.h>

#include <bus_driver.h>
#include <rte_errno.h>
#include <rte_log.h>

#include "bus_iommufd_driver.h"
#include "iommufd_hook.h"
#include "rte_bus_iommufd.h"

extern int iommufd_bus_logtype;

#define IOMMUFD_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, iommufd_bus_logtype, "iommufd: " fmt "\n", ##__VA_ARGS__)

/* The public API's convention from an internal result: 0 stays 0, -errno
 * becomes -1 with rte_errno = errno (doc/design.md, "Error conventions").
 */
static inline int
iommufd_ret(int ret)
{
	if (ret >= 0)
		return 0;
	rte_errno = -ret;
	return -1;
}

/* ---- iommufd_devargs.c: device names, "key=value,..." of one device ---- */

enum iommufd_pasid_mode {
	IOMMUFD_PASID_AUTO, /* PASID domains when device and kernel support them */
	IOMMUFD_PASID_ON,   /* PASID domains required: probe fails without them */
	IOMMUFD_PASID_OFF,  /* RID only */
};

struct iommufd_devargs {
	char name[RTE_DEV_NAME_MAX_LEN]; /* name= of the layered form, else "" */
	enum iommufd_pasid_mode pasid;
	uint32_t max_domains;            /* 0: as many as the PASID width allows */
	bool dpdk_mem;                   /* map DPDK memory into the default domain */
};

/* Defaults, then the keys of @str ("k=v,k=v"; "bus=iommufd" is accepted).
 * Returns 0, or -EINVAL with the offending key and why in @err.
 */
int iommufd_devargs_parse(const char *str, struct iommufd_devargs *da, char *err,
			  size_t errlen);
/* The keys of a devargs (both the legacy and the layered form) into @da. */
int iommufd_devargs_of(const struct rte_devargs *devargs, struct iommufd_devargs *da,
		       char *err, size_t errlen);

/* Device names: "pci-<domain:bus:dev.fn>" and "mdev-<uuid>". */
#define IOMMUFD_PCI_PREFIX "pci-"
#define IOMMUFD_MDEV_PREFIX "mdev-"

/* true when @name has the form of one of our device names. */
bool iommufd_name_valid(const char *name);
/* The devargs EAL holds for the device named @name, or NULL. */
struct rte_devargs *iommufd_devargs_lookup(const char *name);

/* ---- iommufd_eal_args.c: --bus iommufd among the EAL arguments ---- */

/* rte_iommufd_eal_args() with the PCI functions' sysfs directory
 * @pci_sysfs ("/sys/bus/pci/devices"; a test gives its own) and the error in
 * @err. 0 with *@out_argc, *@out_argv the new arguments (argc, argv when
 * there is no --bus), or -EINVAL (@err names the problem and the fix) or
 * -ENOMEM, *@out_argc and *@out_argv then argc and argv.
 */
int iommufd_eal_args_rewrite(int argc, char **argv, const char *pci_sysfs, int *out_argc,
			     char ***out_argv, char *err, size_t errlen);

/* ---- iommufd_pasid.c: per-device PASID allocator ---- */

struct iommufd_pasid_table {
	uint32_t limit;  /* PASIDs 1 .. limit - 1 can be handed out */
	uint32_t nb_used;
	uint64_t *bits;  /* bit n set: PASID n in use */
};

/* Table for a width of @log2 bits, at most @max PASIDs in use (0: no cap).
 * Returns 0, -EINVAL (width 0 or > 20), -ENOMEM.
 */
int iommufd_pasid_table_init(struct iommufd_pasid_table *t, unsigned int log2,
			     uint32_t max);
void iommufd_pasid_table_fini(struct iommufd_pasid_table *t);
/* The lowest free PASID (>= 1), or -ENOSPC. */
int iommufd_pasid_alloc(struct iommufd_pasid_table *t);
/* 0, or -EINVAL when @pasid is out of range or not in use. */
int iommufd_pasid_free(struct iommufd_pasid_table *t, uint32_t pasid);
/* true when @pasid can exist on the device (1 <= pasid < 2^width). */
bool iommufd_pasid_valid(const struct iommufd_pasid_table *t, uint32_t pasid);
bool iommufd_pasid_in_use(const struct iommufd_pasid_table *t, uint32_t pasid);

/* ---- iommufd_iova.c: IOVA ranges of an IOAS ---- */

struct iommufd_iova_range {
	uint64_t start;
	uint64_t last; /* inclusive */
};

/* The ioctl used to query the kernel; tests pass a fake. */
typedef int (*iommufd_ioctl_t)(int fd, unsigned long req, void *arg);

/* IOMMU_IOAS_IOVA_RANGES with the two-call EMSGSIZE pattern: *@ranges is
 * malloc()ed (free() it), *@n its length, *@align the IOVA alignment.
 * Returns 0 or -errno.
 */
int iommufd_iova_ranges_get(iommufd_ioctl_t ioc, int fd, uint32_t ioas,
			    struct iommufd_iova_range **ranges, uint32_t *n, uint64_t *align);
/* 0 when [@iova, @iova + @len) lies in one range and is aligned, else -EINVAL. */
int iommufd_iova_check(const struct iommufd_iova_range *r, uint32_t n, uint64_t align,
		       uint64_t iova, uint64_t len);
/* true when [@iova, @iova + @len) overlaps the x86 MSI window, which PASID
 * domains must avoid although their IOAS does not report it.
 */
bool iommufd_iova_hits_msi_window(uint64_t iova, uint64_t len);

/* ---- iommufd_ctx.c: the process's /dev/iommu and the kernel's features ---- */

/* ---- iommufd_features.c: optional uAPIs, found by trying them (B9) ---- */

struct iommufd_dev;

struct iommufd_features {
	bool hwpt_alloc;      /* IOMMU_HWPT_ALLOC (6.6+) */
	bool map_file;        /* IOMMU_IOAS_MAP_FILE (6.13+) */
};

/* Probe the iommufd @fd into @f. 0, or -errno with the feature whose probe
 * failed named in @err.
 */
int iommufd_features_probe(int fd, struct iommufd_features *f, char *err, size_t errlen);
/* Can the kernel and the vfio driver of bound device @d attach PASIDs?
 * 1 yes, 0 no, -errno when the probe failed (d->error says which).
 */
int iommufd_feature_pasid_attach(struct iommufd_dev *d);

/* Not the kernel's struct iommufd_ctx: the bus's hold on /dev/iommu. */
struct iommufd_bus_ctx {
	int fd;               /* /dev/iommu, -1 when closed */
	unsigned int users;   /* bound devices */
	bool adopted;         /* secondary: fd received from the primary, owns nothing */
	struct iommufd_features features; /* primary: probed when it opens /dev/iommu */
};

extern struct iommufd_bus_ctx iommufd_bus_ctx;

/* Open /dev/iommu on first use; count a user.
 * Returns 0 or -errno (ENOENT: no /dev/iommu, logged with the fix).
 */
int iommufd_bus_ctx_get(void);
/* Secondary process: use @fd, the primary's iommufd received over rte_mp
 * (a duplicate of an already adopted one is closed); count a user.
 */
void iommufd_bus_ctx_adopt(int fd);
/* Drop a user; the last one closes /dev/iommu. Its users destroy the
 * objects they created first (an adopted fd owns none).
 */
void iommufd_bus_ctx_put(void);
/* IOMMU_DESTROY of an object. 0 or -errno. */
int iommufd_destroy(uint32_t id);
/* IOMMU_IOAS_ALLOC. 0 and *@ioas, or -errno. */
int iommufd_ioas_alloc(uint32_t *ioas);
/* IOMMU_IOAS_MAP at a fixed IOVA, read/write. 0 or -errno (ENOMEM logged). */
int iommufd_ioas_map(uint32_t ioas, const void *va, uint64_t iova, uint64_t len);
/* IOMMU_IOAS_UNMAP. 0 or -errno. */
int iommufd_ioas_unmap(uint32_t ioas, uint64_t iova, uint64_t len);
/* Wrapper of ioctl(2) with the iommufd_ioctl_t signature. */
int iommufd_sys_ioctl(int fd, unsigned long req, void *arg);

struct iommufd_dev;

/* ---- iommufd_scan.c: vfio cdevs of PCI functions and mdevs ---- */

/* Bus-private state of a device. */
struct iommufd_dev {
	struct rte_iommufd_device pub;
	struct iommufd_devargs args;
	char error[512];        /* why the device cannot be used, with the fix */
	uint64_t cfg_offset;    /* file offset of the PCI config region */
	uint32_t num_regions;
	uint32_t num_irqs;
	uint32_t rid_ioas;      /* IOAS of the RID: the shared default one, or own */
	bool dpdk_mem;          /* rid_ioas is the default IOAS (a user of iommufd_mem.c) */
	uint32_t rid_hwpt;      /* PASID-capable HWPT of the RID, 0 when none */
	bool pasid_mode;        /* PASID domains allowed */
	bool pasid_attach;      /* the kernel and the vfio driver attach PASIDs (probed) */
	bool closing;           /* being removed: requests refused (lock held to change) */
	bool bus_master;
	struct {
		void *va;
		size_t size;
	} bars[6];
	unsigned int irq_index; /* enabled interrupt kind, or ~0u */
	unsigned int irq_count;
	struct iommufd_pasid_table pasids;
	TAILQ_HEAD(, rte_iommufd_domain) domains;
};

#define IOMMUFD_DEV(d) container_of(d, struct iommufd_dev, pub)

/* The bus-private state of a generic device of this bus. */
static inline struct iommufd_dev *
iommufd_dev_of(const struct rte_device *dev)
{
	struct rte_iommufd_device *p = RTE_DEV_TO_IOMMUFD(dev);

	return IOMMUFD_DEV(p);
}

/* Find the devices; add the new ones to the bus. 0 or -errno. */
int iommufd_scan(void);
/* Does the device named @name exist now (sysfs)? */
bool iommufd_dev_exists(const char *name);
/* Fill @d from the sysfs entry of @name ("pci-<BDF>" / "mdev-<UUID>").
 * Returns 0; -ENODEV when it is not a vfio device (d->error says why).
 */
int iommufd_dev_describe(const char *name, struct iommufd_dev *d);
/* The device of the bus named @name, or NULL. Lock held, or the EAL thread. */
struct iommufd_dev *iommufd_dev_find(const char *name);

/* ---- iommufd_device.c: primary, bind, hw info, RID, bus master ---- */

/* Open and bind, read ids and PASID width, attach the RID. 0 or -errno
 * (d->error says why).
 */
int iommufd_dev_open(struct iommufd_dev *d);
/* Bus master off, interrupts off, domains destroyed, RID detached, closed.
 * The primary's; a secondary's is iommufd_secondary_dev_close().
 */
void iommufd_dev_close(struct iommufd_dev *d);

/* ---- iommufd_region.c: config space, BARs, the end of a teardown ---- */

/* Unmap the BARs, close the device fd and drop the context reference: the
 * end of a teardown in the primary and in a secondary.
 */
void iommufd_dev_release(struct iommufd_dev *d);

/* ---- iommufd_attach.c: RID and PASID attach, the PASID-capable HWPT ---- */

/* Attach @pasid (0: the RID) to @pt; a second attach is a replace. 0 or -errno. */
int iommufd_attach(struct iommufd_dev *d, uint32_t pasid, uint32_t pt);
/* Detach @pasid (0: the RID). 0 or -errno. */
int iommufd_detach(struct iommufd_dev *d, uint32_t pasid);
/* Allocate a PASID-capable HWPT of @d on @ioas. 0 and *@hwpt, or -errno. */
int iommufd_hwpt_alloc_pasid(struct iommufd_dev *d, uint32_t ioas, uint32_t *hwpt);

/* ---- iommufd_domain.c: PASID domains, the bus lock ---- */

struct rte_iommufd_domain {
	TAILQ_ENTRY(rte_iommufd_domain) next;
	struct iommufd_dev *dev;
	uint32_t pasid;
	uint32_t ioas;
	uint32_t hwpt;        /* physical: the PASID-capable HWPT; emulated: 0 */
	uint32_t attached_pt; /* what the PASID is attached to now */
	pid_t owner;          /* primary: the secondary that owns it, 0: this process */
	uint64_t req_id;      /* primary: the owner's create request id (0: none) */
	bool dead;            /* torn down with its device (unplug): only freed by a
			       * later rte_iommufd_domain_destroy() of the handle
			       */
	/* iommufd_usage.c: what is mapped into the IOAS (telemetry). In the
	 * primary for every domain (a secondary's as it last reported it).
	 */
	uint64_t api_bytes;   /* mapped with rte_iommufd_domain_dma_map() here */
	uint64_t usage_bytes; /* rte_iommufd_domain_usage_set(); primary: owner's total */
	char usage_heap[RTE_IOMMUFD_USAGE_NAMESIZE];
	bool usage_dirty;     /* secondary: a change the primary has not got yet */
};

/* Every domain list, the PASID tables and the worker list: the rte_mp
 * handler and the worker-exit handler run in EAL threads. Recursive: a
 * driver's quiesce_domain may call back into the bus.
 */
extern pthread_mutex_t iommufd_lock;

/* Link @dom into the domains of @d, kept in ascending PASID order (so that
 * rte_iommufd_dev_pasids() gives the lowest ones). Lock held.
 */
static inline void
iommufd_domain_link(struct iommufd_dev *d, struct rte_iommufd_domain *dom)
{
	struct rte_iommufd_domain *p;

	TAILQ_FOREACH(p, &d->domains, next) {
		if (p->pasid > dom->pasid) {
			TAILQ_INSERT_BEFORE(p, dom, next);
			return;
		}
	}
	TAILQ_INSERT_TAIL(&d->domains, dom, next);
}

/* The bus-private state of @dev when it is a device of this bus bound in
 * this process, else NULL (NULL @dev, another bus's, removed or not probed).
 */
struct iommufd_dev *iommufd_bound_dev(struct rte_device *dev);
/* Why @d, bound, has no PASID domains (pasid_mode false): for messages. */
const char *iommufd_why_no_pasid(const struct iommufd_dev *d);
/* Create a domain of @d owned by @owner (0: this process). Lock held.
 * The domain, or NULL with rte_errno set.
 */
struct rte_iommufd_domain *iommufd_domain_create_locked(struct iommufd_dev *d, pid_t owner);
/* The primary's struct iommufd_proc_ops domain_create: iommufd_domain_create_locked
 * (owner: this process), taking the lock.
 */
struct rte_iommufd_domain *iommufd_domain_create(struct iommufd_dev *d);
/* Move a domain's PASID to another IOAS (a hitless replace). 0 or -errno. */
int iommufd_domain_replace(struct rte_iommufd_domain *dom, uint32_t ioas);

/* ---- iommufd_domain_destroy.c: the end of domains, a process's own domains ---- */

/* Detach, unmap, destroy, free the PASID; unlink and free @dom. Lock held.
 * 0 or the first -errno.
 */
int iommufd_domain_teardown(struct rte_iommufd_domain *dom);
/* The same, but a domain of this process (owner 0), whose handle the
 * application may still hold, is kept allocated and marked dead. Lock held.
 */
int iommufd_domain_teardown_keep(struct rte_iommufd_domain *dom);
/* The primary's struct iommufd_proc_ops domain_destroy: iommufd_domain_teardown,
 * taking the lock (a dead handle is only freed: -ENODEV). 0 or -errno.
 */
int iommufd_domain_destroy(struct rte_iommufd_domain *dom);
/* The primary's iommufd_proc_ops owned and destroy_pasid: its own domains
 * (owner 0). The number of domains / 0, or -errno (ENOENT: no such domain).
 */
int iommufd_domains_owned(struct iommufd_dev *d, struct rte_iommufd_domain_info *info,
			  unsigned int n);
int iommufd_domain_destroy_pasid(struct iommufd_dev *d, uint32_t pasid);
/* Destroy every domain of @d (teardown). */
void iommufd_domains_destroy(struct iommufd_dev *d);

/* ---- iommufd_mp_server.c / iommufd_secondary.c: the rte_mp protocol ---- */

#define IOMMUFD_MP_ACTION "bus_iommufd_mp"

enum iommufd_mp_op {
	IOMMUFD_MP_DEV_FDS = 1,     /* the iommufd and the bound fd of a device */
	IOMMUFD_MP_DOMAIN_CREATE,   /* a PASID domain owned by the requester */
	IOMMUFD_MP_DOMAIN_DESTROY,  /* destroy one of the requester's domains */
	IOMMUFD_MP_DOMAIN_LIST,     /* the requester's domain number r->pasid (0, 1...) */
};

/* Request and reply (the reply fills in what it knows). */
struct iommufd_mp_param {
	uint32_t op;
	int32_t result;       /* reply: 0 or -errno */
	int32_t pid;          /* the requesting secondary (checked against the peer) */
	uint32_t pasid;
	uint32_t ioas;
	uint32_t devid;
	uint32_t rid_ioas;
	uint64_t cfg_offset;
	uint32_t num_regions;
	uint32_t num_irqs;
	uint16_t vendor_id;
	uint16_t device_id;
	uint8_t pasid_log2;
	uint8_t pasid_mode;
	uint64_t req_id;      /* DOMAIN_CREATE: the same on a retry, same domain back */
	char name[RTE_DEV_NAME_MAX_LEN];
	char error[104];      /* reply: why, when result < 0 */
};

/* The pid of the process behind an rte_mp peer (the sender's socket path,
 * "<runtime dir>/mp_socket_<pid>_<tsc in hex>" in DPDK 22.11), or -1 when
 * @peer does not have that form. The name is chosen by the sender: a hostile
 * secondary can bind a socket under another process's name (doc/bus_iommufd.md).
 */
pid_t iommufd_mp_peer_pid(const char *peer);

/* ---- iommufd_mp_server.c: primary, answers secondary processes ---- */

/* Register the rte_mp action and get ready to watch workers. A failure is
 * logged and leaves the process single-process (which still works);
 * multi-process off (--in-memory) is not a failure.
 */
void iommufd_mp_server_init(void);
/* Stop answering, stop the watch, forget the workers (bus cleanup). */
void iommufd_mp_server_fini(void);

/* ---- iommufd_watch.c: primary, exits of secondary processes ---- */

/* The epoll set and its stop eventfd. 0 or -errno. */
int iommufd_watch_init(void);
/* Stop the watch thread, forget every worker, close the fds. */
void iommufd_watch_fini(void);
/* Watch @pid (once; the thread starts with the first). Lock held.
 * 0, or -errno with why in @err.
 */
int iommufd_watch_pid(pid_t pid, char *err, size_t errlen);

/* ---- iommufd_secondary.c: secondary, its side (struct iommufd_proc_ops) ---- */

/* Receive the iommufd and the bound fd of @d from the primary and fill @d
 * from its state. 0 or -errno (d->error says why).
 */
int iommufd_secondary_dev_open(struct iommufd_dev *d);
/* Destroy own domains, drop the received fds (nothing else: the device
 * belongs to the primary).
 */
void iommufd_secondary_dev_close(struct iommufd_dev *d);
/* Ask the primary for a domain of @d. NULL with rte_errno set. */
struct rte_iommufd_domain *iommufd_secondary_domain_create(struct iommufd_dev *d);
/* Ask the primary to destroy @dom, then free it. 0 or -errno. */
int iommufd_secondary_domain_destroy(struct rte_iommufd_domain *dom);
/* The primary's record of this process's domains of @d (the first @n into
 * @info). The number of them, or -errno.
 */
int iommufd_secondary_owned(struct iommufd_dev *d, struct rte_iommufd_domain_info *info,
			    unsigned int n);
/* Ask the primary to destroy this process's domain of @pasid, with or
 * without a handle of it here (a handle is freed). 0 or -errno.
 */
int iommufd_secondary_destroy_pasid(struct iommufd_dev *d, uint32_t pasid);

/* ---- iommufd_usage.c: what processes mapped into domains (telemetry) ---- */

/* Primary: take the secondaries' usage messages / stop. */
void iommufd_usage_server_init(void);
void iommufd_usage_server_fini(void);
/* Count @delta bytes mapped (< 0: unmapped) into @dom through the bus's API;
 * a secondary sends the change to the primary. 0, or -1 with rte_errno when
 * the message could not be sent (it goes with the next change).
 */
int iommufd_usage_api_add(struct rte_iommufd_domain *dom, int64_t delta);

/* ---- iommufd_telemetry.c: /iommufd/devices, /iommufd/device, /iommufd/domains ---- */

/* Register the telemetry commands (once; the bus's first scan). */
void iommufd_telemetry_init(void);

/* ---- iommufd_mem.c: the default IOAS, DPDK memory at IOVA = VA ---- */

/* The default IOAS, for a RID with dpdk_mem=1: allocated by the first user;
 * counts a user. 0 and *@ioas, or -errno.
 */
int iommufd_mem_init(uint32_t *ioas);
/* Map every DPDK memory segment into the default IOAS and follow memory
 * events; done once, after the first RID is attached (the usable IOVA ranges
 * depend on it). 0 or -errno (logged).
 */
int iommufd_mem_follow(void);
/* Drop a user; the last one stops following memory events, unmaps and
 * destroys the default IOAS.
 */
void iommufd_mem_fini(void);
int iommufd_dma_map(struct rte_device *dev, void *addr, uint64_t iova, size_t len);
int iommufd_dma_unmap(struct rte_device *dev, void *addr, uint64_t iova, size_t len);

/* ---- iommufd_intr.c ---- */

/* Allocate dev->intr_handle. 0 or -ENOMEM. */
int iommufd_intr_init(struct iommufd_dev *d);
/* Disable interrupts and free the handle. */
void iommufd_intr_fini(struct iommufd_dev *d);

/* ---- iommufd_bus.c: the bus ops' work, the process role (ops table: iommufd_bus_ops.c) ---- */

/* What differs between the primary process, which owns the devices and the
 * PASID allocator, and a secondary one, which borrows them (doc/design.md).
 * Chosen once, at the bus scan.
 */
struct iommufd_proc_ops {
	/* Bus probe or plug with devices: primary, serve secondaries (NULL: none). */
	void (*start)(void);
	/* Bus cleanup, before the devices go (NULL: none). */
	void (*stop)(void);
	/* Make @d usable in this process. 0 or -errno (d->error says why). */
	int (*dev_open)(struct iommufd_dev *d);
	/* The reverse, after the driver's remove: safe on a closed device. */
	void (*dev_close)(struct iommufd_dev *d);
	/* A domain of @d owned by this process. NULL with rte_errno set. */
	struct rte_iommufd_domain *(*domain_create)(struct iommufd_dev *d);
	/* Tear down and free @dom. 0 or -errno. */
	int (*domain_destroy)(struct rte_iommufd_domain *dom);
	/* The domains of @d this process owns, as the primary records them. */
	int (*owned)(struct iommufd_dev *d, struct rte_iommufd_domain_info *info,
		     unsigned int n);
	/* Destroy this process's domain of @d with @pasid. 0 or -errno. */
	int (*destroy_pasid)(struct iommufd_dev *d, uint32_t pasid);
};

extern const struct iommufd_proc_ops *iommufd_proc;

/* The bus ops' work, whatever the DPDK release (iommufd_bus_ops.c adapts
 * them to its ops table).
 */
int iommufd_bus_scan(void);
/* Open every device found and give it to its driver. 0, or -1 with
 * rte_errno set when every selected device failed.
 */
int iommufd_probe(void);
/* Hotplug: open @dev and give it to @drv (NULL: the first that matches).
 * 0 or -errno.
 */
int iommufd_plug(struct rte_device *dev, struct rte_iommufd_driver *drv);
/* Hot-unplug: driver remove, then close; the device stays listed. 0 or -errno. */
int iommufd_unplug(struct rte_device *dev);
/* Process exit: every device removed, closed and freed. 0, or -1 when a
 * driver refused (the device is closed anyway).
 */
int iommufd_cleanup(void);
/* The first device after @start (NULL: from the first) for which @cmp is 0. */
struct rte_device *iommufd_find_device(const struct rte_device *start, rte_dev_cmp_t cmp,
				       const void *data);
/* Whether @drv's id table takes @dev. */
bool iommufd_driver_matches(const struct rte_iommufd_driver *drv,
			    const struct rte_iommufd_device *dev);

struct iommufd_bus {
	struct rte_bus bus;
	TAILQ_HEAD(, rte_iommufd_device) devices;
	TAILQ_HEAD(, rte_iommufd_driver) drivers;
};

extern struct iommufd_bus iommufd_bus;

#define FOREACH_IOMMUFD_DEVICE(p) TAILQ_FOREACH(p, &iommufd_bus.devices, next)
#define FOREACH_IOMMUFD_DRIVER(p) TAILQ_FOREACH(p, &iommufd_bus.drivers, next)

#endif /* IOMMUFD_PRIVATE_H */
