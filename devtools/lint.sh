#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Lint the tree: print one line per finding, exit 1 when there is any.
#
#   devtools/lint.sh [shellcheck|style]...   (default: both)
#
# The checks:
# - "shellcheck": ShellCheck (Debian's package) over the shell scripts of
#   devtools/, tests/ and usertools/: *.sh, scripts with a sh/bash "#!"
#   line and the boot fragments tests/vm/boots/*.conf. Sourced files are
#   followed (-x, relative to the script). Findings in gcc form.
# - "style": the kernel's scripts/checkpatch.pl with the options DPDK's
#   devtools/checkpatches.sh (22.11) passes, over the userspace C (drivers/,
#   lib/, app/, examples/, tests/, usertools/; kernel/ has its own --strict
#   gate in devtools/test.sh), plus codespell with the dictionary checkpatch's
#   --codespell reads. checkpatch.pl comes from $DPDK_CHECKPATCH_PATH or the
#   test kernel's source (devtools/kernel.sh). Findings in checkpatch's
#   terse form: "file:line: LEVEL:TYPE: text".
#
# Accepted findings, each with its reason: devtools/lint-exceptions.
#
# devtools/test.sh runs both as the tests "shellcheck" and "style_userspace".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# DPDK 22.11 devtools/checkpatches.sh: its options less --codespell, which
# makes checkpatch take minutes on this tree (a regex of every misspelling
# per line); codespell itself checks the same dictionary in a second.
# shellcheck disable=SC2054 # one option, a comma-separated list
CHECKPATCH_OPTS=(--no-tree --max-line-length=100 --show-types
	--ignore=LINUX_VERSION_CODE,ENOSYS,FILE_PATH_CHANGES,MAINTAINERS_STYLE,SPDX_LICENSE_TAG,VOLATILE,PREFER_PACKED,PREFER_ALIGNED,PREFER_PRINTF,STRLCPY,PREFER_KERNEL_TYPES,PREFER_FALLTHROUGH,BIT_MACRO,CONST_STRUCT,SPLIT_STRING,LONG_LINE_STRING,C99_COMMENT_TOLERANCE,LINE_SPACING,PARENTHESIS_ALIGNMENT,NETWORKING_BLOCK_COMMENT_STYLE,NEW_TYPEDEFS,COMPARISON_TO_NULL)

# files_under DIR... -- FIND-TESTS...: the files below DIRs that match,
# relative to TOP, sorted.
files_under() {
	local dirs=()
	while [ "$1" != -- ]; do dirs+=("$1"); shift; done
	shift
	(cd "$TOP" && find "${dirs[@]}" -type f \( "$@" \) 2>/dev/null | LC_ALL=C sort)
}

lint_shellcheck() {
	command -v shellcheck > /dev/null ||
		{ echo "shellcheck: not installed (devtools/deps.sh installs Debian's shellcheck)"; return 1; }
	local f first with=() without=() conf=() out
	while IFS= read -r f; do
		case "$f" in
		tests/vm/boots/*.conf) conf+=("$f");;
		*.sh) IFS= read -r first < "$TOP/$f"
			case "$first" in '#!'*) with+=("$f");; *) without+=("$f");; esac;;
		*) IFS= read -r first < "$TOP/$f"
			case "$first" in '#!'*/sh|'#!'*/bash|'#!'*/env\ bash) with+=("$f");; esac;;
		esac
	done < <(files_under devtools tests usertools -- -name '*' ! -name '*.[ch]' ! -name meson.build)
	out=$(
		cd "$TOP" || exit 1
		sc=(shellcheck -x -P SCRIPTDIR -f gcc)
		[ ${#with[@]} = 0 ] || "${sc[@]}" "${with[@]}"
		# Sourced libraries without a "#!" line are bash.
		[ ${#without[@]} = 0 ] || "${sc[@]}" -s bash "${without[@]}"
		# A boot fragment only sets VM_ARGS, for devtools/test.sh.
		[ ${#conf[@]} = 0 ] || "${sc[@]}" -s bash -e SC2034 "${conf[@]}"
	)
	[ -z "$out" ] || { echo "$out"; return 1; }
}

# drop_exceptions: stdin's findings less those devtools/lint-exceptions
# accepts (same file, same checkpatch type).
drop_exceptions() {
	local f t line skip
	local -a ex=()
	while read -r f t _; do
		case "$f" in ''|'#'*) continue;; esac
		ex+=("$f:$t")
	done < "$TOP/devtools/lint-exceptions"
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		skip=0
		for f in "${ex[@]}"; do
			[[ $line == "${f%%:*}:"*":${f#*:}:"* ]] && skip=1
		done
		[ $skip = 1 ] || echo "$line"
	done
}

lint_style() {
	local cp=${DPDK_CHECKPATCH_PATH:-} files=() out
	[ -n "$cp" ] || cp=$(kernel_src)/scripts/checkpatch.pl
	[ -x "$cp" ] || { echo "style: no checkpatch.pl ($cp): run devtools/kernel.sh or set DPDK_CHECKPATCH_PATH"; return 1; }
	command -v codespell > /dev/null ||
		{ echo "style: codespell not installed (devtools/deps.sh installs Debian's codespell)"; return 1; }
	mapfile -t files < <(files_under config drivers lib app examples tests usertools -- -name '*.[ch]')
	[ ${#files[@]} -gt 0 ] || return 0
	out=$(
		cd "$TOP" || exit 1
		# One file per run: checkpatch reports a CamelCase word only where it
		# first sees it in a run, so batches would make findings depend on
		# which files share a run.
		printf '%s\0' "${files[@]}" |
			xargs -0 -n 1 -P "$NPROC" "$cp" "${CHECKPATCH_OPTS[@]}" --terse -f 2>&1 |
			grep -E '^[^ ]+:[0-9]+: (ERROR|WARNING|CHECK):' | LC_ALL=C sort -t: -k1,1 -k2,2n
		# "clear" is dictionary.txt, the one checkpatch --codespell reads.
		codespell --builtin clear "${files[@]}" 2>&1 | sed 's/^\([^:]*:[0-9]*\): /\1: WARNING:TYPO_SPELLING: /'
	)
	out=$(drop_exceptions <<< "$out")
	[ -z "$out" ] || { echo "$out"; return 1; }
}

[ $# -gt 0 ] || set -- shellcheck style
rc=0
for what in "$@"; do
	case "$what" in
	shellcheck) lint_shellcheck || rc=1;;
	style) lint_style || rc=1;;
	*) die "unknown check '$what' (shellcheck or style)";;
	esac
done
exit $rc
