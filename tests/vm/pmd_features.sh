#!/bin/bash
# vm-boot: pmd
# SPDX-License-Identifier: BSD-3-Clause
# net_pasidnic port features beyond forwarding: Rx interrupt mode (epoll
# wakes on a frame), the promiscuous/MAC filter, MTU limits, per-queue
# stop/start while another queue runs, link up/down, basic stats and reset.
. "$TOP/tests/vm/pmd_lib.sh"

pmd_ports 1 q2
trap pnic_remove_ports EXIT
"$BUILD/tests/vm/pmd-queues" "${PMD_EAL[@]}" -a "iommufd:${PNIC_PORTS[0]}" -- features
