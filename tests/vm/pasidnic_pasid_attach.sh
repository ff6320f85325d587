#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# PASIDs on different IOASes through the standard uAPI
# (VFIO_DEVICE_ATTACH_PASID), replace, detach blocks DMA, out-of-width refused.
. "$TOP/tests/vm/pasidnic_common.sh"
pnic_need_test
pnic_load
u=$(pnic_create q4) || exit 1
c=$(pnic_cdev "$u") || exit 1
"$PNIC_TEST" pasid_attach "$c" || exit 1
pnic_remove "$u"
rmmod pasidnic || fail "rmmod failed"
