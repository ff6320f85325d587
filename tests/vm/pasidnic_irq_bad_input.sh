#!/bin/bash
# vm-boot: hostile
# SPDX-License-Identifier: BSD-3-Clause
# VFIO_DEVICE_SET_IRQS / GET_IRQ_INFO of a pasidnic port give the errno
# vfio-pci gives for every case of a table (index x flags x start/count x fd
# kind), a failed call changes no routing, and the port still works after it
# (tests/vm/pasidnic_irq_bad_input.c; doc/pasidnic.md, "SET_IRQS: accepted
# input and errors").
. "$TOP/tests/vm/pasidnic_common.sh"
PROG=$BUILD/tests/vm/pasidnic-irq-bad-input
[ -x "$PROG" ] || fail "no $PROG: build the project (devtools/build.sh)"
pnic_load
u=$(pnic_create q4) || exit 1
c=$(pnic_cdev "$u") || exit 1

# Our own watchdog: a call stuck in the kernel is not killable by timeout(1).
"$PROG" "$c" & pid=$!
end=$((SECONDS + 120))
while kill -0 "$pid" 2> /dev/null && [ "$SECONDS" -lt "$end" ]; do
	sleep 1
done
if kill -0 "$pid" 2> /dev/null; then
	echo "---- /proc/$pid/stack ----"
	cat "/proc/$pid/stack"
	fail "pasidnic-irq-bad-input still running after 120 s (stuck in the kernel)"
fi
wait "$pid" || exit 1
pnic_remove "$u"
rmmod pasidnic || fail "rmmod failed"
