#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# install_layout: "meson install" into a temporary DESTDIR puts the
# libraries, headers and libdpdk-pasid.pc beside the DPDK that pkg-config
# found and the plugins into its plugin directory (doc/install.md); an
# out-of-tree program built only with
#   pkg-config --define-prefix --cflags --libs libdpdk-pasid
# from that tree links and runs, with the bus registered once although EAL
# also loads the plugin directory (-d: the same file as the library it
# links); and our own programs, which link the bus statically, run with the
# installed plugins loaded too, the plugin's copy of the bus staying out.
#
#   install_layout.sh <build dir> <meson> <pkg-config dir of the build's DPDK>
#
# Prints one REASON: line on failure. Runs EAL without hugepages or devices.
set -uo pipefail

fail() { echo "REASON: $*"; exit 1; }
[ $# = 3 ] || fail "usage: $0 <build dir> <meson> <DPDK's pkg-config dir>"
build=$1 meson=$2 dpdk_pc=$3
# In the build dir, not /tmp: EAL refuses plugins below a world-writable directory.
tmp=$(mktemp -d "$build/install-layout.XXXXXX") || fail "mktemp in $build failed"
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT

DESTDIR=$tmp/root "$meson" install -C "$build" --no-rebuild --quiet > "$tmp/install.log" 2>&1 ||
	fail "meson install failed: $(tail -1 "$tmp/install.log")"
pc=$(find "$tmp/root" -name libdpdk-pasid.pc | head -1)
[ -n "$pc" ] || fail "no libdpdk-pasid.pc installed"
export PKG_CONFIG_PATH=${pc%/*}:$dpdk_pc
pcx() { pkg-config --define-prefix "$@" libdpdk-pasid; }
pcx --exists || fail "pkg-config cannot resolve libdpdk-pasid (PKG_CONFIG_PATH=$PKG_CONFIG_PATH): $(pcx --print-errors 2>&1 | head -1)"
libdir=$(pcx --variable=libdir) incdir=$(pcx --variable=includedir) plugindir=$(pcx --variable=plugindir)
dpdk_prefix=$(pkg-config --variable=prefix libdpdk)
[ "${libdir#"$tmp/root$dpdk_prefix"/}" != "$libdir" ] ||
	fail "libdir $libdir is not in DPDK's prefix $dpdk_prefix under DESTDIR"
for f in "$libdir/librte_pasid_mem.so" "$libdir/librte_bus_iommufd.so" \
	"$incdir/rte_bus_iommufd.h" "$incdir/bus_iommufd_driver.h" "$incdir/rte_pasid_mem.h" \
	"$incdir/rte_pmd_pasidnic.h" "$plugindir/librte_net_pasidnic.so" \
	"$plugindir/librte_bus_iommufd.so"; do
	[ -e "$f" ] || fail "not installed: $f"
done
[ "$(stat -L -c %i "$plugindir/librte_bus_iommufd.so")" = "$(stat -c %i "$libdir/librte_bus_iommufd.so")" ] ||
	fail "the plugin directory's librte_bus_iommufd.so is not the library's file (two copies would register the bus twice)"
readelf -d "$plugindir/librte_net_pasidnic.so" | grep -q 'NEEDED.*librte_bus_iommufd.so' ||
	fail "the PMD plugin does not need librte_bus_iommufd.so"
# EAL loads its plugin directory only into shared-linked applications: the
# installed objects need the DPDK libraries they use.
for f in "$plugindir/librte_net_pasidnic.so" "$libdir/librte_bus_iommufd.so"; do
	readelf -d "$f" | grep -q 'NEEDED.*librte_eal\.so' ||
		fail "the installed $(basename "$f") does not need librte_eal.so: it would not load into an application that does not link every library it uses"
done

cat > "$tmp/prog.c" <<-'C'
	#include <stdio.h>
	#include <string.h>
	#include <unistd.h>
	#include <rte_bus.h>
	#include <rte_eal.h>
	#include <rte_bus_iommufd.h>
	#include <rte_pasid_mem.h>

	static int
	named(const struct rte_bus *bus, const void *name)
	{
		return strcmp(rte_bus_name(bus), name);
	}

	int
	main(int argc, char **argv)
	{
		const struct rte_bus *b = NULL;
		int n = 0;

		if (rte_eal_init(argc, argv) < 0)
			return 2;
		while ((b = rte_bus_find(b, named, "iommufd")) != NULL)
			n++;
		printf("iommufd buses: %d, process alive: %d, heap lookup: %s\n", n,
		       rte_iommufd_process_alive(getpid()),
		       rte_pasid_mem_lookup("none") == NULL ? "none" : "found");
		rte_eal_cleanup();
		return n == 1 ? 0 : 1;
	}
C
# shellcheck disable=SC2046 # pkg-config's words
cc -O2 -DALLOW_EXPERIMENTAL_API "$tmp/prog.c" -o "$tmp/prog" $(pcx --cflags --libs) \
	-Wl,--disable-new-dtags -Wl,-rpath,"$libdir" -Wl,-rpath,"$(pkg-config --variable=libdir libdpdk)" \
	> "$tmp/cc.log" 2>&1 ||
	fail "an out-of-tree program does not build with pkg-config libdpdk-pasid: $(grep -m1 -E 'error' "$tmp/cc.log")"
eal=(-l 0 --no-huge -m 64 --no-pci --no-shconf --log-level=lib.eal:notice -d "$plugindir")
out=$("$tmp/prog" "${eal[@]}" 2>&1) ||
	fail "the out-of-tree program failed (status $?): $(echo "$out" | tail -2 | paste -sd' ')"
echo "$out" | tail -1
grep -q 'iommufd buses: 1,' <<< "$out" || fail "out-of-tree program: $(tail -1 <<< "$out")"

# Our own programs link the bus statically: the plugin's copy stays out.
bin=$(find "$tmp/root" -path '*/bin/dpdk-testpasid' | head -1)
[ -n "$bin" ] || fail "dpdk-testpasid not installed"
# (Its RPATH names the real libdir, where nothing was installed: the DESTDIR one.)
out=$(LD_LIBRARY_PATH=$libdir "$bin" "${eal[@]}" -- list 2>&1) ||
	fail "dpdk-testpasid with the installed plugins loaded failed (status $?): $(echo "$out" | tail -2 | paste -sd' ')"
grep -q "iommufd bus: registered already" <<< "$out" ||
	fail "dpdk-testpasid with the plugins loaded: no sign that the plugin's copy of the bus stayed out"
# dpdk-pasid-run (doc/bus_iommufd.md): the installed copy names the
# installed helper and no build-tree plugin; the helper rewrites --bus.
run=$(find "$tmp/root" -path '*/bin/dpdk-pasid-run' | head -1)
[ -x "$run" ] || fail "dpdk-pasid-run not installed into bindir"
grep -q "^BUS_PLUGIN=''$" "$run" || fail "the installed dpdk-pasid-run names a build-tree plugin"
helper=$(sed -n "s/^EAL_ARGS='\(.*\)'$/\1/p" "$run")
[ -x "$tmp/root$helper" ] || fail "dpdk-pasid-run's helper $helper is not installed"
out=$(LD_LIBRARY_PATH=$libdir "$tmp/root$helper" app --bus iommufd -l 0 -- x | tr '\0' ' ')
[ "$out" = "app -l 0 --no-pci -- x " ] || fail "the installed dpdk-pasid-eal-args printed '$out'"
# dpdk-pasid-setup (doc/host.md) beside them, runnable.
setup=$(find "$tmp/root" -path '*/bin/dpdk-pasid-setup' | head -1)
[ -x "$setup" ] || fail "dpdk-pasid-setup not installed into bindir"
"$setup" --help > /dev/null || fail "the installed dpdk-pasid-setup --help failed"
echo "ok: installed beside DPDK ($dpdk_prefix), plugins in ${plugindir#"$tmp/root"}; pkg-config build runs; one iommufd bus with the plugins loaded"
