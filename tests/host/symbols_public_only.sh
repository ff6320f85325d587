#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# symbols_public_only: each shared object we build exports exactly the
# functions (and data) declared in its component's public headers, each in
# the version node its header marker asks for (doc/design.md, "Exported
# symbols"):
#
#   symbols_public_only.sh <lib.so> <header>... [-- <lib.so> <header>...]...
#
# Reads the exports with nm -D --defined-only (name@@NODE), and the headers
# simply: comments, preprocessor lines, C++ guards and brace bodies removed,
# then each top-level declaration (typedefs and static inline functions
# aside) names a function (the first identifier followed by "(") or, when
# it starts with "extern", a variable (its last identifier). A function
# marked __rte_experimental must be in node EXPERIMENTAL, __rte_internal in
# INTERNAL, one without marker in neither (the stable node).
# Fails naming every extra export, every missing public symbol and every
# symbol in the wrong node; prints one REASON: line (devtools/test.sh).
set -uo pipefail

# Exports allowed beyond the headers, as "<lib.so>:<symbol>". None: DPDK
# registers buses, drivers, log types and autotests from constructors
# (RTE_INIT, run from .init_array without a symbol), and the PMD name
# strings (RTE_PMD_EXPORT_NAME) are read from the objects at build time.
ALLOWED=()

NM=${NM:-nm}
fail=()

# header_symbols HEADER...: "<name> <func|data> <stable|experimental|internal>"
# per declaration.
header_symbols() {
	perl -e '
	for my $h (@ARGV) {
		open(my $fh, "<", $h) or die "cannot read $h: $!\n";
		local $/;
		my $s = <$fh>;
		$s =~ s{/\*.*?\*/}{ }gs;
		$s =~ s{//[^\n]*}{}g;
		$s =~ s{^[ \t]*#[ \t]*ifdef[ \t]+__cplusplus\b.*?^[ \t]*#[ \t]*endif[^\n]*}{}gms;
		$s =~ s{^[ \t]*#(?:[^\n]*\\\n)*[^\n]*}{}gm;
		1 while $s =~ s/\{[^{}]*\}/\x01/g;
		$s =~ s/\)\s*\x01/);/g;
		for my $d (split /;/, $s) {
			$d =~ s/\s+/ /g;
			$d =~ s/^ //;
			next if $d eq "" || $d =~ /^typedef\b/ || $d =~ /\bstatic\b/;
			my $m = $d =~ /\b__rte_experimental\b/ ? "experimental" :
				$d =~ /\b__rte_internal\b/ ? "internal" : "stable";
			if ($d =~ /\(/) {
				my ($n) = grep { !/^__/ } ($d =~ /\b([A-Za-z_]\w*)\s*\(/g);
				print "$n func $m\n" if defined $n;
			} elsif ($d =~ /^extern\b/ && $d =~ /\b([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)?$/) {
				print "$1 data $m\n";
			}
		}
	}' "$@"
}

# check_lib LIB.so HEADER...: appends to fail[] what is wrong with LIB.so.
check_lib() {
	local so=$1 lib
	shift
	lib=$(basename "$so")
	if [ ! -f "$so" ]; then
		fail+=("$lib: not built ($so)")
		return
	fi
	local -A exported=() public=() kind=()
	local n v k m out
	out=$("$NM" -D --defined-only --with-symbol-versions "$so") ||
		{ fail+=("$lib: $NM -D failed"); return; }
	while read -r _ t n; do
		[ "$t" = A ] && continue   # the version nodes themselves
		v=${n#*@@}
		[ "$v" = "$n" ] && v=${n#*@}
		[ "$v" = "$n" ] && v=
		n=${n%%@*}
		exported[$n]=$v
	done <<< "$out"
	out=$(header_symbols "$@") || { fail+=("$lib: cannot parse its headers"); return; }
	while read -r n k m; do
		[ -n "$n" ] || continue
		public[$n]=$m
		kind[$n]=$k
	done <<< "$out"
	[ ${#public[@]} -gt 0 ] || { fail+=("$lib: no declaration found in $*"); return; }
	echo "$lib: ${#exported[@]} exported, ${#public[@]} declared in $(for h in "$@"; do basename "$h"; done | paste -sd' ')"

	local extra=() missing=() node=() a allowed
	for n in "${!exported[@]}"; do
		[ -n "${public[$n]+x}" ] && continue
		allowed=0
		for a in "${ALLOWED[@]}"; do [ "$a" = "$lib:$n" ] && allowed=1; done
		[ $allowed = 1 ] || extra+=("$n")
	done
	for n in "${!public[@]}"; do
		if [ -z "${exported[$n]+x}" ]; then
			missing+=("$n")
			continue
		fi
		# Variables carry no marker in C: their node is the map's choice.
		[ "${kind[$n]}" = func ] || continue
		v=${exported[$n]} m=${public[$n]}
		case "$m" in
		experimental) [ "$v" = EXPERIMENTAL ];;
		internal) [ "$v" = INTERNAL ];;
		*) [ -n "$v" ] && [ "$v" != EXPERIMENTAL ] && [ "$v" != INTERNAL ];;
		esac || node+=("$n@${v:-(no version)} (header: ${m})")
	done
	local sorted
	if [ ${#extra[@]} -gt 0 ]; then
		sorted=$(printf '%s\n' "${extra[@]}" | LC_ALL=C sort | paste -sd' ')
		fail+=("$lib exports ${#extra[@]} symbols not in its public headers: $sorted")
	fi
	if [ ${#missing[@]} -gt 0 ]; then
		sorted=$(printf '%s\n' "${missing[@]}" | LC_ALL=C sort | paste -sd' ')
		fail+=("$lib does not export ${#missing[@]} public symbols: $sorted")
	fi
	if [ ${#node[@]} -gt 0 ]; then
		sorted=$(printf '%s\n' "${node[@]}" | LC_ALL=C sort | paste -sd' ')
		fail+=("$lib exports ${#node[@]} symbols in the wrong version node: $sorted")
	fi
}

[ $# -ge 2 ] || { echo "REASON: usage: $0 <lib.so> <header>... [-- <lib.so> <header>...]"; exit 1; }
args=()
for a in "$@" --; do
	if [ "$a" = -- ]; then
		[ ${#args[@]} = 0 ] || check_lib "${args[@]}"
		args=()
	else
		args+=("$a")
	fi
done

if [ ${#fail[@]} -gt 0 ]; then
	printf '%s\n' "${fail[@]}"
	echo "REASON: $(printf '%s\n' "${fail[@]}" | paste -sd';' | sed 's/;/; /g')"
	exit 1
fi
echo "every shared object exports exactly its public API"
