#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# A worker of examples/pasid_workers SIGKILLed in the middle of its traffic:
# the other three keep forwarding, and the primary (through the bus's pidfd
# watch) quiesces the dead worker's queue pair, detaches its PASID and
# destroys its IOAS, and the hugepages of its heap return to the pool
# (mp_crash, tests/vm/mp_lib.sh; on a physical function: physical_mp_workers).
. "$TOP/tests/vm/mp_lib.sh"

mp_setup mp_worker_crash q4
mp_crash 4 2
