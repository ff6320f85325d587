/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bus_devargs: the iommufd bus's device arguments and device names.
 * Valid keys set their fields; unknown keys, malformed values and repeated
 * keys are rejected with a message that names the key; our device names
 * are not taken by the PCI bus's address parser.
 */
#include <errno.h>
#include <string.h>

#include <rte_pci.h>

#include "private.h"
#include "test_assert.h"

static void
reject(const char *s, const char *must_name)
{
	struct iommufd_devargs da;
	char err[256];

	TEST_ASSERT_EQ(iommufd_devargs_parse(s, &da, err, sizeof(err)), -EINVAL);
	TEST_ASSERT_TRUE(strstr(err, must_name) != NULL,
			 "'%s' rejected with '%s', which does not name '%s'", s, err, must_name);
	printf("ok: '%s' rejected: %s\n", s, err);
}

int
main(void)
{
	struct iommufd_devargs da;
	struct rte_pci_addr pa;
	char err[256];

	TEST_ASSERT_EQ(iommufd_devargs_parse(NULL, &da, err, sizeof(err)), 0);
	TEST_ASSERT_EQ(da.pasid, IOMMUFD_PASID_AUTO);
	TEST_ASSERT_EQ(da.max_domains, 0);
	TEST_ASSERT_EQ(da.dpdk_mem, 1);
	TEST_ASSERT_TRUE(da.name[0] == '\0', "no name by default");

	TEST_ASSERT_EQ(iommufd_devargs_parse("pasid=on,max_domains=4,dpdk_mem=0", &da, err,
					     sizeof(err)), 0);
	TEST_ASSERT_EQ(da.pasid, IOMMUFD_PASID_ON);
	TEST_ASSERT_EQ(da.max_domains, 4);
	TEST_ASSERT_EQ(da.dpdk_mem, 0);
	TEST_ASSERT_EQ(iommufd_devargs_parse("pasid=off", &da, err, sizeof(err)), 0);
	TEST_ASSERT_EQ(da.pasid, IOMMUFD_PASID_OFF);
	/* Base 10 only (B10): a leading 0 is not octal, 0x is refused. */
	TEST_ASSERT_EQ(iommufd_devargs_parse("max_domains=010", &da, err, sizeof(err)), 0);
	TEST_ASSERT_EQ(da.max_domains, 10);

	/* The layered form: bus=iommufd,name=<device>,... */
	TEST_ASSERT_EQ(iommufd_devargs_parse("bus=iommufd,name=pci-0000:00:03.0,pasid=auto", &da,
					     err, sizeof(err)), 0);
	TEST_ASSERT_TRUE(strcmp(da.name, "pci-0000:00:03.0") == 0, "name is '%s'", da.name);
	TEST_ASSERT_EQ(iommufd_devargs_parse("bus=iommufd,name=mdev-0b6d4f4e-8a3c-4c0e-9d4a-3f2b1c0d9e8f",
					     &da, err, sizeof(err)), 0);
	printf("ok: valid keys parsed\n");

	reject("foo=1", "unknown key 'foo'");
	reject("pasid=on,bogus", "bogus");
	reject("pasid=maybe", "'pasid'");
	reject("pasid=", "'pasid'");
	reject("max_domains=0", "'max_domains'");
	reject("max_domains=abc", "'max_domains'");
	reject("max_domains=0x10", "'max_domains'");
	reject("max_domains=-1", "'max_domains'");
	reject("max_domains=2000000", "'max_domains'");
	reject("dpdk_mem=2", "'dpdk_mem'");
	reject("pasid=on,pasid=off", "'pasid' given twice");
	reject("bus=pci,name=pci-0000:00:03.0", "bus=pci");
	reject("bus=iommufd,name=0000:00:03.0", "'name'");
	reject("name=mdev-not-a-uuid", "'name'");

	TEST_ASSERT_TRUE(iommufd_name_valid("pci-0000:00:03.0"), "a PCI name");
	TEST_ASSERT_TRUE(iommufd_name_valid("mdev-0b6d4f4e-8a3c-4c0e-9d4a-3f2b1c0d9e8f"),
			 "an mdev name");
	TEST_ASSERT_TRUE(!iommufd_name_valid("0000:00:03.0"),
			 "a bare PCI address is the PCI bus's");
	TEST_ASSERT_TRUE(!iommufd_name_valid("pci-00:03.0"), "the short BDF form is not ours");
	TEST_ASSERT_TRUE(!iommufd_name_valid("pci-0000:00:03.0x"), "trailing garbage");
	TEST_ASSERT_TRUE(!iommufd_name_valid("mdev-0b6d4f4e"), "a short uuid");
	TEST_ASSERT_TRUE(iommufd_name_valid("pci-10000:00:01.0"),
			 "a PCI domain above 0xffff (VMD, pasidnic_pci)");
	TEST_ASSERT_TRUE(!iommufd_name_valid("pci-123456789:00:01.0"), "a 9-digit domain");
	TEST_ASSERT_TRUE(!iommufd_name_valid("pci-000:00:01.0"), "a 3-digit domain");
	/* No collision: the PCI bus's parser does not take our names. */
	TEST_ASSERT_TRUE(rte_pci_addr_parse("pci-0000:00:03.0", &pa) != 0,
			 "the PCI bus would claim pci-0000:00:03.0");
	TEST_ASSERT_TRUE(rte_pci_addr_parse("mdev-0b6d4f4e-8a3c-4c0e-9d4a-3f2b1c0d9e8f", &pa) != 0,
			 "the PCI bus would claim an mdev name");
	printf("ok: device names\n");
	return 0;
}
