/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VFIO_DEVICE_SET_IRQS cases of pasidnic-irq-bad-input, each with the
 * errno vfio-pci gives (Linux 7.2: vfio_set_irqs_validate_and_prepare(),
 * vfio_pci_set_irqs_ioctl(), vfio_pci_set_msi_trigger(),
 * vfio_pci_set_ctx_trigger_single()) for a PCI Express function with
 * pasidnic's interrupts: no INTx, no MSI, MSI-X with N vectors (dynamic),
 * ERR 1, REQ 1. doc/pasidnic.md, "SET_IRQS: accepted input and errors".
 */
#include <errno.h>

#include "pasidnic_irq_cases.h"
#include "test_assert.h"

const struct irq_case irq_cases[] = {
	/* vfio_set_irqs_validate_and_prepare(): header, index, flags, range, data */
	CSZ(ON, MSIX, TRIG | NONE, A(0), A(0), FD_NA, MINSZ - 1, EINVAL),
	CSZ(ON, MSIX, TRIG | EFD, A(0), A(2), FD_VALID, MINSZ + 4, EINVAL),
	CSZ(ON, MSIX, TRIG | BOOL, A(0), A(1), FD_NA, MINSZ, EINVAL),
	C(ON, VFIO_PCI_NUM_IRQS, TRIG | NONE, A(0), A(0), FD_NA, 0, EINVAL),
	C(ON, VFIO_PCI_NUM_IRQS, TRIG | EFD, A(0), A(1), FD_VALID, 0, EINVAL),
	C(ON, 0xffffffff, TRIG | NONE, A(0), A(1), FD_NA, 0, EINVAL),
	C(ON, MSIX, TRIG | EFD | 0x40, A(0), A(1), FD_VALID, 0, EINVAL),
	C(ON, MSIX, TRIG | NONE | 0x80000000, A(0), A(0), FD_NA, 0, EINVAL),
	C(ON, REQ, TRIG | NONE | 0x100, A(0), A(1), FD_NA, 0, EINVAL),
	C(ON, MSIX, TRIG, A(0), A(1), FD_NA, 0, EINVAL),
	C(ON, MSIX, TRIG | NONE | BOOL, A(0), A(1), FD_NA, 1, EINVAL),
	C(ON, MSIX, TRIG | BOOL | EFD, A(0), A(1), FD_VALID, 0, EINVAL),
	C(ON, REQ, TRIG | NONE | EFD, A(0), A(1), FD_VALID, 0, EINVAL),
	C(ON, MSIX, TRIG | NONE | BOOL | EFD, A(0), A(1), FD_VALID, 0, EINVAL),
	C(ON, MSIX, TRIG | NONE, NV(0), A(0), FD_NA, 0, EINVAL),
	C(ON, MSIX, TRIG | EFD, NV(0), A(1), FD_VALID, 0, EINVAL),
	C(ON, MSIX, TRIG | EFD, NV(-1), A(2), FD_VALID, 0, EINVAL),
	C(ON, MSIX, TRIG | EFD, A(0), NV(1), FD_VALID, 0, EINVAL),
	C(ON, MSIX, TRIG | NONE, A(1), A(0xffffffff), FD_NA, 0, EINVAL),
	C(ON, MSIX, TRIG | NONE, A(0xffffffff), A(1), FD_NA, 0, EINVAL),
	C(ON, MSIX, TRIG | NONE, A(0xffffffff), A(0), FD_NA, 0, EINVAL),
	C(ON, MSIX, TRIG | EFD, A(2), A(0xfffffffe), FD_VALID, 0, EINVAL),
	C(ON, MSIX, TRIG | EFD, A(0), A(0xfffffffe), FD_VALID, 0, EINVAL),
	C(ON, MSIX, TRIG | BOOL, A(0), A(0x40000000), FD_NA, 1, EINVAL),
	C(ON, ERR, TRIG | EFD, A(1), A(0), FD_VALID, 0, EINVAL),
	C(ON, ERR, TRIG | EFD, A(0), A(2), FD_VALID, 0, EINVAL),
	C(ON, REQ, TRIG | NONE, A(1), A(0), FD_NA, 0, EINVAL),
	C(ON, REQ, TRIG | EFD, A(0), A(2), FD_VALID, 0, EINVAL),
	C(ON, REQ, TRIG | EFD, A(0xffffffff), A(1), FD_VALID, 0, EINVAL),
	/* INTx and MSI have no vectors: every call fails validation */
	C(OFF, INTX, TRIG | EFD, A(0), A(1), FD_VALID, 0, EINVAL),
	C(OFF, INTX, TRIG | NONE, A(0), A(0), FD_NA, 0, EINVAL),
	C(OFF, INTX, MASK | NONE, A(0), A(1), FD_NA, 0, EINVAL),
	C(OFF, INTX, UNMASK | BOOL, A(0), A(1), FD_NA, 1, EINVAL),
	C(OFF, INTX, UNMASK | EFD, A(0), A(1), FD_VALID, 0, EINVAL),
	C(OFF, MSI, TRIG | EFD, A(0), A(1), FD_VALID, 0, EINVAL),
	C(OFF, MSI, TRIG | NONE, A(0), A(0), FD_NA, 0, EINVAL),
	C(OFF, MSI, MASK | NONE, A(0), A(1), FD_NA, 0, EINVAL),
	/* vfio_pci_set_irqs_ioctl(): no handler for the action */
	C(ON, MSIX, MASK | NONE, A(0), A(1), FD_NA, 0, ENOTTY),
	C(ON, MSIX, UNMASK | BOOL, A(0), A(1), FD_NA, 1, ENOTTY),
	C(ON, MSIX, MASK | EFD, A(0), A(1), FD_VALID, 0, ENOTTY),
	C(ON, MSIX, NONE, A(0), A(1), FD_NA, 0, ENOTTY),
	C(ON, MSIX, TRIG | MASK | NONE, A(0), A(0), FD_NA, 0, ENOTTY),
	C(ON, MSIX, TRIG | MASK | UNMASK | EFD, A(0), A(1), FD_VALID, 0, ENOTTY),
	C(ON, ERR, UNMASK | EFD, A(0), A(1), FD_VALID, 0, ENOTTY),
	C(ON, REQ, MASK | NONE, A(0), A(1), FD_NA, 0, ENOTTY),
	C(ON, REQ, EFD, A(0), A(1), FD_OFF, 0, ENOTTY),
	C(ON, MSIX, MASK | NONE, NV(0), A(1), FD_NA, 0, EINVAL),
	/* MSI-X disabled: vfio_pci_set_msi_trigger() */
	C(OFF, MSIX, TRIG | NONE, A(0), A(0), FD_NA, 0, EINVAL),
	C(OFF, MSIX, TRIG | NONE, A(0), A(1), FD_NA, 0, EINVAL),
	C(OFF, MSIX, TRIG | BOOL, A(0), A(1), FD_NA, 1, EINVAL),
	C(OFF, MSIX, TRIG | BOOL, A(0), A(0), FD_NA, 0, EINVAL),
	C(OFF, MSIX, TRIG | EFD, A(0), A(0), FD_NA, 0, ERANGE),
	C(OFF, MSIX, TRIG | EFD, A(1), A(0), FD_NA, 0, 0),
	C(OFF, MSIX, TRIG | EFD, A(0), NV(0), FD_VALID, 0, 0),
	C(OFF, MSIX, TRIG | EFD, A(1), A(1), FD_VALID, 0, 0),
	C(OFF, MSIX, TRIG | EFD, A(0), A(1), FD_OFF, 0, 0),
	C(OFF, MSIX, TRIG | EFD, A(0), NV(0), FD_NEG, 0, 0),
	C(OFF, MSIX, TRIG | EFD, A(0), A(1), FD_DEVNULL, 0, EINVAL),
	C(OFF, MSIX, TRIG | EFD, A(0), A(1), FD_CLOSED, 0, EBADF),
	C(OFF, MSIX, TRIG | EFD, A(0), A(1), FD_DEVICE, 0, EINVAL),
	C(OFF, MSIX, TRIG | EFD, A(0), NV(0), FD_LASTCLOSED, 0, EBADF),
	C(OFF, MSIX, TRIG | EFD, A(0), NV(0), FD_LASTBAD, 0, EINVAL),
	/* MSI-X enabled, every vector routed */
	C(ON, MSIX, TRIG | NONE, A(0), A(0), FD_NA, 0, 0),
	C(ON, MSIX, TRIG | NONE, A(1), A(0), FD_NA, 0, 0),
	C(ON, MSIX, TRIG | NONE, A(0), NV(0), FD_NA, 0, 0),
	C(ON, MSIX, TRIG | NONE, A(1), A(2), FD_NA, 0, 0),
	C(ON, MSIX, TRIG | BOOL, A(0), NV(0), FD_NA, 0x15, 0),
	C(ON, MSIX, TRIG | BOOL, A(0), A(1), FD_NA, 0, 0),
	C(ON, MSIX, TRIG | BOOL, A(0), A(0), FD_NA, 0, 0),
	C(ON, MSIX, TRIG | EFD, A(0), A(0), FD_NA, 0, 0),
	C(ON, MSIX, TRIG | EFD, NV(-1), A(1), FD_VALID, 0, 0),
	C(ON, MSIX, TRIG | EFD, A(0), A(1), FD_OFF, 0, 0),
	C(ON, MSIX, TRIG | EFD, A(1), A(2), FD_NEG, 0, 0),
	C(ON, MSIX, TRIG | EFD, A(0), NV(0), FD_OFF, 0, 0),
	C(ON, MSIX, TRIG | EFD, A(0), A(1), FD_DEVNULL, 0, EINVAL),
	C(ON, MSIX, TRIG | EFD, A(0), A(1), FD_CLOSED, 0, EBADF),
	C(ON, MSIX, TRIG | EFD, A(0), NV(0), FD_LASTBAD, 0, EINVAL),
	C(ON, MSIX, TRIG | EFD, A(1), A(2), FD_LASTCLOSED, 0, EBADF),
	C(ON, MSIX, TRIG | EFD, NV(-1), A(1), FD_DEVICE, 0, EINVAL),
};

const unsigned int irq_ncases = TEST_DIM(irq_cases);

/*
 * ERR and REQ: vfio_pci_set_ctx_trigger_single(), which serves both alike.
 * Each row: flags, count, fd, bools, then the errno unrouted and routed
 * (doc/pasidnic.md's ERR/REQ table, one row a line). Count 0 with data is
 * refused (reliability review K1: a NULL dereference once).
 */
const struct irq_ctx_row irq_ctx_rows[] = {
	{ TRIG | NONE, 0, FD_NA, 0, EINVAL, 0 },
	{ TRIG | NONE, 1, FD_NA, 0, EINVAL, 0 },
	{ TRIG | BOOL, 1, FD_NA, 1, 0, 0 },
	{ TRIG | BOOL, 1, FD_NA, 0, 0, 0 },
	{ TRIG | BOOL, 0, FD_NA, 0, EINVAL, EINVAL },
	{ TRIG | EFD, 0, FD_NA, 0, EINVAL, EINVAL },
	{ TRIG | EFD, 1, FD_VALID, 0, 0, 0 },
	{ TRIG | EFD, 1, FD_OFF, 0, 0, 0 },
	{ TRIG | EFD, 1, FD_NEG, 0, EINVAL, EINVAL },
	{ TRIG | EFD, 1, FD_DEVNULL, 0, EINVAL, EINVAL },
	{ TRIG | EFD, 1, FD_CLOSED, 0, EBADF, EBADF },
	{ TRIG | EFD, 1, FD_DEVICE, 0, EINVAL, EINVAL },
};

const unsigned int irq_ctx_nrows = TEST_DIM(irq_ctx_rows);
