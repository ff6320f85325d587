#!/bin/bash
# vm-boot: host
# SPDX-License-Identifier: BSD-3-Clause
# dpdk-testpasid conformance on QEMU's edu behind the vIOMMU (a physical
# function on vfio-pci with no PASID capability; issue 15 item 5): PASID
# width 0, the RID on a PASID-capable HWPT, PASID attach refused with the
# documented error (ENOTSUP); the PASID checks that need a width SKIP with
# their reason. (--json and the run without -a: conformance_pasidnic; one
# EAL start here, each maps DPDK's memory through the vIOMMU, slow under TCG.)
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/bus_lib.sh"
. "$TOP/tests/vm/conformance_lib.sh"

edu_vfio
edu=pci-$EDU_BDF
conf_run "$edu" /tmp/conf-edu.log
conf_must "^conformance of $edu: physical, 1234:11e8, driver (none), PASID width 0"
conf_must "^PASS pasid_width: 0 bits (IOMMU_GET_HW_INFO out_max_pasid_log2)"
conf_must "^PASS rid_hwpt: the RID is on PASID-capable HWPT [0-9]"
conf_must "^PASS pasid_attach: PASID attach refused: rte_iommufd_domain_create() .*(no PASID support; documented: ENOTSUP"
conf_must "^SKIP pasid_hwpt: no PASID on this physical device .*a PASID-capable physical function is needed"
conf_must "^SKIP dma_isolation: no driver probed the device"
conf_must "^result: 3 PASS, 0 FAIL, 7 SKIP"
grep -q "$edu: cannot create a PASID domain: the device has no PASID support" /tmp/conf-edu.log.err ||
	fail "the bus did not log why the PASID domain was refused"
echo "ok: width 0, the RID on a PASID-capable HWPT, PASID attach refused as documented"

