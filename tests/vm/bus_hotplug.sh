#!/bin/bash
# vm-boot: bus
# SPDX-License-Identifier: BSD-3-Clause
# rte_dev_remove()/rte_dev_probe() of edu on the iommufd bus, three times,
# with a DMA after every probe, then rte_eal_cleanup().
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/bus_lib.sh"

edu_vfio
edu=pci-$EDU_BDF
"$BUILD/tests/vm/bus-edu" hotplug "${EAL[@]}" -a "iommufd:$edu" || exit 1
