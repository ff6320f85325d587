/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-testpasid [EAL options] -- COMMAND [ARGS]
 *   (EAL options include --bus iommufd[,name=<device>,...], rte_bus_iommufd.h)
 *
 *   list [--json] [--domains N]   devices of the iommufd bus
 *   conformance [-a DEV] [--json] PASID conformance run of a device
 *   bench mem [...]               pasid_mem benchmark
 *   bench pmd [...]               net_pasidnic packet rate
 *   bench workers [...]           PASID domain bring-up and teardown scaling
 *   doctor [--json]               can this host run PASID workers? (no EAL)
 *
 * A command marked NO_EAL runs without rte_eal_init() (it must work where
 * EAL cannot start): "dpdk-testpasid [--] COMMAND [ARGS]".
 */
#include <stdio.h>
#include <string.h>

#include <rte_bus_iommufd.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "testpasid.h"

struct command {
	const char *name; /* "list", "bench mem" */
	int (*run)(int argc, char **argv);
	const char *help;
	int no_eal; /* NO_EAL: run before and without rte_eal_init() */
};

#define NO_EAL 1

static const struct command commands[] = {
	{ "list", testpasid_list, "[--json] [--domains N]  devices of the iommufd bus" },
	{ "conformance", testpasid_conformance, "[-a DEV] [--json] [--domains N]  PASID checks" },
	{ "bench mem", bench_mem, "[...]  pasid_mem allocation and mapping benchmark" },
	{ "bench pmd", bench_pmd, "[--seconds N]  net_pasidnic against net_null packet rate" },
	{ "bench workers", bench_workers, "[--domains N,..] [--heap-mb MB] [--rounds N]  "
	  "domain bring-up/teardown against raw ioctls" },
	{ "bench workers-child", bench_workers_child, "HEAP_MB  (internal: one secondary of "
	  "'bench workers --secondaries')" },
	{ "doctor", testpasid_doctor, "[--json] [--verbose]  check this host, each problem with its fix "
	  "(runs without EAL)", NO_EAL },
};

static void
print_usage(const char *prog)
{
	unsigned int i;

	fprintf(stderr, "usage: %s [EAL options] -- COMMAND [ARGS]\ncommands:\n", prog);
	for (i = 0; i < RTE_DIM(commands); i++)
		fprintf(stderr, "  %s %s\n", commands[i].name, commands[i].help);
}

/* The command whose words start argv; *@words is how many it has. */
static const struct command *
find_command(int argc, char **argv, int *words)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(commands); i++) {
		char name[64];
		char *w, *save = NULL;
		int n = 0;

		snprintf(name, sizeof(name), "%s", commands[i].name);
		for (w = strtok_r(name, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
			if (n >= argc || strcmp(argv[n], w) != 0)
				break;
			n++;
		}
		if (w == NULL) {
			*words = n;
			return &commands[i];
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct command *cmd;
	int n, words, ret;

	/* A NO_EAL command: "PROG COMMAND" or "PROG -- COMMAND", no EAL options. */
	for (n = 1; n < argc && strcmp(argv[n], "--") != 0; n++)
		;
	n = n < argc ? n + 1 : 1;
	cmd = argc > n ? find_command(argc - n, argv + n, &words) : NULL;
	if (cmd != NULL && cmd->no_eal) {
		if (n > 2) {
			fprintf(stderr, "%s: '%s' runs without EAL: give it no EAL options\n",
				argv[0], cmd->name);
			return 2;
		}
		return cmd->run(argc - n - words + 1, argv + n + words - 1);
	}

	if (rte_iommufd_eal_args(&argc, &argv) < 0) /* --bus iommufd */
		return 2;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "dpdk-testpasid: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	argc -= n;
	argv += n;
	/* argv[0] is now the program name again (EAL's convention). */
	cmd = argc > 1 ? find_command(argc - 1, argv + 1, &words) : NULL;
	if (cmd == NULL) {
		print_usage(argv[0]);
		rte_eal_cleanup();
		return 2;
	}
	/* The command sees its last word as argv[0]. */
	ret = cmd->run(argc - words, argv + words);
	rte_eal_cleanup();
	return ret;
}
