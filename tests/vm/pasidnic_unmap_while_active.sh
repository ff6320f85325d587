#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# Unmapping rings or buffers under running queues (PASID and
# RID) ends in a fault, never a use-after-unmap; a queue reset recovers.
. "$TOP/tests/vm/pasidnic_common.sh"
pnic_need_test
pnic_load
u=$(pnic_create q4) || exit 1
c=$(pnic_cdev "$u") || exit 1
"$PNIC_TEST" unmap_while_active "$c" || exit 1
pnic_remove "$u"
rmmod pasidnic || fail "rmmod failed"
