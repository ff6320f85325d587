/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-pasid-eal-args APP [EAL options] [-- application options]
 *
 * Prints the command line with --bus iommufd[,...] rewritten by
 * rte_iommufd_eal_args() (doc/bus_iommufd.md, "--bus iommufd"), each
 * argument followed by a NUL byte, for dpdk-pasid-run: one implementation
 * of the rules for our applications and stock ones. Exits 1 (with the
 * helper's error on stderr) when the command line is refused, 2 on a usage
 * error. Runs no EAL.
 */
#include <stdio.h>
#include <string.h>

#include <rte_bus_iommufd.h>

int
main(int argc, char **argv)
{
	char **args = argv + 1;
	int n = argc - 1, i;

	if (n < 1 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fprintf(stderr, "usage: %s APP [EAL options] [-- application options]\n"
			"prints the arguments, --bus iommufd rewritten, each ended by a NUL\n",
			argv[0]);
		return 2;
	}
	if (rte_iommufd_eal_args(&n, &args) < 0)
		return 1;
	for (i = 0; i < n; i++)
		fwrite(args[i], 1, strlen(args[i]) + 1, stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}
