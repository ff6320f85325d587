/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VFIO_DEVICE_SET_IRQS cases of pasidnic-irq-bad-input (the table is
 * pasidnic_irq_cases.c, the runner pasidnic_irq_bad_input.c).
 */
#ifndef PASIDNIC_IRQ_CASES_H
#define PASIDNIC_IRQ_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vfio.h>

#define NONE	VFIO_IRQ_SET_DATA_NONE
#define BOOL	VFIO_IRQ_SET_DATA_BOOL
#define EFD	VFIO_IRQ_SET_DATA_EVENTFD
#define MASK	VFIO_IRQ_SET_ACTION_MASK
#define UNMASK	VFIO_IRQ_SET_ACTION_UNMASK
#define TRIG	VFIO_IRQ_SET_ACTION_TRIGGER

#define INTX	VFIO_PCI_INTX_IRQ_INDEX
#define MSI	VFIO_PCI_MSI_IRQ_INDEX
#define MSIX	VFIO_PCI_MSIX_IRQ_INDEX
#define ERR	VFIO_PCI_ERR_IRQ_INDEX
#define REQ	VFIO_PCI_REQ_IRQ_INDEX

#define MAXV	64		/* data entries the test sends at most */
#define MINSZ	(offsetof(struct vfio_irq_set, count) + sizeof(uint32_t))

/* What each data entry of a DATA_EVENTFD call is. */
enum fdkind {
	FD_NA,		/* no eventfd data */
	FD_VALID,	/* a fresh eventfd (E) */
	FD_OFF,		/* -1: unroute */
	FD_NEG,		/* -2 */
	FD_DEVNULL,	/* /dev/null: not an eventfd */
	FD_CLOSED,	/* a closed fd number */
	FD_DEVICE,	/* the vfio device fd itself */
	FD_LASTBAD,	/* E for all entries but the last, /dev/null there */
	FD_LASTCLOSED,	/* E for all entries but the last, a closed fd there */
};

/* State before a case: MSI-X disabled and ERR/REQ unrouted, or all routed. */
enum pre { OFF, ON };

/* A start or count: @v, plus the MSI-X vector count when @n. */
struct val {
	uint32_t v;
	bool n;
};

#define A(x)	{ (uint32_t)(x), false }
#define NV(x)	{ (uint32_t)(x), true }

struct irq_case {
	enum pre pre;
	uint32_t index;
	uint32_t flags;
	struct val start, count;
	enum fdkind fd;
	uint64_t bools;		/* DATA_BOOL entry i = bit i */
	int argsz;		/* 0: header + the data; > 0: this argsz */
	int expect;		/* errno, or 0 */
};

#define C(pre, idx, fl, s, c, fd, b, ex) \
	{ pre, idx, fl, s, c, fd, b, 0, ex }
#define CSZ(pre, idx, fl, s, c, fd, argsz, ex) \
	{ pre, idx, fl, s, c, fd, 0, argsz, ex }

/*
 * A call on ERR and on REQ (start 0), which vfio-pci serves alike
 * (vfio_pci_set_ctx_trigger_single()): the runner plays each row on both
 * indices, unrouted (errno @ex_off) and routed (@ex_on), four cases a row,
 * after irq_cases[] (irq_ctx_case()).
 */
struct irq_ctx_row {
	uint32_t flags;
	uint32_t count;
	enum fdkind fd;
	uint64_t bools;
	int ex_off, ex_on;
};

/** The table, in the order the runner plays it. */
extern const struct irq_case irq_cases[];
extern const unsigned int irq_ncases;
/** The ERR and REQ rows, played after irq_cases[]. */
extern const struct irq_ctx_row irq_ctx_rows[];
extern const unsigned int irq_ctx_nrows;

/**
 * irq_ctx_case() - case @k (0..3) of row @r: ERR unrouted, REQ unrouted,
 * ERR routed, REQ routed.
 */
static inline struct irq_case
irq_ctx_case(const struct irq_ctx_row *r, unsigned int k)
{
	struct irq_case c = {
		.pre = k & 2 ? ON : OFF,
		.index = k & 1 ? VFIO_PCI_REQ_IRQ_INDEX : VFIO_PCI_ERR_IRQ_INDEX,
		.flags = r->flags,
		.start = A(0),
		.count = A(r->count),
		.fd = r->fd,
		.bools = r->bools,
		.expect = k & 2 ? r->ex_on : r->ex_off,
	};

	return c;
}

#endif /* PASIDNIC_IRQ_CASES_H */
