/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What bus-fault (bus_fault.c) watches in its own process: its report file,
 * where its loop is, how it dies, and its open files against a baseline
 * (bus_fault_proc.h).
 */
#include <dirent.h>
#include <errno.h>
#include <execinfo.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_alarm.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>

#include "bus_fault_proc.h"
#include "test_assert.h"
#include "test_say.h"

#define FD_MAX 256 /* fd numbers above are not expected */

static FILE *report;           /* DIR/<who>.report */
static char where[128] = "EAL init"; /* where the loop is, for a death report */
static bool finished;          /* main() got to its end */

void
bf_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	test_vsay(fmt, ap);
	va_end(ap);
	if (report == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(report, fmt, ap);
	fprintf(report, "\n");
	fflush(report);
	va_end(ap);
}

void
bf_at(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(where, sizeof(where), fmt, ap);
	va_end(ap);
}

/* A death report on stderr and in the report file, with a backtrace. */
static void
death_report(const char *how)
{
	void *bt[64];
	int n = backtrace(bt, RTE_DIM(bt));
	int fds[2] = { STDERR_FILENO, report != NULL ? fileno(report) : -1 };
	char line[384];
	unsigned int i;
	int len;

	len = snprintf(line, sizeof(line), "bus-fault[%d]: %s in %s; backtrace:\n", getpid(),
		       how, where);
	for (i = 0; i < RTE_DIM(fds); i++) {
		if (fds[i] < 0)
			continue;
		if (write(fds[i], line, RTE_MIN((size_t)len, sizeof(line) - 1)) < 0)
			continue;
		backtrace_symbols_fd(bt, n, fds[i]);
	}
}

static void
on_fatal_signal(int sig)
{
	char how[64];

	snprintf(how, sizeof(how), "fatal signal %d (%s)", sig, strsignal(sig));
	death_report(how);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
on_exit_early(void)
{
	if (!finished)
		death_report("exit() before the end of main()");
}

/* backtrace() is called once here so that it loads its unwinder now, not
 * in a signal handler.
 */
void
bf_death_watch(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE, SIGPIPE };
	void *bt[4];
	unsigned int i;

	backtrace(bt, RTE_DIM(bt));
	for (i = 0; i < RTE_DIM(sigs); i++)
		signal(sigs[i], on_fatal_signal);
	atexit(on_exit_early);
}

void
bf_report_open(const char *dir, const char *who)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s.report", dir, who);
	report = fopen(path, "w");
	TEST_ASSERT_NOT_NULL(report, "%s: %s", path, strerror(errno));
}

/* The process's open files: what each fd number refers to, "" if closed. */
struct fd_table {
	int n;                  /* open fds */
	char name[FD_MAX][96];  /* fd -> readlink of /proc/self/fd/<fd> */
};

static void
fd_read(struct fd_table *t)
{
	char path[64];
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	ssize_t len;
	int fd;

	TEST_ASSERT_NOT_NULL(d);
	memset(t, 0, sizeof(*t));
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		fd = atoi(e->d_name);
		if (fd == dirfd(d))
			continue;
		t->n++;
		TEST_ASSERT_LT(fd, FD_MAX, "fd %d: raise FD_MAX", fd);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		len = readlink(path, t->name[fd], sizeof(t->name[fd]) - 1);
		if (len <= 0)
			snprintf(t->name[fd], sizeof(t->name[fd]), "?");
	}
	closedir(d);
}

struct fd_read_req {
	struct fd_table *t;
	bool done;
};

static void
fd_read_cb(void *arg)
{
	struct fd_read_req *r = arg;

	fd_read(r->t);
	__atomic_store_n(&r->done, true, __ATOMIC_RELEASE);
}

/*
 * Read the fds on EAL's interrupt thread, as an alarm callback. That thread
 * closes its epoll fd and creates a new one whenever an interrupt callback
 * is registered or unregistered (22.11 lib/eal/linux/eal_interrupts.c,
 * eal_intr_thread_main()), asynchronously: the port's removal unregisters
 * one, so read from another thread right after a teardown, that fd may be
 * missing. While the thread runs a callback, its epoll fd is open.
 */
static void
fd_snapshot(struct fd_table *t)
{
	struct fd_read_req r = { .t = t };

	TEST_ASSERT_EQ(rte_eal_alarm_set(1, fd_read_cb, &r), 0, "rte_eal_alarm_set: %s",
		       rte_strerror(rte_errno));
	while (!__atomic_load_n(&r.done, __ATOMIC_ACQUIRE))
		rte_delay_us_sleep(1000);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The names of @t's open fds, sorted (fd numbers left out). */
static void
fd_names_sorted(const struct fd_table *t, struct fd_table *sorted)
{
	memcpy(sorted, t, sizeof(*t));
	qsort(sorted->name, FD_MAX, sizeof(sorted->name[0]), name_cmp);
}

static struct fd_table fds_base, fds_now, sort_a, sort_b;

int
bf_fd_baseline(void)
{
	fd_snapshot(&fds_base);
	return fds_base.n;
}

/* The fd numbers do not matter: the interrupt thread's new epoll fd takes
 * the lowest number free when it is created.
 */
void
bf_fd_check(const char *who, const char *when)
{
	int fd;

	fd_snapshot(&fds_now);
	fd_names_sorted(&fds_base, &sort_a);
	fd_names_sorted(&fds_now, &sort_b);
	if (fds_now.n == fds_base.n && memcmp(sort_a.name, sort_b.name, sizeof(sort_a.name)) == 0)
		return;
	for (fd = 0; fd < FD_MAX; fd++)
		if (strcmp(fds_now.name[fd], fds_base.name[fd]) != 0)
			bf_say("%s: fd %d: \"%s\" at the baseline, \"%s\" %s", who, fd,
			    fds_base.name[fd], fds_now.name[fd], when);
	TEST_FAIL("%s: %d fds %s, %d at the baseline (the differences are above)", who,
		  fds_now.n, when, fds_base.n);
}

void
bf_finished(void)
{
	finished = true;
	if (report != NULL)
		fclose(report);
	report = NULL;
}
