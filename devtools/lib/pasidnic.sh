# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# Ports of the pasidnic emulated NIC (kernel/linux/pasidnic, doc/pasidnic.md)
# for the VM tests (tests/vm/pasidnic_common.sh), the demo and the benchmark:
# load the module, create ports, and remove only the ports the caller
# created. Source it. Needs KMOD (the directory with pasidnic/pasidnic.ko)
# and MODROOT (modprobe -d root of the running kernel's modules), which the
# test VM sets.
#
#   LIB_FAIL                  the function that fails the caller with a message
#                             (default: fail, as in tests/vm/lib.sh; devtools use die)
#   pnic_load [PARAM=VALUE...]  load mdev and a fresh pasidnic (unloaded first)
#   pnic_create TYPE          create a port of mdev type pasidnic-TYPE, print its
#                             UUID (for $(...): the caller owns and removes it)
#   pnic_remove UUID          remove that port
#   pnic_ports N TYPE         load the module unless loaded, create N ports of type
#                             pasidnic-TYPE (TYPE: q4 or pasidnic-q4); their UUIDs
#                             are added to PNIC_UUIDS, their bus names
#                             (mdev-<uuid>) to PNIC_PORTS
#   pnic_remove_ports         remove the ports of PNIC_UUIDS (never anybody else's);
#                             the arrays keep their names (a test may still print them)

PNIC_KO=${KMOD:-}/pasidnic/pasidnic.ko
PNIC_PARENT=/sys/class/mdev_bus/pasidnic
PNIC_UUIDS=()
PNIC_PORTS=()

# pnic_fail_ MSG: fail from a function that may run in $(...): the message
# goes to stderr, which the caller's log keeps.
pnic_fail_() { "${LIB_FAIL:-fail}" "$@" >&2; exit 1; }

# shellcheck disable=SC2120 # the parameters are optional
pnic_load() {
	[ -f "$PNIC_KO" ] || pnic_fail_ "no $PNIC_KO: build the module (devtools/build.sh)"
	modprobe -d "$MODROOT" mdev || pnic_fail_ "modprobe mdev failed"
	if [ -d /sys/module/pasidnic ]; then
		rmmod pasidnic || pnic_fail_ "rmmod pasidnic failed (a port still in use?)"
	fi
	insmod "$PNIC_KO" "$@" ||
		pnic_fail_ "insmod $PNIC_KO $* failed (built for this kernel? devtools/build.sh)"
	[ -d "$PNIC_PARENT" ] || pnic_fail_ "no mdev parent $PNIC_PARENT after insmod"
}

pnic_create() {
	local uuid
	uuid=$(cat /proc/sys/kernel/random/uuid)
	echo "$uuid" > "$PNIC_PARENT/mdev_supported_types/pasidnic-${1#pasidnic-}/create" ||
		pnic_fail_ "cannot create a pasidnic-${1#pasidnic-} port"
	[ -d "/sys/bus/mdev/devices/$uuid" ] || pnic_fail_ "no /sys/bus/mdev/devices/$uuid"
	echo "$uuid"
}

pnic_remove() {
	echo 1 > "/sys/bus/mdev/devices/$1/remove" || pnic_fail_ "cannot remove port $1"
	[ ! -e "/sys/bus/mdev/devices/$1" ] || pnic_fail_ "port $1 still exists after remove"
}

pnic_ports() {
	local i uuid
	# shellcheck disable=SC2119 # no module parameters
	[ -d /sys/module/pasidnic ] || pnic_load
	for ((i = 0; i < $1; i++)); do
		uuid=$(pnic_create "$2") || exit 1
		PNIC_UUIDS+=("$uuid")
		PNIC_PORTS+=("mdev-$uuid")
	done
}

pnic_remove_ports() {
	local u
	for u in "${PNIC_UUIDS[@]}"; do
		if [ -e "/sys/bus/mdev/devices/$u" ]; then
			echo 1 > "/sys/bus/mdev/devices/$u/remove" || echo "cannot remove port $u" >&2
		fi
	done
	return 0
}
