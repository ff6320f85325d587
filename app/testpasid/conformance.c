/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-testpasid [EAL options] -- conformance [-a DEV] [--json] [--domains N]
 *
 * The PASID conformance run of one device of the iommufd bus, one line per
 * check: PASS, FAIL or SKIP with the reason (doc/hardware.md says what each
 * failure means). DEV is the bus name (pci-<BDF>, mdev-<UUID>, with or
 * without "iommufd:"); without -a, the one bound device of the bus. The
 * device must be probed by this process (give it to EAL with -a
 * iommufd:DEV, or let the bus take every device it finds), and its port, if
 * a PMD took it, is left unstarted: the DMA checks use it. Exit status 0
 * when no check failed, 1 otherwise, 2 for bad usage.
 */
/* The bus's driver-side API (bus_iommufd_driver.h): a conformance tool drives the device. */
#define ALLOW_INTERNAL_API
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_errno.h>

#include "conformance.h"
#include "testpasid.h"

#define DOMAINS_DEFAULT 4
#define DOMAINS_MAX 64

static const char *const result_name[] = { "PASS", "FAIL", "SKIP" };

void
conf_report(struct conf_run *r, const char *check, enum conf_result res, const char *fmt, ...)
{
	char why[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	r->count[res]++;
	if (r->json) {
		printf("%s\n    {\"check\": \"%s\", \"result\": \"%s\", \"reason\": ",
		       r->printed ? "," : "", check, result_name[res]);
		json_str(why);
		putchar('}');
		r->printed = true;
	} else {
		printf("%s %s: %s\n", result_name[res], check, why);
	}
	fflush(stdout);
}

/* The device named @name ("iommufd:" and ",devargs" ignored), or the only bound one. */
static struct rte_device *
find_device(const char *name)
{
	struct rte_device *dev, *found = NULL;
	struct rte_dev_iterator it;
	char want[RTE_DEV_NAME_MAX_LEN];
	unsigned int bound = 0;

	if (name != NULL) {
		if (strncmp(name, RTE_BUS_IOMMUFD_NAME ":", strlen(RTE_BUS_IOMMUFD_NAME) + 1) == 0)
			name += strlen(RTE_BUS_IOMMUFD_NAME) + 1;
		snprintf(want, sizeof(want), "%s", name);
		want[strcspn(want, ",")] = '\0';
	}
	RTE_DEV_FOREACH(dev, "bus=" RTE_BUS_IOMMUFD_NAME, &it) {
		struct rte_iommufd_dev_info in;

		if (name != NULL && strcmp(rte_dev_name(dev), want) == 0)
			return dev;
		if (name == NULL && rte_iommufd_dev_info(dev, &in) == 0 && in.bound) {
			found = dev;
			bound++;
		}
	}
	if (name != NULL) {
		fprintf(stderr, "conformance: no device %s on the iommufd bus: give EAL "
			"-a iommufd:%s (and check 'dpdk-testpasid list')\n", want, want);
		return NULL;
	}
	if (bound != 1) {
		fprintf(stderr, "conformance: %u bound devices on the iommufd bus: name one with "
			"-a DEV ('dpdk-testpasid list' lists them)\n", bound);
		return NULL;
	}
	return found;
}

static void
conf_usage(void)
{
	fprintf(stderr, "usage: conformance [-a DEV] [--json] [--domains N (2..%d, default %d)]\n",
		DOMAINS_MAX, DOMAINS_DEFAULT);
}

/* Parse the options into @r and *@name. 0, or 2 (usage) after a message. */
static int
parse(int argc, char **argv, struct conf_run *r, const char **name)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "domains", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "a:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			*name = optarg;
			break;
		case 'j':
			r->json = true;
			break;
		case 'd':
			v = strtol(optarg, &end, 0);
			if (*end != '\0' || v < 2 || v > DOMAINS_MAX) {
				fprintf(stderr, "conformance: --domains %s: give 2..%d\n", optarg,
					DOMAINS_MAX);
				return 2;
			}
			r->nb_domains = (unsigned int)v;
			break;
		default:
			conf_usage();
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "conformance: unexpected argument '%s'\n", argv[optind]);
		conf_usage();
		return 2;
	}
	return 0;
}

static void
header(const struct conf_run *r)
{
	const struct rte_iommufd_dev_info *in = &r->info;

	if (r->json) {
		printf("{\"device\": ");
		json_str(in->name);
		printf(", \"kind\": \"%s\", \"id\": \"%04x:%04x\", \"driver\": ",
		       in->emulated ? "emulated" : "physical", in->vendor_id, in->device_id);
		json_str(in->driver ? in->driver : "");
		printf(", \"pasid_width\": %u, \"checks\": [", in->pasid_log2);
		return;
	}
	printf("conformance of %s: %s, %04x:%04x, driver %s, PASID width %u, %u PASID domains "
	       "per check\n", in->name, in->emulated ? "emulated" : "physical", in->vendor_id,
	       in->device_id, in->driver ? in->driver : "(none)", in->pasid_log2, r->nb_domains);
}

int
testpasid_conformance(int argc, char **argv)
{
	struct conf_run r = { .nb_domains = DOMAINS_DEFAULT };
	const char *name = NULL;
	int ret;

	ret = parse(argc, argv, &r, &name);
	if (ret != 0)
		return ret;
	r.dev = find_device(name);
	if (r.dev == NULL)
		return 1;
	if (rte_iommufd_dev_info(r.dev, &r.info) < 0 || !r.info.bound) {
		fprintf(stderr, "conformance: %s is not bound to this process's iommufd: %s\n",
			rte_dev_name(r.dev), r.info.error[0] ? r.info.error : "(no reason given)");
		return 1;
	}
	r.idev = RTE_DEV_TO_IOMMUFD(r.dev);
	r.iommufd = rte_iommufd_ctx_fd();
	if (r.iommufd < 0) {
		fprintf(stderr, "conformance: no iommufd: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	header(&r);
	conf_check_width(&r);
	conf_check_rid_hwpt(&r);
	conf_check_pasid_hwpt(&r);
	conf_check_attach(&r);
	conf_check_replace_detach(&r);
	conf_check_out_of_range(&r);
	conf_check_dma(&r);
	if (r.json)
		printf("\n  ], \"pass\": %u, \"fail\": %u, \"skip\": %u}\n", r.count[CONF_PASS],
		       r.count[CONF_FAIL], r.count[CONF_SKIP]);
	else
		printf("result: %u PASS, %u FAIL, %u SKIP\n", r.count[CONF_PASS],
		       r.count[CONF_FAIL], r.count[CONF_SKIP]);
	return r.count[CONF_FAIL] ? 1 : 0;
}
