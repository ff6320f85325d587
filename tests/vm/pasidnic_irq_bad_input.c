/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pasidnic-irq-bad-input CDEV: VFIO_DEVICE_GET_IRQ_INFO and
 * VFIO_DEVICE_SET_IRQS of a pasidnic port against the errno vfio-pci gives
 * (Linux 7.2: vfio_set_irqs_validate_and_prepare(), vfio_pci_set_irqs_ioctl(),
 * vfio_pci_set_msi_trigger(), vfio_pci_set_ctx_trigger_single()) for a PCI
 * Express function with the port's interrupts: no INTx, no MSI, MSI-X with
 * N = table size vectors (dynamic), ERR 1, REQ 1.
 *
 * Every case of the tables (pasidnic_irq_cases.c) starts from a known state
 * (MSI-X disabled and ERR/REQ unrouted, or every vector routed to an eventfd
 * of its own), makes one call and checks its errno, which eventfds fired
 * (DATA_NONE/DATA_BOOL loopback), and the routing afterwards (a failed call
 * changes nothing). Each difference prints a
 * line; then the port must still work: route MSI-X, enable the device, get the
 * link interrupt, disable MSI-X. doc/pasidnic.md, "SET_IRQS: accepted input and
 * errors", is this table in prose.
 *
 * Exit status 0 when everything matched; otherwise "REASON: ..." and 1.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include "vfio_util.h"
#include "pasidnic_regs.h"
#include "pasidnic_irq_cases.h"

#define ASSERT VU_ASSERT

/* The expected routing: which eventfd each vector / trigger signals (-1: none). */
struct routing {
	bool msix_on;
	int msix[MAXV];
	int err, req;
};

static struct vu_device dev;
static unsigned int nvec;		/* MSI-X vectors */
static int vefd[MAXV];			/* baseline eventfd of each vector */
static int err_efd, req_efd;		/* baseline ERR and REQ eventfds */
static int efd_e;			/* E: the fresh eventfd of FD_VALID */
static int devnull, closed_fd;
static struct routing now;		/* the device's routing as the test knows it */
static unsigned int mismatches;
static char first[256];

static const char *idx_name(uint32_t i)
{
	static const char *const n[] = { "INTx", "MSI", "MSI-X", "ERR", "REQ" };

	return i < 5 ? n[i] : "index>=5";
}

static const char *fd_name(enum fdkind k)
{
	static const char *const n[] = {
		"-", "eventfd", "-1", "-2", "/dev/null", "closed fd", "device fd",
		"eventfds + /dev/null last", "eventfds + closed fd last",
	};

	return n[k];
}

static uint32_t val(struct val v)
{
	return v.v + (v.n ? nvec : 0);
}

static void describe(char *buf, size_t len, unsigned int i, const struct irq_case *c)
{
	snprintf(buf, len, "case %u: pre %s, %s flags %#x start %u count %u fd %s bools %#llx%s",
		 i, c->pre == ON ? "routed" : "off", idx_name(c->index), c->flags,
		 val(c->start), val(c->count), fd_name(c->fd), (unsigned long long)c->bools,
		 c->argsz ? " (short argsz)" : "");
}

static void mismatch(const char *what, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("MISMATCH %s: %s\n", what, msg);
	fflush(stdout);
	if (!mismatches++)
		snprintf(first, sizeof(first), "%s: %s", what, msg);
}

/* One SET_IRQS; returns 0 or errno. */
static int set_irqs(uint32_t index, uint32_t flags, uint32_t start, uint32_t count,
		    const void *data, size_t data_len, int argsz)
{
	union {
		struct vfio_irq_set s;
		uint8_t b[sizeof(struct vfio_irq_set) + MAXV * sizeof(int32_t)];
	} u;

	memset(&u, 0, sizeof(u));
	if (data_len > MAXV * sizeof(int32_t))
		data_len = MAXV * sizeof(int32_t);
	u.s.argsz = argsz ? (uint32_t)argsz : (uint32_t)(sizeof(u.s) + data_len);
	u.s.flags = flags;
	u.s.index = index;
	u.s.start = start;
	u.s.count = count;
	memcpy(u.s.data, data, data_len);
	return ioctl(dev.fd, VFIO_DEVICE_SET_IRQS, &u) ? errno : 0;
}

static uint64_t efd_read(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static void drain(void)
{
	unsigned int i;

	for (i = 0; i < nvec; i++)
		efd_read(vefd[i]);
	efd_read(err_efd);
	efd_read(req_efd);
	efd_read(efd_e);
}

/* Bring the device to @pre; the test's routing follows. */
static void set_pre(enum pre pre, const char *what)
{
	int32_t fds[MAXV];
	unsigned int i;
	int rc;

	if (pre == ON) {
		for (i = 0; i < nvec; i++)
			fds[i] = vefd[i];
		rc = set_irqs(MSIX, TRIG | EFD, 0, nvec, fds, nvec * 4, 0);
		if (rc)
			mismatch(what, "set-up: routing MSI-X x%u gave errno %d", nvec, rc);
		rc = set_irqs(ERR, TRIG | EFD, 0, 1, &err_efd, 4, 0);
		if (rc)
			mismatch(what, "set-up: routing ERR gave errno %d", rc);
		rc = set_irqs(REQ, TRIG | EFD, 0, 1, &req_efd, 4, 0);
		if (rc)
			mismatch(what, "set-up: routing REQ gave errno %d", rc);
		now.msix_on = true;
		for (i = 0; i < nvec; i++)
			now.msix[i] = vefd[i];
		now.err = err_efd;
		now.req = req_efd;
	} else {
		/* EINVAL: MSI-X was already disabled. */
		rc = set_irqs(MSIX, TRIG | NONE, 0, 0, NULL, 0, 0);
		if (rc && rc != EINVAL)
			mismatch(what, "set-up: disabling MSI-X gave errno %d", rc);
		fds[0] = -1;
		rc = set_irqs(ERR, TRIG | EFD, 0, 1, fds, 4, 0);
		if (rc)
			mismatch(what, "set-up: unrouting ERR gave errno %d", rc);
		rc = set_irqs(REQ, TRIG | EFD, 0, 1, fds, 4, 0);
		if (rc)
			mismatch(what, "set-up: unrouting REQ gave errno %d", rc);
		now.msix_on = false;
		for (i = 0; i < nvec; i++)
			now.msix[i] = -1;
		now.err = now.req = -1;
	}
	drain();
}

/* The eventfd number the test sends for entry @i of @n, as @k says. */
static int32_t fd_of(enum fdkind k, unsigned int i, unsigned int n)
{
	switch (k) {
	case FD_VALID:
		return efd_e;
	case FD_OFF:
		return -1;
	case FD_NEG:
		return -2;
	case FD_DEVNULL:
		return devnull;
	case FD_CLOSED:
		return closed_fd;
	case FD_DEVICE:
		return dev.fd;
	case FD_LASTBAD:
		return i + 1 < n ? efd_e : devnull;
	case FD_LASTCLOSED:
		return i + 1 < n ? efd_e : closed_fd;
	default:
		return -1;
	}
}

/* The routing after @c succeeded from @r. */
static void apply(struct routing *r, const struct irq_case *c)
{
	uint32_t start = val(c->start), count = val(c->count), i;
	int fd = c->fd == FD_VALID ? efd_e : -1;

	if (c->index == MSIX && (c->flags & EFD)) {
		r->msix_on = true;
		for (i = 0; i < count; i++)
			r->msix[start + i] = fd;
	} else if (c->index == MSIX && (c->flags & NONE) && !count) {
		r->msix_on = false;
		for (i = 0; i < nvec; i++)
			r->msix[i] = -1;
	} else if (c->index == ERR || c->index == REQ) {
		int *slot = c->index == ERR ? &r->err : &r->req;

		if (c->flags & EFD)
			*slot = fd;
		else if ((c->flags & NONE) && !count)
			*slot = -1;
	}
}

/* Add to @fired[] (per eventfd number) what the loopback call @c signals. */
static void loopback(const struct routing *r, const struct irq_case *c, unsigned int *fired,
		     size_t nfd)
{
	uint32_t start = val(c->start), count = val(c->count), i;

	if (!(c->flags & (NONE | BOOL)) || !count)
		return;
	for (i = 0; i < count; i++) {
		int fd;

		if (c->index == MSIX)
			fd = r->msix[start + i];
		else
			fd = c->index == ERR ? r->err : r->req;
		if (fd < 0 || fd >= (int)nfd)
			continue;
		if ((c->flags & NONE) || (c->bools >> i & 1))
			fired[fd]++;
	}
}

#define NFD 1024

/* Read every eventfd: those that fired must be @want (counts per fd number). */
static void check_fired(const char *what, const char *when, const unsigned int *want)
{
	int fds[MAXV + 3], n = 0, i;

	for (i = 0; i < (int)nvec; i++)
		fds[n++] = vefd[i];
	fds[n++] = err_efd;
	fds[n++] = req_efd;
	fds[n++] = efd_e;
	for (i = 0; i < n; i++) {
		uint64_t got = efd_read(fds[i]);

		if (got != want[fds[i]])
			mismatch(what, "%s: eventfd %d fired %llu times, want %u", when, fds[i],
				 (unsigned long long)got, want[fds[i]]);
	}
}

/* Is the device routed as @r says? Fires everything routed (loopback) to see. */
static void check_routing(const char *what, const struct routing *r)
{
	static unsigned int want[NFD];
	struct irq_case fire = { .flags = TRIG | NONE, .start = A(0), .count = A(1) };
	int rc, exp, i;

	memset(want, 0, sizeof(want));
	fire.index = MSIX;
	fire.count = (struct val)NV(0);
	rc = set_irqs(MSIX, TRIG | NONE, 0, nvec, NULL, 0, 0);
	exp = r->msix_on ? 0 : EINVAL;
	if (rc != exp)
		mismatch(what, "after: firing MSI-X x%u gave errno %d, want %d (MSI-X %s)", nvec,
			 rc, exp, r->msix_on ? "enabled" : "disabled");
	if (!rc && r->msix_on)
		loopback(r, &fire, want, NFD);
	fire.count = (struct val)A(1);
	/* ERR and REQ: one routing each, fired alike. */
	for (i = 0; i < 2; i++) {
		fire.index = i == 0 ? ERR : REQ;
		rc = set_irqs(fire.index, TRIG | NONE, 0, 1, NULL, 0, 0);
		exp = (i == 0 ? r->err : r->req) >= 0 ? 0 : EINVAL;
		if (rc != exp)
			mismatch(what, "after: firing %s gave errno %d, want %d",
				 i == 0 ? "ERR" : "REQ", rc, exp);
		if (!rc)
			loopback(r, &fire, want, NFD);
	}
	check_fired(what, "after", want);
}

static void run_case(unsigned int i, const struct irq_case *c)
{
	static unsigned int want[NFD];
	uint32_t start = val(c->start), count = val(c->count), n, j;
	union {
		int32_t fds[MAXV];
		uint8_t bools[MAXV * 4];
	} data;
	size_t len = 0;
	char what[200];
	int rc;

	describe(what, sizeof(what), i, c);
	set_pre(c->pre, what);
	memset(&data, 0, sizeof(data));
	n = count < MAXV ? count : MAXV;
	if ((c->flags & (NONE | BOOL | EFD)) == BOOL) {
		for (j = 0; j < n; j++)
			data.bools[j] = c->bools >> j & 1;
		len = n;
	} else if (c->flags & EFD) {
		for (j = 0; j < n; j++)
			data.fds[j] = fd_of(c->fd, j, n);
		len = n * sizeof(int32_t);
	} else if (c->flags & BOOL) {
		len = n;
	}
	rc = set_irqs(c->index, c->flags, start, count, &data, len, c->argsz);
	if (rc != c->expect)
		mismatch(what, "errno %d (%s), vfio-pci gives %d (%s)", rc, strerror(rc),
			 c->expect, strerror(c->expect));
	memset(want, 0, sizeof(want));
	if (!c->expect)
		loopback(&now, c, want, NFD);
	check_fired(what, "the call", want);
	if (!c->expect)
		apply(&now, c);
	check_routing(what, &now);
}

/* GET_IRQ_INFO of every index as vfio-pci answers for this function. */
static void check_irq_info(void)
{
	static const uint32_t flags[5] = {
		VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED,
		VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE,
		VFIO_IRQ_INFO_EVENTFD,
		VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE,
		VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE,
	};
	uint32_t count[5] = { 0, 0, nvec, 1, 1 }, i;
	struct vfio_irq_info ii;
	char what[64];

	for (i = 0; i <= 5; i++) {
		memset(&ii, 0, sizeof(ii));
		ii.argsz = sizeof(ii);
		ii.index = i;
		snprintf(what, sizeof(what), "GET_IRQ_INFO %s", idx_name(i));
		if (ioctl(dev.fd, VFIO_DEVICE_GET_IRQ_INFO, &ii)) {
			if (i < 5)
				mismatch(what, "errno %d, want 0", errno);
			else if (errno != EINVAL)
				mismatch(what, "errno %d, want %d", errno, EINVAL);
			continue;
		}
		if (i == 5) {
			mismatch(what, "succeeded, want errno %d", EINVAL);
			continue;
		}
		if (ii.count != count[i] || ii.flags != flags[i])
			mismatch(what, "count %u flags %#x, vfio-pci gives count %u flags %#x",
				 ii.count, ii.flags, count[i], flags[i]);
	}
	ii.argsz = offsetof(struct vfio_irq_info, count);
	ii.index = MSIX;
	errno = 0;
	if (ioctl(dev.fd, VFIO_DEVICE_GET_IRQ_INFO, &ii) == 0 || errno != EINVAL)
		mismatch("GET_IRQ_INFO short argsz", "errno %d, want %d", errno, EINVAL);
}

/* After the table: the port still routes and delivers a device interrupt. */
static void check_works(void)
{
	struct vfio_region_info r = { .argsz = sizeof(r),
				      .index = VFIO_PCI_BAR0_REGION_INDEX + PNIC_BAR_REGS };
	uint32_t v;

	set_pre(ON, "final");
	ASSERT(ioctl(dev.fd, VFIO_DEVICE_GET_REGION_INFO, &r) == 0, "BAR0 region info");
	vu_bus_master(&dev);
	v = PNIC_IRQ_LINK;
	ASSERT(pwrite(dev.fd, &v, 4, r.offset + PNIC_REG_IRQ_MASK) == 4, "IRQ_MASK write");
	v = PNIC_DEV_CTRL_ENABLE | PNIC_BACKEND_LOOPBACK << PNIC_DEV_CTRL_BACKEND_SHIFT;
	ASSERT(pwrite(dev.fd, &v, 4, r.offset + PNIC_REG_DEV_CTRL) == 4, "DEV_CTRL write");
	ASSERT(vu_eventfd_wait(vefd[PNIC_VEC_MISC], 5000) > 0,
	       "no link interrupt on vector %u after the table", PNIC_VEC_MISC);
	v = 0;
	ASSERT(pwrite(dev.fd, &v, 4, r.offset + PNIC_REG_DEV_CTRL) == 4, "DEV_CTRL write");
	ASSERT(set_irqs(MSIX, TRIG | NONE, 0, 0, NULL, 0, 0) == 0, "disabling MSI-X at the end");
	ASSERT(set_irqs(MSIX, TRIG | NONE, 0, 0, NULL, 0, 0) == EINVAL,
	       "disabling MSI-X twice did not give EINVAL");
}

int main(int argc, char **argv)
{
	unsigned int i, n = irq_ncases + 4 * irq_ctx_nrows;

	ASSERT(argc == 2, "usage: pasidnic-irq-bad-input CDEV");
	setvbuf(stdout, NULL, _IOLBF, 0);
	vu_open(&dev, argv[1], -1);
	ASSERT(dev.num_irqs == VFIO_PCI_NUM_IRQS, "num_irqs %u", dev.num_irqs);
	/* vfio-pci's MSI-X count: the table size in the capability. */
	ASSERT(vu_cfg_read(&dev, PNIC_CFG_MSIX_CAP, 1) == 0x11, "no MSI-X capability");
	nvec = (vu_cfg_read(&dev, PNIC_CFG_MSIX_CAP + 2, 2) & 0x7ff) + 1;
	ASSERT(nvec >= 2 && nvec < MAXV, "MSI-X table size %u", nvec);

	for (i = 0; i < nvec; i++) {
		vefd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		ASSERT(vefd[i] >= 0 && vefd[i] < NFD, "eventfd");
	}
	err_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	req_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	efd_e = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	closed_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT(err_efd >= 0 && req_efd >= 0 && efd_e >= 0 && devnull >= 0 && closed_fd >= 0,
	       "eventfd or /dev/null");
	ASSERT(err_efd < NFD && req_efd < NFD && efd_e < NFD, "eventfd numbers over %d", NFD);
	close(closed_fd);	/* no fd is opened after this */

	check_irq_info();
	for (i = 0; i < irq_ncases; i++)
		run_case(i, &irq_cases[i]);
	for (; i < n; i++) {
		struct irq_case c = irq_ctx_case(&irq_ctx_rows[(i - irq_ncases) / 4],
						 (i - irq_ncases) % 4);

		run_case(i, &c);
	}
	check_works();
	vu_close(&dev);
	printf("%u SET_IRQS cases, MSI-X x%u, %u differences from vfio-pci\n", n, nvec,
	       mismatches);
	ASSERT(!mismatches, "%u differences from vfio-pci; first: %s", mismatches, first);
	printf("OK\n");
	return 0;
}
