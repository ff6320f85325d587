#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# A queue on PASID A given an IOVA mapped only in B's IOAS faults
# (queue, PASID, IOVA, direction latched); B's memory is byte-identical.
. "$TOP/tests/vm/pasidnic_common.sh"
pnic_run_cmd pasid_isolation q4
