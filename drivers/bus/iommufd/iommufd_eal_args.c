/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * "--bus iommufd[,key=value...]" among an application's EAL arguments,
 * rewritten into what EAL knows before rte_eal_init() (EAL takes no option
 * from a plugin). The rules (doc/bus_iommufd.md, "--bus iommufd"):
 *
 *   --bus iommufd              every device of the bus: no -a of ours;
 *   --bus iommufd,name=N,k=v   "-a bus=iommufd,name=N,k=v" (one per --bus),
 *                              the keys checked by iommufd_devargs.c; a
 *                              driver layer after '/' is passed on as it is;
 *   no PCI device given to -a/-b and no --no-pci: "--no-pci" is added, so
 *   that the PCI bus takes none of our functions (EAL's scan mode is per
 *   bus: our -a does not restrict the PCI bus);
 *   PCI devices given with -a: each must not be a function of ours (named
 *   with --bus, or with "--bus iommufd" any function with a vfio cdev);
 *   refused: -b with --bus iommufd,name= (EAL refuses -a with -b), a PCI -b
 *   (the PCI bus would take our other functions), -a of our devices with
 *   "--bus iommufd" (every device), a device named twice, a bus other than
 *   iommufd, keys without name=.
 *
 * Only the EAL part of argv (up to the first "--") is read and changed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_pci.h>
#include <rte_string_fns.h>

#include "private.h"

#define BUS_OPT "--bus"
#define PCI_SYSFS "/sys/bus/pci/devices"
#define HOW "--bus iommufd[,name=<device>[,key=value...]]"

enum ea_bus { EA_IOMMUFD, EA_PCI, EA_OTHER };

/* What pass 1 found on the command line. */
struct ea_scan {
	int nb_bus;            /* --bus options */
	const char *all;       /* a "--bus iommufd" (every device), or NULL */
	const char *named;     /* a --bus iommufd,name=..., or NULL */
	const char *our_allow; /* a user -a of our bus, or NULL */
	const char *block;     /* a user -b of any bus, or NULL */
	const char *pci_block; /* a user -b of a PCI function, or NULL */
	bool pci_listed;       /* a PCI function in -a or -b */
	const char **pci_allow; /* the user's -a of PCI functions */
	int nb_pci_allow;
	bool no_pci;           /* --no-pci given */
	char (*names)[RTE_DEV_NAME_MAX_LEN]; /* our devices named: --bus and -a */
	int nb_names;
};

/* Short EAL options with an argument, and long ones (22.11 to 26.07) whose
 * argument may be the next word: their value is skipped, never read as an
 * option.
 */
static const char short_with_arg[] = "abcdlmnrsS";
static const char *const long_with_arg[] = {
	"allow", "block", "base-virtaddr", "coremask", "driver-path", "file-prefix",
	"force-max-simd-bitwidth", "huge-dir", "iova-mode", "lcores", "log-level",
	"main-lcore", "master-lcore", "mbuf-pool-ops-name", "memory-channels", "memory-ranks",
	"memory-size", "pagesz-mem", "proc-type", "service-corelist", "service-coremask",
	"socket-limit", "socket-mem", "trace", "trace-bufsz", "trace-dir", "trace-mode", "vdev",
	"vfio-intr", "vfio-vf-token",
};

static bool
long_takes_arg(const char *opt)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(long_with_arg); i++)
		if (strcmp(opt, long_with_arg[i]) == 0)
			return true;
	return false;
}

/* A PCI address in @s[0..n) as DPDK's PCI bus reads it (rte_pci_addr_parse():
 * "BB:DD.F" or "D:BB:DD.F", 32-bit domains too, as Linux gives host bridges
 * of their own such as pasidnic_pci's) into @bdf, with the domain. false
 * when the PCI bus would not take it for an address.
 */
static bool
pci_addr_norm(const char *s, size_t n, char *bdf, size_t len)
{
	struct rte_pci_addr addr;
	char buf[32];

	if (n == 0 || n >= sizeof(buf) || len < PCI_PRI_STR_SIZE)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (rte_pci_addr_parse(buf, &addr) != 0)
		return false;
	rte_pci_device_name(&addr, bdf, len);
	return true;
}

/* The value of key @key in the first layer of a layered devargs @s, as
 * [*v, *v + returned length), or 0 when absent.
 */
static size_t
layer_key(const char *s, const char *key, const char **v)
{
	size_t kl = strlen(key), layer = strcspn(s, "/");
	const char *p = s;

	while (p < s + layer) {
		size_t len = strcspn(p, ",/");

		if (len > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			*v = p + kl + 1;
			return len - kl - 1;
		}
		p += len + (p[len] == ',');
	}
	return 0;
}

/* Which bus a device argument of -a/-b is for; @out: our device's name or
 * the PCI address.
 */
static enum ea_bus
classify(const char *v, char *out, size_t outlen)
{
	const char *p;
	size_t n;

	out[0] = '\0';
	if (strncmp(v, RTE_BUS_IOMMUFD_NAME ":", strlen(RTE_BUS_IOMMUFD_NAME) + 1) == 0) {
		p = v + strlen(RTE_BUS_IOMMUFD_NAME) + 1;
		rte_strscpy(out, p, RTE_MIN(outlen, strcspn(p, ",") + 1));
		return EA_IOMMUFD;
	}
	if (strncmp(v, "bus=", 4) == 0) {
		n = strcspn(v + 4, ",/");
		if (n == strlen(RTE_BUS_IOMMUFD_NAME) &&
		    strncmp(v + 4, RTE_BUS_IOMMUFD_NAME, n) == 0) {
			n = layer_key(v, "name", &p);
			if (n > 0)
				rte_strscpy(out, p, RTE_MIN(outlen, n + 1));
			return EA_IOMMUFD;
		}
		if (n == 3 && strncmp(v + 4, "pci", 3) == 0) {
			n = layer_key(v, "addr", &p);
			return n > 0 && pci_addr_norm(p, n, out, outlen) ? EA_PCI : EA_OTHER;
		}
		return EA_OTHER;
	}
	/* Our names: only this bus's parser takes them. */
	if (strncmp(v, IOMMUFD_PCI_PREFIX, strlen(IOMMUFD_PCI_PREFIX)) == 0 ||
	    strncmp(v, IOMMUFD_MDEV_PREFIX, strlen(IOMMUFD_MDEV_PREFIX)) == 0) {
		rte_strscpy(out, v, RTE_MIN(outlen, strcspn(v, ",") + 1));
		return EA_IOMMUFD;
	}
	p = strncmp(v, "pci:", 4) == 0 ? v + 4 : v;
	return pci_addr_norm(p, strcspn(p, ","), out, outlen) ? EA_PCI : EA_OTHER;
}

/* Record an iommufd device @name, refusing one named twice. */
static int
add_name(struct ea_scan *s, const char *name, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < s->nb_names; i++) {
		if (strcmp(s->names[i], name) == 0) {
			snprintf(err, errlen, "device %s is named twice: name each device once "
				 "(with --bus iommufd,name= or -a)", name);
			return -EINVAL;
		}
	}
	rte_strscpy(s->names[s->nb_names++], name, RTE_DEV_NAME_MAX_LEN);
	return 0;
}

/* One "--bus @v": the -a value it becomes in @a (NULL: every device). */
static int
bus_value(struct ea_scan *s, const char *v, char **a, char *err, size_t errlen)
{
	size_t bl = strlen(RTE_BUS_IOMMUFD_NAME), layer;
	struct iommufd_devargs da;
	char msg[256];
	char *bus_layer;
	int ret;

	*a = NULL;
	s->nb_bus++;
	if (strncmp(v, RTE_BUS_IOMMUFD_NAME, bl) != 0 || (v[bl] != '\0' && v[bl] != ',')) {
		snprintf(err, errlen, "--bus %s: unknown bus '%.*s': --bus selects the devices of "
			 "the iommufd bus (" HOW "); give the devices of other buses with -a",
			 v, (int)strcspn(v, ","), v);
		return -EINVAL;
	}
	if (v[bl] == '\0') {
		s->all = v;
		return 0;
	}
	/* "bus=iommufd,<keys>[/<driver layer>]": the bus layer checked here. */
	if (asprintf(a, "bus=%s", v) < 0) {
		*a = NULL;
		return -ENOMEM;
	}
	layer = strcspn(*a, "/");
	bus_layer = strndup(*a, layer);
	if (bus_layer == NULL)
		return -ENOMEM;
	ret = iommufd_devargs_parse(bus_layer, &da, msg, sizeof(msg));
	free(bus_layer);
	if (ret == 0 && da.name[0] == '\0') {
		snprintf(msg, sizeof(msg), "no device named: the keys are a device's "
			 "(--bus iommufd,name=<device>,...; one --bus per device), or give "
			 "--bus iommufd alone for every device");
		ret = -EINVAL;
	}
	if (ret == 0)
		ret = add_name(s, da.name, msg, sizeof(msg));
	if (ret < 0) {
		snprintf(err, errlen, "--bus %s: %s (" HOW ")", v, msg);
		return ret;
	}
	s->named = v;
	return 0;
}

/* A user -a/-b of @v. */
static int
device_arg(struct ea_scan *s, bool allow, const char *v, char *err, size_t errlen)
{
	char name[RTE_DEV_NAME_MAX_LEN], msg[256];

	switch (classify(v, name, sizeof(name))) {
	case EA_IOMMUFD:
		if (!allow)
			break;
		s->our_allow = v;
		if (name[0] != '\0' && add_name(s, name, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "-a %s: %s", v, msg);
			return -EINVAL;
		}
		return 0;
	case EA_PCI:
		s->pci_listed = true;
		if (allow)
			s->pci_allow[s->nb_pci_allow++] = v;
		else
			s->pci_block = v;
		break;
	case EA_OTHER:
		break;
	}
	if (!allow)
		s->block = v;
	return 0;
}

/* Is the PCI function @bdf one the iommufd bus takes with "--bus iommufd"
 * (bound to a vfio driver with a cdev)?
 */
static bool
pci_is_ours(const struct ea_scan *s, const char *pci_sysfs, const char *bdf)
{
	char path[512];
	int i;

	if (s->all == NULL) {
		for (i = 0; i < s->nb_names; i++)
			if (strncmp(s->names[i], IOMMUFD_PCI_PREFIX, strlen(IOMMUFD_PCI_PREFIX)) == 0 &&
			    strcmp(s->names[i] + strlen(IOMMUFD_PCI_PREFIX), bdf) == 0)
				return true;
		return false;
	}
	snprintf(path, sizeof(path), "%s/%s/vfio-dev", pci_sysfs, bdf);
	return access(path, F_OK) == 0;
}

/* After pass 1: the combinations the rules refuse. */
static int
check_rules(const struct ea_scan *s, const char *pci_sysfs, char *err, size_t errlen)
{
	char bdf[RTE_DEV_NAME_MAX_LEN];
	int i;

	if (s->all != NULL && s->named != NULL) {
		snprintf(err, errlen, "--bus iommufd (every device) and --bus %s (one device): "
			 "give either --bus iommufd alone or one --bus iommufd,name=<device> per "
			 "device", s->named);
		return -EINVAL;
	}
	if (s->all != NULL && s->our_allow != NULL) {
		snprintf(err, errlen, "-a %s: --bus iommufd selects every device of the bus, -a "
			 "only some: name the devices with --bus iommufd,name=<device> instead, or "
			 "leave devices out with -b", s->our_allow);
		return -EINVAL;
	}
	if (s->named != NULL && s->block != NULL) {
		snprintf(err, errlen, "-b %s: --bus %s adds -a, and EAL refuses -a and -b on one "
			 "command line: list the devices to use with -a (or --bus) instead of -b",
			 s->block, s->named);
		return -EINVAL;
	}
	if (s->pci_block != NULL) {
		snprintf(err, errlen, "-b %s: with --bus iommufd the PCI bus is either off "
			 "(--no-pci, added when no PCI device is listed) or limited to the PCI "
			 "devices given with -a (it would take the functions of the iommufd bus "
			 "otherwise): list the PCI devices to use with -a instead of -b",
			 s->pci_block);
		return -EINVAL;
	}
	/* A PCI -a that names a function of ours: both buses would open it. */
	for (i = 0; i < s->nb_pci_allow; i++) {
		const char *v = s->pci_allow[i];

		classify(v, bdf, sizeof(bdf));
		if (!pci_is_ours(s, pci_sysfs, bdf))
			continue;
		snprintf(err, errlen, "-a %s: PCI function %s is a device of the iommufd bus "
			 "(%s), and the PCI bus must not open it too: drop -a %s, or %s", v, bdf,
			 s->all ? "bound to vfio-pci with a vfio cdev" : "named with --bus", v,
			 s->all ? "name the iommufd devices with --bus iommufd,name=<device>"
				" instead of --bus iommufd" : "leave it out of --bus");
		return -EINVAL;
	}
	return 0;
}

/* The value of option @argv[@i] when it is @shrt or @lng ("-a X", "-aX",
 * "--allow X", "--allow=X"), NULL otherwise; *@used: words it takes.
 */
static const char *
opt_value(char **argv, int i, int end, const char *shrt, const char *lng, int *used)
{
	size_t ll = strlen(lng);
	const char *a = argv[i];

	*used = 1;
	if ((shrt != NULL && strcmp(a, shrt) == 0) || strcmp(a, lng) == 0) {
		*used = 2;
		return i + 1 < end ? argv[i + 1] : "";
	}
	if (shrt != NULL && strncmp(a, shrt, 2) == 0 && a[2] != '\0')
		return a + 2;
	if (strncmp(a, lng, ll) == 0 && a[ll] == '=')
		return a + ll + 1;
	return NULL;
}

/* The rewritten arguments, kept for the life of the process (EAL and the
 * application keep pointers into them, as into argv).
 */
struct ea_block {
	struct ea_block *prev;
	int argc;
	char *argv[];
};
static struct ea_block *ea_blocks;

int
iommufd_eal_args_rewrite(int argc, char **argv, const char *pci_sysfs, int *out_argc,
			 char ***out_argv, char *err, size_t errlen)
{
	struct ea_scan s = { 0 };
	struct ea_block *b = NULL;
	char **new_a = NULL;        /* new_a[i]: the -a value of a --bus at i */
	uint8_t *bus_words = NULL;  /* bus_words[i]: words of a --bus at i, or 0 */
	int i, used, end, nb = 0, ret = 0;
	const char *v;

	*out_argc = argc;
	*out_argv = argv;
	if (errlen > 0)
		err[0] = '\0';
	for (end = 1; end < argc && strcmp(argv[end], "--") != 0; end++)
		;
	s.names = calloc(argc + 1, sizeof(*s.names));
	s.pci_allow = calloc(argc + 1, sizeof(*s.pci_allow));
	new_a = calloc(argc + 1, sizeof(*new_a));
	bus_words = calloc(argc + 1, sizeof(*bus_words));
	if (s.names == NULL || s.pci_allow == NULL || new_a == NULL || bus_words == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	/* Pass 1: what the command line asks for. */
	for (i = 1; i < end && ret == 0; i += used) {
		const char *a = argv[i];

		v = opt_value(argv, i, end, NULL, BUS_OPT, &used);
		if (v != NULL) {
			bus_words[i] = used;
			if (v[0] == '\0') {
				snprintf(err, errlen, "--bus needs a value (" HOW ")");
				ret = -EINVAL;
			} else {
				ret = bus_value(&s, v, &new_a[i], err, errlen);
			}
			continue;
		}
		v = opt_value(argv, i, end, "-a", "--allow", &used);
		if (v == NULL)
			v = opt_value(argv, i, end, "-b", "--block", &used);
		if (v != NULL) {
			/* -a, -aX, --allow, --allow=X: allowed; else blocked */
			ret = device_arg(&s, a[1] == 'a' || strncmp(a, "--allow", 7) == 0, v, err,
					 errlen);
			continue;
		}
		if (strcmp(a, "--no-pci") == 0) {
			s.no_pci = true;
		} else if (a[0] == '-' && a[1] != '-' && a[1] != '\0' && a[2] == '\0' &&
			   strchr(short_with_arg, a[1]) != NULL) {
			used = 2;
		} else if (a[0] == '-' && a[1] == '-' && strchr(a, '=') == NULL &&
			   long_takes_arg(a + 2)) {
			used = 2;
		}
	}
	if (ret == 0 && s.nb_bus == 0)
		goto out; /* nothing to do: argv as it is */
	if (ret == 0)
		ret = check_rules(&s, pci_sysfs, err, errlen);
	if (ret < 0)
		goto out;

	/* Pass 2: the new command line. A "--bus=V" (one word) becomes two,
	 * and "--no-pci" and the NULL are added.
	 */
	b = malloc(sizeof(*b) + (argc + s.nb_bus + 2) * sizeof(char *));
	if (b == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < argc; i++) {
		if (i == end && !s.pci_listed && !s.no_pci)
			b->argv[nb++] = (char *)(uintptr_t)"--no-pci";
		if (bus_words[i] == 0) {
			b->argv[nb++] = argv[i];
			continue;
		}
		if (new_a[i] != NULL) {
			b->argv[nb++] = (char *)(uintptr_t)"-a";
			b->argv[nb++] = new_a[i];
			new_a[i] = NULL; /* the block owns it now */
		}
		i += bus_words[i] - 1;
	}
	if (end >= argc && !s.pci_listed && !s.no_pci)
		b->argv[nb++] = (char *)(uintptr_t)"--no-pci";
	b->argv[nb] = NULL;
	b->argc = nb;
	b->prev = ea_blocks;
	ea_blocks = b;
	*out_argc = nb;
	*out_argv = b->argv;
out:
	if (new_a != NULL)
		for (i = 0; i < argc; i++)
			free(new_a[i]);
	free(new_a);
	free(bus_words);
	free(s.pci_allow);
	free(s.names);
	if (ret == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	return ret;
}

int
rte_iommufd_eal_args(int *argc, char ***argv)
{
	char err[1024];
	int ret;

	if (argc == NULL || argv == NULL || *argv == NULL || *argc < 1) {
		rte_errno = EINVAL;
		return -1;
	}
	ret = iommufd_eal_args_rewrite(*argc, *argv, PCI_SYSFS, argc, argv, err, sizeof(err));
	if (ret < 0)
		IOMMUFD_LOG(ERR, "%s", err);
	return iommufd_ret(ret);
}
