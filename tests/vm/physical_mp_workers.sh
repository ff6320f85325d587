#!/bin/bash
# vm-boot: physical
# SPDX-License-Identifier: BSD-3-Clause
# The multi-process workers on a physical function (issue 17): a pasidnic_pci
# function bound to vfio-pci is the port of examples/pasid_workers; the
# primary binds it through the iommufd bus's physical branch and starts it
# with net_pasidnic, and three workers (secondaries) each put a queue pair in
# a PASID of their own, attached by HWPT id to a PASID-capable HWPT of their
# own IOAS, with their own hugepage heap, and forward frames in loopback.
# Worker 1 is SIGKILLed mid-traffic: the primary quiesces its queue pair,
# detaches its PASID, destroys its IOAS and its heap's hugepages return,
# while the others keep forwarding; then everything leaves cleanly and
# nothing is left: hugepages, the cdev, the function, the module
# (mp_crash, tests/vm/mp_lib.sh; the mdev version is mp_worker_crash).
. "$TOP/tests/vm/mp_lib.sh"
. "$TOP/tests/vm/physical_lib.sh"

phys_mp_setup physical_mp_workers
echo "[$(proc_now)] port ready"
mp_crash 3 1
echo "[$(proc_now)] scenario done"
mp_check_unheld
mp_check_free
phys_done
echo "[$(proc_now)] ok: the cdev is free, every hugepage is back, function and module gone"
