#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# Unmapping rings or buffers under running queues (PASID and
# RID) ends in a fault, never a use-after-unmap; a queue reset recovers.
. "$TOP/tests/vm/pasidnic_common.sh"
pnic_run_cmd unmap_while_active q4
