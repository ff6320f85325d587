/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device arguments, in either form:
 *   -a iommufd:<name>,key=value,...
 *   -a bus=iommufd,name=<name>,key=value,...
 * Keys (doc/bus_iommufd.md):
 *   pasid=auto|on|off  PASID domains: when supported (default), required, never
 *   max_domains=N      at most N PASID domains at a time (default: the width)
 *   dpdk_mem=1|0       map DPDK memory into the default domain (default 1)
 * An unknown key or a malformed value is an error that names it.
 *
 * Also the device names themselves ("pci-<BDF>", "mdev-<UUID>"), checked
 * here for the bus's parse op, the layered form's name= key and the scan,
 * and the lookup of the devargs EAL holds for a name.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_devargs.h>
#include <rte_kvargs.h>
#include <rte_string_fns.h>

#include "private.h"

#define KNOWN_KEYS "name, pasid, max_domains, dpdk_mem"

/* domain:bus:dev.fn; the domain has 4 hex digits, or up to 8 for the domains
 * above 0xffff that Linux gives host bridges of their own (VMD, pasidnic_pci).
 */
static bool
is_bdf(const char *s)
{
	unsigned int dom, bus, dev, fn;
	const char *colon = strchr(s, ':');
	size_t dlen = colon != NULL ? (size_t)(colon - s) : 0;
	char tail;

	return dlen >= 4 && dlen <= 8 && strlen(s) == dlen + 8 &&
	       sscanf(s, "%8x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &tail) == 4;
}

static bool
is_uuid(const char *s)
{
	int i;

	if (strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

bool
iommufd_name_valid(const char *name)
{
	if (strncmp(name, IOMMUFD_PCI_PREFIX, strlen(IOMMUFD_PCI_PREFIX)) == 0)
		return is_bdf(name + strlen(IOMMUFD_PCI_PREFIX));
	if (strncmp(name, IOMMUFD_MDEV_PREFIX, strlen(IOMMUFD_MDEV_PREFIX)) == 0)
		return is_uuid(name + strlen(IOMMUFD_MDEV_PREFIX));
	return false;
}

static int
parse_u32(const char *v, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long x;
	char *end;

	if (v == NULL || *v < '0' || *v > '9')
		return -EINVAL;
	/* Base 10 only: "010" is ten, not eight; "0x10" is refused. */
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno || *end || x < min || x > max)
		return -EINVAL;
	*out = (uint32_t)x;
	return 0;
}

static int
parse_pair(const char *key, const char *v, struct iommufd_devargs *da, char *err, size_t errlen)
{
	uint32_t x;

	if (strcmp(key, RTE_DEVARGS_KEY_BUS) == 0) {
		if (v == NULL || strcmp(v, RTE_BUS_IOMMUFD_NAME) != 0) {
			snprintf(err, errlen, "bus=%s is not this bus", v ? v : "");
			return -EINVAL;
		}
	} else if (strcmp(key, "name") == 0) {
		if (v == NULL || !iommufd_name_valid(v)) {
			snprintf(err, errlen, "bad value '%s' for key 'name' "
				 "(pci-<domain:bus:dev.fn> or mdev-<uuid>)", v ? v : "");
			return -EINVAL;
		}
		rte_strscpy(da->name, v, sizeof(da->name));
	} else if (strcmp(key, "pasid") == 0) {
		if (v != NULL && strcmp(v, "auto") == 0)
			da->pasid = IOMMUFD_PASID_AUTO;
		else if (v != NULL && strcmp(v, "on") == 0)
			da->pasid = IOMMUFD_PASID_ON;
		else if (v != NULL && strcmp(v, "off") == 0)
			da->pasid = IOMMUFD_PASID_OFF;
		else {
			snprintf(err, errlen, "bad value '%s' for key 'pasid' (auto, on or off)",
				 v ? v : "");
			return -EINVAL;
		}
	} else if (strcmp(key, "max_domains") == 0) {
		if (parse_u32(v, 1, 1u << 20, &x)) {
			snprintf(err, errlen, "bad value '%s' for key 'max_domains' "
				 "(a number from 1 to 1048576)", v ? v : "");
			return -EINVAL;
		}
		da->max_domains = x;
	} else if (strcmp(key, "dpdk_mem") == 0) {
		if (parse_u32(v, 0, 1, &x)) {
			snprintf(err, errlen, "bad value '%s' for key 'dpdk_mem' (0 or 1)",
				 v ? v : "");
			return -EINVAL;
		}
		da->dpdk_mem = x;
	} else {
		snprintf(err, errlen, "unknown key '%s' (known: " KNOWN_KEYS ")", key);
		return -EINVAL;
	}
	return 0;
}

int
iommufd_devargs_parse(const char *str, struct iommufd_devargs *da, char *err, size_t errlen)
{
	struct rte_kvargs *kv;
	unsigned int i, j;
	int ret = 0;

	memset(da, 0, sizeof(*da));
	da->pasid = IOMMUFD_PASID_AUTO;
	da->dpdk_mem = true;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (str == NULL || str[0] == '\0')
		return 0;
	kv = rte_kvargs_parse(str, NULL);
	if (kv == NULL) {
		snprintf(err, errlen, "cannot parse '%s' as key=value,...", str);
		return -EINVAL;
	}
	for (i = 0; i < kv->count && ret == 0; i++) {
		for (j = 0; j < i; j++) {
			if (strcmp(kv->pairs[i].key, kv->pairs[j].key) == 0) {
				snprintf(err, errlen, "key '%s' given twice", kv->pairs[i].key);
				ret = -EINVAL;
				break;
			}
		}
		if (ret == 0)
			ret = parse_pair(kv->pairs[i].key, kv->pairs[i].value, da, err, errlen);
	}
	rte_kvargs_free(kv);
	return ret;
}

int
iommufd_devargs_of(const struct rte_devargs *devargs, struct iommufd_devargs *da, char *err,
		   size_t errlen)
{
	const char *s = NULL;

	/* Legacy form: the keys are in args; layered form: in bus_str only. */
	if (devargs != NULL)
		s = devargs->bus_str != NULL ? devargs->bus_str : devargs->args;
	return iommufd_devargs_parse(s, da, err, errlen);
}

struct rte_devargs *
iommufd_devargs_lookup(const char *name)
{
	struct rte_devargs *da;

	RTE_EAL_DEVARGS_FOREACH(RTE_BUS_IOMMUFD_NAME, da)
		if (strcmp(da->name, name) == 0)
			return da;
	return NULL;
}
