#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# A RID-attached queue pair moves data correctly in loopback (MSI-X,
# doorbells, notification suppression); detaching the RID blocks DMA.
. "$TOP/tests/vm/pasidnic_common.sh"
pnic_need_test
pnic_load
u=$(pnic_create q4) || exit 1
c=$(pnic_cdev "$u") || exit 1
"$PNIC_TEST" rid_dma "$c" || exit 1
pnic_remove "$u"
rmmod pasidnic || fail "rmmod failed"
