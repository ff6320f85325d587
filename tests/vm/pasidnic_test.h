/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The commands of pasidnic-test (pasidnic_test.c), one file per concern:
 * DMA and PASID attach (pasidnic_dma.c), faults under unmap
 * (pasidnic_fault.c), the netdev backend and device release
 * (pasidnic_netdev.c). The device driver is tests/lib/pasidnic_drv.h.
 *
 * A command gets the opened device and its own arguments (after CDEV);
 * it returns 0 on success and fails the test through test_assert.h.
 */
#ifndef PASIDNIC_TEST_H
#define PASIDNIC_TEST_H

#include "pasidnic_drv_vfio.h"

int cmd_info(struct pnic_vfio *v, char **args);
int cmd_rid_dma(struct pnic_vfio *v, char **args);
int cmd_pasid_attach(struct pnic_vfio *v, char **args);
int cmd_pasid_isolation(struct pnic_vfio *v, char **args);
int cmd_unmap_while_active(struct pnic_vfio *v, char **args);
/* args: READYFILE SECONDS */
int cmd_netdev(struct pnic_vfio *v, char **args);
/* args: READYFILE */
int cmd_hold(struct pnic_vfio *v, char **args);

#endif /* PASIDNIC_TEST_H */
