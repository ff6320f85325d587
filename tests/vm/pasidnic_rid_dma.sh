#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# A RID-attached queue pair moves data correctly in loopback (MSI-X,
# doorbells, notification suppression); detaching the RID blocks DMA.
. "$TOP/tests/vm/pasidnic_common.sh"
pnic_run_cmd rid_dma q4
