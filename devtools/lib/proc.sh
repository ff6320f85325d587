# shellcheck shell=bash disable=SC2034 # PROC_RC is read by the callers
# SPDX-License-Identifier: BSD-3-Clause
# Start, watch and stop the background processes of a script (DPDK
# primaries and secondaries): used by the multi-process VM tests
# (tests/vm/mp_lib.sh, tests/vm/bus_mp_domains.sh) and devtools/demo.sh.
# Source it; do not run it. Every wait polls for its condition (5 times a
# second) up to a timeout; none sleeps a fixed time.
#
#   PROC_DIR                   the directory of the logs, $PROC_DIR/NAME.log (set it first)
#   LIB_FAIL                   the function that fails the caller with a message
#                              (default: fail, as in tests/vm/lib.sh; the demo uses die)
#   PROC_STAMP=1               prefix each log line with the seconds since PROC_T0
#   PROC_QUIET=1               do not report starts and exits on stdout
#   proc_start NAME CMD...     run CMD in the background, stdin /dev/null; PROC_PID[NAME]
#   proc_start_input NAME CMD...  the same, stdin a fifo that proc_send NAME LINE writes
#   proc_alive NAME            it still runs
#   proc_show NAME [LINES]     the end of its log, indented
#   proc_reason NAME           the last error-looking line of its log
#   proc_wait_file NAME FILE [SECONDS]      until NAME creates FILE
#   proc_wait_log NAME REGEX [SECONDS]      until NAME's log has a line matching REGEX
#   proc_wait_count NAME REGEX N [SECONDS]  until it has more than N such lines
#   proc_wait_exit NAME SECONDS             until it ends; its status in PROC_RC[NAME]
#   proc_wait_exits SECONDS NAME...         until they all end
#   proc_stop NAME SECONDS     SIGTERM, then proc_wait_exit
#   proc_kill_all              SIGKILL every process still running, and reap them
#   proc_cleanup               for an EXIT trap: proc_kill_all; the logs when $? != 0

declare -gA PROC_PID=() PROC_RC=() PROC_FD=()
PROC_DIR=${PROC_DIR:-}
LIB_FAIL=${LIB_FAIL:-fail}
PROC_STAMP=${PROC_STAMP:-0}
PROC_QUIET=${PROC_QUIET:-0}
PROC_T0=${EPOCHREALTIME/./}

# proc_now: seconds since PROC_T0, e.g. 12.345.
proc_now() {
	local d=$(( (${EPOCHREALTIME/./} - PROC_T0) / 1000 ))
	printf '%d.%03d\n' $((d / 1000)) $((d % 1000))
}

# proc_stamp: copy stdin to stdout, each line prefixed with "[proc_now] ".
# No subshell per line: a fork costs milliseconds in the debug VM, and a
# stamper that falls behind delays what tests read from the log by seconds.
proc_stamp() {
	local l d
	while IFS= read -r l; do
		d=$(( (${EPOCHREALTIME/./} - PROC_T0) / 1000 ))
		printf '[%d.%03d] %s\n' $((d / 1000)) $((d % 1000)) "$l"
	done
}

# proc_run_ NAME IN CMD...: start CMD with stdin IN, output to NAME's log.
proc_run_() {
	local name=$1 in=$2 log=$PROC_DIR/$1.log
	shift 2
	[ -n "$PROC_DIR" ] || "$LIB_FAIL" "proc.sh: PROC_DIR is not set"
	if [ "$PROC_STAMP" = 1 ]; then
		"$@" > >(proc_stamp > "$log") 2>&1 < "$in" &
	else
		"$@" > "$log" 2>&1 < "$in" &
	fi
	PROC_PID[$name]=$!
	unset "PROC_RC[$name]"
	[ "$PROC_QUIET" = 1 ] ||
		echo "started $name: pid ${PROC_PID[$name]}: ${*##*/}" | cut -c1-300
}

proc_start() { proc_run_ "$1" /dev/null "${@:2}"; }

proc_start_input() {
	local fd fifo=$PROC_DIR/$1.in
	rm -f "$fifo"
	mkfifo "$fifo"
	# Opened read-write, so neither end blocks; kept open until the script ends.
	exec {fd}<> "$fifo"
	PROC_FD[$1]=$fd
	proc_run_ "$1" "$fifo" "${@:2}"
}

# proc_send NAME LINE: one line to the stdin of a proc_start_input process.
proc_send() { printf '%s\n' "$2" >&"${PROC_FD[$1]}"; }

proc_alive() { kill -0 "${PROC_PID[$1]}" 2> /dev/null; }

proc_show() {
	echo "  --- $1 (pid ${PROC_PID[$1]:-?}), $PROC_DIR/$1.log:"
	tail -n "${2:-40}" "$PROC_DIR/$1.log" 2> /dev/null | sed 's/^/  | /'
}

proc_reason() {
	grep -E 'REASON|[Ee]rror|[Ff]ail|cannot|exited' "$PROC_DIR/$1.log" 2> /dev/null |
		tail -1 | sed 's/.*REASON: //' | cut -c1-200
}

# proc_until NAME SECONDS WHAT CMD...: poll CMD until it succeeds; fail,
# showing NAME's log, when NAME ends first (CMD tried once more) or time runs out.
proc_until() {
	local name=$1 t=$2 what=$3 end
	shift 3
	# Wall-clock deadlines: in a loaded VM each sleep can take far more
	# than its 0.2 s, and a count of rounds would stretch the limit.
	end=$(( ${EPOCHREALTIME/./} + t * 1000000 ))
	while [ "${EPOCHREALTIME/./}" -lt "$end" ]; do
		"$@" && return 0
		if ! proc_alive "$name"; then
			"$@" && return 0
			proc_show "$name"
			"$LIB_FAIL" "$name ended before $what ($(proc_reason "$name"))"
		fi
		sleep 0.2
	done
	proc_show "$name"
	"$LIB_FAIL" "$name: not $what within $t s"
}

proc_has_log_() { grep -Eq -- "$2" "$PROC_DIR/$1.log" 2> /dev/null; }
proc_count_log_() { [ "$(grep -Ec -- "$2" "$PROC_DIR/$1.log" 2> /dev/null)" -gt "$3" ]; }

proc_wait_file() { proc_until "$1" "${3:-120}" "it was ready ($2)" test -e "$2"; }
proc_wait_log() { proc_until "$1" "${3:-60}" "printing '$2'" proc_has_log_ "$1" "$2"; }
proc_wait_count() {
	proc_until "$1" "${4:-60}" "printing '$2' more than $3 times" proc_count_log_ "$1" "$2" "$3"
}

proc_wait_exit() {
	local name=$1 rc end=$(( ${EPOCHREALTIME/./} + $2 * 1000000 ))
	while [ "${EPOCHREALTIME/./}" -lt "$end" ]; do
		if ! proc_alive "$name"; then
			rc=0
			wait "${PROC_PID[$name]}" 2> /dev/null || rc=$?
			PROC_RC[$name]=$rc
			[ "$PROC_QUIET" = 1 ] ||
				echo "[$(proc_now)] $name (pid ${PROC_PID[$name]}) exited with status $rc"
			return 0
		fi
		sleep 0.2
	done
	proc_show "$name"
	"$LIB_FAIL" "$name (pid ${PROC_PID[$name]}) hangs: still running $2 s later"
}

proc_stop() {
	[ "$PROC_QUIET" = 1 ] || echo "[$(proc_now)] SIGTERM to $1 (pid ${PROC_PID[$1]})"
	kill -TERM "${PROC_PID[$1]}" 2> /dev/null || true
	proc_wait_exit "$1" "$2"
}

proc_wait_exits() {
	local t=$1 n end=$(( ${EPOCHREALTIME/./} + $1 * 1000000 ))
	local -a left=()
	shift
	while :; do
		left=()
		for n in "$@"; do
			[ -n "${PROC_RC[$n]:-}" ] && continue
			if proc_alive "$n"; then
				left+=("$n")
			else
				proc_wait_exit "$n" 1
			fi
		done
		[ ${#left[@]} = 0 ] && return 0
		[ "${EPOCHREALTIME/./}" -lt "$end" ] || break
		sleep 0.2
	done
	for n in "${left[@]}"; do
		proc_show "$n"
	done
	"$LIB_FAIL" "still running $t s later: ${left[*]}"
}

proc_kill_all() {
	local n
	for n in "${!PROC_PID[@]}"; do
		kill -9 "${PROC_PID[$n]}" 2> /dev/null || true
	done
	for n in "${!PROC_PID[@]}"; do
		wait "${PROC_PID[$n]}" 2> /dev/null || true
	done
	return 0
}

proc_cleanup() {
	local rc=$? n
	proc_kill_all
	if [ "$rc" != 0 ] && [ -n "$PROC_DIR" ] && [ ${#PROC_PID[@]} -gt 0 ]; then
		echo "--- logs of the processes (the script failed):"
		for n in "${!PROC_PID[@]}"; do
			proc_show "$n" 30
		done
	fi
	return "$rc"
}
