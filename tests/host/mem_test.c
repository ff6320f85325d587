/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <stdarg.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_string_fns.h>
#include <rte_log.h>

#include "mem_test.h"

#define HP_GLOBAL "/proc/sys/vm/nr_hugepages"
#define HP_SYSFS "/sys/kernel/mm/hugepages/hugepages-2048kB"
#define HP_NODE "/sys/devices/system/node/node%d/hugepages/hugepages-2048kB/nr_hugepages"

static char saved_path[160];
static unsigned long saved_val;
static int saved;

static unsigned long
read_ul(const char *path)
{
	unsigned long v = 0;
	FILE *f = fopen(path, "r");

	TEST_ASSERT_TRUE(f != NULL, "cannot open %s", path);
	TEST_ASSERT_TRUE(fscanf(f, "%lu", &v) == 1, "cannot read %s", path);
	fclose(f);
	return v;
}

static int
write_ul(const char *path, unsigned long v)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (f == NULL)
		return -1;
	ok = fprintf(f, "%lu\n", v) > 0;
	ok = (fclose(f) == 0) && ok;
	return ok ? 0 : -1;
}

static void
restore_hugepages(void)
{
	if (saved && write_ul(saved_path, saved_val) < 0)
		fprintf(stderr, "warning: could not restore %s to %lu\n", saved_path, saved_val);
}

void
mt_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	test_reason_v(fmt, ap);
	va_end(ap);
	exit(SKIP_EXIT);
}

void
mt_hugepages_set(unsigned long n, int node)
{
	char path[160];

	if (node < 0)
		snprintf(path, sizeof(path), HP_GLOBAL);
	else
		snprintf(path, sizeof(path), HP_NODE, node);
	if (!saved) {
		rte_strlcpy(saved_path, path, sizeof(saved_path));
		saved_val = read_ul(path);
		saved = 1;
		atexit(restore_hugepages);
	}
	if (access(path, W_OK) != 0)
		mt_skip("cannot write %s (run as root)", path);
	TEST_ASSERT_TRUE(write_ul(path, n) == 0, "writing %lu to %s failed", n, path);
	if (read_ul(path) < n)
		mt_skip("only %lu of %lu 2 MiB hugepages could be reserved through %s "
			"(fragmented memory?)", read_ul(path), n, path);
}

unsigned long
mt_hugepages_free(void)
{
	return read_ul(HP_SYSFS "/free_hugepages");
}

void
mt_usage(struct mt_usage *u)
{
	char line[512];
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	FILE *f;

	memset(u, 0, sizeof(*u));
	TEST_ASSERT_TRUE(d != NULL, "opendir /proc/self/fd");
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			u->fds++;
	closedir(d);
	f = fopen("/proc/self/smaps", "r");
	TEST_ASSERT_TRUE(f != NULL, "open /proc/self/smaps");
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long kb;

		if (sscanf(line, "KernelPageSize: %lu kB", &kb) == 1 && kb >= 2048)
			u->huge_maps++;
	}
	fclose(f);
	u->free_hp = mt_hugepages_free();
}

void
mt_usage_same(const struct mt_usage *before, const char *what)
{
	struct mt_usage now;

	mt_usage(&now);
	TEST_ASSERT_TRUE(now.fds == before->fds, "%s leaked fds: %u open, %u before", what, now.fds,
			 before->fds);
	TEST_ASSERT_TRUE(now.huge_maps == before->huge_maps,
			 "%s leaked hugepage mappings: %u, %u before", what, now.huge_maps,
			 before->huge_maps);
	TEST_ASSERT_TRUE(now.free_hp == before->free_hp,
			 "%s leaked hugepages: %lu free, %lu before", what, now.free_hp,
			 before->free_hp);
}

static char *log_buf;
static size_t log_len;
static FILE *log_mem;

static ssize_t
log_write(void *cookie, const char *buf, size_t size)
{
	(void)cookie;
	fwrite(buf, 1, size, stderr);
	if (log_mem != NULL) {
		fwrite(buf, 1, size, log_mem);
		fflush(log_mem);
	}
	return size;
}

/* Route DPDK's log through log_write(), which also copies into log_mem. */
static void
log_route(void)
{
	static cookie_io_functions_t io = { .write = log_write };
	static FILE *f;

	if (f != NULL)
		return;
	f = fopencookie(NULL, "w", io);
	TEST_ASSERT_TRUE(f != NULL, "fopencookie");
	setvbuf(f, NULL, _IONBF, 0);
	rte_openlog_stream(f);
}

void
mt_log_capture(void)
{
	log_route();
	if (log_mem != NULL)
		fclose(log_mem);
	free(log_buf);
	log_buf = NULL;
	log_len = 0;
	log_mem = open_memstream(&log_buf, &log_len);
	TEST_ASSERT_TRUE(log_mem != NULL, "open_memstream");
}

void
mt_log_expect(const char *s)
{
	TEST_ASSERT_TRUE(mt_log_has(s), "the log does not say '%s'; it says:\n%s", s, log_buf ?
			 log_buf : "");
}

bool
mt_log_has(const char *s)
{
	TEST_ASSERT_TRUE(log_mem != NULL, "mt_log_capture() was not called");
	fflush(log_mem);
	return log_buf != NULL && strstr(log_buf, s) != NULL;
}

void
mt_eal_init(const char *prog, const char *prefix)
{
	const char *base = strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog;
	static const char *const fixed[] = {
		"-l", "0", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
		"--log-level=lib.pasid_mem:debug",
	};
	char opt[96];
	char *argv[RTE_DIM(fixed) + 3];
	unsigned int argc = 0, i;

	argv[argc++] = (char *)(uintptr_t)prog;
	for (i = 0; i < RTE_DIM(fixed); i++)
		argv[argc++] = (char *)(uintptr_t)fixed[i];
	argv[argc++] = opt;
	argv[argc] = NULL;

	if (prefix != NULL)
		snprintf(opt, sizeof(opt), "--file-prefix=%s", prefix);
	else
		snprintf(opt, sizeof(opt), "--file-prefix=pasid_%s", base);
	log_route();
	TEST_ASSERT_GE(rte_eal_init(argc, argv), 0, "rte_eal_init failed: %s",
		       rte_strerror(rte_errno));
}

void
mt_setup(const char *prog, unsigned long hugepages, int node, struct mt_usage *before)
{
	mt_hugepages_set(hugepages, node);
	mt_eal_init(prog, NULL);
	mt_usage(before);
}

struct rte_pasid_mem_conf
mt_conf(const char *name, uint64_t max_size)
{
	struct rte_pasid_mem_conf c = {
		.name = name,
		.iommufd = RTE_PASID_MEM_NO_IOMMU,
		.numa_node = SOCKET_ID_ANY,
		.page_size = RTE_PGSIZE_2M,
		.segment_size = 8 * MB,
		.initial_size = 8 * MB,
		.max_size = max_size,
	};
	return c;
}

void
mt_create_refused(const struct rte_pasid_mem_conf *c, int err, const char *log, const char *what)
{
	mt_log_capture();
	rte_errno = 0;
	TEST_ASSERT_TRUE(rte_pasid_mem_create(c) == NULL, "%s was accepted", what);
	TEST_ASSERT_TRUE(rte_errno == err, "%s: rte_errno %d, expected %d", what, rte_errno, err);
	if (log != NULL)
		mt_log_expect(log);
	printf("ok: %s -> %s\n", what, rte_strerror(err));
}
