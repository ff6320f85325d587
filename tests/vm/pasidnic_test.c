/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pasidnic-test: drives the pasidnic emulated NIC (kernel/linux/pasidnic,
 * doc/pasidnic.md) through a raw vfio cdev for the VM tests.
 *
 *   pasidnic-test info CDEV
 *   pasidnic-test rid_dma CDEV
 *   pasidnic-test pasid_attach CDEV
 *   pasidnic-test pasid_isolation CDEV
 *   pasidnic-test unmap_while_active CDEV
 *   pasidnic-test hold CDEV READYFILE    (for pasidnic_remove_busy)
 *   pasidnic-test netdev CDEV READYFILE SECONDS   (answers ARP and ping, echoes UDP)
 *
 * Exit status 0 on success; failures print "REASON: ..." and exit 1.
 */
#include <stdio.h>
#include <string.h>

#include "pasidnic_test.h"
#include "test_assert.h"

static const struct {
	const char *name;
	int (*fn)(struct pnic_vfio *v, char **args);
	int nargs;		/* after CDEV */
	bool quiet;		/* no "OK name" line */
} cmds[] = {
	{ "info", cmd_info, 0, false },
	{ "rid_dma", cmd_rid_dma, 0, false },
	{ "pasid_attach", cmd_pasid_attach, 0, false },
	{ "pasid_isolation", cmd_pasid_isolation, 0, false },
	{ "unmap_while_active", cmd_unmap_while_active, 0, false },
	{ "netdev", cmd_netdev, 2, false },
	{ "hold", cmd_hold, 1, true },
};

int
main(int argc, char **argv)
{
	static struct pnic_vfio v;
	unsigned int i;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; argc >= 3 && i < TEST_DIM(cmds); i++) {
		if (strcmp(argv[1], cmds[i].name) != 0)
			continue;
		if (argc < 3 + cmds[i].nargs)
			break;
		pnic_vfio_open(&v, argv[2]);
		rc = cmds[i].fn(&v, argv + 3);
		if (!rc && !cmds[i].quiet)
			printf("OK %s\n", argv[1]);
		return rc;
	}
	fprintf(stderr, "usage: %s info|rid_dma|pasid_attach|pasid_isolation|"
		"unmap_while_active|hold|netdev CDEV [READYFILE [SECONDS]]\n", argv[0]);
	return 2;
}
