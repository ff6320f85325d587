#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# PASIDs on different IOASes through the standard uAPI
# (VFIO_DEVICE_ATTACH_PASID), replace, detach blocks DMA, out-of-width refused.
. "$TOP/tests/vm/pasidnic_common.sh"
pnic_run_cmd pasid_attach q4
