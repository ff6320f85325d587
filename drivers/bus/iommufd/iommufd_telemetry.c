/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bus in rte_telemetry (stock usertools/dpdk-telemetry.py reads it):
 *   /iommufd/devices            the names of the bus's devices
 *   /iommufd/device,<name>      one device: cdev, kind, ids, PASID width,
 *                               default IOAS, PASID domains
 *   /iommufd/domains,<name>     its PASID domains, one dict per PASID: IOAS,
 *                               HWPT, owner pid, heap and bytes mapped
 * Ask the primary process: it sees every worker's domains (a secondary sees
 * its own). The values are copied under the bus lock, which no callback
 * here holds across anything that blocks; what a secondary mapped is what it
 * last reported (iommufd_usage.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_telemetry.h>

#include "pasid_dpdk_compat.h"
#include "private.h"

#define tel_add_u64 pasid_tel_add_dict_u64

/* A copy of one domain, taken under the lock. */
struct tel_domain {
	uint32_t pasid, ioas, hwpt, attached_pt;
	pid_t owner;
	bool dead;
	uint64_t bytes;
	char heap[RTE_IOMMUFD_USAGE_NAMESIZE];
};

/* At most this many domains per reply (RTE_TEL_MAX_DICT_ENTRIES bounds a dict). */
#define TEL_MAX_DOMAINS 64

static int
tel_devices(const char *cmd __rte_unused, const char *params __rte_unused,
	    struct rte_tel_data *d)
{
	struct rte_iommufd_device *dev;

	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	pthread_mutex_lock(&iommufd_lock);
	TAILQ_FOREACH(dev, &iommufd_bus.devices, next)
		rte_tel_data_add_array_string(d, dev->name);
	pthread_mutex_unlock(&iommufd_lock);
	return 0;
}

static int
tel_device(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	struct rte_iommufd_dev_info info;
	struct rte_tel_data *pasids;
	struct rte_iommufd_domain *dom;
	struct iommufd_dev *dev;

	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	pasids = rte_tel_data_alloc();
	if (pasids == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(pasids, RTE_TEL_INT_VAL);
	pthread_mutex_lock(&iommufd_lock);
	dev = iommufd_dev_find(params);
	if (dev == NULL || rte_iommufd_dev_info(&dev->pub.device, &info) < 0) {
		pthread_mutex_unlock(&iommufd_lock);
		rte_tel_data_free(pasids);
		return -ENOENT;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", info.name);
	rte_tel_data_add_dict_string(d, "kind", info.emulated ? "emulated" : "physical");
	rte_tel_data_add_dict_string(d, "cdev", info.cdev);
	rte_tel_data_add_dict_string(d, "sysfs", dev->pub.sysfs);
	rte_tel_data_add_dict_string(d, "driver", info.driver != NULL ? info.driver : "");
	rte_tel_data_add_dict_string(d, "error", info.error);
	rte_tel_data_add_dict_int(d, "bound", info.bound);
	rte_tel_data_add_dict_int(d, "vendor_id", info.vendor_id);
	rte_tel_data_add_dict_int(d, "device_id", info.device_id);
	rte_tel_data_add_dict_int(d, "pasid_width", info.pasid_log2);
	rte_tel_data_add_dict_int(d, "pasid_domains", info.pasid_mode);
	tel_add_u64(d, "default_ioas", info.default_ioas);
	tel_add_u64(d, "rid_hwpt", dev->rid_hwpt);
	tel_add_u64(d, "nb_domains", info.nb_domains);
	TAILQ_FOREACH(dom, &dev->domains, next)
		if (!dom->dead)
			rte_tel_data_add_array_int(pasids, (int)dom->pasid);
	pthread_mutex_unlock(&iommufd_lock);
	rte_tel_data_add_dict_container(d, "pasids", pasids, 0);
	return 0;
}

/* One domain's dict; NULL when out of memory. */
static struct rte_tel_data *
tel_domain_dict(const struct tel_domain *t)
{
	struct rte_tel_data *v = rte_tel_data_alloc();

	if (v == NULL)
		return NULL;
	rte_tel_data_start_dict(v);
	tel_add_u64(v, "pasid", t->pasid);
	tel_add_u64(v, "ioas", t->ioas);
	tel_add_u64(v, "hwpt", t->hwpt);
	tel_add_u64(v, "attached_pt", t->attached_pt);
	rte_tel_data_add_dict_int(v, "owner_pid", t->owner);
	rte_tel_data_add_dict_string(v, "heap", t->heap);
	tel_add_u64(v, "bytes_mapped", t->bytes);
	rte_tel_data_add_dict_string(v, "state", t->dead ? "torn down" : "attached");
	return v;
}

static int
tel_domains(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	struct tel_domain copy[TEL_MAX_DOMAINS];
	struct rte_iommufd_domain *dom;
	struct iommufd_dev *dev;
	unsigned int n = 0, total = 0, i;
	pid_t self = getpid();

	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	pthread_mutex_lock(&iommufd_lock);
	dev = iommufd_dev_find(params);
	if (dev == NULL) {
		pthread_mutex_unlock(&iommufd_lock);
		return -ENOENT;
	}
	TAILQ_FOREACH(dom, &dev->domains, next) {
		struct tel_domain *t = &copy[n];

		total++;
		if (n == RTE_DIM(copy))
			continue;
		t->pasid = dom->pasid;
		t->ioas = dom->ioas;
		t->hwpt = dom->hwpt;
		t->attached_pt = dom->attached_pt;
		t->owner = dom->owner != 0 ? dom->owner : self;
		t->dead = dom->dead;
		/* The owner's total (a secondary's report includes its API bytes). */
		t->bytes = dom->usage_bytes + (dom->owner == 0 ? dom->api_bytes : 0);
		memcpy(t->heap, dom->usage_heap, sizeof(t->heap));
		n++;
	}
	pthread_mutex_unlock(&iommufd_lock);

	rte_tel_data_start_dict(d);
	for (i = 0; i < n; i++) {
		struct rte_tel_data *v = tel_domain_dict(&copy[i]);
		char key[16];

		if (v == NULL)
			return -ENOMEM;
		snprintf(key, sizeof(key), "pasid_%u", copy[i].pasid);
		if (rte_tel_data_add_dict_container(d, key, v, 0) != 0) {
			rte_tel_data_free(v);
			break;
		}
	}
	if (total > n)
		tel_add_u64(d, "not_listed", total - n);
	return 0;
}

void
iommufd_telemetry_init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	rte_telemetry_register_cmd("/iommufd/devices", tel_devices,
		"Returns the names of the iommufd bus's devices. Takes no parameters");
	rte_telemetry_register_cmd("/iommufd/device", tel_device,
		"Returns one iommufd bus device: cdev, PASID width, default IOAS, PASIDs. "
		"Parameters: device name");
	rte_telemetry_register_cmd("/iommufd/domains", tel_domains,
		"Returns the PASID domains of an iommufd bus device: IOAS, owner pid, heap, "
		"bytes mapped. Parameters: device name");
}
