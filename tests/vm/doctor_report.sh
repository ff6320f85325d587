#!/bin/bash
# vm-boot: host
# SPDX-License-Identifier: BSD-3-Clause
# doctor_report: on the vIOMMU host (edu on vfio-pci, a pasidnic port)
# 'dpdk-testpasid doctor' passes and says what the host can run; with
# /dev/iommu hidden (a mount namespace), no hugepages, or a low
# RLIMIT_MEMLOCK without CAP_IPC_LOCK it exits 1 and names each problem with
# its fix. usertools/dpdk-pasid-setup prepares the host and puts it back:
# bind and port add twice (idempotent), unbind and port remove refused while a
# process holds the device. Every setting is restored for the boot's other
# tests.
. "$TOP/tests/vm/lib.sh"
. "$TOP/devtools/lib/pasidnic.sh"

TP=$BUILD/app/testpasid/dpdk-testpasid
SETUP=(/usr/bin/python3 "$TOP/usertools/dpdk-pasid-setup")
NR=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages

EDU_BDF=$(edu_bdf) || fail "no edu device in the VM (vm.sh --edu)"
edu_drv0=$(basename "$(readlink "/sys/bus/pci/devices/$EDU_BDF/driver" 2>/dev/null)")
hp0=$(cat "$NR")
loaded=0
[ -d /sys/module/pasidnic ] || loaded=1
port=$(cat /proc/sys/kernel/random/uuid)

# shellcheck disable=SC2317 # run by the trap
restore() {
	exec 3>&- 4>&-
	[ "$(cat "$NR")" = "$hp0" ] || echo "$hp0" > "$NR"
	[ -e "/sys/bus/mdev/devices/$port" ] && echo 1 > "/sys/bus/mdev/devices/$port/remove"
	[ $loaded = 1 ] && [ -d /sys/module/pasidnic ] && rmmod pasidnic
	local drv
	drv=$(basename "$(readlink "/sys/bus/pci/devices/$EDU_BDF/driver" 2>/dev/null)")
	if [ "$drv" != "$edu_drv0" ] && [ "$edu_drv0" = vfio-pci ]; then
		"${SETUP[@]}" bind "$EDU_BDF" > /dev/null
	elif [ "$drv" != "$edu_drv0" ]; then
		"${SETUP[@]}" unbind "$EDU_BDF" > /dev/null
	fi
	return 0
}
trap restore EXIT

# setup CMD... : run dpdk-pasid-setup, fail the test when it fails.
setup() {
	local out
	out=$("${SETUP[@]}" "$@" 2>&1) || fail "dpdk-pasid-setup $* failed: $out"
	echo "setup $*: $out"
}

# doctor_fails WHAT PATTERN... -- CMD...: the doctor run by CMD exits 1 and its
# output has a FAIL line matching each PATTERN, each followed by a fix.
doctor_fails() {
	local what=$1 pats=() out rc p
	shift
	while [ "$1" != -- ]; do pats+=("$1"); shift; done
	shift
	out=$("$@" 2>&1)
	rc=$?
	echo "--- doctor, $what (exit $rc):"
	echo "$out"
	[ $rc = 1 ] || fail "doctor exits $rc with $what (expected 1)"
	for p in "${pats[@]}"; do
		echo "$out" | grep -A1 -E "^FAIL  $p" | grep -q "fix: " ||
			fail "doctor with $what: no FAIL line '$p' with a fix"
	done
	echo "$out" | grep -q "^PASID workers: cannot run" ||
		fail "doctor with $what does not say that PASID workers cannot run"
	echo "ok: $what: the doctor fails and names it with its fix (${SECONDS}s)"
}

# --- prepare the host with dpdk-pasid-setup (each step twice: idempotent)
[ -e /dev/iommu ] || fail "no /dev/iommu: the kernel lacks CONFIG_IOMMUFD"
[ "$hp0" -gt 0 ] || fail "the boot reserved no 2 MiB hugepages"
[ "$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages)" = "$hp0" ] ||
	fail "hugepages in use before the test: $(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages) of $hp0 free"
setup bind "$EDU_BDF"
out=$("${SETUP[@]}" bind "$EDU_BDF") || fail "a second bind failed"
echo "$out" | grep -q "already bound to vfio-pci" || fail "a second bind says: $out"
EDU_CDEV=$(vfio_cdev_of "/sys/bus/pci/devices/$EDU_BDF") || fail "edu has no vfio cdev"
[ -d /sys/module/pasidnic ] || pnic_load
setup port add q4 --uuid "$port"
out=$("${SETUP[@]}" port add q4 --uuid "$port") || fail "a second port add failed"
echo "$out" | grep -q "exists already" || fail "a second port add says: $out"
echo "ok: bind and port add are idempotent (${SECONDS}s)"

# --- the doctor passes, and says what the host can run
out=$("$TP" doctor 2>&1)
rc=$?
echo "--- doctor:"
echo "$out"
[ $rc = 0 ] || fail "doctor exits $rc on the prepared host"
for p in "^OK    iommufd .*IOMMU_HWPT_ALLOC yes" \
	"^OK    port +mdev-$port .*PASID domains work" \
	"^INFO  function +pci-$EDU_BDF \[1234:11e8\] \(vfio-pci\): IOMMU intel-vtd, PASID width 0, RID only" \
	"^OK    memlock" "^INFO  hugepages .*2048 kB pages: $hp0 reserved, $hp0 free" \
	"emulated ports \(pasidnic, no IOMMU needed\): yes, mdev-$port" \
	"physical functions by RID: +yes, pci-$EDU_BDF" \
	"physical functions with PASID domains: +no" "^PASID workers: can run"; do
	echo "$out" | grep -qE "$p" || fail "doctor output lacks /$p/"
done
"$TP" doctor --json | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["pasid_workers"] is True, d["pasid_workers"]
assert d["can_run"] == {"emulated": True, "physical_rid": True, "physical_pasid": False}, d["can_run"]
assert any(x["name"] == "pci-'"$EDU_BDF"'" and x["usable"] and x["pasid_width"] == 0
           for x in d["devices"]), d["devices"]
assert all(f["status"] != "fail" for f in d["findings"])
' || fail "doctor --json is not what the text says"
echo "ok: the doctor passes; --json agrees (${SECONDS}s)"

# --- a held device: not disturbed by the doctor, refused by setup without --force
exec 3<> "$EDU_CDEV"
"$TP" doctor > /tmp/doctor-held.log 2>&1
grep -qE "pci-$EDU_BDF \(vfio-pci\): in use by process $$" /tmp/doctor-held.log ||
	fail "doctor does not say that process $$ holds edu: $(grep "pci-$EDU_BDF" /tmp/doctor-held.log)"
out=$("${SETUP[@]}" unbind "$EDU_BDF" 2>&1) && fail "unbind of a held edu succeeded: $out"
echo "$out" | grep -q "process $$ .* holds one of its devices open; stop its users first, or --force" ||
	fail "unbind refused without naming the holder and --force: $out"
[ "$(basename "$(readlink "/sys/bus/pci/devices/$EDU_BDF/driver")")" = vfio-pci ] ||
	fail "edu left vfio-pci although the unbind was refused"
exec 3>&-
pcdev=$(vfio_cdev_of "/sys/bus/mdev/devices/$port") || fail "port $port has no vfio cdev"
exec 4<> "$pcdev"
out=$("${SETUP[@]}" port remove "$port" 2>&1) && fail "remove of a held port succeeded: $out"
echo "$out" | grep -q "process $$ .* holds its vfio device open" ||
	fail "port remove refused without naming the holder: $out"
exec 4>&-
echo "ok: a held function or port is reported by the doctor and refused by setup (${SECONDS}s)"

# --- /dev/iommu hidden in a mount namespace
doctor_fails "/dev/iommu hidden" "iommufd +/dev/iommu .* is not iommufd's device" -- \
	unshare -m /bin/bash -c "mount --bind /dev/null /dev/iommu && exec $TP doctor"

# --- no hugepages
setup hugepages 2M 0
doctor_fails "no hugepages" "hugepages +no free hugepages" -- "$TP" doctor
setup hugepages 2M "$hp0"

# --- a low memlock limit without CAP_IPC_LOCK
doctor_fails "RLIMIT_MEMLOCK 64 KiB, no CAP_IPC_LOCK" "memlock +RLIMIT_MEMLOCK is 64 KiB" -- \
	setpriv --inh-caps=-ipc_lock --bounding-set=-ipc_lock -- \
	prlimit --memlock=65536:65536 -- "$TP" doctor

# --- restored: the doctor passes again
[ "$(cat "$NR")" = "$hp0" ] || fail "hugepages not restored: $(cat "$NR") of $hp0"
"$TP" doctor > /tmp/doctor-end.log 2>&1 ||
	{ cat /tmp/doctor-end.log; fail "the doctor fails after the settings were restored"; }

# --- put the host back with setup (each step twice: idempotent)
setup port remove "$port"
setup unbind "$EDU_BDF"
[ ! -e "/sys/bus/pci/devices/$EDU_BDF/driver" ] || fail "edu still has a driver after unbind"
echo "ok: restored, the doctor passes again (${SECONDS}s)"
