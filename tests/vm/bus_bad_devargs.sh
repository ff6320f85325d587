#!/bin/bash
# vm-boot: bus
# SPDX-License-Identifier: BSD-3-Clause
# Bad device arguments are refused by name, in both devargs forms; a device
# selected with -a that cannot be used gets an error that says why and the
# command that fixes it.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/bus_lib.sh"

list() { "$BUILD/app/testpasid/dpdk-testpasid" "${EAL[@]}" "$@" -- list 2>&1; }
edu_vfio
edu=pci-$EDU_BDF

out=$(list -a "iommufd:$edu,foo=1")
echo "$out"
echo "$out" | grep -q "$edu: bad devargs: unknown key 'foo'" || fail "unknown key 'foo' not named"
echo "$out" | grep -q "^$edu .*  bound" && fail "edu was bound with a bad key"
echo "ok: legacy form, unknown key refused by name"

out=$(list -a "iommufd:$edu,max_domains=zero")
echo "$out" | grep -q "bad value 'zero' for key 'max_domains'" || fail "malformed max_domains not named"
echo "ok: legacy form, malformed value refused by name"

if out=$(list -a "bus=iommufd,name=$edu,pasid=maybe"); then
	echo "$out"
	fail "EAL accepted -a bus=iommufd,...,pasid=maybe"
fi
echo "$out" | grep -q "bad value 'maybe' for key 'pasid'" || { echo "$out"; fail "layered form: 'pasid' not named"; }
echo "ok: layered form, malformed value fails the -a option"

out=$(list -a "bus=iommufd,name=$edu,pasid=off")
echo "$out" | grep -q "^$edu .*physical.*  bound" || { echo "$out"; fail "layered form with good keys did not bind edu"; }
echo "ok: layered form with good keys works"

# A PCI function that is not on vfio-pci: the error has the fix.
other=
for d in /sys/bus/pci/devices/*; do
	b=$(basename "$d")
	[ "pci-$b" = "$edu" ] && continue
	[ -e "$d/vfio-dev" ] && continue
	other=$b
	break
done
[ -n "$other" ] || fail "no PCI function other than edu in the VM"
out=$(list -a "iommufd:pci-$other")
echo "$out"
echo "$out" | grep -q "pci-$other cannot be used: $other is .*vfio-pci; fix: .*echo vfio-pci > /sys/bus/pci/devices/$other/driver_override; echo $other > /sys/bus/pci/drivers_probe" ||
	fail "the error for a function not on vfio-pci lacks the reason or the fix"
echo "ok: a function not on vfio-pci is refused with the fix"

out=$(list -a "iommufd:pci-0000:00:1f.7")
echo "$out" | grep -q "pci-0000:00:1f.7 cannot be used: no PCI function 0000:00:1f.7" ||
	{ echo "$out"; fail "a missing function is not reported"; }
echo "ok: a missing function is reported"
