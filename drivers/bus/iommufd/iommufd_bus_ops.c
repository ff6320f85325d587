/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The iommufd bus as EAL sees it: the struct rte_bus ops table, driver
 * registration and the small ops that only translate EAL's calls (device
 * names, devargs, IOVA mode, device iteration). The work is done in
 * iommufd_bus.c and iommufd_scan.c.
 *
 * This is the one file whose code differs between DPDK releases
 * (doc/dpdk_versions.md): DPDK 26.07 replaced the bus's plug/unplug ops by
 * match/probe_device/unplug_device, passes the bus to probe, cleanup,
 * find_device and dev_iterate, and has EAL look drivers up in the bus's
 * driver_list. Before 26.07 EAL calls plug() and the bus picks the driver.
 * Our own device and driver lists serve every release; on 26.07 drivers are
 * also put on the bus's driver_list with rte_bus_add_driver(), so that EAL's
 * hotplug finds them (rte_bus_find_driver() through match()). The generic
 * find_device/dev_iterate/probe/cleanup helpers of 26.07 walk the bus's
 * device_list and do not fit: our probe and cleanup order matter
 * (iommufd_bus.c), and our devices stay on our list.
 */
#include <errno.h>
#include <string.h>

#include <rte_devargs.h>
#include <rte_errno.h>
#include <rte_kvargs.h>
#include <rte_string_fns.h>

#include "pasid_dpdk_compat.h"
#include "private.h"

/* This copy of the bus is the one registered with EAL (see the end). */
static bool iommufd_bus_registered;

void
rte_iommufd_register(struct rte_iommufd_driver *driver)
{
	TAILQ_INSERT_TAIL(&iommufd_bus.drivers, driver, next);
#if PASID_DPDK_BUS_PROBE_DEVICE
	/* The lists of an unregistered copy were never initialised by EAL. */
	if (iommufd_bus_registered)
		rte_bus_add_driver(&iommufd_bus.bus, &driver->driver);
#endif
}

void
rte_iommufd_unregister(struct rte_iommufd_driver *driver)
{
#if PASID_DPDK_BUS_PROBE_DEVICE
	if (iommufd_bus_registered)
		rte_bus_remove_driver(&iommufd_bus.bus, &driver->driver);
#endif
	TAILQ_REMOVE(&iommufd_bus.drivers, driver, next);
}

static int
iommufd_parse(const char *name, void *addr)
{
	const char **out = addr;

	if (!iommufd_name_valid(name))
		return -1;
	if (out != NULL)
		*out = name;
	return 0;
}

/* The layered form "bus=iommufd,name=...,k=v" (also device iterator
 * filters): checked here, so a bad key fails the -a option itself.
 */
static int
iommufd_devargs_parse_op(struct rte_devargs *da)
{
	struct iommufd_devargs args;
	char err[256];

	if (iommufd_devargs_parse(da->bus_str, &args, err, sizeof(err)) < 0) {
		IOMMUFD_LOG(ERR, "-a %s: %s", da->bus_str, err);
		return -EINVAL;
	}
	/* No name: an iterator filter ("bus=iommufd"), matching every device. */
	rte_strscpy(da->name, args.name, sizeof(da->name));
	return 0;
}

static enum rte_iova_mode
iommufd_get_iommu_class(void)
{
	return TAILQ_EMPTY(&iommufd_bus.devices) ? RTE_IOVA_DC : RTE_IOVA_VA;
}

static int
name_match(const struct rte_device *dev, const void *kvlist)
{
	const char *name = kvlist ? rte_kvargs_get(kvlist, "name") : NULL;

	return name != NULL && strcmp(name, dev->name) != 0 ? -1 : 0;
}

static void *
dev_iterate(const void *start, const char *str)
{
	struct rte_kvargs *kv = NULL;
	struct rte_device *dev;

	if (str != NULL) {
		kv = rte_kvargs_parse(str, NULL);
		if (kv == NULL) {
			IOMMUFD_LOG(ERR, "cannot parse '%s'", str);
			rte_errno = EINVAL;
			return NULL;
		}
	}
	dev = iommufd_find_device(start, name_match, kv);
	rte_kvargs_free(kv);
	return dev;
}

#if PASID_DPDK_BUS_PROBE_DEVICE

static int
op_probe(struct rte_bus *bus __rte_unused)
{
	return iommufd_probe();
}

static struct rte_device *
op_find_device(const struct rte_bus *bus __rte_unused, const struct rte_device *start,
	       rte_dev_cmp_t cmp, const void *data)
{
	return iommufd_find_device(start, cmp, data);
}

static bool
op_match(const struct rte_driver *drv, const struct rte_device *dev)
{
	return iommufd_driver_matches(container_of(drv, const struct rte_iommufd_driver, driver),
				      RTE_DEV_TO_IOMMUFD_CONST(dev));
}

/* EAL has set dev->driver to @drv (and clears it when this fails). */
static int
op_probe_device(struct rte_driver *drv, struct rte_device *dev)
{
	return iommufd_plug(dev, container_of(drv, struct rte_iommufd_driver, driver));
}

static void *
op_dev_iterate(const struct rte_bus *bus __rte_unused, const void *start, const char *str,
	       const struct rte_dev_iterator *it __rte_unused)
{
	return dev_iterate(start, str);
}

static int
op_cleanup(struct rte_bus *bus __rte_unused)
{
	return iommufd_cleanup();
}

#define IOMMUFD_BUS_VERSION_OPS \
	.probe = op_probe, .find_device = op_find_device, .match = op_match, \
	.probe_device = op_probe_device, .unplug_device = iommufd_unplug, \
	.dev_iterate = op_dev_iterate, .cleanup = op_cleanup

#else /* DPDK 22.11 to 26.03 */

static int
op_plug(struct rte_device *dev)
{
	return iommufd_plug(dev, NULL);
}

static void *
op_dev_iterate(const void *start, const char *str, const struct rte_dev_iterator *it __rte_unused)
{
	return dev_iterate(start, str);
}

#define IOMMUFD_BUS_VERSION_OPS \
	.probe = iommufd_probe, .find_device = iommufd_find_device, \
	.plug = op_plug, .unplug = iommufd_unplug, \
	.dev_iterate = op_dev_iterate, .cleanup = iommufd_cleanup

#endif

struct iommufd_bus iommufd_bus = {
	.bus = {
		.scan = iommufd_bus_scan,
		IOMMUFD_BUS_VERSION_OPS,
		.parse = iommufd_parse, .devargs_parse = iommufd_devargs_parse_op,
		.dma_map = iommufd_dma_map, .dma_unmap = iommufd_dma_unmap,
		.get_iommu_class = iommufd_get_iommu_class,
	},
	.devices = TAILQ_HEAD_INITIALIZER(iommufd_bus.devices),
	.drivers = TAILQ_HEAD_INITIALIZER(iommufd_bus.drivers),
};

/* RTE_REGISTER_BUS, unless a bus of this name is registered already: an
 * application linked with the bus (ours are, statically) into which EAL also
 * loads the installed plugin (a shared DPDK's plugin directory, or -d) holds
 * two copies of it. The first registered serves; this one stays out, and so
 * do the drivers that register with it (doc/install.md).
 */
RTE_INIT_PRIO(iommufd_bus_register, BUS)
{
	if (rte_bus_find_by_name("iommufd") != NULL) {
		RTE_LOG(NOTICE, EAL, "iommufd bus: registered already (the application links it "
			"and a plugin copy was loaded): the plugin's copy stays out\n");
		return;
	}
	iommufd_bus.bus.name = "iommufd";
	rte_bus_register(&iommufd_bus.bus);
	iommufd_bus_registered = true;
}
RTE_LOG_REGISTER_DEFAULT(iommufd_bus_logtype, NOTICE);
