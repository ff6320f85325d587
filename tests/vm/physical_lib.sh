#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Helpers of the physical_* tests (boot 'physical'): load kernel/linux/pasidnic_pci
# with the BAR window the boot reserved, list its functions, tear them down.
# shellcheck disable=SC2034 # PHYS_* are for the tests that source this

# phys_window: set PHYS_WIN_START and PHYS_WIN_SIZE from memmap=SIZE$ADDR on
# the kernel command line (tests/vm/boots/physical.conf).
phys_window() {
	local m size addr mult=1
	m=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^memmap=\([0-9]*[KMG]\?\)\$\(0x[0-9a-fA-F]*\)$/\1 \2/p' | head -1)
	[ -n "$m" ] || fail "no memmap=<size>\$<addr> on the kernel command line (tests/vm/boots/physical.conf)"
	read -r size addr <<< "$m"
	case "$size" in
	*K) mult=1024;;
	*M) mult=$((1024 * 1024));;
	*G) mult=$((1024 * 1024 * 1024));;
	esac
	PHYS_WIN_START=$addr
	# strictly inside the reservation: its last page is left out
	# (kernel/linux/pasidnic_pci/pnic_pci_main.c, pnic_pci_window_claim())
	PHYS_WIN_SIZE=$(( ${size%[KMG]} * mult - 4096 ))
}

# phys_load N [PARAM=VALUE...]: load pasidnic_pci with N functions; sets
# PHYS_BDFS (their PCI addresses, in order).
phys_load() {
	local n=$1 d
	shift
	phys_window
	insmod "$KMOD/pasidnic_pci/pasidnic_pci.ko" window="$PHYS_WIN_START" \
		window_size="$PHYS_WIN_SIZE" functions="$n" "$@" ||
		fail "insmod pasidnic_pci failed: $(dmesg | grep pasidnic_pci | tail -1)"
	trap phys_cleanup EXIT
	PHYS_BDFS=()
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x1234:0x50a6 ] &&
			PHYS_BDFS+=("$(basename "$d")")
	done
	[ ${#PHYS_BDFS[@]} = "$n" ] ||
		fail "pasidnic_pci: ${#PHYS_BDFS[@]} functions appeared, not $n"
}

# phys_cleanup: at exit of a test that failed half-way: unbind and remove
# what is left of the functions, unload the module, give back the hugepages
# of phys_hugepages (errors ignored).
phys_cleanup() {
	local b d
	for b in "${PHYS_BDFS[@]}"; do
		d=/sys/bus/pci/devices/$b
		[ -e "$d/driver" ] && echo "$b" > "$d/driver/unbind"
		[ -e "$d" ] && echo 1 > "$d/remove"
	done
	grep -q '^pasidnic_pci ' /proc/modules && rmmod pasidnic_pci
	[ -n "${PHYS_HP0:-}" ] && echo "$PHYS_HP0" > /proc/sys/vm/nr_hugepages
	return 0
}

# phys_hugepages N: reserve N 2 MiB hugepages for DPDK (the boot reserves
# none: tests/vm/boots/physical.conf); phys_done (or phys_cleanup) gives
# them back.
phys_hugepages() {
	PHYS_HP0=$(cat /proc/sys/vm/nr_hugepages)
	echo "$1" > /proc/sys/vm/nr_hugepages
	[ "$(cat /proc/sys/vm/nr_hugepages)" -ge "$1" ] ||
		fail "could reserve only $(cat /proc/sys/vm/nr_hugepages) of $1 hugepages"
}

# phys_port [PARAM=VALUE...]: pasidnic_pci with one function (PARAMs to
# phys_load) bound to vfio-pci (phys_vfio); PHYS_NAME is its name on the
# iommufd bus (pci-<BDF>).
phys_port() {
	phys_load 1 "$@"
	phys_vfio "${PHYS_BDFS[0]}"
	PHYS_NAME=pci-${PHYS_BDFS[0]}
}

# phys_done: the end of a test that passed: unbind the functions bound to a
# driver, remove them and unload the module (phys_unload), and give back
# the hugepages of phys_hugepages; fails if any of them stays in use.
phys_done() {
	local b
	for b in "${PHYS_BDFS[@]}"; do
		[ -e "/sys/bus/pci/devices/$b/driver" ] &&
			echo "$b" > "/sys/bus/pci/devices/$b/driver/unbind"
	done
	phys_unload
	[ -n "${PHYS_HP0:-}" ] || return 0
	echo "$PHYS_HP0" > /proc/sys/vm/nr_hugepages
	[ "$(awk '$1 == "HugePages_Total:" { print $2 }' /proc/meminfo)" = "$PHYS_HP0" ] ||
		fail "hugepages still in use after the test: $(grep HugePages_ /proc/meminfo | tr -s ' \n' ' ')"
	PHYS_HP0=
}

# phys_unload: remove every function of pasidnic_pci, then the module.
phys_unload() {
	local b
	for b in "${PHYS_BDFS[@]}"; do
		[ -e "/sys/bus/pci/devices/$b" ] && echo 1 > "/sys/bus/pci/devices/$b/remove"
	done
	rmmod pasidnic_pci || fail "rmmod pasidnic_pci failed after its functions were removed"
}

# phys_vfio BDF: bind function BDF to vfio-pci; sets PHYS_CDEV (its vfio
# cdev) and PHYS_PORT (its DMA port in debugfs, pnic_pci_debugfs.c).
phys_vfio() {
	local d=/sys/bus/pci/devices/$1 slot
	bind_vfio_pci "$1"
	PHYS_CDEV=$(vfio_cdev_of "$d") ||
		fail "$1 has no vfio cdev: the kernel lacks CONFIG_VFIO_DEVICE_CDEV"
	slot=${1##*:}
	slot=$((16#${slot%.*}))
	PHYS_PORT=/sys/kernel/debug/pasidnic_pci/fn$slot/dma
	[ -e "$PHYS_PORT" ] || fail "no DMA port $PHYS_PORT (debugfs mounted?)"
}

# phys_mp_setup NAME [PARAM=VALUE...]: mp_setup (tests/vm/mp_lib.sh, sourced
# before) on a physical function: 128 hugepages reserved (DPDK memory and
# the workers' heaps), one pasidnic_pci function (PARAMs to phys_load)
# bound to vfio-pci as the port (MP_PORT pci-<BDF>, MP_CDEV), the workers'
# logs in /tmp/NAME; mp_cleanup runs phys_cleanup last.
phys_mp_setup() {
	local name=$1
	shift
	mp_begin "$name"
	phys_hugepages 128
	phys_port "$@"
	trap mp_cleanup EXIT
	MP_CLEANUP=phys_cleanup
	MP_PORT=$PHYS_NAME
	MP_CDEV=$PHYS_CDEV
	mp_baseline
}
