#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# A queue on PASID A given an IOVA mapped only in B's IOAS faults
# (queue, PASID, IOVA, direction latched); B's memory is byte-identical.
. "$TOP/tests/vm/pasidnic_common.sh"
pnic_need_test
pnic_load
u=$(pnic_create q4) || exit 1
c=$(pnic_cdev "$u") || exit 1
"$PNIC_TEST" pasid_isolation "$c" || exit 1
pnic_remove "$u"
rmmod pasidnic || fail "rmmod failed"
