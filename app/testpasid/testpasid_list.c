/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-testpasid list [--json] [--domains N]
 *
 * Every device of the iommufd bus: its cdev, kind, PCI id, PASID width,
 * whether this process could bind it (and why not), its driver, and the
 * PASID domains attached to it. --domains N first creates N PASID domains
 * on every device that can have them (a quick check of the PASID path);
 * they are destroyed at exit.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_errno.h>

#include <rte_bus_iommufd.h>

#include "testpasid.h"

#define MAX_PASIDS 64

void
json_str(const char *s)
{
	putchar('"');
	for (; s != NULL && *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void
print_json(const struct rte_iommufd_dev_info *in, const uint32_t *pasids, int n, bool first)
{
	int i;

	printf("%s\n  {\"name\": ", first ? "" : ",");
	json_str(in->name);
	printf(", \"kind\": \"%s\", \"cdev\": ", in->emulated ? "emulated" : "physical");
	json_str(in->cdev);
	printf(", \"vendor_id\": \"0x%04x\", \"device_id\": \"0x%04x\", \"pasid_width\": %u"
	       ", \"pasid_domains\": %s, \"bound\": %s, \"driver\": ", in->vendor_id,
	       in->device_id, in->pasid_log2, in->pasid_mode ? "true" : "false",
	       in->bound ? "true" : "false");
	if (in->driver)
		json_str(in->driver);
	else
		printf("null");
	printf(", \"error\": ");
	json_str(in->error);
	printf(", \"default_ioas\": %u, \"domains\": [", in->default_ioas);
	for (i = 0; i < n && i < MAX_PASIDS; i++)
		printf("%s{\"pasid\": %u}", i ? ", " : "", pasids[i]);
	printf("]}");
}

static void
print_row(const struct rte_iommufd_dev_info *in, const uint32_t *pasids, int n)
{
	char state[64], doms[256] = "-";
	size_t o = 0;
	int i;

	if (in->bound)
		snprintf(state, sizeof(state), "bound%s%s", in->driver ? ", driver " : "",
			 in->driver ? in->driver : "");
	else
		snprintf(state, sizeof(state), "not bound");
	for (i = 0; i < n && i < MAX_PASIDS && o < sizeof(doms) - 12; i++)
		o += snprintf(doms + o, sizeof(doms) - o, "%s%u", i ? "," : "pasid ", pasids[i]);
	printf("%-42s %-9s %-24s %04x:%04x %5u %-8s %-26s %s\n", in->name,
	       in->emulated ? "emulated" : "physical", in->cdev[0] ? in->cdev : "-",
	       in->vendor_id, in->device_id, in->pasid_log2,
	       in->pasid_mode ? "yes" : "no", state, doms);
	if (!in->bound && in->error[0])
		printf("    why not bound: %s\n", in->error);
}

int
testpasid_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "domains", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	struct rte_iommufd_domain **doms = NULL;
	struct rte_dev_iterator it;
	struct rte_device *dev;
	unsigned int nb_doms = 0, ndoms = 0, i;
	bool json = false, first = true;
	int c, ret = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'd':
			ndoms = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: list [--json] [--domains N]\n");
			return 2;
		}
	}
	if (ndoms) {
		doms = calloc(1024, sizeof(*doms));
		if (doms == NULL)
			return 1;
		RTE_DEV_FOREACH(dev, "bus=" RTE_BUS_IOMMUFD_NAME, &it) {
			struct rte_iommufd_dev_info in;

			if (rte_iommufd_dev_info(dev, &in) < 0 || !in.pasid_mode)
				continue;
			for (i = 0; i < ndoms && nb_doms < 1024; i++) {
				doms[nb_doms] = rte_iommufd_domain_create(dev);
				if (doms[nb_doms] == NULL) {
					fprintf(stderr, "%s: domain %u: %s\n", rte_dev_name(dev), i,
						rte_strerror(rte_errno));
					ret = 1;
					break;
				}
				nb_doms++;
			}
		}
	}
	if (json)
		printf("{\"devices\": [");
	else
		printf("%-42s %-9s %-24s %-9s %5s %-8s %-26s %s\n", "DEVICE", "KIND", "CDEV",
		       "ID", "PASID", "DOMAINS?", "STATE", "ATTACHED");
	RTE_DEV_FOREACH(dev, "bus=" RTE_BUS_IOMMUFD_NAME, &it) {
		struct rte_iommufd_dev_info in;
		uint32_t pasids[MAX_PASIDS];
		int n;

		if (rte_iommufd_dev_info(dev, &in) < 0)
			continue;
		n = rte_iommufd_dev_pasids(dev, pasids, MAX_PASIDS);
		if (json)
			print_json(&in, pasids, n, first);
		else
			print_row(&in, pasids, n);
		first = false;
	}
	if (json)
		printf("%s]}\n", first ? "" : "\n");
	for (i = 0; i < nb_doms; i++)
		rte_iommufd_domain_destroy(doms[i]);
	free(doms);
	return ret;
}
