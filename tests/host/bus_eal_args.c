/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bus_eal_args: the rewrite of "--bus iommufd[,...]" among EAL arguments
 * (iommufd_eal_args.c), case by case: what each accepted command line
 * becomes, and that each refused one names the problem and the fix. The
 * PCI functions' sysfs is a temporary directory: 0000:00:04.0 has a vfio
 * cdev (a function of the iommufd bus), 0000:00:05.0 has none.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private.h"
#include "test_assert.h"

#define MDEV "mdev-0b6d4f4e-8a3c-4c0e-9d4a-3f2b1c0d9e8f"

static char sysfs[64];

/* Split @line at spaces into a NULL-terminated argv (static storage). */
static int
split(const char *line, char *buf, size_t len, char **argv, int max)
{
	char *w, *save = NULL;
	int n = 0;

	snprintf(buf, len, "%s", line);
	for (w = strtok_r(buf, " ", &save); w != NULL && n < max - 1; w = strtok_r(NULL, " ", &save))
		argv[n++] = w;
	argv[n] = NULL;
	return n;
}

static void
join(int argc, char **argv, char *out, size_t len)
{
	size_t o = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < argc && o < len; i++)
		o += snprintf(out + o, len - o, "%s%s", i ? " " : "", argv[i]);
}

/* @in is rewritten into @want. */
static void
accept(const char *in, const char *want)
{
	char buf[1024], got[1024], err[1024], *argv[64], **out;
	int argc, out_argc;

	argc = split(in, buf, sizeof(buf), argv, 64);
	TEST_ASSERT_EQ(iommufd_eal_args_rewrite(argc, argv, sysfs, &out_argc, &out, err,
						sizeof(err)), 0);
	TEST_ASSERT_TRUE(out[out_argc] == NULL, "'%s': no NULL after the arguments", in);
	join(out_argc, out, got, sizeof(got));
	TEST_ASSERT_TRUE(strcmp(got, want) == 0, "'%s' became '%s', not '%s'", in, got, want);
	printf("ok: '%s' -> '%s'\n", in, got);
}

/* @in is refused with a message that contains @must and @fix. */
static void
refuse(const char *in, const char *must, const char *fix)
{
	char buf[1024], err[1024], *argv[64], **out;
	int argc, out_argc;

	argc = split(in, buf, sizeof(buf), argv, 64);
	TEST_ASSERT_EQ(iommufd_eal_args_rewrite(argc, argv, sysfs, &out_argc, &out, err,
						sizeof(err)), -EINVAL);
	TEST_ASSERT_TRUE(out == argv && out_argc == argc, "'%s': argv changed on error", in);
	TEST_ASSERT_TRUE(strstr(err, must) != NULL && strstr(err, fix) != NULL,
			 "'%s' refused with '%s', which does not name '%s' and '%s'", in, err,
			 must, fix);
	printf("ok: '%s' refused: %s\n", in, err);
}

static void
make_sysfs(void)
{
	char path[128];

	snprintf(sysfs, sizeof(sysfs), "/tmp/bus_eal_args.XXXXXX");
	TEST_ASSERT_NOT_NULL(mkdtemp(sysfs));
	snprintf(path, sizeof(path), "%s/0000:00:04.0", sysfs);
	TEST_ASSERT_EQ(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/0000:00:04.0/vfio-dev", sysfs);
	TEST_ASSERT_EQ(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/0000:00:05.0", sysfs);
	TEST_ASSERT_EQ(mkdir(path, 0755), 0);
	/* A function of a host bridge of its own (pasidnic_pci, VMD): domain > 0xffff. */
	snprintf(path, sizeof(path), "%s/10000:00:00.0", sysfs);
	TEST_ASSERT_EQ(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/10000:00:00.0/vfio-dev", sysfs);
	TEST_ASSERT_EQ(mkdir(path, 0755), 0);
}

static void
remove_sysfs(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/0000:00:04.0/vfio-dev", sysfs);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/0000:00:04.0", sysfs);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/0000:00:05.0", sysfs);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/10000:00:00.0/vfio-dev", sysfs);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/10000:00:00.0", sysfs);
	rmdir(path);
	rmdir(sysfs);
}

int
main(void)
{
	make_sysfs();

	/* No --bus: nothing changes (the same array). */
	accept("app -l 0 -a 0000:00:04.0 -- -i", "app -l 0 -a 0000:00:04.0 -- -i");
	/* Every device; --no-pci before "--" or at the end. */
	accept("app --bus iommufd -l 0-1 -- -i --bus x", "app -l 0-1 --no-pci -- -i --bus x");
	accept("app --bus=iommufd", "app --no-pci");
	accept("app --bus iommufd --no-pci", "app --no-pci");
	accept("app --bus iommufd -b iommufd:" MDEV, "app -b iommufd:" MDEV " --no-pci");
	/* Named devices, keys and a driver layer. */
	accept("app --bus iommufd,name=pci-0000:00:04.0,pasid=off --bus=iommufd,name=" MDEV
	       "/driver=net_pasidnic,backend=netdev -- list",
	       "app -a bus=iommufd,name=pci-0000:00:04.0,pasid=off -a bus=iommufd,name=" MDEV
	       "/driver=net_pasidnic,backend=netdev --no-pci -- list");
	/* With a PCI device of the user's: the PCI bus stays on, limited to it. */
	accept("app --bus iommufd,name=pci-0000:00:04.0 -a 0000:00:05.0",
	       "app -a bus=iommufd,name=pci-0000:00:04.0 -a 0000:00:05.0");
	accept("app --bus iommufd -a 00:05.0,foo=1", "app -a 00:05.0,foo=1");
	accept("app --bus iommufd,name=" MDEV " -a iommufd:pci-0000:00:04.0",
	       "app -a bus=iommufd,name=" MDEV " -a iommufd:pci-0000:00:04.0 --no-pci");
	/* Option values are not options: "-l -a" is not an -a. */
	accept("app --file-prefix --bus --bus iommufd", "app --file-prefix --bus --no-pci");
	/* "-bX" is a block, whatever X starts with. */
	accept("app --bus iommufd -bauxiliary:x", "app -bauxiliary:x --no-pci");
	/* Other buses' devices leave the PCI bus off. */
	accept("app --bus iommufd --vdev net_null0 -a auxiliary:x",
	       "app --vdev net_null0 -a auxiliary:x --no-pci");

	refuse("app --bus pci", "unknown bus 'pci'", "--bus iommufd[,name=<device>");
	refuse("app --bus iommufdx", "unknown bus 'iommufdx'", "-a");
	refuse("app --bus", "--bus needs a value", "--bus iommufd");
	refuse("app --bus iommufd,foo=1", "unknown key 'foo'", "known: name, pasid");
	refuse("app --bus iommufd,name=pci-0000:00:04.0,pasid=maybe", "bad value 'maybe'",
	       "auto, on or off");
	refuse("app --bus iommufd,name=0000:00:04.0", "bad value '0000:00:04.0' for key 'name'",
	       "pci-<domain:bus:dev.fn>");
	refuse("app --bus iommufd,pasid=off", "no device named", "name=<device>");
	refuse("app --bus iommufd,name=" MDEV " --bus iommufd,name=" MDEV, "named twice",
	       "name each device once");
	refuse("app --bus iommufd,name=" MDEV " -a iommufd:" MDEV ",pasid=on", "named twice",
	       "once");
	refuse("app --bus iommufd --bus iommufd,name=" MDEV, "every device",
	       "give either --bus iommufd alone");
	refuse("app --bus iommufd -a iommufd:" MDEV, "selects every device",
	       "--bus iommufd,name=<device> instead");
	refuse("app --bus iommufd,name=" MDEV " -b 0000:00:05.0", "EAL refuses -a and -b",
	       "instead of -b");
	refuse("app --bus iommufd -b 0000:00:05.0", "PCI bus is either off",
	       "instead of -b");
	refuse("app --bus iommufd -a 0000:00:04.0", "is a device of the iommufd bus",
	       "--bus iommufd,name=<device>");
	refuse("app --bus iommufd --allow=pci:0000:00:04.0", "0000:00:04.0", "drop -a");
	refuse("app --bus iommufd -a 10000:00:00.0", "10000:00:00.0 is a device of the iommufd bus",
	       "drop -a 10000:00:00.0");
	refuse("app --bus iommufd,name=pci-0000:00:04.0 -a 00:04.0", "named with --bus",
	       "leave it out of --bus");
	refuse("app --bus iommufd,name=" MDEV " -a bus=pci,addr=0000:00:05.0 "
	       "--bus iommufd,name=pci-0000:00:05.0", "0000:00:05.0", "drop -a");

	remove_sysfs();
	printf("ok: --bus iommufd rewrites checked\n");
	return 0;
}
