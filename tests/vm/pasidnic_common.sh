# SPDX-License-Identifier: BSD-3-Clause
# Helpers for the pasidnic VM tests (sourced; no vm-boot line, not a test).
. "$TOP/tests/vm/lib.sh"

PNIC_KO=$KMOD/pasidnic/pasidnic.ko
PNIC_TEST=$BUILD/tests/vm/pasidnic-test
PNIC_PARENT=/sys/class/mdev_bus/pasidnic

# For helpers run in $(...): the REASON goes to stderr, which the log keeps.
pnic_fail() { echo "REASON: $*" >&2; exit 1; }

# pnic_load [PARAM=VALUE...]: load mdev and the module (fresh).
pnic_load() {
	[ -f "$PNIC_KO" ] || fail "no $PNIC_KO: build the module (devtools/build.sh)"
	kmod mdev
	[ -d /sys/module/pasidnic ] && rmmod pasidnic
	insmod "$PNIC_KO" "$@" || fail "insmod pasidnic $* failed"
	[ -d "$PNIC_PARENT" ] || fail "no mdev parent $PNIC_PARENT after insmod"
}

pnic_need_test() {
	[ -x "$PNIC_TEST" ] || fail "no $PNIC_TEST: build the project (devtools/build.sh)"
}

# pnic_create TYPE: create a device of type pasidnic-TYPE, print its UUID.
pnic_create() {
	local uuid
	uuid=$(cat /proc/sys/kernel/random/uuid)
	echo "$uuid" > "$PNIC_PARENT/mdev_supported_types/pasidnic-$1/create" ||
		pnic_fail "cannot create a pasidnic-$1 device"
	[ -d "/sys/bus/mdev/devices/$uuid" ] || pnic_fail "no /sys/bus/mdev/devices/$uuid"
	echo "$uuid"
}

# pnic_cdev UUID: the device's /dev/vfio/devices/vfioN.
pnic_cdev() {
	local c
	c=$(vfio_cdev_of "/sys/bus/mdev/devices/$1") || pnic_fail "device $1 has no vfio cdev"
	[ -c "$c" ] || pnic_fail "$c is not a character device"
	echo "$c"
}

# pnic_remove UUID
pnic_remove() {
	echo 1 > "/sys/bus/mdev/devices/$1/remove" || fail "cannot remove device $1"
	[ ! -e "/sys/bus/mdev/devices/$1" ] || fail "device $1 still exists after remove"
}
