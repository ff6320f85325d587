/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver-layer devargs of net_pasidnic, as a pure function of a string.
 * The bus refuses keys it does not know in its own layer, so the driver's
 * keys come in the driver layer of the layered form:
 *   -a bus=iommufd,name=mdev-<uuid>/driver=net_pasidnic,backend=netdev
 * gives "driver=net_pasidnic,backend=netdev" here. Every wrong key or value
 * is an error that names it (a key without a value included: DPDK's kvargs
 * give it a NULL value).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_devargs.h>
#include <rte_kvargs.h>

#include "pasidnic_devargs.h"
#include "pasidnic_regs.h"

/* Key @kp of @kv into @args. 0, or -EINVAL with @err saying why. */
static int
parse_pair(const struct rte_kvargs *kv, const struct rte_kvargs_pair *kp,
	   struct pnic_args *args, char *err, size_t errlen)
{
	if (strcmp(kp->key, RTE_DEVARGS_KEY_DRIVER) == 0)
		return 0;      /* the driver layer's own key, already matched by the bus */
	if (strcmp(kp->key, PNIC_ARG_BACKEND) != 0) {
		snprintf(err, errlen, "unknown key '%s' (known keys: " PNIC_ARG_BACKEND ")",
			 kp->key);
		return -EINVAL;
	}
	if (rte_kvargs_count(kv, kp->key) > 1) {
		snprintf(err, errlen, "key '%s' given twice", kp->key);
		return -EINVAL;
	}
	if (kp->value == NULL) {   /* a bare key: kvargs give no value */
		snprintf(err, errlen, "key '" PNIC_ARG_BACKEND "' has no value (give "
			 PNIC_ARG_BACKEND "=loopback or " PNIC_ARG_BACKEND "=netdev)");
		return -EINVAL;
	}
	if (strcmp(kp->value, "loopback") == 0) {
		args->backend = PNIC_BACKEND_LOOPBACK;
	} else if (strcmp(kp->value, "netdev") == 0) {
		args->backend = PNIC_BACKEND_NETDEV;
	} else {
		snprintf(err, errlen, "bad value '%s' for key '" PNIC_ARG_BACKEND
			 "' (loopback or netdev)", kp->value);
		return -EINVAL;
	}
	return 0;
}

int
pnic_devargs_parse(const char *str, struct pnic_args *args, char *err, size_t errlen)
{
	struct rte_kvargs *kv;
	unsigned int i;
	int ret = 0;

	args->backend = PNIC_BACKEND_LOOPBACK;
	if (str == NULL || str[0] == '\0')
		return 0;
	kv = rte_kvargs_parse(str, NULL);
	if (kv == NULL) {
		snprintf(err, errlen, "cannot parse '%s' as key=value,... (known keys: "
			 PNIC_ARG_BACKEND ")", str);
		return -EINVAL;
	}
	for (i = 0; i < kv->count && ret == 0; i++)
		ret = parse_pair(kv, &kv->pairs[i], args, err, errlen);
	rte_kvargs_free(kv);
	if (ret < 0)
		args->backend = PNIC_BACKEND_LOOPBACK;
	return ret;
}

int
pnic_devargs_of(const struct rte_devargs *da, struct pnic_args *args, char *err, size_t errlen)
{
	/* Legacy form (-a iommufd:<name>,...): every key is the bus's. */
	if (da == NULL || da->bus_str == NULL)
		return pnic_devargs_parse(NULL, args, err, errlen);
	return pnic_devargs_parse(da->drv_str, args, err, errlen);
}
