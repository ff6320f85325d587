# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# Helpers for the pasidnic VM tests (sourced; no vm-boot line, not a test).
# Ports: devtools/lib/pasidnic.sh (pnic_load, pnic_create, pnic_ports...).
. "$TOP/tests/vm/lib.sh"
. "$TOP/devtools/lib/pasidnic.sh"

PNIC_TEST=$BUILD/tests/vm/pasidnic-test

pnic_need_test() {
	[ -x "$PNIC_TEST" ] || fail "no $PNIC_TEST: build the project (devtools/build.sh)"
}

# pnic_cdev UUID: the port's /dev/vfio/devices/vfioN.
pnic_cdev() {
	local c
	c=$(vfio_cdev_of "/sys/bus/mdev/devices/$1") || pnic_fail_ "port $1 has no vfio cdev"
	[ -c "$c" ] || pnic_fail_ "$c is not a character device"
	echo "$c"
}

# pnic_run_cmd CMD TYPE: on a fresh module and a new port of mdev type
# pasidnic-TYPE, run 'pasidnic-test CMD <cdev>'; then remove the port and
# unload the module.
pnic_run_cmd() {
	local u c
	pnic_need_test
	# shellcheck disable=SC2119 # no module parameters
	pnic_load
	u=$(pnic_create "$2") || exit 1
	c=$(pnic_cdev "$u") || exit 1
	"$PNIC_TEST" "$1" "$c" || exit 1
	pnic_remove "$u"
	rmmod pasidnic || fail "rmmod failed"
}
