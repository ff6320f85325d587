#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Run a command in the test VM and return its exit status.
#
#   devtools/vm.sh [options] [-- CMD [ARG...]]
#
# The VM boots the project's test kernel (debug by default) under QEMU with
# the host's root file system shared read-only over 9p; CMD runs there as
# root, in a chroot of it, from the current directory, so the build tree
# and every host binary work unchanged. With no CMD (or --shell) it opens an
# interactive shell. The environment of CMD has TOP, BUILD, KBUILD, MODROOT,
# KMOD and DPDK_PREFIX (doc/testing.md).
#
# Options:
#   --plain            the non-debug kernel (for benchmarks); default: debug
#   --mem SIZE         guest memory (default 2G)
#   --smp N            guest CPUs (default 2)
#   --hugepages N      reserve N 2 MiB hugepages at boot (default 0)
#   --hugepages-1g N   reserve N 1 GiB hugepages at boot
#   --iommu            add QEMU's intel-iommu in scalable mode (vIOMMU)
#   --edu              add QEMU's edu device (implies --iommu)
#   --qemu-arg ARG     pass ARG to QEMU (repeatable)
#   --append ARGS      extra kernel command line
#   --timeout SEC      kill the VM after SEC seconds (default 1200)
#   --out DIR          keep the run directory (cmd.sh, rc, logs) in DIR
#   --verbose          show every kernel message on the console
#   --shell            interactive shell instead of CMD

# QEMU's option values have commas, not array separators:
# shellcheck disable=SC2054
set -euo pipefail
. "$(dirname "$0")/lib.sh"

qrc=0 flavour=debug mem=2G smp=2 hp=0 hp1g=0 iommu=0 edu=0 timeout=1200 out='' verbose=0 shell=0
append=()
qargs=()
while [ $# -gt 0 ]; do
	case "$1" in
	--plain) flavour=plain;;
	--mem) mem=$2; shift;;
	--smp) smp=$2; shift;;
	--hugepages) hp=$2; shift;;
	--hugepages-1g) hp1g=$2; shift;;
	--iommu) iommu=1;;
	--edu) edu=1; iommu=1;;
	--qemu-arg) qargs+=("$2"); shift;;
	--append) append+=("$2"); shift;;
	--timeout) timeout=$2; shift;;
	--out) out=$2; shift;;
	--verbose) verbose=1;;
	--shell) shell=1;;
	--) shift; break;;
	-h|--help) sed -n '3,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0;;
	*) die "unknown option '$1' (see --help)";;
	esac
	shift
done
[ $# -gt 0 ] || shell=1

command -v qemu-system-x86_64 > /dev/null || die "qemu-system-x86_64 not found: run devtools/deps.sh"
KBUILD=$("$TOP/devtools/kernel.sh" "$flavour")
[ -f "$KBUILD/arch/x86/boot/bzImage" ] || die "no kernel image in $KBUILD"
# The uncompressed vmlinux boots straight into the kernel (PVH entry): no
# decompression under TCG. bzImage when the kernel has no PVH entry.
kimage=$KBUILD/arch/x86/boot/bzImage
[ "${VM_KERNEL_IMAGE:-}" != bzImage ] && [ -f "$KBUILD/vmlinux" ] &&
	grep -qx CONFIG_PVH=y "$KBUILD/.config" && kimage=$KBUILD/vmlinux
DPDK_PREFIX=$("$TOP/devtools/dpdk.sh" path)
BUILD=${BUILD:-$(default_build_dir)}

# The initramfs is only busybox and /init: rebuilt when either changes.
initrd=$CACHE/initramfs-$(hash_of "$TOP/devtools/vm/init" /bin/busybox).cpio.gz
if [ ! -f "$initrd" ]; then
	w=$(mktemp -d)
	mkdir -p "$w"/{bin,sbin,proc,sys,dev,host}
	cp /bin/busybox "$w/bin/busybox"
	for a in $("$w/bin/busybox" --list); do
		[ -e "$w/bin/$a" ] || ln -s busybox "$w/bin/$a"
	done
	cp "$TOP/devtools/vm/init" "$w/init"
	(cd "$w" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$initrd.tmp"
	mv "$initrd.tmp" "$initrd"
	rm -rf "$w"
fi

if [ -n "$out" ]; then
	rm -rf "$out"; mkdir -p "$out"; run=$(cd "$out" && pwd)
else
	run=$(mktemp -d "${TMPDIR:-/tmp}/vmrun.XXXXXX")
	trap 'rm -rf "$run"' EXIT
fi
{
	echo "export TOP=$(printf %q "$TOP") BUILD=$(printf %q "$BUILD")"
	echo "export KBUILD=$(printf %q "$KBUILD") MODROOT=$(printf %q "$KBUILD/modroot")"
	kmod=$BUILD/kmod
	[ "$flavour" = debug ] || kmod=$BUILD/kmod-$flavour
	echo "export KMOD=$(printf %q "$kmod") DPDK_PREFIX=$(printf %q "$DPDK_PREFIX")"
	echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=${TERM:-linux}"
	echo "cd $(printf %q "$PWD") 2>/dev/null || cd \"\$TOP\""
	if [ $shell = 1 ]; then
		# shellcheck disable=SC2016 # expanded in the guest
		echo 'echo "test VM: kernel $(uname -r); the host root is read-only; /tmp, /run are tmpfs. exit to power off."'
		echo 'exec /bin/bash -i'
	else
		printf 'exec'; printf ' %q' "$@"; echo
	fi
} > "$run/cmd.sh"

kargs="console=ttyS0 panic=-1 no_hash_pointers"
[ $verbose = 1 ] || kargs="$kargs quiet loglevel=4"
[ "$hp" -gt 0 ] && kargs="$kargs hugepagesz=2M hugepages=$hp"
[ "$hp1g" -gt 0 ] && kargs="$kargs hugepagesz=1G hugepages=$hp1g"
[ $iommu = 1 ] && kargs="$kargs intel_iommu=on,sm_on"
[ $shell = 1 ] && kargs="$kargs vmtest.shell"
# Host paths under /tmp, /run or /var/tmp would be hidden by the guest's
# tmpfs there; the guest binds these back (devtools/vm/init).
keep=
for p in "$TOP" "$BUILD" "$CACHE" "$KBUILD" "$DPDK_PREFIX" "$PWD"; do
	case "$p" in /tmp/*|/run/*|/var/tmp/*) keep="$keep,$p";; esac
done
[ -n "$keep" ] && kargs="$kargs vmtest.keep=${keep#,}"
kargs="$kargs ${append[*]:-}"

args=(-machine q35 -cpu max -smp "$smp" -m "$mem" -nographic -no-reboot -nic none
	-bios qboot.rom -kernel "$kimage" -initrd "$initrd"
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$run,mount_tag=vmrun,security_model=none,multidevs=remap")
# intel-iommu must come before the devices it translates for.
[ $iommu = 1 ] && args+=(-device intel-iommu,intremap=on,caching-mode=on,x-scalable-mode=on)
[ $edu = 1 ] && args+=(-device edu,dma_mask=0xffffffffffffffff)
args+=("${qargs[@]}" -append "$kargs")
echo "qemu-system-x86_64 ${args[*]}" > "$run/qemu.cmd"

rm -f "$run/rc"
if [ $shell = 1 ]; then
	qemu-system-x86_64 "${args[@]}" || true
else
	set +e
	timeout --foreground -k 5 "$timeout" qemu-system-x86_64 "${args[@]}" < /dev/null 2>&1 |
		sed -u 's/\r$//' | tee "$run/console.log"
	qrc=${PIPESTATUS[0]}
	set -e
	if [ "$qrc" = 124 ]; then
		log "the VM did not finish within $timeout s (--timeout); console: ${out:+$run/}console.log"
		exit 124
	fi
fi
[ -f "$run/rc" ] || { log "the VM stopped without running the command (qemu exit $qrc)"; exit 125; }
exit "$(cat "$run/rc")"
