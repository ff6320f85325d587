/* SPDX-License-Identifier: BSD-3-Clause */
/* The per-operation watchdog of the hostile pasidnic tests (pasidnic_watchdog.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* gettid() */
#endif
#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pasidnic_drv.h"
#include "pasidnic_watchdog.h"
#include "test_assert.h"

struct pnic_wd *
pnic_wd_create(unsigned int n, unsigned int limit_ms)
{
	size_t len = sizeof(struct pnic_wd) + n * sizeof(struct pnic_wd_slot);
	struct pnic_wd *w = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	TEST_ASSERT_TRUE(w != MAP_FAILED, "mmap of the watchdog's %zu bytes", len);
	memset(w, 0, len);
	w->n = n;
	w->limit_ms = limit_ms;
	return w;
}

void
pnic_wd_claim(struct pnic_wd *w, unsigned int i)
{
	struct pnic_wd_slot *s = &w->slot[i];

	s->start_ns = 0;
	s->nops = 0;
	s->tid = gettid();
	s->pid = getpid();
}

void
pnic_wd_begin(struct pnic_wd_slot *s, const char *what)
{
	snprintf(s->what, sizeof(s->what), "%s", what);
	__atomic_store_n(&s->start_ns, pnic_now_ns(), __ATOMIC_RELEASE);
}

void
pnic_wd_beginf(struct pnic_wd_slot *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->what, sizeof(s->what), fmt, ap);
	va_end(ap);
	__atomic_store_n(&s->start_ns, pnic_now_ns(), __ATOMIC_RELEASE);
}

void
pnic_wd_end(struct pnic_wd_slot *s)
{
	__atomic_store_n(&s->start_ns, 0, __ATOMIC_RELEASE);
	s->nops++;
}

/* Print one file of /proc, prefixed. Return: the lines printed. */
static unsigned int
cat_proc(const char *path, const char *prefix)
{
	char line[256];
	unsigned int n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		printf("%s%s", prefix, line);
		n++;
	}
	fclose(f);
	return n;
}

/* Kernel stack of task @tid of @pid, with its name and state. */
static void
dump_task(pid_t pid, pid_t tid)
{
	char path[96], comm[64] = "?", state = '?';
	unsigned int i;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%*d (%63[^)]) %c", comm, &state) != 2)
			state = '?';
		fclose(f);
	}
	printf("---- task %d/%d (%s), state %c: kernel stack ----\n", pid, tid, comm, state);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stack", pid, tid);
	/* An unwind that races with the task comes back empty: try again. */
	for (i = 0; i < 5 && !cat_proc(path, "    "); i++)
		usleep(50000);
}

/* Every thread of @pid, or only those in D state or named pasidnic* when @filter. */
static void
dump_threads(pid_t pid, bool filter)
{
	char path[64], comm[64], state;
	struct dirent *e;
	DIR *d;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d))) {
		pid_t tid = atoi(e->d_name);

		if (tid <= 0)
			continue;
		if (filter) {
			snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
			f = fopen(path, "r");
			if (!f)
				continue;
			if (fscanf(f, "%*d (%63[^)]) %c", comm, &state) != 2)
				state = '?';
			fclose(f);
			if (state != 'D' && strncmp(comm, "pasidnic", 8))
				continue;
		}
		dump_task(pid, tid);
	}
	closedir(d);
}

void
pnic_dump_stacks(pid_t pid, pid_t tid)
{
	struct dirent *e;
	DIR *d;

	if (tid)
		dump_task(pid, tid);
	else
		dump_threads(pid, false);
	d = opendir("/proc");
	if (!d)
		return;
	while ((e = readdir(d))) {
		pid_t other = atoi(e->d_name);

		if (other > 0 && other != pid)
			dump_threads(other, true);
	}
	closedir(d);
	fflush(stdout);
}

int
pnic_wd_check(struct pnic_wd *w)
{
	uint64_t now = pnic_now_ns();
	unsigned int i;

	for (i = 0; i < w->n; i++) {
		struct pnic_wd_slot *s = &w->slot[i];
		uint64_t t = __atomic_load_n(&s->start_ns, __ATOMIC_ACQUIRE);

		if (!s->pid || !t || now < t || (now - t) / 1000000 < w->limit_ms)
			continue;
		printf("watchdog: task %d/%d: operation #%llu (%s) has not returned after %llu ms\n",
		       s->pid, s->tid, (unsigned long long)s->nops, s->what,
		       (unsigned long long)((now - t) / 1000000));
		pnic_dump_stacks(s->pid, s->tid);
		return (int)i;
	}
	return -1;
}
