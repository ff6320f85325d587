#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# The two queue pairs of one pasidnic port in two PASID domains of the
# iommufd bus, each with its own pasid_mem heap and mempool: each queue is
# programmed with its domain's PASID and DMAs only into its own heap (a
# buffer of the other heap posted on a queue never yields that heap's bytes).
. "$TOP/tests/vm/pmd_lib.sh"

pmd_ports 1 q2
trap pnic_remove_ports EXIT
"$BUILD/tests/vm/pmd-queues" "${PMD_EAL[@]}" --log-level=lib.pasid_mem:info \
	-a "iommufd:${PNIC_PORTS[0]},pasid=on" -- pasid
