/* SPDX-License-Identifier: BSD-3-Clause */
/* pnic_raw: raw vfio access to pasidnic ports and a per-operation watchdog. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* gettid() */
#endif
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "pnic_raw.h"

uint64_t
pnr_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t
pnr_env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

int
pnr_cdev_of(const char *uuid, char *buf, size_t n)
{
	char dir[256];
	struct dirent *e;
	DIR *dd;
	int rc = -ENOENT;

	snprintf(dir, sizeof(dir), "/sys/bus/mdev/devices/%s/vfio-dev", uuid);
	dd = opendir(dir);
	if (!dd)
		return -ENOENT;
	while ((e = readdir(dd))) {
		if (!strncmp(e->d_name, "vfio", 4)) {
			snprintf(buf, n, "/dev/vfio/devices/%s", e->d_name);
			rc = 0;
			break;
		}
	}
	closedir(dd);
	return rc;
}

void
pnr_open(struct pnr_port *p, const char *uuid)
{
	unsigned int i;
	void *va;

	memset(p, 0, sizeof(*p));
	VU_ASSERT(pnr_cdev_of(uuid, p->cdev, sizeof(p->cdev)) == 0,
		  "pasidnic port %s has no vfio cdev", uuid);
	vu_open(&p->d, p->cdev, -1);
	for (i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		struct vfio_region_info r = { .argsz = sizeof(r), .index = i };

		VU_ASSERT(ioctl(p->d.fd, VFIO_DEVICE_GET_REGION_INFO, &r) == 0,
			  "GET_REGION_INFO %u of %s", i, p->cdev);
		p->off[i] = r.offset;
		p->size[i] = r.size;
	}
	va = mmap(NULL, PNIC_BAR_DB_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, p->d.fd,
		  p->off[VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_DB]);
	VU_ASSERT(va != MAP_FAILED, "mmap of the doorbell page of %s", p->cdev);
	p->db = va;
	VU_ASSERT(pnr_rd_ok(p, PNIC_REG_ID) == PNIC_ID_MAGIC, "%s: bad ID register", p->cdev);
	p->nqp = pnr_rd_ok(p, PNIC_REG_NUM_QP);
	VU_ASSERT(p->nqp >= 1 && p->nqp <= PNIC_MAX_QP, "%s: bad NUM_QP %u", p->cdev, p->nqp);
	p->pasid_width = pnr_rd_ok(p, PNIC_REG_PASID_WIDTH);
}

void
pnr_close(struct pnr_port *p)
{
	if (p->db)
		munmap((void *)p->db, PNIC_BAR_DB_SIZE);
	p->db = NULL;
	vu_close(&p->d);
}

int
pnr_rd(struct pnr_port *p, uint32_t off, uint32_t *val)
{
	ssize_t n = pread(p->d.fd, val, 4, p->off[VFIO_PCI_BAR0_REGION_INDEX] + off);

	return n == 4 ? 0 : n < 0 ? -errno : -EIO;
}

int
pnr_wr(struct pnr_port *p, uint32_t off, uint32_t val)
{
	ssize_t n = pwrite(p->d.fd, &val, 4, p->off[VFIO_PCI_BAR0_REGION_INDEX] + off);

	return n == 4 ? 0 : n < 0 ? -errno : -EIO;
}

uint32_t
pnr_rd_ok(struct pnr_port *p, uint32_t off)
{
	uint32_t v = 0;
	int rc = pnr_rd(p, off, &v);

	errno = -rc;
	VU_ASSERT(rc == 0, "BAR0 read of %#x on %s", off, p->cdev);
	return v;
}

void
pnr_wr_ok(struct pnr_port *p, uint32_t off, uint32_t val)
{
	int rc = pnr_wr(p, off, val);

	errno = -rc;
	VU_ASSERT(rc == 0, "BAR0 write of %#x to %#x on %s", val, off, p->cdev);
}

uint32_t
pnr_kick_value(unsigned int qp)
{
	return 1u << qp;	/* PNIC_REG_KICK: a mask of queue pairs */
}

void
pnr_enable(struct pnr_port *p, uint32_t backend)
{
	vu_bus_master(&p->d);
	if (p->pasid_width)
		vu_cfg_write(&p->d, PNIC_CFG_PASID_ECAP + 6, 2, 1);
	pnr_wr_ok(p, PNIC_REG_IRQ_MASK, PNIC_IRQ_LINK | PNIC_IRQ_FAULT);
	pnr_wr_ok(p, PNIC_REG_DEV_CTRL, PNIC_DEV_CTRL_ENABLE |
		  (backend << PNIC_DEV_CTRL_BACKEND_SHIFT));
	VU_ASSERT(pnr_rd_ok(p, PNIC_REG_DEV_STATUS) & PNIC_DEV_STATUS_ENABLED,
		  "%s: device not enabled", p->cdev);
}

int
pnr_q_setup(struct pnr_port *p, unsigned int q, uint64_t ring_iova, uint32_t size, int pasid)
{
	int rc;

	rc = pnr_wr(p, PNIC_QREG(q, PNIC_Q_CTRL), PNIC_Q_CTRL_RESET);
	if (!rc)
		rc = pnr_wr(p, PNIC_QREG(q, PNIC_Q_BASE_LO), (uint32_t)ring_iova);
	if (!rc)
		rc = pnr_wr(p, PNIC_QREG(q, PNIC_Q_BASE_HI), (uint32_t)(ring_iova >> 32));
	if (!rc)
		rc = pnr_wr(p, PNIC_QREG(q, PNIC_Q_SIZE), size);
	if (!rc)
		rc = pnr_wr(p, PNIC_QREG(q, PNIC_Q_PASID),
			    pasid < 0 ? 0 : PNIC_Q_PASID_EN | (uint32_t)pasid);
	if (!rc)
		rc = pnr_wr(p, PNIC_QREG(q, PNIC_Q_CTRL), PNIC_Q_CTRL_ENABLE);
	return rc;
}

/* ---- watchdog ---- */

struct pnr_wd *
pnr_wd_create(unsigned int n, unsigned int limit_ms)
{
	size_t len = sizeof(struct pnr_wd) + n * sizeof(struct pnr_wd_slot);
	struct pnr_wd *w = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	VU_ASSERT(w != MAP_FAILED, "mmap of the watchdog's %zu bytes", len);
	memset(w, 0, len);
	w->n = n;
	w->limit_ms = limit_ms;
	return w;
}

void
pnr_wd_claim(struct pnr_wd *w, unsigned int i)
{
	struct pnr_wd_slot *s = &w->slot[i];

	s->start_ns = 0;
	s->nops = 0;
	s->tid = gettid();
	s->pid = getpid();
}

void
pnr_wd_begin(struct pnr_wd_slot *s, const char *what)
{
	snprintf(s->what, sizeof(s->what), "%s", what);
	__atomic_store_n(&s->start_ns, pnr_now_ns(), __ATOMIC_RELEASE);
}

void
pnr_wd_beginf(struct pnr_wd_slot *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->what, sizeof(s->what), fmt, ap);
	va_end(ap);
	__atomic_store_n(&s->start_ns, pnr_now_ns(), __ATOMIC_RELEASE);
}

void
pnr_wd_end(struct pnr_wd_slot *s)
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
pnr_dump_stacks(pid_t pid, pid_t tid)
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
pnr_wd_check(struct pnr_wd *w)
{
	uint64_t now = pnr_now_ns();
	unsigned int i;

	for (i = 0; i < w->n; i++) {
		struct pnr_wd_slot *s = &w->slot[i];
		uint64_t t = __atomic_load_n(&s->start_ns, __ATOMIC_ACQUIRE);

		if (!s->pid || !t || now < t || (now - t) / 1000000 < w->limit_ms)
			continue;
		printf("watchdog: task %d/%d: operation #%llu (%s) has not returned after %llu ms\n",
		       s->pid, s->tid, (unsigned long long)s->nops, s->what,
		       (unsigned long long)((now - t) / 1000000));
		pnr_dump_stacks(s->pid, s->tid);
		return (int)i;
	}
	return -1;
}
