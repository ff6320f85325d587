/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmd_devargs: net_pasidnic's driver-layer device arguments, parsed with no
 * device and no EAL. Valid keys set their fields; unknown keys, bad or
 * missing values and repeated keys are rejected with a message that names
 * the key (a bare "backend" used to crash the probe).
 */
#include <errno.h>
#include <string.h>

#include <rte_devargs.h>

#include "pasidnic_devargs.h"
#include "pasidnic_regs.h"
#include "test_assert.h"

static void
accept(const char *s, uint32_t backend)
{
	struct pnic_args a;
	char err[256];

	TEST_ASSERT_EQ(pnic_devargs_parse(s, &a, err, sizeof(err)), 0);
	TEST_ASSERT_EQ(a.backend, backend);
	printf("ok: '%s' gives backend %u\n", s ? s : "(null)", a.backend);
}

static void
reject(const char *s, const char *must_name)
{
	struct pnic_args a;
	char err[256];

	TEST_ASSERT_EQ(pnic_devargs_parse(s, &a, err, sizeof(err)), -EINVAL);
	TEST_ASSERT_TRUE(strstr(err, must_name) != NULL, "'%s' rejected with '%s', which does not name '%s'",
	      s, err, must_name);
	TEST_ASSERT_EQ(a.backend, PNIC_BACKEND_LOOPBACK);
	printf("ok: '%s' rejected: %s\n", s, err);
}

int
main(void)
{
	struct pnic_args a;

	accept(NULL, PNIC_BACKEND_LOOPBACK);
	accept("", PNIC_BACKEND_LOOPBACK);
	accept("driver=net_pasidnic", PNIC_BACKEND_LOOPBACK);
	accept("backend=loopback", PNIC_BACKEND_LOOPBACK);
	accept("driver=net_pasidnic,backend=netdev", PNIC_BACKEND_NETDEV);

	reject("backend", "'backend' has no value");
	reject("driver=net_pasidnic,backend", "'backend' has no value");
	reject("backend=", "backend");
	reject("backend=tap", "'tap'");
	reject("backend=netdev,backend=loopback", "'backend' given twice");
	reject("foo=1", "unknown key 'foo'");
	reject("driver=net_pasidnic,bogus", "unknown key 'bogus'");
	/* A device's devargs: the driver layer only; the legacy form has no driver keys. */
	{
		struct rte_devargs da;
		char err[256];

		memset(&da, 0, sizeof(da));
		da.args = "backend=netdev";
		TEST_ASSERT_EQ(pnic_devargs_of(&da, &a, err, sizeof(err)), 0);
		TEST_ASSERT_EQ(a.backend, PNIC_BACKEND_LOOPBACK);
		da.bus_str = "bus=iommufd,name=mdev-x";
		da.drv_str = "driver=net_pasidnic,backend=netdev";
		TEST_ASSERT_EQ(pnic_devargs_of(&da, &a, err, sizeof(err)), 0);
		TEST_ASSERT_EQ(a.backend, PNIC_BACKEND_NETDEV);
		da.drv_str = "driver=net_pasidnic,backend";
		TEST_ASSERT_EQ(pnic_devargs_of(&da, &a, err, sizeof(err)), -EINVAL);
		TEST_ASSERT_EQ(pnic_devargs_of(NULL, &a, err, sizeof(err)), 0);
		printf("ok: devargs of a device: driver layer only\n");
	}
	/* No room for a message: still an error, nothing written. */
	TEST_ASSERT_EQ(pnic_devargs_parse("backend", &a, NULL, 0), -EINVAL);
	printf("ok: no message buffer\n");
	return 0;
}
