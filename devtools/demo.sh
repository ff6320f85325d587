#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The dpdk-pasid demo. Installs what is missing, builds everything (cached
# in ~/.cache/dpdk-pasid) and runs the demo in the test VM.
#
# The multi-process PASID workers demo (examples/pasid_workers) is not there
# yet; until it is, this runs the foundation it will stand on: one process
# drives a PCI device (QEMU's edu behind an emulated VT-d in scalable mode)
# through /dev/iommu and its vfio cdev — no VFIO group or container — and
# shows the device's DMA confined to the I/O address space it was given.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$TOP/devtools/deps.sh"
log "building (cold: ~25 min on 2 cores; cached afterwards)"
"$TOP/devtools/build.sh" debug > /dev/null
. "$TOP/tests/vm/boots/core.conf"
cat <<'TXT'

== dpdk-pasid demo: a device driven through iommufd + vfio cdev ==
In the test VM (Linux 7.2 debug kernel, QEMU vIOMMU in scalable mode) the
program below:
  1. binds the edu PCI function's /dev/vfio/devices/vfioN to /dev/iommu,
  2. gives its RID a fresh I/O address space (IOAS) and maps one 2 MiB
     hugepage there with IOMMU_IOAS_MAP,
  3. makes the device DMA RAM -> device -> RAM through that IOAS and waits
     for its MSI on an eventfd,
  4. makes the device write to an IOVA that was never mapped and to one that
     was just unmapped: the IOMMU blocks both (DMAR faults), memory is
     untouched.

TXT
exec "$TOP/devtools/vm.sh" "${VM_ARGS[@]}" -- bash -c '
	. "$TOP/tests/vm/lib.sh"
	edu_vfio
	echo "edu device $EDU_BDF bound to vfio-pci, cdev $EDU_CDEV"
	"$BUILD/tests/vm/smoke-iommufd" "$EDU_CDEV" || exit 1
	echo "kernel log (the IOMMU blocking the stray DMA):"
	dmesg | grep -E "DMAR.*(fault|Request)" | head -4 | sed "s/^/    /"
	echo "demo finished: DMA stayed inside its I/O address space"'
